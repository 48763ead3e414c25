"""A bad domain section stops `config check` and `serve` with one line and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ringback.interfaces.cli.main import main

BAD_PAYMENTS = """
[server]
port = 0
[store]
url = "sqlite:///ringback.db"
[[payments.apps]]
app_id = "shop"
notify_url = "https://shop.example/notify"
signing_secret = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"
[payments.alipay]
app_id = "2021000000000001"
public_key_file = "missing/alipay-public.pem"
"""

BAD_CRON = """
[store]
url = "sqlite:///ringback.db"
[periodic.nightly]
cron = "61 0 * * *"
tz = "Asia/Shanghai"
kind = "http"
payload = { url = "https://example.com/x" }
"""


BAD_ALLOWED_HOST = """
[http]
allowed_hosts = ["10.0.0.0/33"]
"""

NOT_PEM = """
[http]
ca_file = "not-a-ca.pem"
"""


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (BAD_PAYMENTS, "alipay-public.pem"),
        (BAD_CRON, "cron"),
        (BAD_ALLOWED_HOST, "10.0.0.0/33"),
        (NOT_PEM, "not-a-ca.pem"),
    ],
)
def test_config_check_refuses_a_bad_feature_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, needle: str
) -> None:
    config = tmp_path / "ringback.toml"
    config.write_text(text)
    (tmp_path / "not-a-ca.pem").write_text("-----BEGIN NOTHING-----\n")
    assert main(["--config", str(config), "config", "check"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert needle in err


def test_serve_refuses_a_missing_key_file_before_starting_anything(tmp_path: Path) -> None:
    config = tmp_path / "ringback.toml"
    config.write_text(BAD_PAYMENTS)
    done = subprocess.run(
        [sys.executable, "-m", "ringback", "serve", "--config", str(config), "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "alipay-public.pem" in done.stderr
    assert not (tmp_path / "state" / "master.json").exists()  # no master ever ran
