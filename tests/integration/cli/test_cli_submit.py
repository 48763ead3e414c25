"""``ringback submit`` in-process: jobs go straight into the configured store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cli_env import URL, CliEnv, parse

from ringback.interfaces.cli.exit_codes import OK, USAGE


def submit_json(cli: CliEnv, capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert cli.run("submit", *argv, "-o", "json") == OK
    return parse(capsys.readouterr().out)


def test_submit_then_resubmit_with_the_key(cli: CliEnv, capsys: pytest.CaptureFixture[str]) -> None:
    first = submit_json(
        cli,
        capsys,
        URL,
        "--body",
        "out_trade_no=T1",
        "--header",
        "Authorization: Bearer top-secret",
        "--header",
        "X-Merchant:m1",
        "--policy",
        "alipay",
        "--key",
        "pay-T1",
        "--success-body",
        "success",
        "--label",
        "merchant=m1",
        "--queue",
        "notify",
    )
    assert first["created"] is True
    job = first["job"]
    assert job["state"] == "scheduled"
    assert (job["key"], job["queue"], job["labels"]) == ("pay-T1", "notify", {"merchant": "m1"})
    assert job["payload"]["body"] == "out_trade_no=T1"
    assert job["payload"]["headers"] == {"Authorization": "Bearer ***", "X-Merchant": "m1"}
    assert job["payload"]["success"]["body_equals"] == "success"
    assert job["policy"]["type"] == "schedule"

    again = submit_json(cli, capsys, URL, "--key", "pay-T1")
    assert again["created"] is False and again["job"]["id"] == job["id"]

    assert cli.run("submit", URL, "--key", "pay-T1") == OK
    assert "already exists" in capsys.readouterr().out


def test_body_from_a_file_json_body_and_policy_spec(
    cli: CliEnv, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "body.txt").write_text("a=1&b=2", encoding="utf-8")
    from_file = submit_json(cli, capsys, URL, "--body", f"@{tmp_path / 'body.txt'}")
    assert from_file["job"]["payload"]["body"] == "a=1&b=2"
    with_json = submit_json(
        cli,
        capsys,
        URL,
        "--json",
        '{"trade_no": "T2"}',
        "--policy",
        '{"type": "fixed", "interval": "30m", "max_attempts": 3}',
        "--delay",
        "10m",
    )
    job = with_json["job"]
    assert job["payload"]["json"] == {"trade_no": "T2"}
    assert job["policy"]["type"] == "fixed"
    created = job["created_at"]
    assert job["run_at"] > created


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        ([URL, "--delay", "soon"], "--delay"),
        ([URL, "--delay", "30"], "--delay"),
        ([URL, "--at", "2026-03-01T09:00:00"], "--at"),
        ([URL, "--at", "tomorrow"], "--at"),
        (["ftp://shop.example/x"], "payload.url"),
        ([URL, "--method", "BREW"], "payload.method"),
        ([URL, "--policy", "nosuchpreset"], "policy.preset"),
        ([URL, "--policy", "{not json"], "--policy"),
        ([URL, "--header", "NoColon"], "--header"),
        ([URL, "--label", "novalue"], "--label"),
        ([URL, "--queue", "has space"], "queue"),
        ([], "url"),
    ],
)
def test_bad_input_is_exit_2_with_one_line_and_no_store(
    cli: CliEnv, capsys: pytest.CaptureFixture[str], argv: list[str], field: str
) -> None:
    assert cli.run("submit", *argv) == USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"ringback: error: {field}: ")
    assert not cli.db.exists()  # checked before the store was even opened


def test_argparse_mistakes_are_one_line_too(
    cli: CliEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run("submit", URL, "--at", "2026-03-01T09:00:00Z", "--delay", "1m") == USAGE
    assert cli.run("submit", URL, "--no-such-option") == USAGE
    assert cli.run("frobnicate") == USAGE
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    assert all(line.startswith("ringback") and "error:" in line for line in err)
