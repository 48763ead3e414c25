"""An nginx sink on loopback that answers every request with ``success``.

nginx (Debian's package) is the receiver for the delivery benchmarks: it is fast
enough that the figures measure ringback, not the receiver.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    {access_log}
    client_body_temp_path {dir}/body;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        location / {{ return 200 "success"; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# One line per answered request: when nginx finished it (epoch seconds, ms resolution),
# the status, and the Standard Webhooks delivery id ("-" when absent). Without a
# buffer nginx writes each line as the request ends, so a line means "delivered".
DELIVERY_LOG = """log_format deliveries '$msec $status $http_webhook_id';
    access_log {path} deliveries;"""


@contextlib.contextmanager
def nginx_sink(delivery_log: Path | None = None) -> Iterator[str]:
    """Start nginx on a free loopback port; yield its URL; stop it.

    With ``delivery_log``, nginx appends a line per request to that file (see
    ``DELIVERY_LOG``); without it nginx logs nothing, which is fastest.
    """
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is needed: apt-get install -y nginx-light")
    with tempfile.TemporaryDirectory(prefix="ringback-sink-") as folder:
        port = free_port()
        conf = Path(folder) / "nginx.conf"
        access_log = DELIVERY_LOG.format(path=delivery_log) if delivery_log else "access_log off;"
        conf.write_text(CONF.format(dir=folder, port=port, access_log=access_log))
        proc = subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"])
        try:
            _wait_for_port(port)
            yield f"http://127.0.0.1:{port}/notify"
        finally:
            proc.terminate()
            proc.wait(10)


def _wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")
