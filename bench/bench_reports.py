"""Reports at a million responses: a unit's PDF, the district's XLSX, the CSV stream.

The database is the one ``bench_analysis_db.py`` builds (1,000,000 responses x
10 rating items x 300 units, hailong's schema, tallies rebuilt). Timed, each
from an open session to the finished bytes, with peak memory (tracemalloc) of
a separate run:

1. one unit's report as PDF (``unit_report`` + ``unit_report_pdf``);
2. the district's report as XLSX (league table with rank intervals of all
   300 units, every unit's summary);
3. the district's anonymised CSV of every response, streamed; its peak memory
   is also measured on a tenth of the units, to show it does not grow with
   the number of responses.

Run from the repository root::

    python bench/bench_reports.py                  # 1,000,000 responses
    python bench/bench_reports.py --responses 100000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_analysis import make_responses  # noqa: E402
from bench_analysis_db import (  # noqa: E402
    UNITS,
    build_database,
    peak_memory,
    print_rows,
)
from sqlalchemy import select  # noqa: E402

from app.reports.csv import responses_csv  # noqa: E402
from app.reports.data import district_report, unit_report  # noqa: E402
from app.reports.pdf import unit_report_pdf  # noqa: E402
from app.reports.xlsx import district_report_xlsx  # noqa: E402
from surveys.db import make_engine, make_session_factory  # noqa: E402
from surveys.models import Campaign, Unit  # noqa: E402
from surveys.storage.tallies import catch_up  # noqa: E402


def once(function: Callable[[], object]) -> tuple[float, object]:
    """Return the wall time of one call and its result."""
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    args = parser.parse_args()
    frame = make_responses(args.responses, UNITS, np.random.default_rng(20241105))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        url, campaign_id, unit_ids, load_seconds = build_database(path, frame)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with factory() as session:
            catch_up(session)  # the bulk load's responses, as a first reader would
        with factory() as session:
            campaign = session.get(Campaign, campaign_id)
            district = session.scalar(select(Unit).where(Unit.code == "d"))
            ward = session.get(Unit, int(unit_ids[0]))
            tenth = [int(i) for i in unit_ids[: UNITS // 10]]

            def unit_pdf() -> bytes:
                return unit_report_pdf(unit_report(session, ward, campaign, "2026"))

            def district_xlsx() -> bytes:
                return district_report_xlsx(
                    district_report(session, district, campaign, "2026")
                )

            def stream(units: list[int] | None) -> Callable[[], int]:
                def consume() -> int:
                    chunks = responses_csv(session, campaign, units, None)
                    return sum(len(chunk) for chunk in chunks)

                return consume

            pdf_seconds, pdf = once(unit_pdf)
            xlsx_seconds, xlsx = once(district_xlsx)
            csv_seconds, csv_bytes = once(stream(None))
            rows = [
                ("unit PDF (unit_report + unit_report_pdf)", pdf_seconds,
                 peak_memory(unit_pdf), len(pdf)),
                (f"district XLSX, {UNITS} units (district_report + xlsx)",
                 xlsx_seconds, peak_memory(district_xlsx), len(xlsx)),
                ("district CSV of every response, streamed", csv_seconds,
                 peak_memory(stream(None)), csv_bytes),
                (f"the same CSV for a tenth of the units ({len(tenth)})", None,
                 peak_memory(stream(tenth)), None),
            ]  # fmt: skip
        engine.dispose()
    print_rows(rows, args.responses, load_seconds, 58)


if __name__ == "__main__":
    main()
