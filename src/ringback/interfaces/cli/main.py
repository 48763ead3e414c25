"""``ringback``: the command line.

Commands live one group per module (``cmd_*.py``), each with ``register(subparsers)``;
``COMMANDS`` lists them, so adding a command is adding a module here. Errors end in
one line on stderr and an exit code from ``exit_codes``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import ringback
from ringback.core.errors import RingbackError
from ringback.interfaces.cli import (
    cmd_config,
    cmd_demo,
    cmd_jobs,
    cmd_migrate,
    cmd_payments,
    cmd_serve,
    cmd_statements,
    cmd_submit,
)
from ringback.interfaces.cli.commands import CommandModule
from ringback.interfaces.cli.exit_codes import FAILURE, UNAVAILABLE, USAGE, exit_code_for
from ringback.interfaces.cli.parsing import CliParser

COMMANDS: tuple[CommandModule, ...] = (
    cmd_serve,
    cmd_migrate,
    cmd_submit,
    cmd_jobs,
    cmd_config,
    cmd_payments,
    cmd_statements,
    cmd_demo,
)

INTERRUPTED = 130  # the shell's convention for SIGINT


def build_parser(commands: Sequence[CommandModule] = COMMANDS) -> CliParser:
    parser = CliParser(
        prog="ringback",
        description="Calls back until they answer: a durable retry and scheduling service.",
    )
    parser.add_argument("--version", action="version", version=f"ringback {ringback.__version__}")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file (TOML; default $RINGBACK_CONFIG); RINGBACK_* variables override",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=CliParser
    )
    for module in commands:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a usage error already printed
        return stop.code if isinstance(stop.code, int) else USAGE
    try:
        return int(args.handler(args))
    except RingbackError as error:
        where = f"{error.field}: " if error.field else ""
        _error_line(f"{where}{error.message}")
        return exit_code_for(error)
    except BrokenPipeError:  # e.g. `ringback jobs list | head`: the reader left
        return FAILURE
    except OSError as error:
        # The store's disk or socket: nothing the input can fix.
        _error_line(f"{error.strerror or error}")
        return UNAVAILABLE
    except KeyboardInterrupt:
        return INTERRUPTED


def _error_line(message: str) -> None:
    one_line = " ".join(message.split())
    sys.stderr.write(f"ringback: error: {one_line}\n")


if __name__ == "__main__":
    sys.exit(main())
