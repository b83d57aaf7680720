"""Pages of an export held as columns: the same values wherever a page or a
fetch of its rows (``Result.partitions``) ends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from surveys.storage import exports
from surveys.storage.exports import Columns, exported_responses
from surveys.storage.recording import Submission, record_response
from tests.builders import make_code, make_household_campaign, unique

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
QUESTIONS = ["household_size", "remarks"]


def _send(session: Session, campaign: Any, size: int) -> int:
    answers = {
        "household_size": str(size),
        "members": [{"member_name": f"Người {n}", "age": "30"} for n in range(size)],
        "remarks": f"Hộ {size}",
    }
    token = make_code(session, campaign).token
    return record_response(
        session, Submission(token, unique("s"), answers), NOW
    ).response_id


def _rows(pages: list[Columns]) -> list[tuple[Any, ...]]:
    return [row for page in pages for row in zip(*page, strict=True)]


@pytest.fixture
def sent(db_session: Session) -> tuple[int, list[int], int]:
    """Five responses of a campaign, another campaign's between the second and
    the third and three after the last: the campaign's id, its responses' ids,
    the other's first."""
    campaign = make_household_campaign(db_session)
    other = make_household_campaign(db_session)
    ids = [_send(db_session, campaign, 1), _send(db_session, campaign, 2)]
    between = _send(db_session, other, 1)
    ids += [_send(db_session, campaign, size) for size in (3, 1, 2)]
    for _ in range(3):
        _send(db_session, other, 1)
    return campaign.id, ids, between


@pytest.mark.parametrize("fetched", [1, 2, 5, 6])
def test_a_page_is_whole_however_its_rows_are_fetched(
    db_session: Session,
    sent: tuple[int, list[int], int],
    fetched: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    campaign_id, ids, between = sent
    (whole,) = exported_responses(db_session, campaign_id, QUESTIONS)
    assert list(whole[0]) == ids
    assert [whole[7][1], whole[8][4]] == [2, "Hộ 2"]
    # 1 and 5: partitions of exactly the size; 2: two full and one short; 6:
    # one short partition.
    monkeypatch.setattr(exports, "_FETCHED", fetched)
    (page,) = exported_responses(db_session, campaign_id, QUESTIONS, ids=ids)
    assert [list(column) for column in page] == [list(c) for c in whole]
    # The other campaign's response alone: an empty page, not yielded.
    assert not list(
        exported_responses(db_session, campaign_id, QUESTIONS, ids=[between])
    )


def test_pages_of_ids_end_where_their_span_does(
    db_session: Session,
    sent: tuple[int, list[int], int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    campaign_id, ids, _ = sent
    (whole,) = exported_responses(db_session, campaign_id, QUESTIONS)
    monkeypatch.setattr(exports, "_FETCHED", 2)
    # The first page ends at the second response: it holds exactly a fetch;
    # the pages after hold the rest, and those of the other campaign's last
    # responses (the newest, so the last spans) are empty and left out.
    size = ids[1]
    pages = list(exported_responses(db_session, campaign_id, QUESTIONS, page_size=size))
    spans: dict[int, list[int]] = {}
    for response_id in ids:
        spans.setdefault((response_id - 1) // size, []).append(response_id)
    assert [list(page[0]) for page in pages] == list(spans.values())
    assert pages[0][0][-1] == ids[1]
    assert _rows(pages) == _rows([whole])
