"""A paper campaign for the keying and reconciling pages: a ward, its batch,
three users who may key (two clerks and a reconciler), logged in by turns."""

from __future__ import annotations

from dataclasses import dataclass

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from surveys.models import (
    AuditEvent,
    Campaign,
    PaperBatch,
    PaperEntry,
    PaperForm,
    Response,
    Role,
    Unit,
    User,
)
from surveys.paper.batches import create_batch
from surveys.paper.form_numbers import format_number
from tests.app.staff_client import csrf_token, log_in, log_out
from tests.surveys.paper.paper_builders import make_paper

ENTRY = "/staff/entry"
#: What the first clerk keys: visited "1" (Có), rating 4, age 42, a comment.
FIRST = {"visited": "1", "rating": "4", "age": "42", "comment": "Cán bộ nhanh nhẹn"}


@dataclass
class Keying:
    campaign: Campaign
    unit: Unit
    batch: PaperBatch
    first: User
    second: User
    third: User

    @property
    def form(self) -> PaperForm:
        return self.batch.forms[0]

    @property
    def number(self) -> str:
        return format_number(self.form.number)


def make_keying(session: Session) -> Keying:
    """Store a ward's paper campaign, three unit managers (the role that keys)
    and a batch of three forms; commits."""
    paper = make_paper(session, Role.UNIT_MANAGER)
    batch = create_batch(session, paper.third, paper.campaign, paper.unit, 3)
    session.commit()
    return Keying(
        paper.campaign, paper.unit, batch, paper.first, paper.second, paper.third
    )


def as_user(client: FlaskClient, user: User) -> None:
    log_out(client)
    assert log_in(client, user.username).status_code == 302


def save(client: FlaskClient, number: str, keys: dict[str, str]) -> TestResponse:
    """Open the form by its number as a clerk does, then post the keys."""
    opened = client.get(ENTRY, query_string={"number": number})
    assert opened.status_code == 200, opened.get_data(as_text=True)
    token = csrf_token(client, f"{ENTRY}?number={number}")
    return client.post(f"{ENTRY}/{number}", data={"csrf_token": token, **keys})


def key_as(client: FlaskClient, clerk: User, number: str, keys: dict[str, str]) -> None:
    """Log in as ``clerk`` and store their entry of the form numbered ``number``."""
    as_user(client, clerk)
    assert save(client, number, keys).status_code == 302


def counts(session: Session) -> tuple[int, int, int]:
    """Entries, responses and paper forms' audit events stored so far."""
    session.expire_all()
    events = select(func.count()).where(AuditEvent.object_type == "paper_form")
    return (
        session.scalar(select(func.count()).select_from(PaperEntry)),
        session.scalar(select(func.count()).select_from(Response)),
        session.scalar(events),
    )
