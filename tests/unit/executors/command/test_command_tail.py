"""The output tail keeps bounded memory and ends on what was written last."""

from __future__ import annotations

from ringback.core.executors.command import TailBuffer


def test_short_output_is_kept_whole() -> None:
    tail = TailBuffer(64)
    tail.feed(b"line 1\n")
    tail.feed(b"line 2\n")

    assert tail.text() == "line 1\nline 2\n"
    assert not tail.truncated


def test_long_output_keeps_only_the_last_whole_lines() -> None:
    tail = TailBuffer(100)
    fed = 0
    for number in range(1, 100_001):
        chunk = f"line {number}\n".encode()
        tail.feed(chunk)
        fed += len(chunk)

    text = tail.text()
    assert tail.total_bytes == fed
    assert len(text.encode()) <= 100
    assert text.startswith("…line ")
    assert text.endswith("line 99999\nline 100000\n")
    lines = text[1:].splitlines()
    assert [int(line.split()[1]) for line in lines] == list(range(100_001 - len(lines), 100_001))


def test_one_huge_chunk_is_cut_at_once() -> None:
    tail = TailBuffer(32)

    tail.feed(b"x" * 1_000_000 + b"\nthe end\n")

    assert tail.text() == "…the end\n"


def test_a_cut_through_a_multibyte_character_stays_valid_text() -> None:
    tail = TailBuffer(20)

    tail.feed("支付结果回调服务已完成处理".encode())  # 3 bytes each, no newline

    text = tail.text()
    assert len(text.encode()) <= 20
    assert text.startswith("…") and text.endswith("处理")
    assert "\ufffd" not in text
