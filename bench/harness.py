"""What the benchmarks that drive a real gunicorn share.

Starting and stopping servers on free loopback ports, throw-away PostgreSQL
databases, a migrated and seeded hailong database with a counter campaign, and
the counter page's form as a browser gets it. ``bench_survey.py`` and
``bench_faults.py`` import it (bench/ is on their path: their own folder).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

#: bench/: servers start here, where no gunicorn.conf.py is read of its own accord.
HERE = Path(__file__).resolve().parent
#: The survey rate limits during a benchmark: its load is one device at one address.
RAISED_LIMIT = "1000000/minute"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/"
#: Where CREATE DATABASE runs when the server's URL names no database.
MAINTENANCE_DATABASE = "test"

_QUIET: dict[str, Any] = {"capture_output": True, "text": True}


def hailong_env(url: str, instance: Path) -> dict[str, str]:
    """The caller's environment, pointed at a database, with the limits raised.

    Any other ``HAILONG_*`` variable of the caller's environment is passed on.
    """
    return os.environ | {
        "HAILONG_DATABASE_URL": url,
        "HAILONG_INSTANCE_PATH": str(instance),
        "HAILONG_SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "HAILONG_SURVEY_LIMIT_DEVICE": RAISED_LIMIT,
        "HAILONG_SURVEY_LIMIT_CODE": RAISED_LIMIT,
        "HAILONG_SURVEY_LIMIT_ADDRESS": RAISED_LIMIT,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def seed_demo(root: Path, env: dict[str, str], *, responses: bool = False) -> None:
    """Migrate the database and build the demo district, as `make run` does."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    seed = ["seed-demo"] + ([] if responses else ["--without-responses"])
    for command in (["init-db"], seed):
        subprocess.run(
            flask + command, cwd=root, env=env, check=True, stdout=subprocess.DEVNULL
        )


@contextlib.contextmanager
def postgresql_databases(server: str, suffixes: Sequence[str]) -> Iterator[list[str]]:
    """Create throw-away databases on the server; drop them at the end, also on failure.

    Yields one libpq URL per suffix, of databases ``hailong_bench_<hex><suffix>``.
    """
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(server)
    if not parts.scheme.startswith("postgresql"):
        raise ValueError(f"--pg-url {server}: not a postgresql:// URL")

    def libpq(database: str) -> str:
        return parts._replace(scheme="postgresql", path=f"/{database}").geturl()

    admin = libpq(parts.path.strip("/") or MAINTENANCE_DATABASE)
    name = f"hailong_bench_{os.urandom(6).hex()}"
    names = [name + suffix for suffix in suffixes]
    created: list[str] = []
    try:
        with psycopg.connect(admin, autocommit=True) as connection:
            for database in names:
                statement = sql.SQL("CREATE DATABASE {}")
                connection.execute(statement.format(sql.Identifier(database)))
                created.append(database)
        print(f"created PostgreSQL databases {', '.join(names)}", flush=True)
        yield [libpq(database) for database in names]
    finally:
        if created:
            try:
                with psycopg.connect(admin, autocommit=True) as connection:
                    for database in created:
                        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                        connection.execute(statement.format(sql.Identifier(database)))
                print(f"dropped PostgreSQL databases {', '.join(created)}")
            except psycopg.Error as error:
                print(f"could not drop {', '.join(created)}: {error}", file=sys.stderr)


def sqlalchemy_url(libpq: str) -> str:
    """hailong's URL (psycopg 3 driver) of a libpq ``postgresql://`` URL."""
    return libpq.replace("postgresql://", "postgresql+psycopg://", 1)


