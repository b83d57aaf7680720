"""time, datetime and geopoint questions, and the metadata rows real forms carry.

Answers are stored in ODK's lexical forms (ODK XForms specification, "Data
Types"): what a browser sends is checked and written as ODK Collect writes it.
The XLSForm type names are pyxform 4.5's (question_type_dictionary.py).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import surveys
from surveys.questionnaire import (
    DefinitionError,
    InvalidAnswers,
    Problem,
    build_questionnaire,
    messages,
)
from surveys.questionnaire.paging import pages
from surveys.questionnaire.xlsform_reader import load_xlsform
from surveys.questionnaire.xlsform_writer import write_xlsform
from surveys.storage.answers import answer_records, with_interview_times
from tests.builders import FIELD_VISIT
from tests.surveys.questionnaire.test_xlsform_leniency import _form, _load, _refusals

#: Vietnam's wall clock when the tests' answers are checked.
NOW = datetime(2026, 12, 6, 10, 0)


@pytest.fixture(scope="module")
def visit() -> surveys.Questionnaire:
    return surveys.load_definition(FIELD_VISIT)


#: The one required answer of the field visit, for tests about the others.
REQUIRED = {"visited_at": "2026-12-06T09:00"}


def _answer(questionnaire: surveys.Questionnaire, **raw: str) -> dict[str, object]:
    return surveys.validate_answers(questionnaire, REQUIRED | raw, now=NOW)


def _error(questionnaire: surveys.Questionnaire, name: str, raw: str) -> str:
    with pytest.raises(InvalidAnswers) as caught:
        _answer(questionnaire, **{name: raw})
    return str(caught.value.errors[name].msgid)


# --- answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("14:30", "14:30:00.000+07:00"),  # <input type=time>: Vietnam's wall clock
        ("9:05", "09:05:00.000+07:00"),  # typed where the browser has no picker
        ("14:30:05", "14:30:05.000+07:00"),
        ("14:30:05.1234", "14:30:05.123+07:00"),
        ("14:30:00.000+07:00", "14:30:00.000+07:00"),  # ODK Collect in Vietnam
        ("07:30:00.000Z", "07:30:00.000Z"),  # a zero offset, as ODK writes it
        ("07:30+00:00", "07:30:00.000Z"),
        ("08:00-0330", "08:00:00.000-03:30"),
    ],
)
def test_a_time_is_stored_as_odk_writes_it(
    visit: surveys.Questionnaire, sent: str, stored: str
) -> None:
    assert _answer(visit, opened_at=sent)["opened_at"] == stored


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("24:00", messages.NOT_A_TIME),
        ("14:60", messages.NOT_A_TIME),
        ("14h30", messages.NOT_A_TIME),
        ("2pm", messages.NOT_A_TIME),
        ("14:30+15:00", messages.BAD_TIME_ZONE),
        ("14:30+07:60", messages.BAD_TIME_ZONE),
        ("14:30 Asia/Saigon", messages.NOT_A_TIME),
    ],
)
def test_a_bad_time_or_zone_is_refused(
    visit: surveys.Questionnaire, sent: str, message: str
) -> None:
    assert _error(visit, "opened_at", sent) == message


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        # <input type=datetime-local>: Vietnam's wall clock, given its offset.
        ("2026-12-06T09:15", "2026-12-06T09:15:00.000+07:00"),
        ("2026-12-06 09:15:30", "2026-12-06T09:15:30.000+07:00"),
        ("2026-12-06T09:15:00.000+07:00", "2026-12-06T09:15:00.000+07:00"),
        # Another offset is kept, not normalised (ODK's dateTime).
        ("2026-12-06T02:15:00.000Z", "2026-12-06T02:15:00.000Z"),
    ],
)
def test_a_datetime_is_stored_with_its_offset(
    visit: surveys.Questionnaire, sent: str, stored: str
) -> None:
    assert _answer(visit, visited_at=sent)["visited_at"] == stored


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("2026-02-30T10:00", messages.NOT_A_DATETIME),
        ("2026-12-06", messages.NOT_A_DATETIME),
        ("06/12/2026 09:15", messages.NOT_A_DATETIME),
        ("2026-12-06T25:00", messages.NOT_A_DATETIME),
        ("2026-12-06T09:15-14:30", messages.BAD_TIME_ZONE),
    ],
)
def test_a_bad_datetime_is_refused(
    visit: surveys.Questionnaire, sent: str, message: str
) -> None:
    assert _error(visit, "visited_at", sent) == message


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("21.0285 105.8542 12.5 8", "21.0285 105.8542 12.5 8"),
        ("21.0285 105.8542", "21.0285 105.8542"),  # altitude, accuracy optional
        ("21.0285, 105.8542", "21.0285 105.8542"),  # as a map copies it
        ("+10.7769 +106.7009 0 15", "10.7769 106.7009 0 15"),
        ("-90 180 -400 0", "-90 180 -400 0"),
    ],
)
def test_a_geopoint_is_stored_as_lat_lon_alt_accuracy(
    visit: surveys.Questionnaire, sent: str, stored: str
) -> None:
    assert _answer(visit, place=sent)["place"] == stored


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("90.5 105", messages.GEOPOINT_OUT_OF_RANGE),
        ("21 180.1", messages.GEOPOINT_OUT_OF_RANGE),
        ("21 105 0 -1", messages.GEOPOINT_OUT_OF_RANGE),
        ("21 105 200000 5", messages.GEOPOINT_OUT_OF_RANGE),
        # A decimal comma would shift every number along: refused, not guessed.
        ("21,0285 105,8542", messages.NOT_A_GEOPOINT),
        ("21.0285", messages.NOT_A_GEOPOINT),
        ("21 105 1 2 3", messages.NOT_A_GEOPOINT),
        ("Hà Nội", messages.NOT_A_GEOPOINT),
        ("nan nan", messages.NOT_A_GEOPOINT),
    ],
)
def test_a_bad_geopoint_is_refused(
    visit: surveys.Questionnaire, sent: str, message: str
) -> None:
    assert _error(visit, "place", sent) == message


def test_constraints_compare_times_and_datetimes(visit: surveys.Questionnaire) -> None:
    fine = _answer(
        visit, opened_at="07:30", closed_at="17:00", visited_at="2026-12-06T09:59"
    )
    assert fine["visit_hour"] == "09:59"
    with pytest.raises(InvalidAnswers) as caught:
        # Closing before opening; a visit after now (10:00 in Vietnam).
        _answer(
            visit, opened_at="07:30", closed_at="07:00", visited_at="2026-12-06T10:01"
        )
    assert set(caught.value.errors) == {"closed_at", "visited_at"}
    # The same moment written in UTC is before now.
    assert _answer(visit, visited_at="2026-12-06T02:59:00Z")["visited_at"]


def test_a_geopoint_constraint_reads_its_accuracy(visit: surveys.Questionnaire) -> None:
    assert _answer(visit, place="21.0285 105.8542 12 50")["place"]
    assert _error(visit, "place", "21.0285 105.8542 12 51") == (
        messages.CONSTRAINT_FAILED
    )


def test_a_bad_default_is_refused_at_load() -> None:
    data = surveys.load_definition(FIELD_VISIT).to_dict()
    data["questions"][3]["default"] = "25:00"
    with pytest.raises(DefinitionError) as caught:
        build_questionnaire(data)
    [problem] = caught.value.problems
    assert (problem.field, problem.message) == (
        "default",
        "must be a time as ODK writes it, not '25:00'",
    )


# --- metadata -------------------------------------------------------------------


def test_metadata_is_never_asked(visit: surveys.Questionnaire) -> None:
    assert not any(q.type.takes_answer for q in visit.questions[:3])
    assert all(not q.type.is_metadata for page in pages(visit) for q in page.items)


def test_an_openrosa_clients_timing_is_kept(visit: surveys.Questionnaire) -> None:
    sent = {
        "start": "2026-12-06T08:00:00.000+07:00",
        "end": "2026-12-06T08:20:00.000+07:00",
        "today": "2026-12-06",
    }
    values = surveys.validate_answers(visit, REQUIRED | sent, now=NOW)
    assert {name: values[name] for name in sent} == {
        "start": "2026-12-06T08:00:00.000+07:00",
        "end": "2026-12-06T08:20:00.000+07:00",
        "today": date(2026, 12, 6),
    }
    filled = with_interview_times(visit, values, None, datetime.now(UTC))
    assert {name: filled[name] for name in sent} == {
        name: values[name] for name in sent
    }
    with pytest.raises(InvalidAnswers) as caught:
        surveys.validate_answers(visit, REQUIRED | {"start": "yesterday"}, now=NOW)
    assert set(caught.value.errors) == {"start"}


def test_a_web_responses_timing_is_filled_when_stored(
    visit: surveys.Questionnaire,
) -> None:
    values = surveys.validate_answers(visit, REQUIRED, now=NOW)
    assert values["start"] is values["end"] is values["today"] is None
    started = datetime(2026, 12, 5, 16, 58, tzinfo=UTC)
    submitted = datetime(2026, 12, 5, 17, 3, tzinfo=UTC)  # 00:03 on the 6th
    records = {
        r["question"]: r["value_text"]
        for r in answer_records(with_interview_times(visit, values, started, submitted))
    }
    assert records == {
        "start": "2026-12-05T23:58:00.000+07:00",
        "end": "2026-12-06T00:03:00.000+07:00",
        "today": "2026-12-06",
        "visited_at": "2026-12-06T09:00:00.000+07:00",
        "visit_hour": "09:00",
    }


# --- XLSForm --------------------------------------------------------------------


def test_pyxforms_type_names_load(tmp_path: Path) -> None:
    questionnaire = _load(
        tmp_path,
        [
            ["start", "start"],
            ["get end time", "finished"],
            ["today", "day"],
            ["time", "t", "T"],
            ["dateTime", "dt1", "D"],
            ["date time", "dt2", "D"],
            ["add dateTime prompt", "dt3", "D"],
            ["geopoint", "g1", "G"],
            ["gps", "g2", "G"],
            ["location", "g3", "G"],
            ["q geopoint", "g4", "G"],
        ],
    )
    assert {q.name: str(q.type) for q in questionnaire.questions} == {
        "start": "start",
        "finished": "end",
        "day": "today",
        "t": "time",
        "dt1": "datetime",
        "dt2": "datetime",
        "dt3": "datetime",
        "g1": "geopoint",
        "g2": "geopoint",
        "g3": "geopoint",
        "g4": "geopoint",
    }


def test_device_and_user_identifiers_are_dropped(tmp_path: Path) -> None:
    identifiers = [
        "deviceid",
        "imei",
        "uri:deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "get phone number",
        "username",
        "email",
        "uri:email",
    ]
    rows = [[kind, f"m{i}"] for i, kind in enumerate(identifiers)]
    notices: list[Problem] = []
    path = _form(tmp_path, [*rows, ["text", "q", "Q"]])
    questionnaire = surveys.load_definition(path, notices=notices)
    assert [q.name for q in questionnaire.questions] == ["q"]
    # Whoever imports it is told, row by row (the staff page flashes it).
    assert [(n.where, n.field) for n in notices] == [
        (f"sheet 'survey', row {row}", "type") for row in range(2, 12)
    ]
    assert "never collected" in notices[0].message
    assert surveys.load_definition(path) == questionnaire


@pytest.mark.parametrize(
    ("kind", "feature"),
    [
        ("audit", "audit log (audit)"),
        ("background-audio", "(background-audio)"),
        ("start-geopoint", "(start-geopoint)"),
        ("background-geopoint", "(background-geopoint)"),
        ("geotrace", "lines on a map (geotrace)"),
        ("geoshape", "shapes on a map (geoshape)"),
    ],
)
def test_background_recordings_and_map_shapes_are_refused_by_name(
    tmp_path: Path, kind: str, feature: str
) -> None:
    refusals = _refusals(tmp_path, [["text", "q", "Q"], [kind, "x", "X"]])
    assert list(refusals) == ["sheet 'survey', row 3 type"]
    assert feature in refusals["sheet 'survey', row 3 type"]


def test_the_field_visit_reads_back_from_its_export(
    visit: surveys.Questionnaire, tmp_path: Path
) -> None:
    path = tmp_path / "visit.xlsx"
    workbook = io.BytesIO()
    write_xlsform(visit, workbook)
    path.write_bytes(workbook.getvalue())
    assert load_xlsform(path).to_dict() == visit.to_dict()
