"""``ringback payments …`` in process (``main([...])``), on the running service's store.

The CLI runs its own event loop, so each call runs in a thread beside the service's.
"""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ringback.core.jobs import JobState
from ringback.interfaces.cli.main import main

from .payments_env import AMOUNT, T0, PaymentsEnv, eventually, use_quick_merchant


async def ringback(env: PaymentsEnv, capsys: Any, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["--config", str(env.config_path), *argv])
    out, err = capsys.readouterr()
    return code, out, err


async def test_orders_list_and_show(env, merchant, capsys):
    await env.register("C-1")
    await env.register("C-2")
    await env.send("alipay", env.alipay.notify_request("C-2", AMOUNT))

    code, out, _ = await ringback(env, capsys, "payments", "orders", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [(o["order_no"], o["status"]) for o in listed["orders"]] == [
        ("C-2", "paid"),
        ("C-1", "pending"),
    ]

    code, out, _ = await ringback(env, capsys, "payments", "orders", "list", "--status", "paid")
    assert code == 0 and "C-2" in out and "C-1" not in out

    show = ("payments", "orders", "show", "game-1", "C-2")
    code, out, _ = await ringback(env, capsys, *show, "--json")
    assert code == 0
    detail = json.loads(out)
    assert detail["order"]["status"] == "paid"
    assert len(detail["channel_notifications"]) == 1
    assert detail["merchant_notifications"][0]["jobs"][0]["job"]["queue"] == "payments"

    code, out, _ = await ringback(env, capsys, *show)
    assert code == 0 and "C-2" in out and "channel notifications" in out


async def test_show_of_an_unknown_order_is_not_found(env, capsys):
    code, _, err = await ringback(env, capsys, "payments", "orders", "show", "game-1", "NOPE")
    assert code == 3
    assert "order NOPE of app game-1 not found" in err


async def test_rejected_lists_the_audit_log(env, keys, capsys):
    await env.register("C-R")
    await env.send(
        "wechatpay", env.wechat.notification("C-R", AMOUNT, sent_at=T0 - timedelta(hours=1))
    )

    code, out, _ = await ringback(env, capsys, "payments", "rejected", "--json", "--raw")
    assert code == 0
    [entry] = json.loads(out)["items"]
    assert (entry["channel"], entry["reason_code"]) == ("wechatpay", "stale_timestamp")
    assert entry["raw_text"]

    code, out, _ = await ringback(env, capsys, "payments", "rejected")
    assert code == 0 and "stale_timestamp" in out


async def test_resend_and_resend_dead(env, merchant, capsys):
    use_quick_merchant(env, merchant)
    merchant.simulator.unavailable_first = 1
    await env.register("C-Q", app_id="quick")
    await env.send("generic", env.generic_request("quick", "C-Q"))
    key = (await env.payments.order_status("quick", "C-Q")).order.notices[0].job_key

    async def state() -> JobState:
        job = await env.svc.store.get_job_by_key(key)
        assert job is not None
        return job.state

    await eventually(state, lambda s: s is JobState.DEAD)

    # The CLI's clock is the wall clock; everything died "since" well before it.
    code, out, _ = await ringback(
        env, capsys, "payments", "resend-dead", "quick", "--since", "2020-01-01T00:00:00Z", "--json"
    )
    assert (code, json.loads(out)) == (0, {"resent": 1})
    # The new series starts at the CLI's "now"; bring the service's fake clock there.
    env.clock.set(datetime.now(UTC) + timedelta(seconds=1))
    await eventually(state, lambda s: s is JobState.SUCCEEDED)

    code, out, _ = await ringback(env, capsys, "payments", "resend", "quick", "C-Q", "--json")
    assert code == 0
    assert json.loads(out)["job"]["key"] == f"{key}_r1"

    code, _, err = await ringback(
        env, capsys, "payments", "resend-dead", "quick", "--since", "yesterday"
    )
    assert code == 2 and "--since" in err


async def test_without_a_payments_section_the_commands_say_so(tmp_path: Path, capsys):
    config = tmp_path / "plain.toml"
    config.write_text('[store]\nurl = "sqlite:///plain.db"\n', encoding="utf-8")
    code = await asyncio.to_thread(main, ["--config", str(config), "payments", "orders", "list"])
    assert code == 2
    assert "payments are not configured" in capsys.readouterr().err


async def test_the_demo_reads_the_example_configuration_and_needs_a_service(
    tmp_path: Path, capsys, monkeypatch
):
    # The example as `make run` uses it, in a scratch copy (its store and keys go to
    # <copy>/var), on a port where nothing listens.
    examples = tmp_path / "examples"
    examples.mkdir()
    source = Path(__file__).parents[3] / "examples" / "ringback.toml"
    (examples / "ringback.toml").write_text(source.read_text(encoding="utf-8"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("RINGBACK_SERVER_PORT", str(port))

    code = await asyncio.to_thread(
        main, ["--config", str(examples / "ringback.toml"), "demo", "payments"]
    )

    assert code == 5
    assert "no ringback service answers" in capsys.readouterr().out
    assert (tmp_path / "var" / "demo" / "alipay-private.pem").is_file()


async def test_the_demo_says_what_configuration_it_needs(tmp_path: Path, capsys):
    config = tmp_path / "plain.toml"
    config.write_text('[store]\nurl = "sqlite:///plain.db"\n', encoding="utf-8")
    code = await asyncio.to_thread(main, ["--config", str(config), "demo", "payments"])
    assert code == 2
    assert "examples/ringback.toml" in capsys.readouterr().err
