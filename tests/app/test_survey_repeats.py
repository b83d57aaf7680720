"""A household roster on the survey page, without the page's script.

One block per row; a count from an earlier answer gives exactly that many; a
roster without a count adds and removes rows through submit buttons the server
answers; a draft keeps the rows; the stored answers carry their row.
"""

from __future__ import annotations

import csv
import io
import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.reports.csv import BOM
from surveys.models import Answer, ResponseDraft
from tests.app.staff_client import log_in
from tests.builders import make_code, make_household_campaign, make_user, unique

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
INPUT = re.compile(r"<input [^>]*>")
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


class Interview:
    """A browser without the page's script: it sends back what the page holds."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.url = client, f"/s/{token}"
        self.page = client.get(self.url).get_data(as_text=True)

    def filled(self) -> dict[str, str]:
        """Read what the page's inputs hold: typed text, ticked choices, hidden."""
        form = {}
        for tag in INPUT.findall(self.page):
            attributes = dict(ATTRIBUTE.findall(tag))
            kind = attributes.get("type", "text")
            if kind in ("radio", "checkbox") and " checked" not in tag:
                continue
            if "name" in attributes and kind != "submit":
                form[attributes["name"]] = attributes.get("value", "")
        return form

    def send(self, answers: dict[str, str], action: str = "next") -> int:
        form = self.filled() | answers | {"action": action}
        sent = self.client.post(self.url, data=form)
        self.page = sent.get_data(as_text=True)
        return sent.status_code

    def rows(self) -> list[str]:
        return re.findall(r'<fieldset class="row" data-row="(\d+)">', self.page)


MEMBERS = {
    "member_name[1]": "Lan",
    "age[1]": "41",
    "member_name[2]": "Minh",
    "age[2]": "43",
    "relation[2]": "spouse",
    "member_name[3]": "An",
    "age[3]": "9",
    "relation[3]": "child",
}


def test_a_counted_roster_shows_one_block_per_member(
    client: FlaskClient, db_session: Session
) -> None:
    code = make_code(db_session, make_household_campaign(db_session))
    db_session.commit()
    interview = Interview(client, code.token)
    assert interview.send({"household_size": "3"}) == 200
    assert interview.rows() == ["1", "2", "3"]
    assert '<span class="row-number">3</span>' in interview.page
    assert "Thêm một dòng" not in interview.page
    # The head of household is asked no relation to themself.
    assert re.search(r'data-q="relation\[1\]"[^>]*hidden', interview.page)
    assert interview.send({"member_name[1]": "Lan"}) == 422
    assert 'id="e-age[1]"' in interview.page and 'id="e-member_name[3]"' in (
        interview.page
    )
    assert interview.send(MEMBERS) == 200
    draft = db_session.scalar(select(ResponseDraft))
    assert draft.answers["members"][2] == {
        "member_name": "An",
        "age": "9",
        "relation": "child",
    }
    assert interview.send({"remarks": "Tại nhà"}, action="submit") == 303
    stored = db_session.scalars(select(Answer).where(Answer.position > 0)).all()
    assert sorted((a.position, a.question, a.value_text) for a in stored) == [
        (1, "age", None),
        (1, "member_name", "Lan"),
        (2, "age", None),
        (2, "member_name", "Minh"),
        (2, "relation", "spouse"),
        (3, "age", None),
        (3, "member_name", "An"),
        (3, "relation", "child"),
    ]


def test_a_resumed_interview_keeps_the_rows(
    client: FlaskClient, db_session: Session
) -> None:
    code = make_code(db_session, make_household_campaign(db_session))
    db_session.commit()
    interview = Interview(client, code.token)
    interview.send({"household_size": "3"})
    interview.send(MEMBERS)
    later = Interview(client, code.token)  # the next day, the same code
    assert "đã được lưu" in later.page
    carried = dict(HIDDEN.findall(later.page))
    assert carried["members"] == "3" and carried["relation[3]"] == "child"
    assert later.send({}, action="back") == 200
    assert 'name="member_name[2]" type="text" maxlength="100" value="Minh"' in (
        later.page
    )


