"""Issue 17 point 8: staff dashboards and report downloads at a million responses.

A database is built like the demo (``seed_demo``: Quận 1, its 10 wards, counters,
officials, the counter questionnaire and the other campaigns), then the counter
campaign's responses are copied, with their answers, by one bulk insert
(``executemany`` on SQLite, ``COPY`` on PostgreSQL) until it holds N responses;
the tallies are caught up (``catch_up``) as a first reader would. Then, through
Flask's test client logged in as the demo's district user (``quan1``) and ward
manager (``bennghe``), whole requests are timed (median of ``--repeat``, after one
cold request that is not counted):

- the district dashboard and a ward dashboard (the year, and a date range inside
  a quarter: 2026-05-01 to 2026-05-20);
- the ward's PDF report, the district's XLSX report;
- the district's CSV of every response, streamed, against the database's own
  CSV export of the same rows (PostgreSQL ``COPY (SELECT ...) TO STDOUT WITH
  CSV``; SQLite: the ``sqlite3`` shell's ``-csv``, or, without the shell,
  Python's ``sqlite3`` rows through ``csv.writer``, said so in the output). Its
  peak memory (tracemalloc) is measured in a separate run.

Targets: dashboards under 0.5 s, the PDF under 3 s, the XLSX under 10 s, the CSV
within 3x of the bare export. Run from the repository root::

    python bench/bench_dashboards.py               # 10k, 100k, 1M; both databases
    python bench/bench_dashboards.py --sizes 100000 --database sqlite --keep /tmp/b

``--keep DIR`` keeps the SQLite files (and PostgreSQL databases ``bench_perf_<N>``,
or ``--pg-prefix``'s) and reuses them on the next run; without it they are thrown
away.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from app import create_app  # noqa: E402
from surveys.db import make_engine, make_session_factory  # noqa: E402
from surveys.demo import seed_demo  # noqa: E402
from surveys.migrate import upgrade_to_head  # noqa: E402
from surveys.models import Campaign  # noqa: E402
from surveys.storage.tallies import catch_up  # noqa: E402

PASSWORD = "bench-password-17"
CAMPAIGN = "q1-mot-cua-2026"
DISTRICT, WARD = "q1", "q1-ben-nghe"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: The PostgreSQL databases built are named this, then ``_<size>``.
PG_PREFIX = "bench_perf"
#: The columns copied from a template response (the id and submission id are new).
COPIED = (
    "campaign_id, questionnaire_id, unit_id, service_point_id, official_id,"
    " access_code_id, channel, language, content_hash, started_at, submitted_at,"
    " verified, flag_too_fast, flag_straight_lining, flag_duplicate_suspect,"
    " flag_burst, excluded, stratum, cluster, weight"
)
YEAR, RANGE = {"period": "2026"}, {"date_from": "2026-05-01", "date_to": "2026-05-20"}


def build(url: str, size: int) -> None:
    """Migrate, seed the demo and fill the counter campaign up to ``size`` responses."""
    upgrade_to_head(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        seed_demo(session, PASSWORD)
        session.commit()
        campaign = session.scalar(select(Campaign).where(Campaign.key == CAMPAIGN))
        templates = session.execute(
            text(
                f"SELECT id, {COPIED} FROM responses WHERE campaign_id = :c ORDER BY id"
            ),
            {"c": campaign.id},
        ).all()
        answers: dict[int, list[tuple]] = {}
        for row in session.execute(
            text(
                "SELECT a.response_id, a.question, a.position, a.value_num,"
                " a.value_text FROM answers a JOIN responses r ON r.id = a.response_id"
                " WHERE r.campaign_id = :c"
            ),
            {"c": campaign.id},
        ):
            answers.setdefault(row[0], []).append(tuple(row[1:]))
        first = (session.scalar(text("SELECT max(id) FROM responses")) or 0) + 1
        catch_up(session)  # the demo's own responses, before the copies
    engine.dispose()
    missing = size - len(templates)
    started = time.perf_counter()

    def responses() -> Iterator[tuple]:
        for i in range(missing):
            template = templates[i % len(templates)]
            yield (first + i, f"bench-{i}", *template[1:])

    def answer_rows() -> Iterator[tuple]:
        for i in range(missing):
            for answer in answers.get(templates[i % len(templates)][0], ()):
                yield (first + i, *answer)

    insert_responses = (
        f"INSERT INTO responses (id, submission_id, {COPIED}) VALUES"
        f" ({', '.join(['%s'] * (2 + COPIED.count(',') + 1))})"
    )
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.execute("PRAGMA synchronous = OFF")
        connection.executemany(insert_responses.replace("%s", "?"), responses())
        connection.executemany(
            "INSERT INTO answers (response_id, question, position, value_num,"
            " value_text) VALUES (?, ?, ?, ?, ?)",
            answer_rows(),
        )
        connection.commit()
        connection.close()
    else:
        import psycopg

        with psycopg.connect(_libpq(url)) as connection, connection.cursor() as cursor:
            with cursor.copy(
                f"COPY responses (id, submission_id, {COPIED}) FROM STDIN"
            ) as copy:
                for row in responses():
                    copy.write_row(row)
            with cursor.copy(
                "COPY answers (response_id, question, position, value_num,"
                " value_text) FROM STDIN"
            ) as copy:
                for row in answer_rows():
                    copy.write_row(row)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('responses', 'id'),"
                " (SELECT max(id) FROM responses))"
            )
            cursor.execute("ANALYZE")
    print(
        f"  bulk insert of {missing:,} responses: {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        catch_up(session)
    engine.dispose()
    print(f"  catch-up of the tallies: {time.perf_counter() - started:.1f} s")


def _answers(pg_url: str) -> bool:
    """Tell whether the PostgreSQL server at ``pg_url`` takes connections."""
    import psycopg

    try:
        psycopg.connect(_libpq(pg_url), connect_timeout=5).close()
    except psycopg.OperationalError:
        return False
    return True


def database_kinds(asked: str, pg_url: str) -> list[str]:
    """Return the databases ``--database`` asks for (``both``: the two), without
    PostgreSQL when it does not answer at ``pg_url`` (said so)."""
    kinds = ["sqlite", "postgresql"] if asked == "both" else [asked]
    if "postgresql" in kinds and not _answers(pg_url):
        print(f"PostgreSQL does not answer at {pg_url}: SQLite only")
        kinds.remove("postgresql")
    return kinds


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def database(
    kind: str, size: int, keep: Path | None, pg_url: str, pg_prefix: str = PG_PREFIX
) -> Iterator[str]:
    """Yield the URL of a database of ``size`` responses (kept, or thrown away).

    A kept one is migrated to head (it may come from an older checkout); a new
    one is built. On PostgreSQL it is ``<pg_prefix>_<size>``: helpers sharing
    a server keep databases of their own (``--pg-prefix``).
    """
    if kind == "sqlite":
        folder = keep or Path(tempfile.mkdtemp(prefix="bench17-"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bench_perf_{size}.sqlite3"
        url, exists = f"sqlite:///{path}", path.exists()

        def throw_away() -> None:
            shutil.rmtree(folder)

    else:
        url, exists = _postgresql_database(f"{pg_prefix}_{size}", keep, pg_url)

        def throw_away() -> None:
            import psycopg

            with psycopg.connect(_libpq(pg_url), autocommit=True) as admin:
                name = urllib.parse.urlsplit(url).path.lstrip("/")
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

    if exists:
        upgrade_to_head(url)
    else:
        build(url, size)
    try:
        yield url
    finally:
        if keep is None:
            throw_away()


def _postgresql_database(name: str, keep: Path | None, pg_url: str) -> tuple[str, bool]:
    """Create the database ``name`` beside ``pg_url`` unless it is kept; return
    its URL and whether it existed."""
    import psycopg

    with psycopg.connect(_libpq(pg_url), autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists and keep is None:
            admin.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlsplit(pg_url)._replace(path=f"/{name}").geturl(), bool(
        exists
    )


def logged_in(app: Flask, username: str) -> FlaskClient:
    """Return a test client logged in as a demo user."""
    import re

    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    answer = client.post(
        "/staff/login",
        data={"csrf_token": token.group(1), "username": username, "password": PASSWORD},
    )
    assert answer.status_code == 302, f"{username} could not log in"
    return client


def median_seconds(fetch: Callable[[], int], repeat: int) -> tuple[float, float]:
    """Return the median wall time and CPU time of ``repeat`` calls, after one
    cold call. The CPU time (this process's, where SQLite runs too) is what a
    request costs on a core of its own: the machine is shared, and wall times
    grow with its load."""
    fetch()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fetch()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus)


def getter(client: FlaskClient, path: str, query: dict[str, str]) -> Callable[[], int]:
    """Return a call that fetches ``path`` whole and returns its size."""

    def fetch() -> int:
        answer = client.get(path, query_string={"campaign": CAMPAIGN, **query})
        assert answer.status_code == 200, (path, answer.status_code)
        return len(answer.get_data())

    return fetch


def streamer(client: FlaskClient, path: str) -> Callable[[], int]:
    """Return a call that reads a streamed download chunk by chunk; its size."""

    def fetch() -> int:
        answer = client.get(
            path, query_string={"campaign": CAMPAIGN, "period": "2026"}, buffered=False
        )
        assert answer.status_code == 200, (path, answer.status_code)
        size = sum(len(chunk) for chunk in answer.response)
        answer.close()
        return size

    return fetch


#: The bare export: each kept response of the campaign, every stored field the
#: export's own columns come from (15: the version, four flags and design fields,
#: which the export already wrote, and the channel were left out of the 8 read
#: until the channel's column came), then its answers as columns. The day and
#: quarter in Vietnam are the export's to work out.
BARE_QUESTIONS = ("overall", "official", "official_rating", "reasons", "comment")


def bare_query(campaign_id: int, answer: str) -> str:
    """Return the SELECT a database's own CSV export runs over the same rows."""
    columns = ", ".join(
        f"(SELECT {answer} FROM answers a WHERE a.response_id = r.id"
        f" AND a.question = '{name}' AND a.position = 0)"
        for name in BARE_QUESTIONS
    )
    return (
        "SELECT r.id, u.code, s.code, r.submitted_at, r.questionnaire_id, r.channel,"
        " r.verified, r.flag_too_fast, r.flag_straight_lining,"
        " r.flag_duplicate_suspect, r.flag_burst, r.excluded, r.stratum, r.cluster,"
        f" r.weight, {columns} FROM responses r"
        " JOIN units u ON u.id = r.unit_id"
        " LEFT JOIN service_points s ON s.id = r.service_point_id"
        f" WHERE r.campaign_id = {campaign_id} AND NOT r.excluded ORDER BY r.id"
    )


def bare_export(url: str, campaign_id: int) -> tuple[float, float, str]:
    """Time the database's own CSV export of the campaign's rows (wall, and CPU
    where it can be read: the ``sqlite3`` shell's or this process's); say which."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        query = bare_query(campaign_id, "coalesce(a.value_text, a.value_num)")
        if shutil.which("sqlite3"):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(
                ["sqlite3", "-csv", path, query], check=True, stdout=subprocess.DEVNULL
            )
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (
                after.ru_stime - before.ru_stime
            )
            return wall, cpu, "sqlite3 shell -csv"
        started, cpu = time.perf_counter(), time.process_time()
        with sqlite3.connect(path) as connection:
            writer = csv.writer(io.StringIO())
            for row in connection.execute(query):
                writer.writerow(row)
        wall = time.perf_counter() - started
        return wall, time.process_time() - cpu, "Python sqlite3 + csv.writer"
    import psycopg

    query = bare_query(campaign_id, "coalesce(a.value_text, a.value_num::text)")
    started = time.perf_counter()
    with (
        psycopg.connect(_libpq(url)) as connection,
        connection.cursor() as cursor,
        cursor.copy(f"COPY ({query}) TO STDOUT WITH CSV") as copy,
    ):
        for _block in copy:
            pass
    # The server's CPU is not this process's: wall time only.
    return time.perf_counter() - started, float("nan"), "COPY (SELECT ...) TO STDOUT"


def peak_mib(fetch: Callable[[], int]) -> float:
    """Return the peak MiB allocated while ``fetch`` runs (tracemalloc)."""
    tracemalloc.start()
    fetch()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def measure(
    url: str, repeat: int, with_memory: bool, csv_rounds: int = 3
) -> list[tuple[str, float, float]]:
    """Time every request on the database at ``url``; return (what, wall, CPU)."""
    instance = Path(tempfile.mkdtemp(prefix="bench17-instance-"))
    app = create_app(
        {"SECRET_KEY": "bench", "DATABASE_URL": url, "INSTANCE_PATH": str(instance)}
    )
    district, ward = logged_in(app, "quan1"), logged_in(app, "bennghe")
    with app.app_context():
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            campaign_id = session.scalar(
                select(Campaign.id).where(Campaign.key == CAMPAIGN)
            )
            responses = session.scalar(
                text("SELECT count(*) FROM responses WHERE campaign_id = :c"),
                {"c": campaign_id},
            )
        engine.dispose()
    board = "/staff/units/{}/dashboard"
    report = "/staff/reports/units/{}/{}"
    rows = [
        ("district dashboard, 2026", getter(district, board.format(DISTRICT), YEAR)),
        ("ward dashboard, 2026", getter(ward, board.format(WARD), YEAR)),
        ("district dashboard, 1-20 May",
         getter(district, board.format(DISTRICT), RANGE)),
        ("ward dashboard, 1-20 May", getter(ward, board.format(WARD), RANGE)),
        ("ward PDF report, 2026", getter(ward, report.format(WARD, "unit.pdf"), YEAR)),
        ("district XLSX report, 2026",
         getter(district, report.format(DISTRICT, "district.xlsx"), YEAR)),
    ]  # fmt: skip
    results = [(name, *median_seconds(fetch, repeat)) for name, fetch in rows]
    stream = streamer(district, report.format(DISTRICT, "district.csv"))
    # Best of ``csv_rounds``, ours and the bare export in turn: the least
    # disturbed runs.
    ours, bare = [], []
    for _ in range(csv_rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        size = stream()
        ours.append((time.perf_counter() - wall, time.process_time() - cpu))
        bare_wall, bare_cpu, how = bare_export(url, campaign_id)
        bare.append((bare_wall, bare_cpu))
    ours_wall, ours_cpu = min(w for w, _ in ours), min(c for _, c in ours)
    bare_wall, bare_cpu = min(w for w, _ in bare), min(c for _, c in bare)
    results += [
        (f"district CSV ({responses:,} responses, {size / 2**20:.0f} MiB)",
         ours_wall, ours_cpu),
        (f"bare CSV export ({how})", bare_wall, bare_cpu),
        ("CSV ratio ours / bare (target <= 3)", ours_wall / bare_wall,
         ours_cpu / bare_cpu),
    ]  # fmt: skip
    if with_memory:
        peak = peak_mib(stream)
        results.append(("district CSV peak memory, MiB (tracemalloc)", peak, peak))
    shutil.rmtree(instance)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000]
    )
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql", "both"), default="both"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--pg-prefix", default=PG_PREFIX, help="name_<size> on PG")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="keep and reuse the databases here")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--csv-rounds", type=int, default=3)
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="build the kept databases, time nothing",
    )
    args = parser.parse_args()
    kinds = database_kinds(args.database, args.pg_url)
    for kind in kinds:
        for size in args.sizes:
            print(f"== {kind}, {size:,} counter responses")
            with database(kind, size, args.keep, args.pg_url, args.pg_prefix) as url:
                if args.build_only:
                    continue
                print(f"  {'what':58} {'wall s':>8} {'CPU s':>8}")
                for name, wall, cpu in measure(
                    url, args.repeat, not args.no_memory, args.csv_rounds
                ):
                    print(f"  {name:58} {wall:8.3f} {cpu:8.3f}")


if __name__ == "__main__":
    main()
