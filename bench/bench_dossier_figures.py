"""The dossier figures of a district's year against a bare SQL ``GROUP BY``.

Issue 13, point 8: a district's year of dossiers (1,000,000 rows) and its
quarterly indicators computed from the database in seconds, on SQLite and on
PostgreSQL, as ratios to a bare ``SELECT unit_id, returned_month, count(*)
FROM dossiers GROUP BY unit_id, returned_month`` over the same table.

For each database and size (10k, 100k and 1M dossiers by default) it migrates a
fresh database, bulk-loads synthetic dossiers of 30 wards over 2026 straight
into the ``dossiers`` table (``executemany`` on SQLite, ``COPY`` on
PostgreSQL; it is a benchmark, not the import), runs ``ANALYZE``, then times,
each from an open session to the finished result (median of ``--repeat`` after
a warm-up):

1. bare: the ``GROUP BY`` above, rows fetched (the baseline);
2. ``timeliness_table`` of the district by unit and quarter;
3. ``quarter_indicators`` of the district for one quarter (2026-Q2), and for
   the four quarters of the year (what a yearly report computes);
4. ``deadline_counts`` (every dashboard view).

Speed is reported, not asserted; the target is seconds at 1M on both
databases. Run from the repository root::

    python bench/bench_dossier_figures.py                     # both, 10k-1M
    python bench/bench_dossier_figures.py --database sqlite --sizes 10000,100000
    python bench/bench_dossier_figures.py --pg-url postgresql+psycopg://u@host:5432/

On PostgreSQL it creates throw-away databases ``hailong_bench_<hex>_<size>`` on
the server of ``--pg-url`` (see ``harness.postgresql_databases``) and drops them
at the end, also on failure.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_analysis import timed  # noqa: E402
from harness import (  # noqa: E402
    DEFAULT_PG_URL,
    Timing,
    print_timings,
    sized_databases,
)
from sqlalchemy import select, text  # noqa: E402

from surveys.db import make_engine, make_session_factory  # noqa: E402
from surveys.dossiers.calendar import WorkingCalendar  # noqa: E402
from surveys.dossiers.deadlines import deadline_counts, horizon  # noqa: E402
from surveys.dossiers.figures import Breakdown, Grain, timeliness_table  # noqa: E402
from surveys.dossiers.indicators import load_settings, quarter_indicators  # noqa: E402
from surveys.dossiers.timing import month_key  # noqa: E402
from surveys.local_time import LOCAL_OFFSET  # noqa: E402
from surveys.migrate import upgrade_to_head  # noqa: E402
from surveys.models import Procedure, Unit  # noqa: E402
from surveys.units.tree import subtree_ids  # noqa: E402

WARDS = 30
PROCEDURES = 40
FIELDS = ("Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Kinh doanh", "Lao động")
#: Vietnam's offset: dossiers are received in office hours, local time.
YEAR_START = datetime(2026, 1, 1) - LOCAL_OFFSET
#: Where the figures are read, as a dashboard at the end of the year would.
AS_OF = datetime(2026, 12, 31, 3, 0, tzinfo=UTC)
COLUMNS = (
    "unit_id", "code", "procedure_id", "channel", "status", "received_at", "due_at",
    "due_computed", "returned_at", "paid_online", "digitised", "working_days_late",
    "received_month", "returned_month", "row_hash", "updated_at",
)  # fmt: skip
BARE = (
    "SELECT unit_id, returned_month, count(*) FROM dossiers"
    " GROUP BY unit_id, returned_month"
)


@dataclass(frozen=True)
class District:
    """The ids a benchmark database was set up with."""

    district_id: int
    ward_ids: np.ndarray
    procedure_ids: np.ndarray
    processing_days: np.ndarray


def set_up(url: str) -> District:
    """Migrate the database and add the district, its wards and the procedures."""
    upgrade_to_head(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        district = Unit(code="q-bench", name="Quận", kind="district")
        session.add(district)
        session.add_all(
            Unit(code=f"p{i:02d}", name=f"Phường {i}", kind="ward", parent=district)
            for i in range(WARDS)
        )
        session.add_all(
            Procedure(
                code=f"tt{i:02d}",
                name=f"Thủ tục {i}",
                field=FIELDS[i % len(FIELDS)],
                processing_days=1 + i % 15,
            )
            for i in range(PROCEDURES)
        )
        session.flush()
        ward_ids = session.scalars(
            select(Unit.id).where(Unit.parent_id == district.id).order_by(Unit.id)
        ).all()
        procedures = session.execute(
            select(Procedure.id, Procedure.processing_days).order_by(Procedure.id)
        ).all()
        found = District(
            district.id,
            np.asarray(ward_ids),
            np.asarray([p.id for p in procedures]),
            np.asarray([p.processing_days for p in procedures]),
        )
    engine.dispose()
    return found


def dossier_rows(
    count: int, district: District, rng: np.random.Generator
) -> Iterator[tuple[object, ...]]:
    """Yield ``count`` synthetic dossiers of 2026 in ``COLUMNS`` order.

    5% are withdrawn; of the others, half of those received in the year's last
    month are still open and 0.5% of the older ones, the rest returned (most
    by their due date); 60% came online. Working days late are approximated as
    5/7 of the calendar days: the figures only count them.
    """
    wards = rng.choice(district.ward_ids, count)
    which = rng.integers(0, len(district.procedure_ids), count)
    procedures = district.procedure_ids[which]
    # Received in office hours (08:00-17:00 local) on a day of the year.
    received_s = rng.integers(0, 365, count) * 86400 + rng.integers(8, 17, count) * 3600
    due_days = np.ceil(district.processing_days[which] * 7 / 5).astype(int)
    due_s = (received_s // 86400 + due_days) * 86400 + 17 * 3600
    fate = rng.random(count)
    withdrawn = fate >= 0.95
    recent = received_s >= 335 * 86400
    returned = ~withdrawn & (fate >= np.where(recent, 0.5, 0.005))
    back_s = due_s + np.round(rng.normal(-1.5, 2.0, count) * 86400).astype(int)
    back_s = np.maximum(back_s, received_s + 3600)
    late_days = back_s // 86400 - due_s // 86400
    late = np.where(
        back_s > due_s,
        np.maximum(np.ceil(late_days * 5 / 7), 1),
        np.minimum(np.trunc(late_days * 5 / 7), 0),
    ).astype(int)
    channels = rng.choice(["online", "counter", "post"], count, p=[0.6, 0.35, 0.05])
    paid = rng.random(count) < 0.3
    digitised = rng.random(count) < 0.7
    now = datetime(2027, 1, 5)
    for i in range(count):
        received = YEAR_START + timedelta(seconds=int(received_s[i]))
        back = YEAR_START + timedelta(seconds=int(back_s[i])) if returned[i] else None
        status = (
            "returned" if returned[i] else "withdrawn" if withdrawn[i] else "received"
        )
        yield (
            int(wards[i]), f"HS-{i:07d}", int(procedures[i]), str(channels[i]), status,
            received, YEAR_START + timedelta(seconds=int(due_s[i])), False, back,
            bool(paid[i]), bool(digitised[i]), int(late[i]) if back else None,
            month_key(received), month_key(back) if back else None, "0" * 64, now,
        )  # fmt: skip


def load_sqlite(path: Path, rows: Iterator[tuple[object, ...]]) -> None:
    """Insert the rows with one prepared statement, committed once."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    marks = ", ".join("?" * len(COLUMNS))
    connection.executemany(
        f"INSERT INTO dossiers ({', '.join(COLUMNS)}) VALUES ({marks})",
        (
            tuple(v.isoformat(" ") if isinstance(v, datetime) else v for v in row)
            for row in rows
        ),
    )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def load_postgresql(libpq: str, rows: Iterator[tuple[object, ...]]) -> None:
    """Stream the rows in with ``COPY``."""
    import psycopg

    with psycopg.connect(libpq) as connection:
        with connection.cursor() as cursor:
            statement = f"COPY dossiers ({', '.join(COLUMNS)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        connection.commit()
        # As autovacuum would soon after: index-only scans need the visibility map.
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE dossiers")


