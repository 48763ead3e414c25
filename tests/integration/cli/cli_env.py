"""A configuration on a fresh SQLite file for running ``ringback`` commands against
(named uniquely: tests have no packages)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ringback.core.executors.http.signing import generate_secret
from ringback.interfaces.cli.main import main

TOKEN = "cli-test-token-0123456789abcdef"
URL = "https://shop.example/notify"


@dataclass
class CliEnv:
    config: Path
    db: Path
    signing_secret: str

    def run(self, *argv: str) -> int:
        """``ringback --config <file> ARGV`` in this process."""
        return main(["--config", str(self.config), *argv])


def write_config(folder: Path) -> CliEnv:
    secret = generate_secret()
    config = folder / "ringback.toml"
    config.write_text(
        "[store]\n"
        'url = "sqlite:///ringback.db"\n'
        "[server]\n"
        f'token = "{TOKEN}"\n'
        "[http]\n"
        f'signing_secret = "{secret}"\n',
        encoding="utf-8",
    )
    return CliEnv(config=config, db=folder / "ringback.db", signing_secret=secret)


def clean_env() -> dict[str, str]:
    """The environment without RINGBACK_* variables, so only the test's config counts."""
    return {k: v for k, v in os.environ.items() if not k.startswith("RINGBACK_")}


def run_process(env: CliEnv, *argv: str) -> subprocess.CompletedProcess[str]:
    """``ringback`` as a real process, the way scripts run it."""
    return subprocess.run(
        [sys.executable, "-m", "ringback.interfaces.cli.main", "--config", str(env.config), *argv],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )


def parse(text: str) -> Any:
    return json.loads(text)
