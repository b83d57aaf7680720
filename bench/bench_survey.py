"""Benchmark the citizen's path (issue 4, point 9) against bare Flask baselines.

In one run, under gunicorn and the same load (wrk, same connections, threads and
duration, after a warm-up), on SQLite and on PostgreSQL (``--database``), it
measures requests per second and p99 latency of:

(a) ``GET /s/<token>``, hailong's counter page, against a bare Flask "hello"
    page (``bench/bare_app.py``);
(b) a complete counter rating, ``POST /s/<token>`` (the real form: every hidden
    field of the page's form and its cookie, if it sets one, from one GET, a
    unique ``submission_id`` per request, a rating 1-5, and the ``Origin`` and
    ``Sec-Fetch-Site`` headers of a browser's same-origin post), against a bare
    Flask route that inserts one row (``sqlite3`` on SQLite, ``psycopg`` on
    PostgreSQL).

Each pair runs ``--rounds`` times (5 by default), bare and ours side by side,
every other round ours first; the ratios reported are the medians of the
rounds' ratios, as these machines' load comes and goes within a run.

Then it checks that every accepted rating (every 303) is stored exactly once and
weighs the counter page (HTML + the CSS and JS it links). Speed is reported, not
asserted; the script exits non-zero only when the stored-vs-accepted check fails
(or the set-up does). Run from anywhere::

    python bench/bench_survey.py                        # 2 sync workers (as `make run`)
    python bench/bench_survey.py --database sqlite      # or postgresql; default both
    python bench/bench_survey.py --worker-class gthread --threads 4
    python bench/bench_survey.py --duration 3 --warmup 1   # a quick look
    python bench/bench_survey.py --root /tmp/hailong-before  # another checkout

On SQLite the databases are files in a temporary folder. On PostgreSQL the script
creates two throw-away databases, ``hailong_bench_<hex>`` (hailong's) and
``hailong_bench_<hex>_bare`` (the baseline's), on the server of ``--pg-url``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/``; ``CREATE DATABASE``
is run from the URL's database, ``test`` when it names none), and drops them
at the end, also on failure (``DROP DATABASE ... WITH (FORCE)``).

``--root PATH`` benchmarks the hailong checkout at PATH (e.g. a ``git worktree``
of an older commit) instead of the one this script lives in: its ``wsgi:app``,
its ``flask init-db`` and ``seed-demo``, and its models for the campaign.

It needs ``wrk`` (Debian: ``apt-get install wrk``). The load generator is one
device at one address, so the survey rate limits are raised through the
environment for the run (``HAILONG_SURVEY_LIMIT_*=1000000/minute``), and the
campaign has no minimum interval between two ratings from one device. Any other
``HAILONG_*`` variable of the caller's environment is passed on, e.g.
``HAILONG_SURVEY_CACHE_SECONDS=0``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness import (
    DEFAULT_PG_URL,
    commit_of,
    cookie_names,
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

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

LUA = BENCH / "survey.lua"
TARGET_GET = 0.60
TARGET_POST = 0.45
TARGET_WEIGHT = 30 * 1024
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

BARE_GET = "bare GET"
OURS_GET = "ours GET"
BARE_POST = "bare POST"
OURS_POST = "ours POST"
TITLES = {
    BARE_GET: "bare GET /hello",
    OURS_GET: "ours GET /s/<token>",
    BARE_POST: "bare POST insert ({driver})",
    OURS_POST: "ours POST /s/<token> (rating)",
}
DRIVERS = {"sqlite": "sqlite3", "postgresql": "psycopg"}


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


@dataclass
class Run:
    """One measured run: its role (BARE_GET ...), its round, wrk's figures."""

    role: str
    number: int
    load: Load
    warmup_statuses: dict[int, int]


@dataclass
class Store:
    """Where one benchmark's two databases are.

    ``url`` is hailong's SQLAlchemy URL; ``ours`` and ``bare`` are what the
    script and the bare app open directly: SQLite file paths or libpq URLs.
    """

    kind: str
    url: str
    ours: str
    bare: str

    @property
    def bare_env(self) -> dict[str, str]:
        if self.kind == "sqlite":
            return {"BARE_DB": self.bare}
        return {"BARE_PG_URL": self.bare}


@dataclass
class Check:
    summary: str
    problems: list[str]