def measure(url: str, district: District, repeat: int) -> list[Timing]:
    """Time the baseline and each figure from an open session."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    settings = load_settings()
    calendar = WorkingCalendar()
    units = subtree_ids(district.district_id)

    def in_session(work: Callable[..., object]) -> Callable[[], object]:
        def run() -> object:
            with factory() as session:
                return work(session)

        return run

    quarters = [f"2026-Q{q}" for q in range(1, 5)]
    until = horizon(AS_OF, 2, calendar)
    cases = [
        ("bare SQL GROUP BY unit_id, returned_month", lambda s: s.execute(
            text(BARE)).all()),
        ("timeliness_table: by unit and quarter", lambda s: timeliness_table(
            s, units, Breakdown.UNIT, Grain.QUARTER)),
        ("quarter_indicators: one quarter", lambda s: quarter_indicators(
            s, units, "2026-Q2", as_of=AS_OF, settings=settings)),
        ("quarter_indicators: the four quarters", lambda s: [
            quarter_indicators(s, units, q, as_of=AS_OF, settings=settings)
            for q in quarters
        ]),
        ("deadline_counts (dashboard)", lambda s: deadline_counts(
            s, units, AS_OF, until)),
    ]  # fmt: skip
    timings = [Timing(what, timed(in_session(work), repeat)) for what, work in cases]
    engine.dispose()
    return timings


def run(kind: str, size: int, url: str, repeat: int) -> tuple[float, list[Timing]]:
    """Fill one database with ``size`` dossiers; return the load time and timings."""
    district = set_up(url)
    rows = dossier_rows(size, district, np.random.default_rng(20261206))
    started = time.perf_counter()
    if kind == "sqlite":
        load_sqlite(Path(url.removeprefix("sqlite:///")), rows)
    else:
        load_postgresql(url.replace("postgresql+psycopg://", "postgresql://"), rows)
    loaded = time.perf_counter() - started
    return loaded, measure(url, district, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both"
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print(f"{'database':10} {'dossiers':>9} {'what':42} {'seconds':>8} {'ratio':>7}")
    for kind in kinds:
        with sized_databases(kind, sizes, args.pg_url, "d") as urls:
            for size, url in zip(sizes, urls, strict=True):
                loaded, timings = run(kind, size, url, args.repeat)
                print_timings(kind, size, 42, loaded, timings)


if __name__ == "__main__":
    main()