def test_rows_are_added_and_removed_without_a_script(
    client: FlaskClient, db_session: Session
) -> None:
    campaign = make_household_campaign(db_session, counted=False)
    code = make_code(db_session, campaign)
    db_session.commit()
    interview = Interview(client, code.token)
    interview.send({"household_size": "2"})
    assert interview.rows() == ["1"]  # a roster starts with its first row
    first = {"member_name[1]": "Lan", "age[1]": "41"}
    assert interview.send(first, action="add:members") == 200
    assert interview.rows() == ["1", "2"]
    second = {"member_name[2]": "Minh", "age[2]": "43"}
    assert interview.send(second, action="add:members") == 200
    assert interview.rows() == ["1", "2", "3"]
    assert interview.send({}, action="remove:members:1") == 200
    assert interview.rows() == ["1", "2"]
    assert 'value="Minh"' in interview.page and 'value="Lan"' not in interview.page
    assert interview.send({}) == 422  # row 2 was added and left blank
    assert interview.send({}, action="remove:members:2") == 200
    assert interview.send({}) == 200
    assert interview.send({}, action="submit") == 303
    stored = db_session.scalars(select(Answer).where(Answer.position > 0)).all()
    assert {(a.position, a.question) for a in stored} == {
        (1, "member_name"),
        (1, "age"),
    }


def test_a_forged_row_count_is_refused(
    client: FlaskClient, db_session: Session
) -> None:
    campaign = make_household_campaign(db_session, counted=False)
    code = make_code(db_session, campaign)
    db_session.commit()
    interview = Interview(client, code.token)
    interview.send({"household_size": "2"})
    assert interview.send({"members": "100000"}) == 422
    assert "Tối đa 50 dòng." in interview.page


def test_the_roster_downloads_as_a_table_of_its_own(
    client: FlaskClient, db_session: Session
) -> None:
    campaign = make_household_campaign(db_session)
    code = make_code(db_session, campaign)
    manager = make_user(db_session, campaign.unit, username=unique("manager"))
    db_session.commit()
    interview = Interview(client, code.token)
    interview.send({"household_size": "3"})
    interview.send(MEMBERS | {"member_name[3]": "=HYPERLINK()"})
    interview.send({}, action="submit")
    log_in(client, manager.username)
    base = f"/staff/reports/units/{campaign.unit.code}/unit.csv?campaign={campaign.key}"
    dashboard = client.get(f"/staff/units/{campaign.unit.code}/dashboard").get_data(
        as_text=True
    )
    assert "Bảng Thành viên: mỗi dòng một lần lặp (CSV)" in dashboard
    responses = client.get(base).get_data(as_text=True).splitlines()
    assert responses[0].endswith("household_size,services,remarks")
    assert "member_name" not in responses[0]
    answer = client.get(base + "&repeat=members")
    assert "members" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip(BOM))))
    response_id = responses[1].split(",")[0]
    assert rows == [
        ["response_id", "unit_code", "quarter", "row", "member_name", "age",
         "relation"],
        [response_id, campaign.unit.code, rows[1][2], "1", "Lan", "41", ""],
        [response_id, campaign.unit.code, rows[1][2], "2", "Minh", "43", "spouse"],
        [response_id, campaign.unit.code, rows[1][2], "3", "'=HYPERLINK()", "9",
         "child"],
    ]  # fmt: skip
    assert client.get(base + "&repeat=nothing").status_code == 404


def test_odd_row_numbers_change_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    campaign = make_household_campaign(db_session, counted=False)
    code = make_code(db_session, campaign)
    db_session.commit()
    interview = Interview(client, code.token)
    interview.send({"household_size": "2"})
    for action in ("remove:members:²", "remove:members:" + "9" * 5000, "add:other"):
        assert interview.send({}, action=action) in (200, 422)
        assert interview.rows() == ["1"]
    assert interview.send({"members": "²"}) == 200  # read as no rows
    assert interview.rows() == []
