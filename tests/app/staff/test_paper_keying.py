"""What a clerk types stands for the raw answers the survey page would send:
codes as printed, several codes for a multiple choice, dates day first, a
roster's rows as many as are filled; and a stored entry types back alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

import surveys
from app.staff.paper_keying import (
    decoded,
    keyed_fields,
    shown,
    skip_readers,
    typed_back,
    with_printed_rows,
)
from surveys.paper.comparison import plain
from surveys.questionnaire import relevance, validate_answers
from tests.builders import household
from tests.e2e.paper_keystrokes import FORTY, TYPED


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


def test_the_forty_questions_are_keyed_in_printed_order_with_their_codes(
    request_context: None,
) -> None:
    fields = keyed_fields(surveys.load_definition(FORTY))
    assert [field.number for field in fields] == list(range(1, 41))
    yes_no = fields[22]
    assert [(o.code, o.name, o.label) for o in yes_no.options] == [
        ("1", "yes", "Có"),
        ("2", "no", "Không"),
    ]
    # A list of short numbers keeps them as its codes.
    assert [o.code for o in fields[12].options] == ["1", "2", "3", "4", "5"]
    assert fields[31].options == ()


def test_codes_dates_and_several_choices_decode_to_what_the_page_sends(
    request_context: None,
) -> None:
    forty = surveys.load_definition(FORTY)
    raw = decoded(
        forty,
        MultiDict(
            TYPED
            | {"q23": "01", "q30": "1, 3 4", "q36": "1/6/2026", "q37": "31.12.2026"}
        ),
    )
    assert raw["q23"] == "yes"
    assert raw["q28"] == "no"
    assert raw["q30"] == ["counter", "post", "phone"]
    assert raw["q36"] == "2026-06-01" and raw["q37"] == "2026-12-31"
    assert "q39" not in raw
    values = plain(validate_answers(forty, raw))
    assert typed_back(forty, values)["q30"] == "1 3 4"
    assert typed_back(forty, values)["q36"] == "01/06/2026"
    # Typed back and decoded again: the same answers (the skipped q29 gone).
    again = decoded(forty, MultiDict(typed_back(forty, values)))
    assert again == {name: value for name, value in raw.items() if name in values}


def test_an_unknown_code_and_an_odd_date_go_to_the_engine_as_typed(
    request_context: None,
) -> None:
    forty = surveys.load_definition(FORTY)
    raw = decoded(forty, MultiDict({"q23": "7", "q36": "31/02/2026", "q30": "1 9"}))
    assert raw["q23"] == "7"
    assert raw["q36"] == "31/02/2026"
    assert raw["q30"] == ["counter", "9"]


def test_a_roster_counts_the_rows_keyed(request_context: None) -> None:
    roster = household()
    fields = keyed_fields(roster)
    keys = [field.key for field in fields]
    # Counted by the household's size (at most 20): every row it allows,
    # the printed five and those written on the back of the sheet.
    assert "member_name[20]" in keys and "member_name[21]" not in keys
    # Without a count, the table as printed: five rows.
    free = [field.key for field in keyed_fields(household(counted=False))]
    assert "member_name[5]" in free and "member_name[6]" not in free
    raw = decoded(
        roster,
        MultiDict(
            {
                "household_size": "2",
                "member_name[1]": "An",
                "age[1]": "40",
                "member_name[2]": "Bình",
                "age[2]": "12",
                "relation[2]": "2",
                "services": "4",
            }
        ),
    )
    assert raw["members"] == [
        {"member_name": "An", "age": "40"},
        {"member_name": "Bình", "age": "12", "relation": "child"},
    ]
    relation = next(f for f in fields if f.key == "relation[2]")
    assert shown(relation, "child") == "2 – Con"
    assert typed_back(roster, {"members": [{"age": 3}]}) == {"age[1]": "3"}


def test_every_printed_row_of_a_roster_without_a_count_is_offered(
    request_context: None,
) -> None:
    roster = household(counted=False)
    raw = decoded(roster, MultiDict({"member_name[1]": "An"}))
    asked = relevance(roster, with_printed_rows(roster, raw)).questions
    assert {"member_name[1]", "member_name[5]", "relation[2]"} <= asked
    # A row's own condition still holds: the head of household has no relation.
    assert "relation[1]" not in asked
    # A roster counted by an answer offers that many rows.
    counted = household()
    raw = decoded(counted, MultiDict({"household_size": "2"}))
    asked = relevance(counted, with_printed_rows(counted, raw)).questions
    assert "member_name[2]" in asked and "member_name[3]" not in asked
    # Beyond the printed table too, as far as the count keyed.
    raw = decoded(counted, MultiDict({"household_size": "7"}))
    asked = relevance(counted, with_printed_rows(counted, raw)).questions
    assert "member_name[7]" in asked and "member_name[8]" not in asked
    # So leaving the household's size asks the server again.
    assert "household_size" in skip_readers(counted)
