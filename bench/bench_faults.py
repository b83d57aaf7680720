"""Availability under faults (issue 12): ratings flow, or are refused truthfully.

Each scenario starts a real gunicorn on a free loopback port, on a fresh
database (SQLite or PostgreSQL, ``--database``), sends counter ratings from a
few client threads and fetches the counter page from one more, injects one
fault for ``--duration`` seconds between a quiet second before and a few
seconds after, then checks the database, id by id:

1. ``slow_reader``: a logged-in official downloads the district's CSV, a unit's
   PDF and the district's XLSX, each read a few hundred bytes at a time through
   a small receive buffer (target: no rating waits more than 1 s);
2. ``disk_full`` (SQLite): the database lives on a 24 MiB tmpfs, which a
   ballast file fills; ratings must be refused with our 503 page and /healthz
   must not be green; the ballast is then deleted and the service must recover
   without a restart (``/healthz``'s low-disk limit is lowered to 4 MiB for the
   run, as the whole disk is 24 MiB);
3. ``pg_terminate`` (PostgreSQL): every second, ``pg_terminate_backend`` on all
   of the app's connections;
4. ``kill_workers``: every 5 s, SIGKILL one of gunicorn's workers; the time
   until its replacement serves its first request (its pid first appears in
   the access log; target < 1 s);
5. ``idle_connections``: 200 connections opened and held, sending nothing; the
   service must still answer a rating and a page within 1 s;
6. ``partial_requests``: the same with a request begun on each connection
   (its first header line) and never finished.

A client resends a refused or unanswered rating with the same submission id
(up to three times), as the error page asks a citizen to. Afterwards: every
rating answered 303 must be stored exactly once, nothing stored twice, nothing
stored that was refused with a page saying it was not, and every answer must be
the app's own page (its Content-Security-Policy header), not gunicorn's or a
bare 500. The script exits non-zero when one of these fails; latencies are
reported against their targets, not asserted. Run from anywhere::

    python bench/bench_faults.py                 # every scenario, both databases
    python bench/bench_faults.py --database sqlite --scenario disk_full
    python bench/bench_faults.py --worker-class gthread --threads 4 --workers 1

gunicorn runs with the checkout's ``gunicorn.conf.py`` when there is one, else
with its own defaults; ``--workers``, ``--worker-class`` and ``--threads``
override either. PostgreSQL: throw-away databases on ``--pg-url`` (as
``bench_survey.py``), dropped at the end. ``disk_full`` mounts a tmpfs, which
needs root; without it the scenario is skipped (``tests/app/test_availability.py``
covers a full SQLite file in-process). Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import http.client
import itertools
import math
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from harness import (
    DEFAULT_PG_URL,
    commit_of,
    hailong_env,
    make_counter_campaign,
    origin,
    page_form,
    postgresql_databases,
    seed_demo,
    serve,
    sqlalchemy_url,
    stop,
    stop_on_signals,
    wait,
)

ROOT = Path(__file__).resolve().parent.parent
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
#: Rating clients; one more thread fetches the counter page.
CLIENTS = 3
#: Seconds a client waits for an answer before it gives up (and resends).
CLIENT_TIMEOUT = 5.0
#: Sends of one rating at most: the first and the resends.
SENDS = 4
#: Seconds of traffic before the fault, and after it ends.
BEFORE, AFTER = 1.0, 3.0
#: What a rating or a page may take under a fault, in seconds.
TARGET = 1.0
DISK_SIZE = "24m"
#: /healthz's low-disk limit for disk_full: the whole tmpfs is 24 MiB.
DISK_HEALTH_MIN_FREE = 4 * 1024 * 1024
IDLE_CONNECTIONS = 200
KILL_EVERY = 5.0
#: gunicorn's own worker timeout: a replacement not serving by then never will.
REPLACEMENT_TIMEOUT = 30.0
TERMINATE_EVERY = 1.0
#: Bytes a slow reader takes at a time, and the pause between two reads.
SLOW_CHUNK, SLOW_PAUSE = 256, 0.1
DOWNLOADS = (("district", "csv"), ("unit", "pdf"), ("district", "xlsx"))


@dataclass(frozen=True)
class Answer:
    """One request and what came back; status 0: no answer (reset, timed out)."""

    sid: str
    status: int
    #: The app answered (its CSP header), not gunicorn or a proxy.
    ours: bool
    started: float
    seconds: float

    @property
    def ended(self) -> float:
        return self.started + self.seconds


@dataclass
class Fault:
    """What a scenario did: when its fault began and ended, and what it saw."""

    began: float = 0.0
    ended: float = 0.0
    #: Seconds until the service was whole again (scenario's own measure).
    recovery: float | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """One scenario on one database: its traffic, its fault, the stored ids."""

    scenario: str
    kind: str
    ratings: list[Answer]
    pages: list[Answer]
    fault: Fault
    rows: Counter[str]

    @property
    def during(self) -> list[Answer]:
        """Ratings sent while the fault lasted."""
        fault = self.fault
        return [a for a in self.ratings if fault.began <= a.started <= fault.ended]

    def check(self) -> list[str]:
        """Exactly once, id by id, and only our own pages."""
        thanked = {a.sid for a in self.ratings if a.status == 303}
        # Our 500 and 503 pages say the rating may not have been recorded; an
        # unanswered one may have been stored too. Any other refusal says no.
        maybe = {a.sid for a in self.ratings if a.status in (0, 500, 503)}
        problems = list(self.fault.problems)
        if missing := thanked - self.rows.keys():
            problems.append(f"{len(missing)} ratings answered 303 are not stored")
        if twice := [sid for sid, n in self.rows.items() if n > 1]:
            problems.append(f"{len(twice)} ratings are stored more than once")
        if stray := self.rows.keys() - thanked - maybe:
            problems.append(f"{len(stray)} ratings stored after a refusal saying no")
        bare = Counter(a.status for a in self.ratings + self.pages if a.status)
        bare -= Counter(a.status for a in self.ratings + self.pages if a.ours)
        if bare:
            problems.append(f"answers not from the app: {dict(bare)}")
        return problems


@dataclass
class Server:
    """A running gunicorn and what a scenario needs to reach and hurt it."""

    process: subprocess.Popen[bytes]
    base: str
    token: str
    access_log: Path
    place: Path
    database: str
    kind: str


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", default="both", choices=["sqlite", "postgresql", "both"]
    )
    parser.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        action="append",
        help="run only this scenario (repeatable; default: all)",
    )
    parser.add_argument("--duration", type=float, default=8.0, help="fault seconds")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--workers", type=int, help="default: config or gunicorn's")
    parser.add_argument("--worker-class", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int)
    args = parser.parse_args(argv)
    args.root = args.root.resolve()
    sys.path.insert(0, str(args.root))  # its surveys, for make_counter_campaign
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    chosen = args.scenario or list(SCENARIOS)
    servers: list[subprocess.Popen[bytes]] = []
    stop_on_signals(servers)
    options = _gunicorn_options(args)
    print(f"hailong at {args.root} (commit {commit_of(args.root)})")
    print(f"gunicorn {' '.join(options) or '(its defaults)'}; {os.cpu_count()} CPUs")
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="hailong-bench-faults-") as folder:
        for name in chosen:
            scenario, only = SCENARIOS[name]
            for kind in kinds:
                if only not in (None, kind):
                    continue
                print(f"\n=== {name} on {LABELS[kind]} ===", flush=True)
                place = Path(folder) / f"{name}-{kind}"
                place.mkdir()
                try:
                    outcome = _run(name, scenario, kind, args, options, place, servers)
                except Skipped as why:
                    print(f"skipped: {why}")
                    continue
                finally:
                    for server in servers:
                        stop(server)
                    servers.clear()
                outcomes.append(outcome)
                _report(outcome)
    _table(outcomes)
    failed = False
    for outcome in outcomes:
        for line in outcome.check():
            print(f"FAIL ({outcome.scenario}, {LABELS[outcome.kind]}): {line}")
            failed = True
    return 1 if failed else 0


class Skipped(Exception):
    """A scenario cannot run here (no root for a mount)."""


def _gunicorn_options(args: argparse.Namespace) -> list[str]:
    """The checkout's gunicorn.conf.py if any, then the options given."""
    config = args.root / "gunicorn.conf.py"
    options = ["-c", str(config)] if config.is_file() else []
    if args.workers is not None:
        options += ["--workers", str(args.workers)]
    if args.worker_class is not None:
        options += ["--worker-class", args.worker_class]
    if args.threads is not None:
        options += ["--threads", str(args.threads)]
    return options


