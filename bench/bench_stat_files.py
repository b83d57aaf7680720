"""The SPSS and Stata files of every response: time and peak memory, ours and
pyreadstat's.

The database is the one ``bench_analysis_db.py`` builds (10 rating items x 300
units, hailong's schema). Each file is written from an open session, for all
the responses and for a tenth of the units (about a tenth of them), by the
app's streaming writers (``surveys.exchange.spss_file``, ``stata_file``) and,
in the same run, by pyreadstat from one whole DataFrame as the exports did
before (``tests/pyreadstat_files.py``): seconds of one run, the peak memory
(tracemalloc) of another. Ours should not grow with the responses; pyreadstat's
does (docs/exports.md).

Run from the repository root::

    python bench/bench_stat_files.py --responses 100000
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
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument(
        "--ours-only", action="store_true", help="leave pyreadstat out (1,000,000)"
    )
    args = parser.parse_args()
    writers = ["ours"] if args.ours_only else list(WRITERS)
    frame = make_responses(args.responses, UNITS, np.random.default_rng(20241105))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        url, campaign_id, unit_ids, load_seconds = build_database(path, frame)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with factory() as session:
            catch_up(session)
        with factory() as session:
            campaign = session.get_one(Campaign, campaign_id)
            tenth = [int(i) for i in unit_ids[: UNITS // 10]]

            def writing(
                writer: str, kind: str, units: list[int] | None
            ) -> Callable[[], int]:
                def write() -> int:
                    dataset = response_dataset(
                        session, campaign, units, None, with_officials=True
                    )
                    out = Path(folder) / f"out.{kind}"
                    WRITERS[writer](dataset, kind, str(out))
                    return out.stat().st_size

                return write

            for kind in FORMATS:
                for units, which in ((None, "every response"), (tenth, "a tenth")):
                    for writer in writers:
                        started = time.perf_counter()
                        size = writing(writer, kind, units)()
                        seconds = time.perf_counter() - started
                        peak = peak_memory(writing(writer, kind, units))
                        rows.append((f"{kind}, {which}, {writer}", seconds, peak, size))
        engine.dispose()
    print_rows(rows, args.responses, load_seconds, 36)


if __name__ == "__main__":
    main()
