"""``ringback migrate``: create the database or bring its schema up to date."""

from __future__ import annotations

import argparse

from ringback.interfaces.cli import output
from ringback.interfaces.cli.commands import Subparsers, add_command, add_json_flag, run_async
from ringback.interfaces.cli.context import settings_from
from ringback.interfaces.runtime.migrate import migrate


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "migrate",
        help="create the store or apply pending schema migrations (safe to repeat)",
        handler=_migrate,
    )
    add_json_flag(parser)


def _migrate(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    version = run_async(migrate(settings))
    if args.json:
        output.print_json({"store": _shown_url(settings.store.url), "schema_version": version})
    else:
        output.console().print(f"store {_shown_url(settings.store.url)}: schema version {version}")
    return 0


def _shown_url(url: str) -> str:
    from ringback.core.config_redact import mask_url_password

    return mask_url_password(url)
