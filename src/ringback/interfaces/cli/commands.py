"""How command modules plug into ``ringback``.

Each command module has ``register(subparsers)``: it adds its subcommand(s) with
``add_command`` and sets a handler. ``main.COMMANDS`` lists the modules; adding a
command (``serve``, ``worker`` …) is adding a module to that list.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeAlias

from ringback.interfaces.cli.parsing import CliParser

Handler = Callable[[argparse.Namespace], int]
# Generic only to type checkers, hence the string.
Subparsers: TypeAlias = "argparse._SubParsersAction[CliParser]"


class CommandModule(Protocol):
    def register(self, subparsers: Subparsers) -> None: ...


def common_options() -> CliParser:
    """Options every command accepts after its name as well as before it."""
    common = CliParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="configuration file (TOML); RINGBACK_* environment variables override it",
    )
    return common


def add_command(
    subparsers: Subparsers,
    name: str,
    *,
    help: str,
    handler: Handler | None = None,
    description: str | None = None,
) -> CliParser:
    parser = subparsers.add_parser(
        name,
        help=help,
        description=description or help,
        parents=[common_options()],
    )
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def add_json_flag(parser: CliParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print JSON for scripts instead of a table"
    )


def run_async(coroutine: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coroutine)


def async_handler(command: Callable[[argparse.Namespace], Coroutine[Any, Any, int]]) -> Handler:
    """A handler that runs an async command on its own event loop."""
    return lambda args: run_async(command(args))