@contextlib.contextmanager
def sized_databases(
    kind: str, sizes: Sequence[int], server: str, stem: str
) -> Iterator[list[str]]:
    """Yield one empty database URL (SQLAlchemy's) per size, removed at the end:
    SQLite files ``<stem><size>.sqlite3`` in a temporary folder, or PostgreSQL
    databases on ``server`` (``postgresql_databases``)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield [
                f"sqlite:///{Path(folder) / f'{stem}{size}.sqlite3'}" for size in sizes
            ]
        return
    with postgresql_databases(server, [f"_{size}" for size in sizes]) as urls:
        yield [sqlalchemy_url(url) for url in urls]


@dataclass(frozen=True)
class Timing:
    """One timed piece of work: what, and its median seconds."""

    what: str
    seconds: float


def print_timings(
    kind: str, size: int, width: int, loaded: float, timings: Sequence[Timing]
) -> None:
    """Print the load time, then each timing with its ratio to the first (the bare
    baseline of the same run)."""
    print(f"{kind:10} {size:9,} {'(made and loaded, not timed below)':{width}}"
          f" {loaded:8.1f}", flush=True)  # fmt: skip
    bare = timings[0].seconds
    for timing in timings:
        print(f"{kind:10} {size:9,} {timing.what:{width}}"
              f" {timing.seconds:8.3f} {timing.seconds / bare:7.1f}",
              flush=True)  # fmt: skip


def make_counter_campaign(url: str) -> tuple[str, int]:
    """Create a counter campaign (no minimum interval) with a standing code."""
    # Imported here, once sys.path holds the benchmarked checkout (--root).
    from sqlalchemy import select

    from surveys.db import make_engine, make_session_factory
    from surveys.models import (
        AccessCode,
        Campaign,
        CampaignMode,
        CodeKind,
        ServicePoint,
        utcnow,
    )

    try:
        from surveys.access.codes import new_token
        from surveys.questionnaire.versions import shipped_template, store_questionnaire
    except ImportError:  # a checkout from before the feature packages (issue 11)
        from surveys.codes import new_token  # type: ignore[no-redef]
        from surveys.questionnaires import (  # type: ignore[no-redef]
            shipped_template,
            store_questionnaire,
        )

    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            stored = store_questionnaire(session, shipped_template("counter")).stored
            point = session.scalar(
                select(ServicePoint)
                .where(ServicePoint.officials.any())
                .order_by(ServicePoint.code)
            )
            assert point is not None, "seed-demo made no counter with officials"
            campaign = Campaign(
                key="bench-counter",
                name="Benchmark: counter rating",
                questionnaire=stored,
                unit=point.unit,
                mode=CampaignMode.COUNTER,
                starts_on=utcnow().date() - timedelta(days=1),
                min_interval_seconds=0,
            )
            code = AccessCode(
                token=new_token(),
                campaign=campaign,
                unit=point.unit,
                service_point=point,
                kind=CodeKind.STANDING,
            )
            session.add_all([campaign, code])
            session.flush()
            return code.token, campaign.id
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(
    gunicorn: Path,
    options: list[str],
    app: str,
    chdir: Path,
    env: dict[str, str],
    servers: list[subprocess.Popen[bytes]],
) -> str:
    """Start gunicorn on a free loopback port in a session of its own; its base URL."""
    port = free_port()
    command = [str(gunicorn), *options, "--bind", f"127.0.0.1:{port}"]
    command += ["--chdir", str(chdir), "--log-level", "warning", app]
    # Started from bench/, so gunicorn reads no gunicorn.conf.py of its own accord
    # (the project's is one process): only the options given here apply.
    servers.append(subprocess.Popen(command, cwd=HERE, env=env, start_new_session=True))
    return f"http://127.0.0.1:{port}"


def wait(url: str, timeout: float = 30.0) -> None:
    """Return once ``url`` answers 2xx; raise when it has not within ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                answer.read()
                return
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout} s") from None
            time.sleep(0.1)


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop a server and its workers: TERM, then KILL after 10 s."""
    if server.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def stop_on_signals(servers: list[subprocess.Popen[bytes]]) -> None:
    """On SIGTERM or SIGHUP stop the servers, then unwind so every cleanup runs."""

    def stop_all(signum: int, _frame: object) -> None:
        for server in servers:
            stop(server)
        raise SystemExit(128 + signum)  # unwinds: the databases are dropped

    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGHUP, stop_all)


def origin(url: str) -> str:
    """The origin (scheme://host:port) of a URL, as a browser sends it."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class _HiddenFields(HTMLParser):
    """Collect the hidden inputs (name, value) of a page's first POST form."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False
        self.inside = False
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.found:
            if attributes.get("method", "get").lower() == "post":
                self.found = self.inside = True
        elif (
            tag == "input"
            and self.inside
            and attributes.get("type", "").lower() == "hidden"
            and attributes.get("name")
        ):
            self.fields.append((attributes["name"], attributes.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def page_form(url: str) -> tuple[str, list[tuple[str, str]]]:
    """GET a page once: its cookies, if any, and its first POST form's hidden fields.

    Returns the Cookie header to send ("" when the page sets no cookie) and
    every ``<input type="hidden">`` of the page's POST form, in order, whatever
    their names (a counter page's page token, a login form's CSRF token).
    """
    with urllib.request.urlopen(url) as answer:
        html = answer.read().decode()
        cookies = answer.headers.get_all("Set-Cookie") or []
    cookie = "; ".join(c.split(";", 1)[0].strip() for c in cookies)
    reader = _HiddenFields()
    reader.feed(html)
    reader.close()
    if not reader.found:
        raise RuntimeError(f"{url} has no POST form")
    return cookie, reader.fields


def cookie_names(cookie: str) -> list[str]:
    return [part.split("=", 1)[0] for part in cookie.split("; ") if part]


def commit_of(root: Path) -> str:
    """The checkout's commit, and whether tracked files differ from it."""
    git = ["git", "-C", str(root)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], **_QUIET)
    if head.returncode:
        return "unknown"
    status = subprocess.run([*git, "status", "--porcelain", "-uno"], **_QUIET)
    changed = " with uncommitted changes" if status.stdout.strip() else ""
    return head.stdout.strip() + changed
