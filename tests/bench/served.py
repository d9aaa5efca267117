"""The app served by a real gunicorn for over-HTTP benchmarks, and a timer for keep-alive
requests to it."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(**env):
    """One single-threaded gunicorn worker on a free port (yielded), with `env` added."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.bench.settings", **env}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "crm.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--threads",
            "1",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def time_http(connection, path: str, headers: dict, repeat: int) -> float:
    """Seconds per GET of `path` over a kept-alive connection, averaged over `repeat`."""
    start = time.perf_counter()
    for _ in range(repeat):
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200
    return (time.perf_counter() - start) / repeat
