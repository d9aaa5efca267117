"""Concurrent writers under `make run`'s own settings: a SQLite file shared by the web
server and a Celery worker (broker on a SQLite file, file cache), as real processes.

A partner's batch arrives all at once; every lead must be made at once (not after the
60-second sweep, which is not running here), and a source's rate limit must hold exactly.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "demo-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


class App:
    """`bin/run` in miniature: runserver and a threads-pool worker on one var/ folder."""

    def __init__(self, var_dir: Path, *, redis_url: str = ""):
        clean = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
        self.env = {**clean, "DEBUG": "true", "VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"}
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.database = var_dir / "bookback.sqlite3"
        self.port = free_port()
        self.processes: list[subprocess.Popen] = []

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, timeout=120
        )

    def spawn(self, *args: str, ready: str) -> None:
        """Start a process and wait until its log says `ready`."""
        log = open(Path(self.env["VAR_DIR"]) / f"{args[0]}.log", "w+")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=self.env, stdout=log, stderr=log
        )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            log.seek(0)
            if ready in log.read():
                return
            assert process.poll() is None, Path(log.name).read_text()
            time.sleep(0.2)
        raise AssertionError(f"{args} never became ready: {Path(log.name).read_text()}")

    def start(self, *, worker: bool) -> None:
        self.manage("migrate", "--noinput", "-v0")
        self.manage("shell", "-c", "from crm.accounts.models import Office; "
                    "Office.objects.create(name='General')")  # fmt: skip
        if worker:
            self.spawn(
                "-m", "celery", "-A", "crm", "worker", "--pool", "threads",
                "--concurrency", "8", "--loglevel", "INFO", ready="ready.",
            )  # fmt: skip
        self.spawn(
            "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}",
            ready="Quit the server",
        )  # fmt: skip

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def post_lead(self, index: int, source: str = "facebook") -> int:
        body = {"full_name": f"Batch Lead{index}", "phone": f"305555{index:04d}", "source": source}
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/webhook/leads",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-Webhook-Secret": SECRET},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def count(self, sql: str) -> int:
        with sqlite3.connect(self.database, timeout=20) as database:
            return database.execute(sql).fetchone()[0]


@pytest.fixture
def make_app(tmp_path):
    apps = []

    def start(*, worker: bool = False, redis_url: str = "") -> App:
        app = App(tmp_path / f"var{len(apps)}", redis_url=redis_url)
        apps.append(app)
        app.start(worker=worker)
        return app

    yield start
    for app in apps:
        app.stop()


def test_twenty_leads_posted_at_once_are_all_made_within_five_seconds(make_app):
    app = make_app(worker=True)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(app.post_lead, range(20)))
    assert answers == [200] * 20
    while app.count("SELECT count(*) FROM leads_lead") < 20:
        assert time.monotonic() - started < 5, app.count(
            "SELECT count(*) FROM leads_lead"
        )  # no beat runs here: only the posts' own tasks can make them
        time.sleep(0.1)
    assert app.count("SELECT count(*) FROM leads_inboundlead WHERE state = 'done'") == 20


def assert_exactly_the_limit_is_accepted(app: App) -> None:
    # runserver queues at most 10 pending connections and resets the rest: 10 at a time.
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda index: app.post_lead(index, "google"), range(150)))
    assert answers.count(200) == 100 and answers.count(429) == 50
    assert app.count("SELECT count(*) FROM leads_inboundlead") == 100


def test_a_source_s_limit_holds_exactly_under_150_concurrent_posts(make_app):
    assert_exactly_the_limit_is_accepted(make_app())


@pytest.mark.skipif(not redis_answers() and not os.environ.get("CI"), reason="needs Redis")
def test_a_source_s_limit_holds_exactly_on_redis_too(make_app):
    url = "redis://127.0.0.1:6379/15"  # a database of its own, emptied first
    subprocess.run(["redis-cli", "-n", "15", "flushdb"], check=False, capture_output=True)
    assert_exactly_the_limit_is_accepted(make_app(redis_url=url))
