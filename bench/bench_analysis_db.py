"""Per-unit summaries computed from what is stored, against bare pandas in memory.

The same 1,000,000 responses x 10 rating items x 300 units as
``bench_analysis.py`` are stored in an SQLite database with hailong's own schema
(responses, answers, and the item tallies kept beside them), then summarised
per unit and item (n, mean with t interval, % satisfied with Wilson interval)
three ways, each timed from an open connection to a finished DataFrame:

1. bare: pandas ``groupby("unit")[items].agg(["mean", "std", "count"])`` on
   the frame already in memory (the baseline; target: ours at most 10x);
2. ours: ``surveys.frames.tally_frame`` + ``analysis.summary_from_tallies``;
3. for contrast, the obvious alternative: one SQL ``GROUP BY`` over every answer.

Peak memory of the timed part of (2) and (3) is measured with tracemalloc.
Run from the repository root::

    python bench/bench_analysis_db.py                 # 1,000,000 responses
    python bench/bench_analysis_db.py --responses 100000
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_analysis import ITEMS, make_responses, timed  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from analysis import summary_from_tallies  # noqa: E402
from surveys.db import make_engine, make_session_factory  # noqa: E402
from surveys.migrate import upgrade_to_head  # noqa: E402
from surveys.models import Campaign, ItemTally, Unit  # noqa: E402
from surveys.questionnaire.schema import build_questionnaire  # noqa: E402
from surveys.questionnaire.versions import store_questionnaire  # noqa: E402
from surveys.storage.frames import tally_frame  # noqa: E402
from surveys.storage.tallies import catch_up  # noqa: E402

UNITS = 300
START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
DEFINITION = {
    "key": "bench10",
    "version": "1",
    "title": {"vi": "Mười câu đánh giá", "en": "Ten ratings"},
    "languages": ["vi", "en"],
    "questions": [
        {"name": item, "type": "rating", "label": {"vi": item, "en": item}}
        for item in ITEMS
    ],
}


def build_database(
    path: Path, frame: pd.DataFrame
) -> tuple[str, int, np.ndarray, float]:
    """Store ``frame``; return the URL, campaign id, unit ids and seconds taken."""
    url = f"sqlite:///{path}"
    upgrade_to_head(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        district = Unit(code="d", name="Quận", kind="district")
        session.add(district)
        session.add_all(
            Unit(code=f"u{i:03d}", name=f"Phường {i}", kind="ward", parent=district)
            for i in range(UNITS)
        )
        stored = store_questionnaire(session, build_questionnaire(DEFINITION))
        campaign = Campaign(
            key="bench", name="bench", questionnaire=stored.stored, unit=district,
            mode="counter", starts_on=START.date(),
        )  # fmt: skip
        session.add(campaign)
        session.flush()
        campaign_id, questionnaire_id = campaign.id, stored.stored.id
        unit_ids = dict(session.execute(select(Unit.code, Unit.id)).all())
    engine.dispose()
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = OFF")
    ids = np.asarray([unit_ids[f"u{i:03d}"] for i in range(UNITS)])
    units = ids[frame["unit"].to_numpy()]
    seconds = np.arange(len(frame)) * (300 * 86400 // len(frame))
    moments = [
        (START + timedelta(seconds=int(s))).replace(tzinfo=None).isoformat(" ")
        for s in seconds
    ]
    connection.executemany(
        "INSERT INTO responses (id, campaign_id, questionnaire_id, unit_id, channel,"
        " language, submission_id, content_hash, submitted_at, verified,"
        " flag_too_fast, flag_straight_lining, flag_duplicate_suspect, flag_burst,"
        " excluded) VALUES (?, ?, ?, ?, 'counter', 'vi', ?, '', ?, ?, 0, 0, 0, 0, ?)",
        (
            (i + 1, campaign_id, questionnaire_id, int(units[i]), f"b{i}",
             moments[i], bool(verified), bool(excluded))
            for i, (verified, excluded) in enumerate(
                zip(frame["verified"], frame["excluded"], strict=True)
            )
        ),
    )  # fmt: skip
    values = frame[ITEMS].to_numpy()
    connection.executemany(
        "INSERT INTO answers (response_id, question, value_num) VALUES (?, ?, ?)",
        (
            (i + 1, item, float(values[i, j]))
            for i in range(len(frame))
            for j, item in enumerate(ITEMS)
            if not np.isnan(values[i, j])
        ),
    )
    connection.commit()
    connection.close()
    return url, campaign_id, ids, time.perf_counter() - started


def check_same_means(
    ours: pd.DataFrame, bare: pd.DataFrame, unit_ids: np.ndarray
) -> None:
    """Fail unless our means from the database equal pandas' means in memory."""
    position = {int(unit_id): index for index, unit_id in enumerate(unit_ids)}
    expected = np.array(
        [
            bare.loc[position[int(row.unit)], (row.item, "mean")]
            for row in ours.itertuples()
        ]
    )
    if not np.allclose(expected, ours["mean"].to_numpy(), rtol=1e-12):
        raise AssertionError("means from the tallies differ from pandas' means")


