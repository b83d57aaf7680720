"""The SPSS and Stata files of every response: time and peak memory, ours and
pyreadstat's.

The database is the one ``bench_analysis_db.py`` builds (10 rating items x 300
units, hailong's schema), once for each number of responses asked. Each file
is written from an open session by the app's streaming writers
(``surveys.exchange.spss_file``, ``stata_file``) and, in the same run, by
pyreadstat from one whole DataFrame as the exports did before
(``tests/pyreadstat_files.py``): seconds of one run, the peak memory
(tracemalloc) of another. The bare baseline reads the dataset's pages and
writes nothing: a page of rows (5,000) is the least any writer holds. Ours
should stay near it whatever the responses; pyreadstat's grows with them
(docs/exports.md).

Run from the repository root::

    python bench/bench_stat_files.py --responses 10000 100000
    python bench/bench_stat_files.py --responses 1000000 --ours-only
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

from app.reports.stat_files import FORMATS, write_dataset  # noqa: E402
from surveys.db import make_engine, make_session_factory  # noqa: E402
from surveys.exchange.dataset import Dataset, response_dataset  # noqa: E402
from surveys.models import Campaign  # noqa: E402
from surveys.storage.tallies import catch_up  # noqa: E402
from tests.pyreadstat_files import write_with_pyreadstat  # noqa: E402

#: Who writes the file: the app's streaming writers, or pyreadstat.
WRITERS: dict[str, Callable[[Dataset, str, str], None]] = {
    "ours": write_dataset,
    "pyreadstat": write_with_pyreadstat,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--ours-only", action="store_true", help="leave pyreadstat out (a million)"
    )
    args = parser.parse_args()
    writers = ["ours"] if args.ours_only else list(WRITERS)
    for responses in args.responses:
        rows, load_seconds = measure(responses, writers)
        print_rows(rows, responses, load_seconds, 24)


def measure(
    responses: int, writers: list[str]
) -> tuple[list[tuple[str, float | None, float, int | None]], float]:
    """Build a database of ``responses`` and time each writer on every one."""
    frame = make_responses(responses, UNITS, np.random.default_rng(20241105))
    rows: list[tuple[str, float | None, float, int | None]] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        url, campaign_id, _, load_seconds = build_database(path, frame)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with factory() as session:
            catch_up(session)
        with factory() as session:
            campaign = session.get_one(Campaign, campaign_id)

            def dataset() -> Dataset:
                return response_dataset(
                    session, campaign, None, None, with_officials=True
                )

            def pages() -> None:
                for _ in dataset().pages:
                    pass

            def writing(writer: str, kind: str) -> Callable[[], int]:
                def write() -> int:
                    out = Path(folder) / f"out.{kind}"
                    WRITERS[writer](dataset(), kind, str(out))
                    return out.stat().st_size

                return write

            started = time.perf_counter()
            pages()
            seconds = time.perf_counter() - started
            rows.append(("pages only (bare)", seconds, peak_memory(pages), None))
            for kind in FORMATS:
                for writer in writers:
                    started = time.perf_counter()
                    size = writing(writer, kind)()
                    seconds = time.perf_counter() - started
                    peak = peak_memory(writing(writer, kind))
                    rows.append((f"{kind}, {writer}", seconds, peak, size))
        engine.dispose()
    return rows, load_seconds


if __name__ == "__main__":
    main()
