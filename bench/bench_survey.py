"""Benchmark the citizen's path (issue 4, point 9) against bare Flask baselines.

In one run, under gunicorn on SQLite and the same load (wrk, same connections,
threads and duration, after a warm-up), it measures requests per second and p99
latency of:

(a) ``GET /s/<token>``, hailong's counter page, against a bare Flask "hello"
    page (``bench/bare_app.py``);
(b) a complete counter rating, ``POST /s/<token>`` (the real form: CSRF token and
    session cookie from one GET, a unique ``submission_id`` per request, a rating
    1-5), against a bare Flask route that inserts one row with ``sqlite3``.

Each pair runs ``--rounds`` times (5 by default), bare and ours side by side,
every other round ours first; the ratios reported are the medians of the
rounds' ratios, as these machines' load comes and goes within a run.

Then it checks that every accepted rating (every 303) is stored exactly once and
weighs the counter page (HTML + the CSS and JS it links). Speed is reported, not
asserted; the script exits non-zero only when the stored-vs-accepted check fails
(or the set-up does). Run from anywhere::

    python bench/bench_survey.py                        # 2 sync workers (as `make run`)
    python bench/bench_survey.py --worker-class gthread --threads 4
    python bench/bench_survey.py --duration 3 --warmup 1   # a quick look
    python bench/bench_survey.py --floor   # also: where a rating's time goes

``--floor`` also loads ``bench/floor_app.py``: the real send's front half (limits,
CSRF, form, engine) storing nothing, storing one row through SQLAlchemy, and
storing one row as the bare baseline does (raw ``sqlite3``); no design that
stores each accepted send before answering can beat the last two.

It needs ``wrk`` (Debian: ``apt-get install wrk``). The load generator is one
device at one address, so the survey rate limits are raised through the
environment for the run (``HAILONG_SURVEY_LIMIT_*=1000000/minute``), and the
campaign has no minimum interval between two ratings from one device.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

LUA = BENCH / "survey.lua"
RAISED_LIMIT = "1000000/minute"
TARGET_GET = 0.60
TARGET_POST = 0.50
TARGET_WEIGHT = 30 * 1024
BARE_GET = "bare GET /hello"
OURS_GET = "ours GET /s/<token>"
BARE_POST = "bare POST insert (sqlite3)"
OURS_POST = "ours POST /s/<token> (rating)"
FLOOR_NOTHING = "floor POST, storing nothing"
FLOOR_ONE_ROW = "floor POST, one-row insert"
FLOOR_RAW_ROW = "floor POST, raw sqlite3 insert"
HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|submission_id|started|page)"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')


@dataclass
class Load:
    """What wrk reported for one run."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    errors: dict[str, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="gthread only")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="pairs of runs, alternating which side goes first; ratios: the median",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also load bench/floor_app.py: the send storing nothing, and one row",
    )
    args = parser.parse_args(argv)

    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "bench_survey.py needs wrk, the HTTP load generator:"
            " apt-get install wrk (Debian/Ubuntu) or brew install wrk.",
            file=sys.stderr,
        )
        return 2
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        print(f"gunicorn not found next to {sys.executable}", file=sys.stderr)
        return 2

    folder = Path(tempfile.mkdtemp(prefix="hailong-bench-survey-"))
    servers: list[subprocess.Popen[bytes]] = []
    _stop_on_signals(servers)
    try:
        return _run(args, wrk, gunicorn, folder, servers)
    finally:
        for server in servers:
            _stop(server)
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _run(
    args: argparse.Namespace,
    wrk: str,
    gunicorn: Path,
    folder: Path,
    servers: list[subprocess.Popen[bytes]],
) -> int:
    database = folder / "hailong.sqlite3"
    bare_database = folder / "bare.sqlite3"
    env = os.environ | {
        "HAILONG_DATABASE_URL": f"sqlite:///{database}",
        "HAILONG_INSTANCE_PATH": str(folder / "instance"),
        "HAILONG_SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "HAILONG_SURVEY_LIMIT_DEVICE": RAISED_LIMIT,
        "HAILONG_SURVEY_LIMIT_CODE": RAISED_LIMIT,
        "HAILONG_SURVEY_LIMIT_ADDRESS": RAISED_LIMIT,
        "BARE_DB": str(bare_database),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["init-db"], ["seed-demo", "--without-responses"]):
        subprocess.run(
            flask + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    token, campaign_id = _make_counter_campaign(env["HAILONG_DATABASE_URL"])
    # The bare table exists before the workers start (they would race to create it).
    sqlite3.connect(bare_database).close()
    from bare_app import connect  # bench/ is on sys.path: the script's folder

    connect(str(bare_database)).close()

    options = ["--workers", str(args.workers), "--worker-class", args.worker_class]
    if args.worker_class == "gthread":
        options += ["--threads", str(args.threads)]
    ours = _serve(gunicorn, options, "wsgi:app", ROOT, env, servers)
    bare = _serve(gunicorn, options, "bare_app:app", BENCH, env, servers)
    survey_url = f"{ours}/s/{token}"
    _wait(survey_url)
    _wait(f"{bare}/hello")
    if args.floor:
        from floor_app import CREATE

        with contextlib.closing(sqlite3.connect(database)) as connection:
            connection.execute(CREATE)
        floor = _serve(gunicorn, options, "bench.floor_app:app", ROOT, env, servers)
        _wait(f"{floor}/s/{token}")

    weight, assets = _page_weight(ours, survey_url)
    cookie, fields = _form(survey_url)
    post_args = [cookie, fields["csrf_token"], fields["started"], fields["page"]]

    def load(url: str, lua_args: list[str], seconds: int) -> Load:
        return _wrk(wrk, url, lua_args, seconds, args)

    runs: dict[str, Load] = {}
    answers: dict[str, dict[str, int]] = {"ours": {}, "bare": {}, "floor": {}}
    plan = []
    for number in range(1, args.rounds + 1):
        tag = f" #{number}" if args.rounds > 1 else ""
        gets = [
            (BARE_GET + tag, f"{bare}/hello", None, None),
            (OURS_GET + tag, survey_url, None, None),
        ]
        posts = [
            (BARE_POST + tag, f"{bare}/insert", "bare", post_args),
            (OURS_POST + tag, survey_url, "ours", post_args),
        ]
        # Every other round runs ours first: a machine that grows busier or
        # quieter during the run then favours neither side.
        order = 1 if number % 2 else -1
        plan += gets[::order] + posts[::order]
    if args.floor:
        plan += [
            (FLOOR_NOTHING, f"{floor}/floor/{token}/nothing", "floor", post_args),
            (FLOOR_ONE_ROW, f"{floor}/floor/{token}/one-row", "floor", post_args),
            (FLOOR_RAW_ROW, f"{floor}/floor/{token}/raw-row", "floor", post_args),
        ]
    for name, url, side, extra in plan:
        print(f"running {name} ...", flush=True)
        if side is None:
            warm = load(url, ["get"], args.warmup)
            runs[name] = load(url, ["get"], args.duration)
        else:
            assert extra is not None
            measured: list[Load] = []
            for phase, seconds in (("w", args.warmup), ("m", args.duration)):
                ids = folder / f"ids-{side}-{phase}.txt"
                # e.g. "mo3": measured, ours, 4th run (floor runs share a table)
                prefix = f"{phase}{side[0]}{len(runs)}"
                measured.append(load(url, ["post", prefix, *extra, str(ids)], seconds))
                answers[side] |= _read_ids(ids)
            warm, runs[name] = measured
        runs[name].statuses_warmup = warm.statuses  # type: ignore[attr-defined]
    for server in servers:
        _stop(server)

    ours_rows = _stored_ids(database, "responses WHERE campaign_id = ?", campaign_id)
    bare_rows = _stored_ids(bare_database, "responses")

    _report(args, runs, weight, assets)
    print()
    print("Accepted (303) vs stored, warm-up + measured runs, id by id:")
    problems = []
    for side, rows in (("ours", ours_rows), ("bare", bare_rows)):
        check = _check(answers[side], rows)
        print(f"  {side}: {check.summary}")
        if side == "ours":
            problems = check.problems
    for line in _unexpected(runs):
        print(f"  unexpected: {line}")
    if problems:
        for line in problems:
            print(f"FAIL: {line}", file=sys.stderr)
        return 1
    print("  every accepted rating is stored exactly once: OK")
    return 0


def _make_counter_campaign(url: str) -> tuple[str, int]:
    """Create a counter campaign (no minimum interval) with a standing code."""
    # Imported here, once sys.path holds the repository.
    from sqlalchemy import select

    from surveys.codes import new_token
    from surveys.db import make_engine, make_session_factory
    from surveys.models import (
        AccessCode,
        Campaign,
        CampaignMode,
        CodeKind,
        ServicePoint,
        utcnow,
    )
    from surveys.questionnaires import (
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(
    gunicorn: Path,
    options: list[str],
    app: str,
    chdir: Path,
    env: dict[str, str],
    servers: list[subprocess.Popen[bytes]],
) -> str:
    port = _free_port()
    command = [str(gunicorn), *options, "--bind", f"127.0.0.1:{port}"]
    command += ["--chdir", str(chdir), "--log-level", "warning", app]
    servers.append(subprocess.Popen(command, env=env, start_new_session=True))
    return f"http://127.0.0.1:{port}"


def _wait(url: str, timeout: float = 30.0) -> None:
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


def _stop(server: subprocess.Popen[bytes]) -> None:
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


def _stop_on_signals(servers: list[subprocess.Popen[bytes]]) -> None:
    def stop(signum: int, _frame: object) -> None:
        for server in servers:
            _stop(server)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


def _page_weight(base: str, url: str) -> tuple[int, dict[str, int]]:
    """Weigh the page's HTML and every local asset it links, in bytes."""
    with urllib.request.urlopen(url) as answer:
        html = answer.read()
    assets = {}
    for link in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        with urllib.request.urlopen(base + link.decode()) as answer:
            assets[link.decode()] = len(answer.read())
    return len(html) + sum(assets.values()), {"HTML": len(html)} | assets


def _form(url: str) -> tuple[str, dict[str, str]]:
    """GET the counter page once: its session cookie and hidden form fields."""
    with urllib.request.urlopen(url) as answer:
        html = answer.read().decode()
        cookies = answer.headers.get_all("Set-Cookie") or []
    cookie = "; ".join(c.split(";", 1)[0] for c in cookies)
    fields = {}
    for tag in HIDDEN.finditer(html):
        value = VALUE.search(tag.group(0))
        fields[tag.group(1)] = value.group(1) if value else ""
    missing = {"csrf_token", "started", "page"} - fields.keys()
    if not cookie or missing:
        raise RuntimeError(f"the counter page lacks a cookie or {missing}")
    return cookie, fields


def _wrk(
    wrk: str, url: str, lua_args: list[str], seconds: int, args: argparse.Namespace
) -> Load:
    command = [
        wrk,
        "--threads",
        str(args.connections),  # one connection per thread (see survey.lua)
        "--connections",
        str(args.connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--script",
        str(LUA),
        url,
        "--",
        *lua_args,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(
        (x for x in output.stdout.splitlines() if x.startswith("RESULT ")), None
    )
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{output.stdout}\n{output.stderr}")
    data = json.loads(line.removeprefix("RESULT "))
    return Load(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        statuses={int(k): v for k, v in data["statuses"].items()},
        errors=data["errors"],
    )


def _read_ids(path: Path) -> dict[str, int]:
    """Read survey.lua's list: each submission id sent, and its status (0: none)."""
    answers = {}
    for line in path.read_text().splitlines():
        sid, status = line.split()
        answers[sid] = int(status)
    return answers


def _stored_ids(database: Path, where: str, *params: object) -> Counter[str]:
    """Count the stored rows of each submission id."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(f"SELECT submission_id FROM {where}", params)
        return Counter(sid for (sid,) in rows)


@dataclass
class Check:
    summary: str
    problems: list[str]


def _check(answers: dict[str, int], rows: Counter[str]) -> Check:
    """Compare, id by id, the ratings answered 303 with the rows stored.

    A request cut off by the end of a wrk run (sent, never answered) may or may
    not have been stored: the server finished it after wrk hung up. Every other
    stored id must have been answered 303, and every 303 stored exactly once.
    """
    accepted = {sid for sid, status in answers.items() if status == 303}
    cut = {sid for sid, status in answers.items() if status == 0}
    missing = accepted - rows.keys()
    twice = {sid for sid, n in rows.items() if n > 1}
    stray = rows.keys() - accepted - cut
    cut_stored = len(cut & rows.keys())
    summary = (
        f"{len(accepted)} answered 303, {rows.total()} rows stored"
        f" ({len(rows)} distinct ids); of the {len(cut)} requests cut off"
        f" unanswered at the end of a run, {cut_stored} were stored"
    )
    problems = []
    if missing:
        problems.append(f"{len(missing)} ratings answered 303 are not stored")
    if twice:
        problems.append(f"{len(twice)} submission ids are stored more than once")
    if stray:
        problems.append(f"{len(stray)} stored ids were not answered 303")
    return Check(summary, problems)


def _unexpected(runs: dict[str, Load]) -> list[str]:
    lines = []
    for name, run in runs.items():
        expected = 303 if "POST" in name else 200
        for label, statuses in (
            ("warm-up", run.statuses_warmup),  # type: ignore[attr-defined]
            ("measured", run.statuses),
        ):
            others = {s: n for s, n in statuses.items() if s != expected}
            if others:
                lines.append(f"{name} ({label}): statuses {others}")
        errors = {k: v for k, v in run.errors.items() if v}
        if errors:
            lines.append(f"{name}: socket errors {errors}")
    return lines


def _report(
    args: argparse.Namespace,
    runs: dict[str, Load],
    weight: int,
    assets: dict[str, int],
) -> None:
    threads = f", {args.threads} threads" if args.worker_class == "gthread" else ""
    print()
    print(
        f"gunicorn {args.workers} {args.worker_class} workers{threads};"
        f" wrk {args.connections} connections (1 per thread),"
        f" {args.duration} s after {args.warmup} s warm-up;"
        f" Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    print()
    head = ("what", "requests", "rps", "p50 ms", "p99 ms")
    print("| {:<32} | {:>8} | {:>8} | {:>7} | {:>7} |".format(*head))
    print(f"| {'-' * 32} | {'-' * 8}:| {'-' * 7}:| {'-' * 6}:| {'-' * 6}:|")
    for name, run in runs.items():
        print(
            f"| {name:<32} | {run.requests:>8} | {run.rps:>8.1f} |"
            f" {run.p50_ms:>7.1f} | {run.p99_ms:>7.1f} |"
        )
    print()
    bare_posts = []
    for label, ours, bare, target in (
        ("GET  ours / bare", OURS_GET, BARE_GET, TARGET_GET),
        ("POST ours / bare", OURS_POST, BARE_POST, TARGET_POST),
    ):
        pairs = [
            (runs[name].rps, runs[name.replace(ours, bare)].rps)
            for name in runs
            if name.startswith(ours)
        ]
        ratios = [mine / theirs for mine, theirs in pairs]
        bare_posts = [theirs for _, theirs in pairs]
        ratio = statistics.median(ratios)
        verdict = "met" if ratio >= target else "MISSED"
        each = f" (rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
        print(
            f"{label}: {ratio:.2f}{each if len(ratios) > 1 else ''}"
            f" (target >= {target:.2f}: {verdict})"
        )
    for name in (FLOOR_NOTHING, FLOOR_ONE_ROW, FLOOR_RAW_ROW):
        if name in runs:
            ratio = runs[name].rps / statistics.median(bare_posts)
            print(f"{name} / bare POST (median): {ratio:.2f}")
    parts = ", ".join(f"{k} {v}" for k, v in assets.items())
    verdict = "met" if weight < TARGET_WEIGHT else "MISSED"
    print(
        f"Counter page weight: {weight} bytes = {weight / 1024:.1f} KiB ({parts});"
        f" target < 30 KiB: {verdict}"
    )


if __name__ == "__main__":
    sys.exit(main())
