"""Import a provincial dossier export (issue 13) against a bare executemany.

For each size (10,000, 100,000 and 1,000,000 rows by default) the demo
generator writes one CSV export of the demo district's year (its 13 units
with counters, their officials; ~385 bytes a row). Then, on SQLite and on
PostgreSQL (``--database``), in the same run:

* bare: the CSV parsed by ``csv.reader`` and inserted, every cell a text, into
  a table of the export's 19 columns by the driver's own ``executemany``
  (``sqlite3``, ``psycopg``), 10,000 rows a call, in one transaction;
* ours: hailong's import service on a migrated database with the demo
  district, as the CLI runs it: ``read_import`` (read, check, stage; commits
  each batch of 2,000), ``apply_import`` (one transaction: the upserts),
  ``discard_staged_rows``; then ``again``: the same file imported a second
  time (every row unchanged: read and checked, nothing written but the import).

The ratio is ours (read + apply + discard) over bare. ``apply`` is how long
SQLite's write lock is held at once. Speed is reported, not asserted. Run from
the repository root::

    python bench/bench_dossier_import.py                       # 10k, 100k, 1M
    python bench/bench_dossier_import.py --rows 10000 --rows 100000
    python bench/bench_dossier_import.py --database sqlite

On PostgreSQL it creates throw-away databases ``hailong_bench_<hex>...`` on the
server of ``--pg-url`` and drops them at the end, also on failure.
"""

from __future__ import annotations

import argparse
import csv
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from harness import (  # noqa: E402
    DEFAULT_PG_URL,
    commit_of,
    postgresql_databases,
    sqlalchemy_url,
)
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from surveys.db import make_engine, make_session_factory  # noqa: E402
from surveys.demo import SEED  # noqa: E402
from surveys.demo.district import DISTRICT, ensure_district  # noqa: E402
from surveys.demo.dossiers import (  # noqa: E402
    HEADERS,
    ensure_procedures,
    export_rows,
    export_units,
    write_csv,
)
from surveys.dossiers.columns import confirm_mapping, propose_mapping  # noqa: E402
from surveys.dossiers.importing import (  # noqa: E402
    apply_import,
    discard_staged_rows,
    read_import,
    start_import,
)
from surveys.dossiers.reading import file_checksum, inspect_export  # noqa: E402
from surveys.migrate import upgrade_to_head  # noqa: E402
from surveys.models import DossierImport, Unit  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
BARE_BATCH = 10_000
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class Run:
    """One size on one database: seconds of each phase."""

    rows: int
    database: str
    bare: float
    read: float = 0.0
    apply: float = 0.0
    discard: float = 0.0
    again: float = 0.0
    created: int = 0

    @property
    def ours(self) -> float:
        return self.read + self.apply + self.discard

    def line(self) -> str:
        return (
            f"| {self.rows:,} | {LABELS[self.database]} | {self.bare:.1f} |"
            f" {self.read:.1f} | {self.apply:.1f} | {self.discard:.1f} |"
            f" {self.ours:.1f} | {self.ours / self.bare:.1f}x |"
            f" {self.rows / self.ours:,.0f} | {self.again:.1f} |"
        )


def timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def write_export(folder: Path, rows: int) -> Path:
    """Write the demo district's export of ``rows`` dossiers (built in memory)."""
    from sqlalchemy import create_engine

    from surveys.models import Base

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    path = folder / f"ho-so-{rows}.csv"
    with Session(engine) as session:
        ensure_district(session, np.random.default_rng(SEED))
        units = export_units(session)
    engine.dispose()
    write_csv(path, export_rows(np.random.default_rng(rows), units, rows))
    return path