def _run(
    name: str,
    scenario: Callable[[Server, argparse.Namespace], Fault],
    kind: str,
    args: argparse.Namespace,
    options: list[str],
    place: Path,
    servers: list[subprocess.Popen[bytes]],
) -> Outcome:
    """Set up a database, serve it, send traffic through the fault, read the rows."""
    with _database(name, kind, args, place) as (url, database, extra):
        env = hailong_env(url, place / "instance") | extra
        env["HAILONG_TRUSTED_PROXIES"] = "1"  # the clients' X-Forwarded-For
        seed_demo(args.root, env, responses=name == "slow_reader")
        token, campaign_id = make_counter_campaign(url)
        access_log = place / "access.log"
        logging = ["--access-logfile", str(access_log)]
        logging += ["--access-logformat", "%(p)s %(s)s"]
        gunicorn = Path(sys.executable).with_name("gunicorn")
        base = serve(gunicorn, options + logging, "wsgi:app", args.root, env, servers)
        server = Server(servers[-1], base, token, access_log, place, database, kind)
        wait(f"{base}/healthz")
        traffic = Traffic(server)
        traffic.start()
        try:
            time.sleep(BEFORE)
            fault = scenario(server, args)
            time.sleep(AFTER)
        finally:
            traffic.finish()
            stop(server.process)
        rows = _stored_ids(kind, database, campaign_id)
    return Outcome(name, kind, traffic.ratings, traffic.pages, fault, rows)


