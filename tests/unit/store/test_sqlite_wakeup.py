"""The unix-datagram wake-up channel between stores sharing a database file."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

from ringback.core.store.sqlite.wakeup import WakeChannel


async def _bound(database: Path) -> WakeChannel:
    channel = WakeChannel(database)
    assert await channel.wait(0) is True  # the first wait binds and says "look again"
    return channel


async def test_the_first_wait_binds_a_socket_that_close_removes(tmp_path: Path) -> None:
    channel = await _bound(tmp_path / "jobs.db")
    [entry] = list((tmp_path / "jobs.db.wake").iterdir())
    assert entry.name.startswith(f"{os.getpid()}-") and entry.name.endswith(".sock")
    assert entry.is_socket()
    assert await channel.wait(0.01) is False
    channel.close()
    assert list((tmp_path / "jobs.db.wake").iterdir()) == []


async def test_a_signal_reaches_the_other_channel_and_many_make_one_wake_up(
    tmp_path: Path,
) -> None:
    waiter = await _bound(tmp_path / "jobs.db")
    sender = WakeChannel(tmp_path / "jobs.db")
    try:
        waiting = asyncio.create_task(waiter.wait(5))
        await asyncio.sleep(0.02)
        assert not waiting.done()
        assert sender.notify_others() == 1
        assert await asyncio.wait_for(waiting, 5) is True

        for _ in range(50):
            sender.notify_others()
        assert await waiter.wait(5) is True
        assert await waiter.wait(0.01) is False  # all fifty were drained at once
    finally:
        waiter.close()
        sender.close()


async def test_a_channel_does_not_signal_itself_over_the_socket(tmp_path: Path) -> None:
    channel = await _bound(tmp_path / "jobs.db")
    try:
        assert channel.notify_others() == 0
        assert await channel.wait(0.01) is False
    finally:
        channel.close()


async def test_local_notification_wakes_every_waiter_of_the_channel(tmp_path: Path) -> None:
    channel = await _bound(tmp_path / "jobs.db")
    try:
        waiters = [asyncio.create_task(channel.wait(5)) for _ in range(2)]
        await asyncio.sleep(0.01)
        channel.notify_local()
        results = await asyncio.wait_for(asyncio.gather(*waiters), 5)
        assert results == [True, True]
    finally:
        channel.close()


async def test_a_dead_processes_socket_file_is_removed(tmp_path: Path) -> None:
    directory = tmp_path / "jobs.db.wake"
    directory.mkdir()
    stale = directory / "99999-deadbeef.sock"
    orphan = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    orphan.bind(str(stale))
    orphan.close()  # the file stays, nobody listens: as after SIGKILL
    (directory / "notes.txt").write_text("not a socket of ours")

    sender = WakeChannel(tmp_path / "jobs.db")
    assert sender.notify_others() == 0
    assert not stale.exists()
    assert (directory / "notes.txt").exists()


async def test_no_directory_means_nobody_to_wake(tmp_path: Path) -> None:
    assert WakeChannel(tmp_path / "jobs.db").notify_others() == 0


async def test_paths_too_long_for_a_socket_address_still_work(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    database = deep / "jobs.db"
    assert len(os.fsencode(f"{database}.wake/123-abcdefgh.sock")) > 108
    waiter = await _bound(database)
    sender = WakeChannel(database)
    try:
        assert sender.notify_others() == 1
        assert await waiter.wait(5) is True
    finally:
        waiter.close()
        sender.close()
