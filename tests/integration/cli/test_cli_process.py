"""``ringback`` as a real process: exit codes, one-line errors, parseable JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_env import URL, CliEnv, run_process

pytestmark = pytest.mark.slow


def test_a_bad_duration_is_exit_2_with_one_line(cli: CliEnv) -> None:
    done = run_process(cli, "submit", URL, "--delay", "ten minutes")
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("ringback: error: --delay: ")


def test_submit_then_list_as_json(cli: CliEnv) -> None:
    submitted = run_process(cli, "submit", URL, "--key", "k1", "--policy", "alipay", "-o", "json")
    assert submitted.returncode == 0, submitted.stderr
    job = json.loads(submitted.stdout)["job"]
    listed = run_process(cli, "jobs", "list", "--json")
    assert listed.returncode == 0
    [entry] = json.loads(listed.stdout)["jobs"]
    assert (entry["id"], entry["key"]) == (job["id"], "k1")


def test_an_unusable_store_is_exit_5(cli: CliEnv, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    cli.config.write_text(
        f'[store]\nurl = "sqlite:///{blocker}/ringback.db"\n'
        f'[http]\nsigning_secret = "{cli.signing_secret}"\n[server]\ntoken = "x"\n',
        encoding="utf-8",
    )
    done = run_process(cli, "--config", str(cli.config), "jobs", "list")
    assert done.returncode == 5, done.stderr
    assert len(done.stderr.splitlines()) == 1