def csv_rows(path: Path) -> Iterator[list[list[str]]]:
    """Yield the export's rows, parsed, ``BARE_BATCH`` at a time."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch: list[list[str]] = []
        for row in reader:
            batch.append(row)
            if len(batch) == BARE_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


def bare_sqlite(path: Path, export: Path) -> float:
    columns = ", ".join(f"c{i} TEXT" for i in range(len(HEADERS)))
    marks = ", ".join("?" for _ in HEADERS)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(f"CREATE TABLE bare ({columns})")

    def insert() -> None:
        connection.execute("BEGIN")
        for batch in csv_rows(export):
            connection.executemany(f"INSERT INTO bare VALUES ({marks})", batch)
        connection.execute("COMMIT")

    try:
        return timed(insert)
    finally:
        connection.close()


def bare_postgresql(url: str, export: Path) -> float:
    import psycopg

    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    marks = ", ".join("%s" for _ in HEADERS)
    with psycopg.connect(url) as connection:
        connection.execute(f"CREATE TABLE bare ({columns})")
        connection.commit()

        def insert() -> None:
            with connection.cursor() as cursor:
                for batch in csv_rows(export):
                    cursor.executemany(f"INSERT INTO bare VALUES ({marks})", batch)
            connection.commit()

        return timed(insert)


def ours(url: str, export: Path, run: Run) -> None:
    """Import the export twice through the service, timing each phase."""
    upgrade_to_head(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        ensure_district(session, np.random.default_rng(SEED))
        ensure_procedures(session)
        layout = inspect_export(export)
        confirm_mapping(session, layout.headers, propose_mapping(layout.headers), None)
    checksum = file_checksum(export)
    try:
        for attempt in ("first", "again"):
            with factory() as session:
                district = session.scalar(select(Unit).where(Unit.code == DISTRICT[0]))
                source = confirm_mapping(
                    session, layout.headers, propose_mapping(layout.headers), None
                )
                dossier_import = start_import(
                    session,
                    unit=district,
                    user_id=None,
                    source=source,
                    filename=export.name,
                    checksum=checksum,
                )
                session.commit()
                read, applied, discarded = _phases(session, dossier_import, export)
                if attempt == "first":
                    run.read, run.apply, run.discard = read, applied, discarded
                    run.created = dossier_import.created
                else:
                    run.again = read + applied + discarded
                    assert dossier_import.unchanged == run.rows, "not idempotent"
    finally:
        engine.dispose()
    assert run.created == run.rows, f"{run.created} of {run.rows} rows imported"


def _phases(
    session: Session, dossier_import: DossierImport, export: Path
) -> tuple[float, float, float]:
    """Time the three phases of an import: read, apply, discard."""

    def apply() -> None:
        apply_import(session, dossier_import, skip_bad_rows=False, user_id=None)
        session.commit()

    def discard() -> None:
        discard_staged_rows(session, dossier_import.id)
        session.commit()

    read = timed(lambda: read_import(session, dossier_import, export))
    return read, timed(apply), timed(discard)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="repeatable")
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    options = parser.parse_args()
    sizes = options.rows or list(SIZES)
    databases = (
        ["sqlite", "postgresql"] if options.database == "both" else [options.database]
    )
    print(f"hailong {commit_of(ROOT)}, Python {platform.python_version()}", flush=True)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-dossiers-") as folder:
        for rows in sizes:
            started = time.perf_counter()
            export = write_export(Path(folder), rows)
            size = export.stat().st_size / 1e6
            took = time.perf_counter() - started
            print(f"{rows:,} rows: {size:.0f} MB of CSV, written in {took:.0f} s")
            for database in databases:
                if database == "sqlite":
                    run = Run(
                        rows, database, bare_sqlite(Path(folder) / "bare.db", export)
                    )
                    (Path(folder) / "bare.db").unlink()
                    ours(f"sqlite:///{folder}/ours-{rows}.sqlite3", export, run)
                else:
                    with postgresql_databases(options.pg_url, ["", "_bare"]) as urls:
                        run = Run(rows, database, bare_postgresql(urls[1], export))
                        ours(sqlalchemy_url(urls[0]), export, run)
                runs.append(run)
                print(run.line(), flush=True)
            export.unlink()
    print()
    print(
        "| rows | database | bare s | read s | apply s | discard s | ours s |"
        " ours/bare | rows/s | again s |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for run in runs:
        print(run.line())


if __name__ == "__main__":
    main()
