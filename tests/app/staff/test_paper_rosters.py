"""A roster counted by an answer, keyed past its printed table: PAPI's
household members, five rows printed and the rest written on the back of the
sheet, keyed and reconciled as far as the household's size keyed."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import PAPER_CHANNEL, PaperFormState, Response
from surveys.paper.batches import create_batch
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from tests.app.staff.paper_pages import ENTRY, Keying, as_user, save
from tests.app.staff.test_paper_reconcile_pages import LIST, reconcile_path
from tests.app.staff_client import csrf_token
from tests.builders import make_campaign, make_unit, make_user

#: A box of the keying page: its name, and the codes printed beside it.
_BOX = re.compile(r'<input id="q-[^"]+" name="(?P<name>[^"]+)"(?P<rest>[^>]*)>')
_CODES = re.compile(r'data-codes="([^"]*)"')
#: The PAPI household keyed: seven members, the last two from the back.
SEVEN = 7


def papi_keying(session: Session) -> Keying:
    """A ward's PAPI campaign on paper, three managers, a batch of one form."""
    stored = store_questionnaire(session, shipped_template("papi")).stored
    unit = make_unit(session)
    campaign = make_campaign(
        session, unit=unit, questionnaire=stored, mode="invitation", ends_on=None
    )
    first, second, third = (make_user(session, unit) for _ in range(3))
    batch = create_batch(session, third, campaign, unit, 1)
    session.commit()
    return Keying(campaign, unit, batch, first, second, third)


def boxes(page: str) -> dict[str, str]:
    """The page's boxes by name, each with the first code printed beside it."""
    found: dict[str, str] = {}
    for box in _BOX.finditer(page):
        codes = _CODES.search(box["rest"])
        found[box["name"]] = codes.group(1).split()[0] if codes else ""
    return found


def household_keys(page: str, last_age: str, rows: int = SEVEN + 1) -> dict[str, str]:
    """Key the form as a clerk: the first code of every question, a household
    of seven, each member's sex and age in ``rows`` rows (by default an
    eighth the count does not ask for, as a clerk without the script could)."""
    keys = {name: code for name, code in boxes(page).items() if "[" not in name}
    keys |= {"household_size": str(SEVEN), "birth_year": "1970"}
    for row in range(1, rows + 1):
        keys[f"member_sex[{row}]"] = str(1 + row % 2)
        keys[f"member_age[{row}]"] = str(40 - row)
    keys[f"member_age[{SEVEN}]"] = last_age
    return keys


def test_a_household_of_seven_is_keyed_and_reconciled(
    client: FlaskClient, db_session: Session
) -> None:
    keying = papi_keying(db_session)
    as_user(client, keying.first)
    page = client.get(ENTRY, query_string={"number": keying.number})
    text = page.get_data(as_text=True)
    # Every row the household's size allows (1 to 30) is offered, hidden
    # until the size keyed asks for it.
    offered = boxes(text)
    assert "member_age[30]" in offered and "member_age[31]" not in offered
    assert 'data-q="member_age[6]" hidden data-pending' in text
    # Leaving the household's size asks the server: seven rows, no eighth.
    token = csrf_token(client, f"{ENTRY}?number={keying.number}")
    asked = client.post(
        f"{ENTRY}/{keying.number}/relevance",
        data={"csrf_token": token, "household_size": str(SEVEN)},
    ).get_json()["relevant"]
    assert "member_age[7]" in asked and "member_age[8]" not in asked

    assert save(client, keying.number, household_keys(text, "33")).status_code == 302
    as_user(client, keying.second)
    # The second clerk misread the seventh member's age, keyed from the back.
    assert save(client, keying.number, household_keys(text, "38")).status_code == 302
    db_session.refresh(keying.form)
    assert keying.form.state == PaperFormState.IN_CONFLICT
    members = [entry.answers["members"] for entry in keying.form.entries]
    # The eighth row keyed is not stored: the household has seven members.
    assert [len(rows) for rows in members] == [SEVEN, SEVEN]
    assert members[0][-1] == {"member_sex": "female", "member_age": 33}

    as_user(client, keying.third)
    assert "Khác nhau" in client.get(LIST).get_data(as_text=True)
    shown = client.get(reconcile_path(keying.number)).get_data(as_text=True)
    assert '<a href="#q-member_age[7]">Câu 34. Dòng 7</a>' in shown
    assert "<b>33</b>" in shown and "<b>38</b>" in shown
    # The rows either entry reached, no more.
    assert re.search(r'name="member_sex\[7\]"[^>]*value="2"', shown)
    assert "member_age[8]" not in shown
    token = csrf_token(client, reconcile_path(keying.number))
    settled = household_keys(text, "", rows=SEVEN) | {"pick-member_age[7]": "2"}
    done = client.post(
        reconcile_path(keying.number), data={"csrf_token": token, **settled}
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    db_session.refresh(keying.form)
    rows = keying.form.settled_answers["members"]
    assert len(rows) == SEVEN and rows[-1]["member_age"] == 38
    response = db_session.scalar(
        select(Response).where(Response.id == keying.form.response_id)
    )
    assert response is not None and response.channel == PAPER_CHANNEL
