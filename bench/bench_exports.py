"""Issue 18: every download of a district's responses at a million responses.

On the database ``bench_dashboards`` builds (or keeps with ``--keep``), the
district user (``quan1``) downloads the counter campaign's responses through
Flask's test client, read chunk by chunk as a browser would: the CSV (codes in
one cell, labels, a select_multiple as 0/1 columns), the XLSX, the SPSS
``.sav`` and the Stata ``.dta``. For each: wall and CPU seconds, the time to
the first byte (what a proxy's read timeout sees), the size, and the ratio of
the wall time to the database's own CSV export of the same rows, timed in the
same run (``bench_dashboards.bare_export``). One round each: at a million
responses a round takes minutes. Peak memory is measured by the formats' own
benches (``bench_dashboards``, ``bench_stat_files``, ``docs/benchmarks.md``)::

    python bench/bench_exports.py --keep /tmp/b --database both --sizes 1000000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboards import (
    CAMPAIGN,
    DEFAULT_PG,
    DISTRICT,
    PG_PREFIX,
    bare_export,
    database,
    database_kinds,
    logged_in,
)
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from surveys.db import make_engine, make_session_factory
from surveys.models import Campaign

#: Each download: what it is, its file, and its options.
DOWNLOADS = (
    ("CSV, codes, a choice list in one cell", "district.csv", {}),
    ("CSV, labels in Vietnamese", "district.csv", {"values": "labels"}),
    ("CSV, a choice list as 0/1 columns", "district.csv", {"multiple": "columns"}),
    ("XLSX of the responses", "district.responses.xlsx", {}),
    ("SPSS .sav", "district.sav", {}),
    ("Stata .dta", "district.dta", {}),
)


def timed(client: FlaskClient, path: str, options: dict[str, str]) -> tuple:
    """Download ``path`` chunk by chunk; return wall, CPU, first byte, MiB."""
    wall, cpu = time.perf_counter(), time.process_time()
    answer = client.get(
        path,
        query_string={"campaign": CAMPAIGN, "period": "2026", **options},
        buffered=False,
    )
    assert answer.status_code == 200, (path, answer.status_code)
    first, size = None, 0
    for chunk in answer.response:
        if first is None and chunk:
            first = time.perf_counter() - wall
        size += len(chunk)
    answer.close()
    return (time.perf_counter() - wall, time.process_time() - cpu, first,
            size / 2**20)  # fmt: skip


def measure(url: str, only: Callable[[str], bool]) -> None:
    """Print every download's figures on the database at ``url``."""
    app = create_app(
        {"SECRET_KEY": "bench", "DATABASE_URL": url,
         "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench18-")}
    )  # fmt: skip
    client = logged_in(app, "quan1")
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        campaign_id = session.scalar(
            select(Campaign.id).where(Campaign.key == CAMPAIGN)
        )
    engine.dispose()
    # The first request catches the tallies up and loads the libraries.
    client.get(f"/staff/units/{DISTRICT}/dashboard", query_string={"period": "2026"})
    bare_wall, _, how = bare_export(url, campaign_id)
    print(f"  bare export ({how}): {bare_wall:.1f} s wall")
    print(f"  {'download':42} {'wall s':>7} {'CPU s':>7} {'1st byte':>8}"
          f" {'MiB':>6} {'/ bare':>6}")  # fmt: skip
    for name, file, options in DOWNLOADS:
        if not only(name):
            continue
        path = f"/staff/reports/units/{DISTRICT}/{file}"
        wall, cpu, first, mib = timed(client, path, options)
        print(f"  {name:42} {wall:7.1f} {cpu:7.1f} {first:8.2f} {mib:6.0f}"
              f" {wall / bare_wall:6.2f}", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql", "both"), default="both"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--pg-prefix", default=PG_PREFIX, help="name_<size> on PG")
    parser.add_argument("--keep", type=Path, help="keep and reuse the databases here")
    parser.add_argument("--only", help="only the downloads whose name holds this")
    args = parser.parse_args()
    kinds = database_kinds(args.database, args.pg_url)
    for kind in kinds:
        for size in args.sizes:
            print(f"== {kind}, {size:,} counter responses, the district's downloads")
            with database(kind, size, args.keep, args.pg_url, args.pg_prefix) as url:
                measure(url, lambda name: args.only is None or args.only in name)


if __name__ == "__main__":
    main()
