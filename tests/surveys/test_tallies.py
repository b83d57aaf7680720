"""Item tallies: caught up after the writes, equal to a recount and to the answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from analysis import summary_from_tallies, unit_summary
from surveys.db import make_engine, make_session_factory
from surveys.migrate import upgrade_to_head
from surveys.models import ItemDayTally, ItemTally, RatedComment, Response
from surveys.questionnaire.versions import shipped_template
from surveys.storage.counts import response_counts
from surveys.storage.frames import analysis_scoring, response_frame, tally_frame
from surveys.storage.recording import Submission, record_response
from surveys.storage.tallies import (
    catch_up,
    exclude_response,
    period_of,
    rebuild_tallies,
)
from tests.builders import (
    make_code,
    make_counter_campaign,
    make_unit,
    record_on_paper,
    unique,
)
from tests.conftest import create_empty_database, impatient_engine

START = datetime(2026, 2, 20, 2, 0, tzinfo=UTC)
DDCI_ITEMS = shipped_template("ddci").scoring


def snapshot(session: Session, campaign_id: int) -> dict[str, tuple]:
    """Every non-empty tally cell of the campaign, by quarter and by day, and
    every comment with its lowest rating."""
    rows = [
        row
        for table in (ItemTally, ItemDayTally)
        for row in session.scalars(
            select(table).where(table.campaign_id == campaign_id)
        )
    ]
    comments = session.scalars(
        select(RatedComment).where(RatedComment.campaign_id == campaign_id)
    )
    return {
        row.cell: (row.n, round(row.total, 9), round(row.total_sq, 9), row.satisfied)
        for row in rows
        if row.n
    } | {
        f"{c.response_id}/{c.question}": (
            c.unit_id,
            c.submitted_at,
            c.channel,
            c.lowest_rating,
        )
        for c in comments
    }


def day_sums(session: Session, campaign_id: int, kind: str) -> pd.DataFrame:
    """The day tallies of one kind added up per item (categories per item too)."""
    rows = session.execute(
        select(ItemDayTally.item, ItemDayTally.n, ItemDayTally.total,
               ItemDayTally.total_sq, ItemDayTally.satisfied).where(
            ItemDayTally.campaign_id == campaign_id, ItemDayTally.kind == kind
        )
    ).all()  # fmt: skip
    frame = pd.DataFrame(rows, columns=["item", "n", "total", "total_sq", "satisfied"])
    return frame.groupby("item").sum().sort_index()


def ddci_answers(rng: np.random.Generator) -> dict[str, str]:
    answers = {
        "business_type": "enterprise",
        "sector": "industry",
        "employees": "8",
        "dealt_with_unit": str(rng.choice(["yes", "no"])),
    }
    for dimension in DDCI_ITEMS.dimensions:
        for item in dimension.items:
            # Time costs are skipped when the business did not deal with the unit.
            answers[item] = str(rng.integers(1, 6))
    return answers


def filled_ddci_campaign(session: Session, responses: int = 40):
    """A DDCI campaign answered through invitations at two units over two quarters."""
    rng = np.random.default_rng(7)
    campaign, _ = make_counter_campaign(session, template="ddci", mode="invitation")
    units = [campaign.unit, make_unit(session, parent=campaign.unit)]
    for number in range(responses):
        code = make_code(session, campaign, unit=units[number % 2])
        when = START + timedelta(days=3 * number)
        submission = Submission(code.token, unique("s"), ddci_answers(rng))
        record_response(session, submission, when)
    return campaign


def test_tallies_kept_response_by_response_equal_a_recount(db_session: Session) -> None:
    campaign = filled_ddci_campaign(db_session)
    assert snapshot(db_session, campaign.id) == {}  # counted after the writes
    assert catch_up(db_session) == 40
    kept = snapshot(db_session, campaign.id)
    periods = {cell.split("|")[4] for cell in kept if "|" in cell}
    assert {p for p in periods if "-Q" in p} == {"2026-Q1", "2026-Q2"}
    assert len(periods - {"2026-Q1", "2026-Q2"}) == 40  # every third day
    rebuild_tallies(db_session, campaign.id)
    assert snapshot(db_session, campaign.id) == kept


def test_the_day_tallies_add_up_to_the_quarters_and_count_each_value(
    db_session: Session,
) -> None:
    campaign = filled_ddci_campaign(db_session)
    catch_up(db_session)
    quarters = (
        tally_frame(db_session, campaign.id, by=())
        .groupby(["item", "kind"])[["n", "total", "total_sq", "satisfied"]]
        .sum()
    )
    for kind in ("item", "dimension"):
        pd.testing.assert_frame_equal(
            day_sums(db_session, campaign.id, kind),
            quarters.xs(kind, level="kind").sort_index(),
            check_dtype=False,
        )
    # Each item's values, counted one row per value, make up its sums.
    categories = day_sums(db_session, campaign.id, "category")
    items = quarters.xs("item", level="kind").sort_index()
    pd.testing.assert_frame_equal(categories, items, check_dtype=False)
    values = db_session.scalars(
        select(ItemDayTally.value).where(ItemDayTally.kind == "category").distinct()
    ).all()
    assert sorted(values) == [1, 2, 3, 4, 5]


def test_an_excluded_response_leaves_the_tallies(db_session: Session) -> None:
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    for rating in ("5", "4", "1"):
        submission = Submission(code.token, unique("s"), {"overall": rating})
        record_response(db_session, submission, START)
    worst = db_session.scalar(select(Response).order_by(Response.id.desc()))
    exclude_response(db_session, worst, "burst from one device")
    exclude_response(db_session, worst, "twice changes nothing")
    overall = tally_frame(db_session, campaign.id, by=()).set_index("item")
    assert overall.loc["overall", "n"] == 2
    assert overall.loc["overall", "total"] == 9
    assert overall.loc["overall", "satisfied"] == 2
    assert day_sums(db_session, campaign.id, "category").loc["overall", "n"] == 2
    kept = snapshot(db_session, campaign.id)
    rebuild_tallies(db_session, campaign.id)
    assert snapshot(db_session, campaign.id) == kept
    assert worst.excluded and worst.excluded_reason == "burst from one device"


def test_paper_forms_are_counted_in_cells_of_their_own_channel(
    db_session: Session,
) -> None:
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    for rating in "543":
        submission = Submission(code.token, unique("s"), {"overall": rating})
        record_response(db_session, submission, START)
    on_paper = [
        record_on_paper(db_session, campaign, {"overall": rating}, START)
        for rating in "125"
    ]
    catch_up(db_session)
    by_channel = tally_frame(db_session, campaign.id, by=("channel",))
    overall = by_channel[by_channel["item"] == "overall"].set_index("channel")
    assert overall["n"].to_dict() == {"counter": 3, "paper": 3}
    assert overall["total"].to_dict() == {"counter": 12, "paper": 8}
    together = tally_frame(db_session, campaign.id, by=()).set_index("item")
    assert together.loc["overall", "n"] == 6
    assert together.loc["overall", "total"] == 20
    paper = tally_frame(db_session, campaign.id, by=(), channel="paper")
    assert paper.set_index("item").loc["overall", "satisfied"] == 1
    # Excluding a paper form takes it out of the paper cells and moves its
    # day count to the excluded one of its channel.
    exclude_response(db_session, db_session.get(Response, on_paper[0]), "spoiled")
    counts = response_counts(db_session, campaign.id, channel="paper")
    assert counts.groupby("excluded")["n"].sum().to_dict() == {False: 2, True: 1}
    assert response_counts(db_session, campaign.id, channel="counter")["n"].sum() == 3
    paper = tally_frame(db_session, campaign.id, by=(), channel="paper")
    assert paper.set_index("item").loc["overall", "total"] == 7
    kept = snapshot(db_session, campaign.id)
    assert {cell.split("|")[6] for cell in kept if "|" in cell} == {"counter", "paper"}
    rebuild_tallies(db_session, campaign.id)
    assert snapshot(db_session, campaign.id) == kept


def test_summaries_from_tallies_equal_summaries_from_the_answers(
    db_session: Session,
) -> None:
    campaign = filled_ddci_campaign(db_session)
    questionnaire = shipped_template("ddci")
    scoring = analysis_scoring(questionnaire)
    from_tallies = summary_from_tallies(tally_frame(db_session, campaign.id))
    answers = response_frame(db_session, campaign.id, list(scoring["items"]))
    from_answers = unit_summary(answers, scoring)
    columns = ["unit", "item", "kind"]
    left = from_tallies.sort_values(columns).reset_index(drop=True)
    right = from_answers.sort_values(columns).reset_index(drop=True)
    assert len(left) == len(right) == 2 * (16 + 8)  # two units, items and dimensions
    pd.testing.assert_frame_equal(left[right.columns], right, check_dtype=False)


def test_each_response_is_counted_once_however_catch_ups_and_exclusions_interleave(
    db_session: Session,
) -> None:
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)

    def rate(value: str) -> Response:
        submission = Submission(code.token, unique("s"), {"overall": value})
        recorded = record_response(db_session, submission, START)
        return db_session.get(Response, recorded.response_id)

    counted_early = [rate(v) for v in "5445"]
    assert catch_up(db_session) == 4
    assert catch_up(db_session) == 0  # nothing new: nothing counted again
    late = [rate(v) for v in "3215"]
    exclude_response(db_session, counted_early[0], "counted, then excluded")
    exclude_response(db_session, late[1], "excluded before it was counted")
    assert catch_up(db_session) == 4
    overall = tally_frame(db_session, campaign.id, by=()).set_index("item")
    kept = [r for r in counted_early + late if not r.excluded]
    assert overall.loc["overall", "n"] == len(kept) == 6
    assert overall.loc["overall", "total"] == 4 + 4 + 5 + 3 + 1 + 5
    assert overall.loc["overall", "satisfied"] == 4
    tallied = snapshot(db_session, campaign.id)
    rebuild_tallies(db_session, campaign.id)
    assert snapshot(db_session, campaign.id) == tallied


def test_quarters_follow_vietnam_time() -> None:
    assert period_of(datetime(2026, 3, 31, 16, 59, tzinfo=UTC)) == "2026-Q1"
    assert period_of(datetime(2026, 3, 31, 17, 0, tzinfo=UTC)) == "2026-Q2"
    assert period_of(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == "2027-Q1"


def open_rating(factory: sessionmaker[Session]) -> tuple[Session, str, int]:
    """Leave a rating's write open; return its session, code and campaign id."""
    with factory.begin() as session:
        campaign, point = make_counter_campaign(session)
        token = make_code(session, campaign, kind="standing", service_point=point).token
    open_write = factory()
    record_response(open_write, Submission(token, "open-0001", {"overall": "5"}), START)
    return open_write, token, campaign.id


