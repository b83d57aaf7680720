"""``make run``'s server: one threaded process on in-memory limits, never several.

Real gunicorn on a free loopback port, with the project's ``gunicorn.conf.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
#: Bounds on waiting for a state; reached only when something is broken.
DEADLINE = 60.0
SENDS = 12
LIMIT = 5

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An instance folder with a migrated SQLite database, limits in memory."""
    env = os.environ | {
        "HAILONG_INSTANCE_PATH": str(tmp_path / "instance"),
        "HAILONG_DATABASE_URL": f"sqlite:///{tmp_path / 'hailong.sqlite3'}",
        "HAILONG_RATELIMIT_STORAGE_URI": "memory://",
        "HAILONG_SURVEY_LIMIT_DEVICE": f"{LIMIT}/minute",
    }
    flask(env, "init-db")
    return env


def flask(env: dict[str, str], *command: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def serve(env: dict[str, str], *options: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    options = ("--bind", f"127.0.0.1:{port}", *options)
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", *options, "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[str]]]:
    servers: list[subprocess.Popen[str]] = []
    yield servers
    for server in servers:
        if server.poll() is None:
            server.terminate()
        server.communicate(timeout=DEADLINE)


def wait_until_serving(server: subprocess.Popen[str], url: str) -> None:
    """Poll /healthz until it answers; fail if the server exits or the bound passes."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1]
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.05)  # a poll interval, not a wait for the state
    pytest.fail(f"{url} did not answer within {DEADLINE} s")


def status_of_send(url: str) -> int:
    request = urllib.request.Request(
        f"{url}/s/ABCDE-FGHJK/relevance", data=b"x=1", method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=DEADLINE) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_workers_on_memory_limits_refuse_to_start(env, stop) -> None:
    server, _ = serve(env, "--workers", "2")
    stop.append(server)
    _, errors = server.communicate(timeout=DEADLINE)
    assert server.returncode != 0
    assert "HAILONG_RATELIMIT_STORAGE_URI=redis://" in errors
    assert "2 worker processes" in errors


def test_one_threaded_process_counts_a_limit_once(env, stop) -> None:
    server, url = serve(env)
    stop.append(server)
    wait_until_serving(server, url)
    with ThreadPoolExecutor(SENDS) as pool:
        statuses = list(pool.map(lambda _: status_of_send(url), range(SENDS)))
    assert statuses.count(429) == SENDS - LIMIT
    # The command line runs beside the server; a second server is refused.
    flask(env, "init-db")
    second, _ = serve(env, "--graceful-timeout", "1")
    stop.append(second)
    _, errors = second.communicate(timeout=DEADLINE)
    assert second.returncode != 0
    assert "another process already serves" in errors
    assert server.poll() is None
    server.terminate()
    log, _ = server.communicate(timeout=DEADLINE)
    sends = [line for line in log.splitlines() if '"POST ' in line]
    assert len(sends) == SENDS
    assert all('"POST /s/<token>/relevance"' in line for line in sends)
    assert "ABCDE" not in log
    assert "127.0.0.1" not in log
    assert "Python-urllib" not in log


def workers_of(server: subprocess.Popen[str]) -> set[int]:
    """Return the pids of the gunicorn master's worker processes."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
    return {int(pid) for pid in children.split()}


def test_a_reload_on_memory_limits_keeps_serving(env, stop) -> None:
    # kill -HUP starts the new worker while the old one still holds the
    # in-memory limits' lock: it must wait for it, not fail and stop the server.
    server, url = serve(env)
    stop.append(server)
    wait_until_serving(server, url)
    [old] = workers_of(server)
    server.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + DEADLINE
    while workers_of(server) in ({old}, set()) or old in workers_of(server):
        assert server.poll() is None, server.communicate()[1]
        assert time.monotonic() < deadline, "the old worker was never replaced"
        time.sleep(0.05)  # a poll interval, not a wait for the state
    wait_until_serving(server, url)
    assert status_of_send(url) == 404  # an unknown code, answered by the new worker
    assert server.poll() is None