def peak_memory(function: Callable[[], object]) -> float:
    """Return the peak MiB allocated while ``function`` runs (tracemalloc)."""
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def print_rows(
    rows: list[tuple[str, float | None, float, int | None]],
    responses: int,
    load_seconds: float,
    width: int,
) -> None:
    """Print the measurements of a bench on this database: what, seconds, peak
    memory and bytes out (blank where not measured)."""
    print(f"{responses:,} responses x 10 items x {UNITS} units;"
          f" loading took {load_seconds:.1f} s")  # fmt: skip
    print(f"{'what':{width}} {'seconds':>8} {'peak MiB':>9} {'MiB out':>8}")
    for name, seconds, peak, size in rows:
        shown = f"{seconds:8.2f}" if seconds is not None else f"{'':8}"
        out = f"{size / 2**20:8.1f}" if size is not None else f"{'':8}"
        print(f"{name:{width}} {shown} {peak:9.1f} {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frame = make_responses(args.responses, UNITS, np.random.default_rng(20241105))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        url, campaign_id, unit_ids, load_seconds = build_database(path, frame)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        started = time.perf_counter()
        with factory() as session:
            catch_up(session)  # the bulk load's responses, as a first reader would
            tally_rows = session.scalar(select(func.count(ItemTally.id)))
        rebuild_seconds = time.perf_counter() - started
        kept = frame[~frame["excluded"]]

        def bare() -> object:
            return kept.groupby("unit")[ITEMS].agg(["mean", "std", "count"])

        def ours() -> pd.DataFrame:
            with factory() as session:
                return summary_from_tallies(tally_frame(session, campaign_id))

        def every_answer() -> pd.DataFrame:
            with sqlite3.connect(path) as connection:
                return pd.read_sql_query(
                    "SELECT r.unit_id AS unit, a.question AS item, COUNT(*) AS n,"
                    " SUM(a.value_num) AS total,"
                    " SUM(a.value_num * a.value_num) AS total_sq,"
                    " SUM(a.value_num >= 4) AS satisfied"
                    " FROM answers a JOIN responses r ON r.id = a.response_id"
                    " WHERE r.campaign_id = ? AND NOT r.excluded"
                    " GROUP BY r.unit_id, a.question",
                    connection,
                    params=(campaign_id,),
                )

        bare_seconds = timed(bare, args.repeat)
        ours_seconds = timed(ours, args.repeat)
        sql_seconds = timed(every_answer, 1)
        ours_peak, sql_peak = peak_memory(ours), peak_memory(every_answer)
        result = ours()
        items = result[result["kind"] == "item"]
        assert len(items) == UNITS * len(ITEMS), len(items)
        check_same_means(items, bare(), unit_ids)
        size = path.stat().st_size / 2**20
        engine.dispose()
    print(f"{args.responses:,} responses x {len(ITEMS)} items x {UNITS} units")
    print(f"database: {size:,.0f} MiB; loading answers took {load_seconds:.1f} s;")
    print(f"catching the tallies up on every answer: {rebuild_seconds:.1f} s"
          f" -> {tally_rows:,} tally rows")  # fmt: skip
    print(f"{'what':58} {'seconds':>8} {'ratio':>7} {'peak MiB':>9}")
    rows = [
        ("bare pandas groupby.agg(mean, std, count), in memory", bare_seconds, None),
        ("ours: tally_frame + summary_from_tallies (SQLite)", ours_seconds, ours_peak),
        ("contrast: SQL GROUP BY over every answer (SQLite)", sql_seconds, sql_peak),
    ]  # fmt: skip
    for name, seconds, peak in rows:
        memory = f"{peak:9.1f}" if peak is not None else f"{'':9}"
        print(f"{name:58} {seconds:8.3f} {seconds / bare_seconds:7.2f} {memory}")
    verdict = "met" if ours_seconds <= 10 * bare_seconds else "MISSED"
    print(f"target (ours at most 10x the bare in-memory time): {verdict}")


if __name__ == "__main__":
    main()
