"""``ringback demo``: guided demonstrations against the running service.

Each demo is a function of its own registered under ``demo``; ``demo payments`` pays
an order through a simulated Alipay and watches the merchant being notified.
"""

from __future__ import annotations

import argparse

from ringback.core.config import ensure_secrets
from ringback.interfaces.cli import output
from ringback.interfaces.cli.commands import Subparsers, add_command, run_async
from ringback.interfaces.cli.context import settings_from
from ringback.interfaces.cli.demo_payments import demo_setup, run_demo
from ringback.interfaces.cli.parsing import CliParser
from ringback.interfaces.runtime.payments import payments_config


def register(subparsers: Subparsers) -> None:
    group = add_command(subparsers, "demo", help="guided demonstrations against the service")
    demos = group.add_subparsers(
        dest="demo_command", metavar="DEMO", required=True, parser_class=CliParser
    )
    register_payments_demo(demos)


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
