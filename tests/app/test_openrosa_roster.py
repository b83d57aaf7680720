"""A household roster over OpenRosa: served as a repeat, rows stored by position.

As in ``test_openrosa``, every instance is made from the primary ``<instance>``
of the XForm the server sent (``fill`` with ``rows``: copies of the repeat's
``jr:template`` row, the template itself left out, as a client sends them), so
these tests break when our XForm and our reading of repeats disagree. A real
client's rows (JavaRosa's) are in ``test_openrosa_javarosa``. Both databases.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Answer
from tests.app.openrosa_field import (
    LIST,
    XF,
    Field,
    base,
    download,
    fill,
    make_field,
    message,
    responses,
    roster,
    submit,
    xml,
)

MEMBERS = [
    {"member_name": "Lan", "age": "40", "job": "Giáo viên"},
    {"member_name": "Minh", "age": "7", "job": None},  # a child: no work group
    {"member_name": "Hoa", "age": "15", "job": "Học nghề"},
]


@pytest.fixture
def field(db_session: Session) -> Field:
    return make_field(db_session, roster())


def stored_answers(session: Session, response_id: int) -> dict[tuple[str, int], object]:
    return {
        (a.question, a.position): a.value_num
        if a.value_num is not None
        else a.value_text
        for a in session.scalars(
            select(Answer).where(Answer.response_id == response_id)
        )
    }


def test_a_form_with_a_repeat_is_listed_and_served_with_its_repeat(
    client: FlaskClient, field: Field
) -> None:
    forms = xml(client.get(f"{base(field)}/formList")).findall(f"{LIST}xform")
    assert [form.findtext(f"{LIST}formID") for form in forms] == [field.form_id]
    root = ET.fromstring(download(client, field))
    (repeat,) = root.iter(f"{XF}repeat")
    assert repeat.get("nodeset") == "/data/household/members"
    count = repeat.get("{http://openrosa.org/javarosa}count") or ""
    assert count.strip() == "/data/household/size"


def test_the_rows_are_stored_with_their_position_once_by_instance_id(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    xform = download(client, field)
    instance = fill(
        xform,
        {"size": "3", "comment": "Tốt"},
        f"uuid:{uuid.uuid4()}",
        {"members": MEMBERS},
    )
    first = submit(client, field, instance)
    assert first.status_code == 201, first.get_data(as_text=True)
    assert submit(client, field, instance).status_code == 201
    (stored,) = responses(db_session, field.campaign)
    assert stored_answers(db_session, stored.id) == {
        ("size", 0): 3.0,
        ("comment", 0): "Tốt",
        ("oldest", 0): 40.0,
        ("member_name", 1): "Lan",
        ("age", 1): 40.0,
        ("job", 1): "Giáo viên",
        ("member_name", 2): "Minh",
        ("age", 2): 7.0,
        ("member_name", 3): "Hoa",
        ("age", 3): 15.0,
        ("job", 3): "Học nghề",
    }
    other_rows = [MEMBERS[0], MEMBERS[2], MEMBERS[1]]
    reordered = fill(
        xform,
        {"size": "3", "comment": "Tốt"},
        ET.fromstring(instance).findtext("meta/instanceID") or "",
        {"members": other_rows},
    )
    assert submit(client, field, reordered).status_code == 409
    assert len(responses(db_session, field.campaign)) == 1


@pytest.mark.parametrize(
    ("rows", "named"),
    [
        ([MEMBERS[0], MEMBERS[1] | {"age": "130"}, MEMBERS[2]], "age[2]"),
        ([MEMBERS[0], MEMBERS[1], MEMBERS[2] | {"job": ""}], "job[3]"),
        ([MEMBERS[0], MEMBERS[1] | {"member_name": ""}, MEMBERS[2]], "member_name[2]"),
    ],
)
def test_a_wrong_answer_in_a_row_is_refused_naming_the_row(
    client: FlaskClient,
    db_session: Session,
    field: Field,
    rows: list[dict[str, str | None]],
    named: str,
) -> None:
    instance = fill(
        download(client, field),
        {"size": "3"},
        f"uuid:{uuid.uuid4()}",
        {"members": rows},
    )
    answer = submit(client, field, instance)
    assert answer.status_code == 400
    assert named in message(answer)
    assert not responses(db_session, field.campaign)


def test_rows_missing_under_the_count_are_blank_and_so_refused(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    # The count is the household's size: a row the client did not send is a
    # blank row, whose required questions fail.
    instance = fill(
        download(client, field),
        {"size": "3"},
        f"uuid:{uuid.uuid4()}",
        {"members": MEMBERS[:2]},
    )
    answer = submit(client, field, instance)
    assert answer.status_code == 400
    assert "member_name[3]" in message(answer)
    assert not responses(db_session, field.campaign)


def test_an_element_twice_that_is_no_repeat_is_refused(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    instance = fill(
        download(client, field),
        {"size": "3", "comment": "Tốt"},
        f"uuid:{uuid.uuid4()}",
        {"members": MEMBERS},
    )
    twice = instance.replace(b"<comment>", b"<comment>x</comment><comment>")
    answer = submit(client, field, twice)
    assert answer.status_code == 400
    assert "comment" in message(answer)
    assert not responses(db_session, field.campaign)
