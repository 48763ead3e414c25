"""Benchmark: decode + parse a million-line bank file, then reconcile it against a million
of our entries with a few thousand breaks of every kind. Not a test; run it by hand:

    .venv/bin/python bench/reconcile.py [--rows 1000000] [--breaks 2000]

The file is real: GBK ``|`` text with a totals line, in a zip with a GBK member name, as
base64, exactly what the simulated bank sends.
"""

from __future__ import annotations

import argparse
import base64
import gc
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from ringback.domain.statements import (
    LedgerEntry,
    StatementLine,
    decode_statement,
    parse_format_spec,
    reconcile,
)
from ringback.domain.statements.simulator import SIMULATOR_FORMAT, make_statement_file

DAY = date(2026, 11, 23)
DAY_START = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # 2026-11-23 00:00 Asia/Shanghai
T = TypeVar("T")


def timed(label: str, rows: int, action: Callable[[], T], repeat: int = 1) -> T:
    """Run ``action`` ``repeat`` times; print the best and the median (the machine is shared)."""
    runs: list[float] = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = action()
        runs.append(time.perf_counter() - started)
    best = min(runs)
    median = statistics.median(runs)
    print(
        f"{label:<28} best {best:6.2f} s  median {median:6.2f} s  "
        f"{rows / best:>12,.0f} rows/s (best)"
    )
    return result


def generate(rows: int, breaks: int) -> tuple[list[StatementLine], list[LedgerEntry]]:
    rng = random.Random(20261123)
    lines: list[StatementLine] = []
    ours: list[LedgerEntry] = []
    for n in range(rows):
        # Keep clear of midnight so that only the planted pending items are near it.
        when = DAY_START + timedelta(seconds=1800 + n * 82_800 // rows)
        amount = rng.randrange(100, 500_000)
        order_no = f"T{DAY:%Y%m%d}{n:09d}"
        txn_no = f"B{DAY:%Y%m%d}{n:012d}"
        lines.append(StatementLine(0, order_no, txn_no, amount, "CNY", "paid", when, ""))
        ours.append(LedgerEntry(order_no, txn_no, amount, "CNY", "paid", when))
    kinds = ("missing_ours", "missing_statement", "amount", "status", "dup", "pending", "channel")
    picks = rng.sample(range(rows), breaks * len(kinds))
    drop_lines: set[int] = set()
    drop_ours: set[int] = set()
    for kind_no, kind in enumerate(kinds):
        for i in picks[kind_no * breaks : (kind_no + 1) * breaks]:
            line, entry = lines[i], ours[i]
            if kind == "missing_ours":
                drop_ours.add(i)
            elif kind == "missing_statement":
                drop_lines.add(i)
            elif kind == "amount":
                ours[i] = entry._replace(amount_minor=entry.amount_minor + 1)
            elif kind == "status":
                lines[i] = line._replace(status="closed")
            elif kind == "dup":
                lines.append(line)
            elif kind == "pending":
                drop_ours.add(i)
                lines[i] = line._replace(occurred_at=DAY_START + timedelta(days=1, minutes=-3))
            else:  # matched by the channel's number only
                ours[i] = entry._replace(order_no="X" + entry.order_no)
    lines = [line for i, line in enumerate(lines) if i not in drop_lines]
    ours = [entry for i, entry in enumerate(ours) if i not in drop_ours]
    return lines, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--breaks", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measured step")
    args = parser.parse_args()

    lines, ours = timed("generate", args.rows, lambda: generate(args.rows, args.breaks))
    payload = timed(
        "write GBK | zip + base64",
        len(lines),
        lambda: base64.b64encode(make_statement_file(lines, "gbk", day=DAY)).decode("ascii"),
    )
    print(f"payload: {len(payload) / 2**20:.1f} MiB base64 for {len(lines):,} lines")

    spec = parse_format_spec(SIMULATOR_FORMAT)
    decoded = timed(
        "decode (base64, zip, GBK)", len(lines), lambda: decode_statement(payload), args.repeat
    )
    text = decoded.text
    parsed = timed("parse (| rows, totals)", len(lines), lambda: spec.parse(text), args.repeat)

    report = timed(
        "reconcile",
        len(parsed.lines) + len(ours),
        lambda: reconcile(
            parsed.lines, ours, day=DAY, as_of=DAY_START + timedelta(days=1, hours=6)
        ),
        args.repeat,
    )
    counts = Counter({category.value: n for category, n in report.counts().items()})
    print("categories:", dict(counts))
    print(
        f"bridge: statement {report.statement_total_minor} - ours {report.our_total_minor} = "
        f"{report.statement_total_minor - report.our_total_minor} = "
        f"sum of differences {sum(report.differences().values())}"
    )


if __name__ == "__main__":
    main()