@contextlib.contextmanager
def _database(
    name: str, kind: str, args: argparse.Namespace, place: Path
) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Yield hailong's URL, the database as the script opens it, extra settings."""
    if kind == "postgresql":
        with postgresql_databases(args.pg_url, [""]) as (database,):
            yield sqlalchemy_url(database), database, {}
        return
    if name != "disk_full":
        path = place / "hailong.sqlite3"
        yield f"sqlite:///{path}", str(path), {}
        return
    with _small_disk(place / "disk") as disk:
        path = disk / "hailong.sqlite3"
        low = {"HAILONG_HEALTH_MIN_FREE_BYTES": str(DISK_HEALTH_MIN_FREE)}
        yield f"sqlite:///{path}", str(path), low


@contextlib.contextmanager
def _small_disk(folder: Path) -> Iterator[Path]:
    """Mount a 24 MiB tmpfs at ``folder``; unmount it at the end, also on failure."""
    if os.geteuid() != 0:
        raise Skipped("mounting a small disk needs root")
    folder.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", str(folder)]
    if subprocess.run(mount, capture_output=True).returncode:
        raise Skipped(f"could not mount a tmpfs at {folder}")
    try:
        yield folder
    finally:
        # The server is stopped by now; a lazy unmount still frees a busy one.
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def _request(
    base: str, method: str, path: str, body: str | None, headers: dict[str, str]
) -> tuple[int, bool, bytes]:
    """Send one request on a new connection: status (0: none), ours, body."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=CLIENT_TIMEOUT
    )
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
    except (OSError, http.client.HTTPException):
        return 0, False, b""
    finally:
        connection.close()
    return answer.status, "Content-Security-Policy" in answer.headers, data


class Traffic:
    """Citizens rating a counter from a few threads, and one fetching its page.

    Each client sends one rating at a time and, when it is refused or goes
    unanswered, sends it again with the same submission id and rating. Each
    rating comes from a citizen of its own: its own address, as the README's
    proxy passes it on (``X-Forwarded-For``, from a documentation range; the
    server trusts one proxy). From one address this load would be an attack:
    the address ceiling refuses most of it in production, and every rating of
    it is flagged as a burst (work the tallies' catch-up then does).
    """

    def __init__(self, server: Server) -> None:
        self.base = server.base
        self.path = f"/s/{server.token}"
        cookie, hidden = page_form(self.base + self.path)
        fields = [(name, value) for name, value in hidden if name != "submission_id"]
        self.fields = [*fields, ("action", "submit")]
        self.headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin(self.base),
            "Sec-Fetch-Site": "same-origin",
        } | ({"Cookie": cookie} if cookie else {})
        self.ratings: list[Answer] = []
        self.pages: list[Answer] = []
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._rate, args=(n,)) for n in range(CLIENTS)
        ]
        self.threads.append(threading.Thread(target=self._look))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def _rate(self, client: int) -> None:
        prefix = f"fault{client}x{os.urandom(3).hex()}"
        number = 0
        while not self.stopping.is_set():
            number += 1
            sid = f"{prefix}n{number:07d}"
            form = [*self.fields, ("submission_id", sid), ("overall", number % 5 + 1)]
            body = urllib.parse.urlencode(form)
            headers = self.headers | {"X-Forwarded-For": _citizen(client, number)}
            for _ in range(SENDS):
                started = time.monotonic()
                status, ours, _ = _request(self.base, "POST", self.path, body, headers)
                answer = Answer(sid, status, ours, started, time.monotonic() - started)
                self.ratings.append(answer)  # list.append is atomic
                if status == 303 or self.stopping.wait(0.2):
                    break

    def _look(self) -> None:
        while not self.stopping.wait(0.25):
            started = time.monotonic()
            status, ours, _ = _request(self.base, "GET", self.path, None, {})
            self.pages.append(
                Answer("page", status, ours, started, time.monotonic() - started)
            )


def _citizen(client: int, number: int) -> str:
    """An address of TEST-NET-3 (RFC 5737) for a client's ``number``-th rating."""
    return f"203.0.{113 + client % 3}.{number % 250 + 1}"


def _first_thanks_after(traffic: list[Answer], moment: float) -> float | None:
    """Seconds from ``moment`` until a rating sent after it was thanked."""
    ends = [a.ended for a in traffic if a.status == 303 and a.started >= moment]
    return min(ends) - moment if ends else None


# -- the scenarios: each injects its fault for args.duration seconds -------------


def slow_reader(server: Server, args: argparse.Namespace) -> Fault:
    """Download every report a few hundred bytes at a time while ratings flow."""
    cookie = _log_in(server)
    district = _one(server, "SELECT code FROM units WHERE parent_id IS NULL")
    unit = _one(
        server,
        "SELECT u.code FROM units u JOIN responses r ON r.unit_id = u.id"
        " GROUP BY u.code ORDER BY count(*) DESC, u.code",
    )
    codes = {"district": district, "unit": unit}
    fault = Fault(began=time.monotonic())
    until = fault.began + args.duration
    readers = []
    results: dict[str, str] = {}
    for scope, kind in DOWNLOADS:
        path = f"/staff/reports/units/{codes[scope]}/{scope}.{kind}"
        reader = threading.Thread(
            target=_read_slowly, args=(server.base, path, cookie, until, results)
        )
        reader.start()
        readers.append(reader)
    for reader in readers:
        reader.join()
    fault.ended = time.monotonic()
    fault.notes += [f"{path}: {what}" for path, what in sorted(results.items())]
    return fault


def _log_in(server: Server) -> str:
    """Log the demo admin in; the Cookie header of its session."""
    logins = (server.place / "instance" / "demo-login.txt").read_text().splitlines()
    username, password = next(
        line.split(" / ") for line in logins if line.startswith("admin / ")
    )
    cookie, hidden = page_form(f"{server.base}/staff/login")
    form = [*hidden, ("username", username), ("password", password)]
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    parts = urllib.parse.urlsplit(server.base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        body = urllib.parse.urlencode(form)
        connection.request("POST", "/staff/login", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        session = answer.headers.get_all("Set-Cookie") or []
    finally:
        connection.close()
    if answer.status != 302 or not session:
        raise RuntimeError(f"the demo admin could not log in: {answer.status}")
    return "; ".join(c.split(";", 1)[0].strip() for c in session)


def _read_slowly(
    base: str, path: str, cookie: str, until: float, results: dict[str, str]
) -> None:
    """Fetch ``path`` through a small receive buffer, a little at a time, again
    and again until ``until``; note how far it got."""
    parts = urllib.parse.urlsplit(base)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Cookie: {cookie}\r\nConnection: close\r\n\r\n"
    ).encode()
    received = finished = 0
    head = b""
    while time.monotonic() < until:
        with socket.socket() as reader:
            reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            reader.settimeout(CLIENT_TIMEOUT)
            try:
                reader.connect((parts.hostname, parts.port))
                reader.sendall(request)
                while time.monotonic() < until:
                    chunk = reader.recv(SLOW_CHUNK)
                    if not chunk:
                        finished += 1
                        break
                    head = head or chunk
                    received += len(chunk)
                    time.sleep(SLOW_PAUSE)
            except OSError as error:
                results[f"{path} error"] = repr(error)
                time.sleep(SLOW_PAUSE)
    status = head.split(b"\r\n", 1)[0].decode("latin-1")
    results[path] = f"{status!r}, {received} bytes read, {finished} finished"


def disk_full(server: Server, args: argparse.Namespace) -> Fault:
    """Fill the database's disk, hold it full, then free it."""
    disk = Path(server.database).parent
    ballast = disk / "ballast"
    health: Counter[str] = Counter()
    fault = Fault(began=time.monotonic())
    _fill(ballast)
    fault.notes.append(f"disk filled in {time.monotonic() - fault.began:.2f} s")
    until = fault.began + args.duration
    while time.monotonic() < until:
        status, _, body = _request(server.base, "GET", "/healthz", None, {})
        health[f"{status} {body.decode(errors='replace').strip()}"] += 1
        time.sleep(0.5)
    ballast.unlink()
    fault.ended = time.monotonic()
    fault.notes.append(f"/healthz while full: {dict(health)}")
    if not any(answer.startswith("503") for answer in health):
        fault.problems.append("/healthz stayed green with the disk full")
    healthy = _until_healthy(server.base)
    fault.notes.append(f"/healthz green {healthy:.2f} s after the ballast went")
    return fault


def _fill(ballast: Path) -> None:
    """Write the ballast until the disk refuses another byte."""
    chunk = b"\0" * (1024 * 1024)
    with ballast.open("wb", buffering=0) as out:
        while chunk:
            try:
                out.write(chunk)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                chunk = chunk[: len(chunk) // 2]


def _until_healthy(base: str) -> float:
    """Seconds until /healthz answers 200 (at most the client's timeout)."""
    started = time.monotonic()
    while time.monotonic() - started < CLIENT_TIMEOUT:
        if _request(base, "GET", "/healthz", None, {})[0] == 200:
            break
        time.sleep(0.05)
    return time.monotonic() - started


def pg_terminate(server: Server, args: argparse.Namespace) -> Fault:
    """Terminate every connection of the app to its database, every second."""
    import psycopg

    fault = Fault(began=time.monotonic())
    terminated = rounds = 0
    with psycopg.connect(server.database, autocommit=True) as admin:
        while time.monotonic() - fault.began < args.duration:
            row = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
            terminated += row[0] if row else 0
            rounds += 1
            time.sleep(TERMINATE_EVERY)
    fault.ended = time.monotonic()
    fault.notes.append(f"{terminated} connections terminated in {rounds} rounds")
    return fault


def kill_workers(server: Server, args: argparse.Namespace) -> Fault:
    """SIGKILL a worker every 5 s (or once its replacement serves, if later);
    time the replacement's first answer."""
    log = _AccessLog(server.access_log)
    fault = Fault(began=time.monotonic())
    waits: list[float] = []
    while time.monotonic() - fault.began < args.duration:
        before = _workers(server.process.pid)
        if not before:
            fault.problems.append("gunicorn has no worker to kill")
            break
        killed = time.monotonic()
        os.kill(before[0], signal.SIGKILL)
        served = _replacement_served(server.process.pid, set(before), log, killed)
        waits.append(served - killed if served else math.inf)
        # The next kill waits for the replacement: a worker killed while still
        # starting would measure nothing.
        time.sleep(max(0.0, killed + KILL_EVERY - time.monotonic()))
    fault.ended = time.monotonic()
    log.close()
    fault.recovery = max(waits, default=None)
    fault.notes.append(
        "a replacement's first answer, s after each kill: "
        + ", ".join(f"{w:.2f}" for w in waits)
    )
    return fault


def _workers(master: int) -> list[int]:
    """gunicorn's workers: the master's children, oldest first."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            # "pid (name) state ppid ... starttime": the name may hold spaces.
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == master:
                children.append((int(fields[19]), int(entry.name)))
    return [pid for _, pid in sorted(children)]


class _AccessLog:
    """Follow gunicorn's access log ("pid status" lines): when each pid first served."""

    def __init__(self, path: Path) -> None:
        self.first: dict[int, float] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._follow, args=(path,))
        self.thread.start()

    def _follow(self, path: Path) -> None:
        with path.open() as log:
            log.seek(0, os.SEEK_END)
            while not self.stopping.is_set():
                line = log.readline()
                if not line:
                    time.sleep(0.01)
                    continue
                pid = int(line.split()[0].strip("<>"))  # %(p)s is "<pid>"
                self.first.setdefault(pid, time.monotonic())

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()


def _replacement_served(
    master: int, before: set[int], log: _AccessLog, killed: float
) -> float | None:
    """When the worker started after ``killed`` first answered (None: not in 30 s)."""
    while time.monotonic() - killed < REPLACEMENT_TIMEOUT:
        new = set(_workers(master)) - before
        served = [log.first[pid] for pid in new if pid in log.first]
        if served:
            return min(served)
        time.sleep(0.01)
    return None


def _holding(begun: bool) -> Callable[[Server, argparse.Namespace], Fault]:
    """Make a scenario that holds 200 connections open, then lets them go: silent
    ones (``begun`` False) or each with a request begun and never finished."""

    def hold(server: Server, args: argparse.Namespace) -> Fault:
        parts = urllib.parse.urlsplit(server.base)
        start = f"GET / HTTP/1.1\r\nHost: {parts.netloc}\r\n".encode()
        fault = Fault(began=time.monotonic())
        held: list[socket.socket] = []
        try:
            for _ in range(IDLE_CONNECTIONS):
                held.append(socket.create_connection((parts.hostname, parts.port)))
                if begun:
                    held[-1].sendall(start)
            time.sleep(max(0.0, fault.began + args.duration - time.monotonic()))
        finally:
            for connection in held:
                connection.close()
        fault.ended = time.monotonic()
        fault.notes.append(f"{len(held)} connections held for {args.duration:.0f} s")
        return fault

    return hold


#: Each scenario and the one database it needs (None: either).
SCENARIOS: dict[str, tuple[Callable[[Server, argparse.Namespace], Fault], str | None]]
SCENARIOS = {
    "slow_reader": (slow_reader, None),
    "disk_full": (disk_full, "sqlite"),
    "pg_terminate": (pg_terminate, "postgresql"),
    "kill_workers": (kill_workers, None),
    "idle_connections": (_holding(begun=False), None),
    "partial_requests": (_holding(begun=True), None),
}


# -- the database, read directly ----------------------------------------------------


def _query(kind: str, database: str, statement: str) -> list[tuple[object, ...]]:
    if kind == "sqlite":
        with contextlib.closing(sqlite3.connect(database)) as connection:
            return connection.execute(statement).fetchall()
    import psycopg

    with psycopg.connect(database) as connection:
        return connection.execute(statement).fetchall()


def _one(server: Server, statement: str) -> str:
    rows = _query(server.kind, server.database, statement)
    if not rows:
        raise RuntimeError(f"nothing found: {statement}")
    return str(rows[0][0])


def _stored_ids(kind: str, database: str, campaign_id: int) -> Counter[str]:
    """Count the stored rows of each submission id of the campaign."""
    statement = (
        f"SELECT submission_id FROM responses WHERE campaign_id = {int(campaign_id)}"
    )
    return Counter(str(sid) for (sid,) in _query(kind, database, statement))


# -- figures ------------------------------------------------------------------------


def _p99(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]


def _longest_gap(outcome: Outcome) -> float:
    """The longest wait, during the fault, between two thanked ratings."""
    fault = outcome.fault
    ends = sorted(
        a.ended
        for a in outcome.ratings
        if a.status == 303 and fault.began <= a.ended <= fault.ended
    )
    marks = [fault.began, *ends, fault.ended]
    return max(later - earlier for earlier, later in itertools.pairwise(marks))


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _row(outcome: Outcome) -> list[str]:
    ratings = outcome.ratings
    during = outcome.during
    statuses = Counter(a.status for a in during)
    refused = sum(n for s, n in statuses.items() if s not in (0, 303))
    slow = [a.seconds for a in during] or [0.0]
    pages = [a.seconds for a in outcome.pages if a.started >= outcome.fault.began]
    recovery = outcome.fault.recovery
    if recovery is None:
        recovery = _first_thanks_after(ratings, outcome.fault.ended)
    return [
        outcome.scenario,
        LABELS[outcome.kind],
        str(len(ratings)),
        str(len({a.sid for a in ratings if a.status == 303})),
        str(outcome.rows.total()),
        str(refused),
        str(statuses[0]),
        f"{max(slow) * 1000:.0f}",
        f"{_p99(slow) * 1000:.0f}",
        f"{max(pages or [0.0]) * 1000:.0f}",
        f"{_longest_gap(outcome):.2f}",
        _seconds(recovery),
        "FAIL" if outcome.check() else "OK",
    ]


HEAD = [
    "scenario",
    "database",
    "sent",
    "thanked",
    "stored",
    "refused",
    "no answer",
    "max ms",
    "p99 ms",
    "page max ms",
    "gap s",
    "recovery s",
    "exactly once",
]


def _table(outcomes: list[Outcome]) -> None:
    if not outcomes:
        return
    rows = [HEAD, *(_row(outcome) for outcome in outcomes)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEAD))]
    print()
    for number, row in enumerate(rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("| " + " | ".join(cells) + " |")
        if number == 0:
            print("| " + " | ".join("-" * w for w in widths) + " |")
    print(
        "\nsent: rating requests (resends included); thanked: distinct ratings"
        " answered 303; refused, no answer, max, p99: ratings sent during the fault;"
        f" gap: longest time without a thanked rating during it; target < {TARGET} s"
    )


def _report(outcome: Outcome) -> None:
    statuses = Counter(a.status for a in outcome.during)
    print(f"rating answers during the fault: {dict(sorted(statuses.items()))}")
    pages = Counter(a.status for a in outcome.pages)
    print(f"page answers: {dict(sorted(pages.items()))}")
    began = outcome.fault.began
    slow = [a.started - began for a in outcome.during if a.seconds > TARGET]
    if slow:
        print(
            f"{len(slow)} ratings took over {TARGET} s, sent"
            f" +{min(slow):.1f} s to +{max(slow):.1f} s into the fault"
        )
    for note in outcome.fault.notes:
        print(note)
    recovered = _first_thanks_after(outcome.ratings, outcome.fault.ended)
    print(f"first rating thanked after the fault ended: {_seconds(recovered)}")
    for problem in outcome.check():
        print(f"FAIL: {problem}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
