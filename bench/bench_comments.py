"""The comment list at scale: first pages, a deep page, filters and searches.

A database of counter ratings (the shipped ``counter`` questionnaire) over 30
wards of one district, one in five with a comment, is built on SQLite; each
query of ``surveys.comments.listing.comment_page`` is timed (median of 5, after
one warm-up run), and beside it, as the bare baseline of the same run, the
cheapest way SQLite can search every comment: one plain ``LIKE`` over the
comment answers, no folding, no join, no order.

Run from the repository root::

    python bench/bench_comments.py                  # 1,000,000 responses
    python bench/bench_comments.py --responses 100000
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from surveys.comments.listing import (  # noqa: E402
    CommentFilter,
    comment_page,
    rating_question,
)
from surveys.db import make_engine, make_session_factory  # noqa: E402
from surveys.migrate import upgrade_to_head  # noqa: E402
from surveys.models import Campaign, ServicePoint, Unit  # noqa: E402
from surveys.questionnaire.versions import (  # noqa: E402
    definition_of,
    shipped_template,
    store_questionnaire,
)

WARDS = 30
START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
WORDS = ["Thái độ phục vụ chưa tốt", "Phải chờ đợi lâu", "Hướng dẫn tận tình",
         "Cán bộ nhiệt tình, chu đáo", "Nơi chờ chật, thiếu ghế ngồi"]  # fmt: skip
#: A query timed: a function of nothing.
Timed = Callable[[], object]
#: One comment in a thousand names this place: a rare search.
RARE = "Quầy số 7 Khu phố Bến Nghé"


def build(path: Path, responses: int) -> tuple[str, int, list[int]]:
    """Store the responses; return the URL, the campaign's id and the wards' ids."""
    url = f"sqlite:///{path}"
    upgrade_to_head(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        district = Unit(code="d", name="Quận", kind="district")
        wards = [
            Unit(code=f"u{i:02d}", name=f"Phường {i}", kind="ward", parent=district)
            for i in range(WARDS)
        ]
        session.add_all([district, *wards])
        session.flush()
        session.add_all(
            ServicePoint(code=f"sp{w.code}", name="Quầy", unit_id=w.id) for w in wards
        )
        stored = store_questionnaire(session, shipped_template("counter")).stored
        campaign = Campaign(
            key="bench", name="bench", questionnaire=stored, unit=district,
            mode="counter", starts_on=START.date(),
        )  # fmt: skip
        session.add(campaign)
        session.flush()
        ids = (campaign.id, stored.id, [w.id for w in wards])
        counters = select(ServicePoint.unit_id, ServicePoint.id)
        points = dict(session.execute(counters).all())
    engine.dispose()
    campaign_id, questionnaire_id, ward_ids = ids
    rng = np.random.default_rng(17)
    units = rng.integers(0, WARDS, responses)
    ratings = rng.integers(1, 6, responses)
    commented = rng.random(responses) < 0.2
    rare = rng.random(responses) < 0.001
    step = 300 * 86400 / responses
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    connection.executemany(
        "INSERT INTO responses (id, campaign_id, questionnaire_id, unit_id,"
        " service_point_id, channel, language, submission_id, content_hash,"
        " submitted_at, verified, flag_too_fast, flag_straight_lining,"
        " flag_duplicate_suspect, flag_burst, excluded)"
        " VALUES (?, ?, ?, ?, ?, 'counter', 'vi', ?, '', ?, 0, 0, 0, 0, 0, 0)",
        (
            (i + 1, campaign_id, questionnaire_id, ward_ids[int(units[i])],
             points[ward_ids[int(units[i])]], f"b{i}",
             (START + timedelta(seconds=i * step)).replace(tzinfo=None).isoformat(" "))
            for i in range(responses)
        ),
    )  # fmt: skip
    connection.executemany(
        "INSERT INTO answers (response_id, question, position, value_num)"
        " VALUES (?, 'overall', 0, ?)",
        ((i + 1, float(ratings[i])) for i in range(responses)),
    )
    connection.executemany(
        "INSERT INTO answers (response_id, question, position, value_text)"
        " VALUES (?, 'comment', 0, ?)",
        (
            (i + 1, f"{WORDS[i % 5]}. {RARE if rare[i] else ''} gọi 0912345678")
            for i in map(int, np.flatnonzero(commented))
        ),
    )
    connection.commit()
    connection.close()
    return url, campaign_id, ward_ids


def median_seconds(function: Callable[[], object]) -> float:
    """Return the median of 5 timed runs, after one run that warms the cache."""
    function()
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        url, campaign_id, ward_ids = build(path, args.responses)
        factory = make_session_factory(make_engine(url))
        with factory() as session:
            campaign = session.get(Campaign, campaign_id)
            questionnaire = definition_of(campaign.questionnaire)

            def wanted(units: list[int], **fields: object) -> CommentFilter:
                return CommentFilter(
                    campaign_id=campaign_id,
                    questions=questionnaire.comment_questions,
                    rating_question=rating_question(questionnaire),
                    unit_ids=units,
                    **fields,
                )

            def listed(
                chosen: CommentFilter, **options: object
            ) -> Callable[[], object]:
                return lambda: comment_page(session, chosen, **options)

            def like(words: str) -> Timed:
                return lambda: (
                    session.connection()
                    .exec_driver_sql(
                        "SELECT response_id FROM answers WHERE question = 'comment'"
                        " AND value_text LIKE ?",
                        (f"%{words}%",),
                    )
                    .all()
                )

            district = wanted(ward_ids, with_hidden=True)
            middle = comment_page(session, district, limit=args.responses // 20).older
            ward = ward_ids[:1]
            cases = [
                ("district, first page", listed(district), None),
                ("ward, first page", listed(wanted(ward, with_hidden=True)), None),
                ("district, a page halfway down", listed(district, after=middle), None),
                ("ward, rating 1", listed(wanted(ward, rating=1)), None),
                (
                    'district, common words ("thai do")',
                    listed(wanted(ward_ids, search="thai do")),
                    like("Thái độ"),
                ),
                (
                    'district, rare words ("ben nghe")',
                    listed(wanted(ward_ids, search="ben nghe")),
                    like("Bến Nghé"),
                ),
                (
                    "district, words found nowhere",
                    listed(wanted(ward_ids, search="khong co dau")),
                    like("không có đâu"),
                ),
            ]
            print(f"{args.responses:,} responses, {WARDS} wards, 20% with a comment")
            print(f"{'query':<40} {'ours (s)':>9} {'bare LIKE (s)':>14} {'ratio':>6}")
            for name, ours, bare in cases:
                seconds = median_seconds(ours)
                bare_seconds = median_seconds(bare) if bare else None
                ratio = f"{seconds / bare_seconds:6.1f}" if bare_seconds else ""
                shown = f"{bare_seconds:14.3f}" if bare_seconds else f"{'':>14}"
                print(f"{name:<40} {seconds:9.3f} {shown} {ratio}")


if __name__ == "__main__":
    main()
