"""``ringback config check``: load and validate the settings, show them redacted."""

from __future__ import annotations

import argparse
import json

from ringback.interfaces.cli import output
from ringback.interfaces.cli.commands import Subparsers, add_command, add_json_flag
from ringback.interfaces.cli.context import config_path, settings_from
from ringback.interfaces.cli.parsing import CliParser
from ringback.interfaces.runtime.checks import check_features


def register(subparsers: Subparsers) -> None:
    group = add_command(subparsers, "config", help="inspect the configuration")
    actions = group.add_subparsers(
        dest="config_command", metavar="ACTION", required=True, parser_class=CliParser
    )
    check = add_command(
        actions,
        "check",
        help="validate the file and RINGBACK_* variables; print the settings, secrets masked",
        handler=_check,
    )
    add_json_flag(check)


def _check(args: argparse.Namespace) -> int:
    settings = settings_from(args)  # raises ConfigError (exit 2) naming the bad key
    features = check_features(settings)  # key files, sources, cron lines: same errors
    shown = settings.secrets_redacted()
    if args.json:
        output.print_json(shown)
        return 0
    path = config_path(args)
    source = f"{path}" if path is not None else "defaults"
    extra = f"; features: {', '.join(features)}" if features else ""
    output.info(f"configuration OK ({source} + environment){extra}")
    console = output.console()
    for section, values in shown.items():
        if isinstance(values, dict) and values:
            console.print(f"[bold]\\[{section}][/]")
            for key, value in values.items():
                console.print(f"  {key} = {output.cell(_toml_like(value))}")
        elif not isinstance(values, dict):
            console.print(f"[bold]{section}[/] = {output.cell(_toml_like(values))}")
    return 0


def _toml_like(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
