"""The SPSS and Stata files of every response: time and peak memory.

The database is the one ``bench_analysis_db.py`` builds (10 rating items x 300
units, hailong's schema). Timed from an open session to the written file,
with the peak memory (tracemalloc) of a separate run, for all the responses
and for a tenth of the units: pyreadstat writes a whole DataFrame, so unlike
the CSV's the peak grows with the responses (docs/exports.md).

Run from the repository root::

    python bench/bench_stat_files.py --responses 100000
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
from surveys.exchange.dataset import response_dataset  # noqa: E402
from surveys.models import Campaign  # noqa: E402
from surveys.storage.tallies import catch_up  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    args = parser.parse_args()
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

            def writing(kind: str, units: list[int] | None) -> Callable[[], int]:
                def write() -> int:
                    dataset = response_dataset(
                        session, campaign, units, None, with_officials=True
                    )
                    out = Path(folder) / f"out.{kind}"
                    write_dataset(dataset, kind, str(out))
                    return out.stat().st_size

                return write

            for kind in FORMATS:
                started = time.perf_counter()
                size = writing(kind, None)()
                seconds = time.perf_counter() - started
                rows.append((f"{kind}, every response", seconds,
                             peak_memory(writing(kind, None)), size))  # fmt: skip
                rows.append((f"{kind}, a tenth of the units", None,
                             peak_memory(writing(kind, tenth)), None))  # fmt: skip
        engine.dispose()
    print_rows(rows, args.responses, load_seconds, 32)


if __name__ == "__main__":
    main()