@dataclass
class Result:
    """One database's benchmark."""

    kind: str
    runs: list[Run]
    weight: int
    assets: dict[str, int]
    form_fields: list[str]
    cookies: list[str]
    checks: dict[str, Check] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    def title(self, role: str) -> str:
        return TITLES[role].format(driver=DRIVERS[self.kind])

    def pairs(self, ours: str, bare: str) -> list[tuple[Run, Run]]:
        """The rounds' (ours, bare) runs of one pair of roles, in order."""
        theirs = {run.number: run for run in self.runs if run.role == bare}
        return [(run, theirs[run.number]) for run in self.runs if run.role == ours]

    def ratios(self, ours: str, bare: str) -> list[float]:
        return [mine.load.rps / them.load.rps for mine, them in self.pairs(ours, bare)]

    @property
    def problems(self) -> list[str]:
        return self.checks["ours"].problems if "ours" in self.checks else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default="both",
        choices=["sqlite", "postgresql", "both"],
        help="which database(s) to benchmark on, one after the other (default both)",
    )
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG_URL,
        help="the PostgreSQL server, as an SQLAlchemy URL (default %(default)s);"
        " its database, if it names one, is where CREATE DATABASE runs (else test)",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the hailong checkout to benchmark (default: the one holding this script)",
    )
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
        "--json", type=Path, help="also write the figures to this file, as JSON"
    )
    args = parser.parse_args(argv)
    args.root = args.root.resolve()
    if not (args.root / "wsgi.py").is_file():
        parser.error(f"--root {args.root}: no wsgi.py there, not a hailong checkout")
    # The benchmarked checkout's modules (surveys, app) come first, for
    # _make_counter_campaign; bench/ (this script's folder, for
    # bare_app) stays on the path behind it.
    sys.path.insert(0, str(args.root))

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
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]

    folder = Path(tempfile.mkdtemp(prefix="hailong-bench-survey-"))
    servers: list[subprocess.Popen[bytes]] = []
    stop_on_signals(servers)
    results: list[Result] = []
    try:
        _print_settings(args)
        for kind in kinds:
            print(f"\n=== {LABELS[kind]} ===", flush=True)
            place = folder / kind
            place.mkdir()
            with _store(kind, args, place) as store:
                try:
                    result = _bench(args, store, wrk, gunicorn, place, servers)
                finally:
                    for server in servers:
                        stop(server)
                    servers.clear()
            results.append(result)
            _report(result)
    finally:
        for server in servers:
            stop(server)
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    _summary(results)
    if args.json:
        args.json.write_text(json.dumps(_as_json(args, results), indent=2) + "\n")
    failed = False
    for result in results:
        for line in result.problems:
            print(f"FAIL ({result.label}): {line}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


@contextlib.contextmanager
def _store(kind: str, args: argparse.Namespace, folder: Path) -> Iterator[Store]:
    if kind == "sqlite":
        ours, bare = folder / "hailong.sqlite3", folder / "bare.sqlite3"
        yield Store(kind, f"sqlite:///{ours}", str(ours), str(bare))
    else:
        with postgresql_databases(args.pg_url, ["", "_bare"]) as (ours, bare):
            yield Store(kind, sqlalchemy_url(ours), ours, bare)


def _bench(
    args: argparse.Namespace,
    store: Store,
    wrk: str,
    gunicorn: Path,
    folder: Path,
    servers: list[subprocess.Popen[bytes]],
) -> Result:
    env = hailong_env(store.url, folder / "instance") | store.bare_env
    seed_demo(args.root, env)
    token, campaign_id = make_counter_campaign(store.url)
    # The bare table exists before the workers start (they would race to create it).
    from bare_app import connect, create_pg  # bench/ is on sys.path: our folder

    if store.kind == "sqlite":
        connect(store.bare).close()
    else:
        create_pg(store.bare)

    options = ["--workers", str(args.workers), "--worker-class", args.worker_class]
    if args.worker_class == "gthread":
        options += ["--threads", str(args.threads)]
    ours = serve(gunicorn, options, "wsgi:app", args.root, env, servers)
    bare = serve(gunicorn, options, "bare_app:app", BENCH, env, servers)
    survey_url = f"{ours}/s/{token}"
    wait(survey_url)
    wait(f"{bare}/hello")

    weight, assets = _page_weight(ours, survey_url)
    cookie, hidden = page_form(survey_url)
    names = [name for name, _ in hidden]
    print(
        f"the page's form: hidden fields {', '.join(names) or 'none'};"
        f" cookie: {', '.join(cookie_names(cookie)) or 'none'}",
        flush=True,
    )
    # Every hidden field but the submission id, which each request makes anew.
    fixed = [(name, value) for name, value in hidden if name != "submission_id"]
    body = urllib.parse.urlencode([*fixed, ("action", "submit")])

    plan: list[tuple[str, int, str, str | None]] = []
    for number in range(1, args.rounds + 1):
        gets = [(BARE_GET, number, f"{bare}/hello", None)]
        gets.append((OURS_GET, number, survey_url, None))
        posts = [(BARE_POST, number, f"{bare}/insert", "bare")]
        posts.append((OURS_POST, number, survey_url, "ours"))
        # Every other round runs ours first: a machine that grows busier or
        # quieter during the run then favours neither side.
        order = 1 if number % 2 else -1
        plan += gets[::order] + posts[::order]

    runs: list[Run] = []
    answers: dict[str, dict[str, int]] = {"ours": {}, "bare": {}}
    for role, number, url, side in plan:
        tag = f" #{number}" if number and args.rounds > 1 else ""
        print(f"running {TITLES[role].format(driver=DRIVERS[store.kind])}{tag} ...")
        sys.stdout.flush()
        loads: list[Load] = []
        for phase, seconds in (("w", args.warmup), ("m", args.duration)):
            if side is None:
                loads.append(_wrk(wrk, url, ["get"], seconds, args))
                continue
            ids = folder / f"ids-{side}-{phase}.txt"
            # e.g. "mo3": measured, ours, 4th run
            prefix = f"{phase}{side[0]}{len(runs)}"
            lua = ["post", prefix, str(ids), origin(url), body, cookie]
            loads.append(_wrk(wrk, url, lua, seconds, args))
            answers[side] |= _read_ids(ids)
        warm, measured = loads
        runs.append(Run(role, number, measured, warm.statuses))
    for server in servers:
        stop(server)

    result = Result(store.kind, runs, weight, assets, names, cookie_names(cookie))
    for side in ("ours", "bare"):
        rows = _stored_ids(store, side, campaign_id)
        result.checks[side] = _check(answers[side], rows)
    result.unexpected = _unexpected(result)
    return result


def _page_weight(base: str, url: str) -> tuple[int, dict[str, int]]:
    """Weigh the page's HTML and every local asset it links, in bytes."""
    with urllib.request.urlopen(url) as answer:
        html = answer.read()
    assets = {}
    for link in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        with urllib.request.urlopen(base + link.decode()) as answer:
            assets[link.decode()] = len(answer.read())
    return len(html) + sum(assets.values()), {"HTML": len(html)} | assets


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


def _stored_ids(store: Store, side: str, campaign_id: int) -> Counter[str]:
    """Count the stored rows of each submission id, ours (the campaign's) or bare."""
    target = store.ours if side == "ours" else store.bare
    query = "SELECT submission_id FROM responses"
    if side == "ours":
        query += f" WHERE campaign_id = {int(campaign_id)}"
    if store.kind == "sqlite":
        with contextlib.closing(sqlite3.connect(target)) as connection:
            rows = connection.execute(query).fetchall()
    else:
        import psycopg

        with psycopg.connect(target) as connection:
            rows = connection.execute(query).fetchall()
    return Counter(sid for (sid,) in rows)


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


def _unexpected(result: Result) -> list[str]:
    lines = []
    for run in result.runs:
        name = _run_name(result, run)
        expected = 303 if "POST" in run.role else 200
        for label, statuses in (
            ("warm-up", run.warmup_statuses),
            ("measured", run.load.statuses),
        ):
            others = {s: n for s, n in statuses.items() if s != expected}
            if others:
                lines.append(f"{name} ({label}): statuses {others}")
        errors = {k: v for k, v in run.load.errors.items() if v}
        if errors:
            lines.append(f"{name}: socket errors {errors}")
    return lines


def _run_name(result: Result, run: Run) -> str:
    return result.title(run.role) + (f" #{run.number}" if run.number else "")


def _mode() -> str:
    seconds = os.environ.get("HAILONG_SURVEY_CACHE_SECONDS")
    return "default" if seconds is None else seconds


def _print_settings(args: argparse.Namespace) -> None:
    threads = f", {args.threads} threads" if args.worker_class == "gthread" else ""
    print(
        f"hailong at {args.root} (commit {commit_of(args.root)});"
        f" HAILONG_SURVEY_CACHE_SECONDS: {_mode()}"
    )
    print(
        f"gunicorn {args.workers} {args.worker_class} workers{threads};"
        f" wrk {args.connections} connections (1 per thread),"
        f" {args.duration} s after {args.warmup} s warm-up, {args.rounds} rounds;"
        f" Python {platform.python_version()}, {os.cpu_count()} CPUs",
        flush=True,
    )


def _ratio_line(result: Result, ours: str, bare: str, target: float) -> str:
    ratios = result.ratios(ours, bare)
    ratio = statistics.median(ratios)
    verdict = "met" if ratio >= target else "MISSED"
    each = f" (rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
    return (
        f"{ratio:.2f}{each if len(ratios) > 1 else ''}"
        f" (target >= {target:.2f}: {verdict})"
    )


def _report(result: Result) -> None:
    print()
    print(f"{result.label}:")
    print()
    head = ("what", "requests", "rps", "p50 ms", "p99 ms")
    print("| {:<34} | {:>8} | {:>8} | {:>7} | {:>7} |".format(*head))
    print(f"| {'-' * 34} | {'-' * 8}:| {'-' * 7}:| {'-' * 6}:| {'-' * 6}:|")
    for run in result.runs:
        name = _run_name(result, run)
        load = run.load
        print(
            f"| {name:<34} | {load.requests:>8} | {load.rps:>8.1f} |"
            f" {load.p50_ms:>7.1f} | {load.p99_ms:>7.1f} |"
        )
    print()
    label = result.label
    get = _ratio_line(result, OURS_GET, BARE_GET, TARGET_GET)
    print(f"{label} GET  ours / bare: {get}")
    post = _ratio_line(result, OURS_POST, BARE_POST, TARGET_POST)
    print(f"{label} POST ours / bare: {post}")
    parts = ", ".join(f"{k} {v}" for k, v in result.assets.items())
    verdict = "met" if result.weight < TARGET_WEIGHT else "MISSED"
    weight = result.weight
    print(
        f"Counter page weight: {weight} bytes = {weight / 1024:.1f} KiB ({parts});"
        f" target < 30 KiB: {verdict}"
    )
    print()
    print(f"{label}: accepted (303) vs stored, warm-up + measured runs, id by id:")
    for side, check in result.checks.items():
        print(f"  {side}: {check.summary}")
    for line in result.unexpected:
        print(f"  unexpected: {line}")
    if result.problems:
        for line in result.problems:
            print(f"  FAIL: {line}")
    else:
        print("  every accepted rating is stored exactly once: OK")
    sys.stdout.flush()


def _summary(results: list[Result]) -> None:
    if not results:
        return
    print()
    print(f"Summary (medians of the rounds; HAILONG_SURVEY_CACHE_SECONDS: {_mode()}):")
    width = max(len(result.label) for result in results)
    for result in results:
        check = "FAILED" if result.problems else "OK"
        print(
            f"  {result.label:<{width}}  GET"
            f" {_ratio_line(result, OURS_GET, BARE_GET, TARGET_GET)}"
        )
        print(
            f"  {'':<{width}}  POST"
            f" {_ratio_line(result, OURS_POST, BARE_POST, TARGET_POST)};"
            f" exactly once: {check}"
        )


def _as_json(args: argparse.Namespace, results: list[Result]) -> dict[str, object]:
    return {
        "root": str(args.root),
        "commit": commit_of(args.root),
        "survey_cache_seconds": _mode(),
        "settings": {
            key: getattr(args, key)
            for key in (
                "workers",
                "worker_class",
                "threads",
                "connections",
                "duration",
                "warmup",
                "rounds",
            )
        },
        "databases": {
            result.kind: {
                "runs": [
                    {"name": _run_name(result, run), **asdict(run)}
                    | {"rps": run.load.rps}
                    for run in result.runs
                ],
                "get_ratios": result.ratios(OURS_GET, BARE_GET),
                "post_ratios": result.ratios(OURS_POST, BARE_POST),
                "weight": result.weight,
                "form_fields": result.form_fields,
                "cookies": result.cookies,
                "checks": {side: asdict(c) for side, c in result.checks.items()},
                "unexpected": result.unexpected,
            }
            for result in results
        },
    }


if __name__ == "__main__":
    sys.exit(main())
