"""The master under test, as its own process: ``python master_program.py config.json``.

The JSON config names the children and the supervisor's settings; SIGHUP re-reads
it, so a test can change the children by rewriting the file before signalling.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import timedelta
from pathlib import Path

from ringback.core.supervisor import ChildSpec, Supervisor


def load_specs(config_path: Path) -> list[ChildSpec]:
    config = json.loads(config_path.read_text())
    return [
        ChildSpec(name=c["name"], argv=c["argv"], env=c.get("env"), title=c.get("title", ""))
        for c in config["children"]
    ]


def main() -> int:
    config_path = Path(sys.argv[1])
    config = json.loads(config_path.read_text())
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
    supervisor = Supervisor(
        load_specs(config_path),
        grace=timedelta(seconds=config["grace_s"]),
        restart_backoff_base=timedelta(seconds=config.get("backoff_base_s", 0.05)),
        restart_backoff_max=timedelta(seconds=config["backoff_max_s"]),
        recycle_min_uptime=timedelta(seconds=config.get("recycle_min_uptime_s", 0.05)),
        ready_timeout=timedelta(seconds=config.get("ready_timeout_s", 5)),
        pid_file=Path(config["pid_file"]),
        state_file=Path(config["state_file"]),
        reload=lambda: load_specs(config_path),
    )
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
