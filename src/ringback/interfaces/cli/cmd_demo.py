"""``ringback demo``: guided demonstrations against the running service.

Each demo is a function of its own registered under ``demo``; ``demo payments`` pays
an order through a simulated Alipay and watches the merchant being notified;
``demo statements`` pulls a statement from a simulated bank and reconciles it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ringback.core.config import ensure_secrets
from ringback.core.durations import parse_duration
from ringback.interfaces.cli import output
from ringback.interfaces.cli.commands import Subparsers, add_command, run_async
from ringback.interfaces.cli.context import settings_from
from ringback.interfaces.cli.demo_payments import demo_setup, run_demo
from ringback.interfaces.cli.demo_statements import DemoOptions, run_statements_demo
from ringback.interfaces.cli.parsing import CliParser
from ringback.interfaces.runtime.payments import payments_config


def register(subparsers: Subparsers) -> None:
    group = add_command(subparsers, "demo", help="guided demonstrations against the service")
    demos = group.add_subparsers(
        dest="demo_command", metavar="DEMO", required=True, parser_class=CliParser
    )
    register_payments_demo(demos)
    register_statements_demo(demos)


def register_payments_demo(demos: Subparsers) -> None:
    add_command(
        demos,
        "payments",
        help="pay an order through a simulated Alipay; watch a flaky shop being notified",
        description=(
            "Next to a running service (make run): registers an order, sends a signed "
            "Alipay notification, runs a sample shop that is down for its first tries, "
            "and prints each notification attempt and where to look."
        ),
        handler=demo_payments,
    )


def demo_payments(args: argparse.Namespace) -> int:
    settings = ensure_secrets(settings_from(args))
    setup = demo_setup(settings, payments_config(settings))
    return run_async(run_demo(setup, output.console()))


def register_statements_demo(demos: Subparsers) -> None:
    parser = add_command(
        demos,
        "statements",
        help="pull a statement from a simulated bank that is not ready yet; reconcile it",
        description=(
            "Self-contained: starts a simulated bank on loopback that answers 'system "
            "error' until its file is ready, runs a ringback worker pulling from it within "
            "a shortened minimum interval, and prints each request, the file and the "
            "reconciliation against a sample ledger, and where to look afterwards."
        ),
        handler=demo_statements,
    )
    parser.add_argument("--dir", help="folder for the store, config and ledger (default: new)")
    parser.add_argument("--interval", default="2s", help="the bank's minimum interval")
    parser.add_argument("--ready-after", default="5s", help="when the bank's file is ready")


def demo_statements(args: argparse.Namespace) -> int:
    options = DemoOptions(
        folder=None if args.dir is None else Path(args.dir).resolve(),
        interval=parse_duration(args.interval, field="--interval"),
        ready_after=parse_duration(args.ready_after, field="--ready-after"),
    )
    return run_async(run_statements_demo(options, output.console()))
