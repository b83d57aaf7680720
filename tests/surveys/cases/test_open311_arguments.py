"""Reading GET requests' arguments: the 90-day span, its defaults, pages, ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys.cases.open311 import MAX_SPAN, Open311Error, parse_query, status_of, w3c
from surveys.models import CaseState, FeedbackCase

NOW = datetime(2026, 3, 2, 1, 15, 30, tzinfo=UTC)


def test_without_dates_the_last_90_days_are_asked() -> None:
    query = parse_query({}, NOW)
    assert (query.start, query.end) == (NOW - MAX_SPAN, NOW)
    assert (query.page, query.page_size, query.statuses) == (1, 1000, ())


def test_one_date_gives_90_days_from_or_to_it() -> None:
    start = parse_query({"start_date": "2026-01-01T00:00:00+07:00"}, NOW)
    assert start.end - start.start == MAX_SPAN
    end = parse_query({"end_date": "2026-01-01T00:00:00Z"}, NOW)
    assert end.end == datetime(2026, 1, 1, tzinfo=UTC)
    assert end.end - end.start == MAX_SPAN


def test_ids_override_every_other_argument() -> None:
    query = parse_query(
        {"service_request_id": "PA-1, PA-2,", "status": "bogus", "end_date": "x"}, NOW
    )
    assert query.ids == ("PA-1", "PA-2") and query.start is None


def test_page_size_is_capped_at_1000() -> None:
    query = parse_query({"page": "3", "page_size": "5000", "status": "Open"}, NOW)
    assert (query.page, query.page_size, query.statuses) == (3, 1000, ("open",))


@pytest.mark.parametrize(
    "args",
    [
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"},
        {"start_date": "2026-01-01"},
        {"page_size": "-1"},
        {"status": "open,pending"},
    ],
)
def test_wrong_arguments_are_400(args: dict[str, str]) -> None:
    with pytest.raises(Open311Error) as refused:
        parse_query(args, NOW)
    assert refused.value.status == 400


def test_statuses_and_dates_are_written_as_open311_says() -> None:
    assert w3c(NOW) == "2026-03-02T08:15:30+07:00"
    for state in CaseState:
        case = FeedbackCase(state=state.value)
        expected = (
            "open" if state in {"received", "assigned", "in_progress"} else "closed"
        )
        assert status_of(case) == expected
    assert parse_query({"end_date": "2026-03-02T08:15:30+07:00"}, NOW).end == NOW
    assert timedelta(days=90) == MAX_SPAN
