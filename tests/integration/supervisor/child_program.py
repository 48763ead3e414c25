"""A tiny supervised child for the supervisor tests (run as a script, not collected).

It appends ``<event> <pid> <monotonic time> <generation>`` lines to
``<markers>/<name>.log`` so a test can reconstruct who ran when.
Modes: ``serve`` (ready, then wait for SIGTERM/SIGINT), ``ignore-term`` (ready,
then ignore SIGTERM), ``crash`` (exit 1 at once), ``recycle`` (serve, then exit
with EXIT_RECYCLE after --after seconds), ``never-ready`` (serve without telling).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from ringback.core.supervisor import (
    EXIT_RECYCLE,
    apply_process_title,
    child_name,
    notify_ready,
    write_child_state,
)
from ringback.core.supervisor.child import STATE_DIR_ENV


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--markers", type=Path, required=True)
    parser.add_argument("--mode", default="serve")
    parser.add_argument("--generation", default="1")
    parser.add_argument("--ready-delay", type=float, default=0.0)
    parser.add_argument("--after", type=float, default=0.0)
    args = parser.parse_args()
    name = child_name() or "unsupervised"
    log_path = args.markers / f"{name}.log"

    def mark(event: str) -> None:
        line = f"{event} {os.getpid()} {time.monotonic():.6f} {args.generation}\n"
        with log_path.open("a") as handle:
            handle.write(line)

    apply_process_title()
    mark("start")
    if args.mode == "crash":
        return 1

    def on_stop(signum: int, frame: FrameType | None) -> None:
        mark("stop")
        sys.exit(0)

    if args.mode == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)

    time.sleep(args.ready_delay)
    if args.mode != "never-ready":
        mark("ready")  # before telling: the master may stop the predecessor at once
        notify_ready()
    state_dir = os.environ.get(STATE_DIR_ENV)
    if state_dir:
        write_child_state(Path(state_dir), name, {"jobs_done": 7, "generation": args.generation})
    if args.mode == "recycle":
        time.sleep(args.after)
        mark("recycle")
        return EXIT_RECYCLE
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