def test_a_write_still_open_holds_the_catch_up_back_on_postgresql(
    backend: str, fresh_database_url: str
) -> None:
    # On PostgreSQL a lower id may commit after a higher one: a catch-up that
    # moved its watermark past the open write would never count it.
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers: ids become visible in order")
    engine = make_engine(fresh_database_url)
    impatient = impatient_engine(fresh_database_url)
    factory = make_session_factory(engine)
    try:
        open_write, token, campaign_id = open_rating(factory)
        with factory.begin() as session:
            later = Submission(token, "committed-0001", {"overall": "1"})
            record_response(session, later, START)
        with make_session_factory(impatient)() as reader:
            with pytest.raises(OperationalError):
                catch_up(reader)  # waits for the open write, never skips it
            reader.rollback()
            open_write.commit()
            open_write.close()
            assert catch_up(reader) == 2
            overall = tally_frame(reader, campaign_id, by=()).set_index("item")
            assert overall.loc["overall", "n"] == 2
    finally:
        engine.dispose()
        impatient.dispose()


def test_a_write_open_in_another_schema_holds_no_catch_up_back(
    backend: str, fresh_database_url: str, tmp_path: Path
) -> None:
    # Advisory locks are one space per database: two hailong schemas in one
    # database (a staging copy, two test runs) must not wait for each other.
    if backend != "postgresql":
        pytest.skip("SQLite databases are files of their own")
    other_url, drop = create_empty_database(backend, tmp_path)
    upgrade_to_head(other_url)
    engine = make_engine(fresh_database_url)
    impatient = impatient_engine(other_url)
    try:
        open_write, _, _ = open_rating(make_session_factory(engine))
        with make_session_factory(impatient)() as reader:
            assert catch_up(reader) == 0  # no lock timeout: nothing to wait for
        open_write.rollback()
        open_write.close()
    finally:
        engine.dispose()
        impatient.dispose()
        drop()
