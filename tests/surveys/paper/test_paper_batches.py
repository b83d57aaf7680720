"""Printing paper forms in batches: numbers, codes with the design, the register."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.access.codes import CodeError
from surveys.access.scope import Scope
from surveys.models import (
    AccessCode,
    AuditEvent,
    CodeKind,
    PaperForm,
    PaperFormState,
)
from surveys.paper.batches import (
    create_batch,
    hand_out,
    mark_printed,
    note_returned,
    void_form,
)
from surveys.paper.entries import find_form
from surveys.paper.form_numbers import check_digit, format_number, parse_number
from surveys.paper.form_refusals import PaperRefused, Refusal
from tests.surveys.paper.paper_builders import NOW, make_batch, make_paper


def test_a_batch_issues_one_single_use_code_per_form_with_the_design(
    db_session: Session,
) -> None:
    paper = make_paper(db_session)
    batch = make_batch(db_session, paper, count=4)
    forms = batch.forms
    assert len(forms) == batch.count == 4
    numbers = [form.number for form in forms]
    assert numbers == list(range(batch.first_number, batch.last_number + 1))
    codes = {form.access_code_id for form in forms}
    assert len(codes) == 4
    for form in forms:
        code = form.access_code
        assert form.state == PaperFormState.PRINTED
        assert (code.kind, code.unit_id, code.campaign_id) == (
            CodeKind.SINGLE_USE,
            paper.unit.id,
            paper.campaign.id,
        )
        assert (code.stratum, code.cluster, code.weight) == ("urban", "KP3", 12.5)
    issued = db_session.scalar(
        select(func.count())
        .select_from(AccessCode)
        .where(AccessCode.campaign_id == paper.campaign.id)
    )
    assert issued == 4


def test_batches_number_on_from_the_last_form(db_session: Session) -> None:
    paper = make_paper(db_session)
    one = make_batch(db_session, paper, count=2)
    two = make_batch(db_session, paper, count=3)
    assert two.first_number == one.last_number + 1
    assert two.last_number == two.first_number + 2


def test_a_bad_batch_creates_nothing(db_session: Session) -> None:
    paper = make_paper(db_session)
    with pytest.raises(CodeError):
        create_batch(db_session, paper.third, paper.campaign, paper.unit, 0)
    assert not db_session.scalars(
        select(PaperForm.id)
        .join(PaperForm.access_code)
        .where(AccessCode.campaign_id == paper.campaign.id)
    ).all()


def test_form_numbers_carry_a_check_digit_that_catches_slips() -> None:
    printed = format_number(123)
    assert printed == f"000123-{check_digit('000123')}"
    assert parse_number(printed) == 123
    assert parse_number(printed.replace("-", " ")) == 123
    assert parse_number(printed.lstrip("0")) == 123
    body, digit = printed.split("-")
    for position in range(len(body)):
        for replacement in "0123456789":
            if replacement == body[position]:
                continue
            slipped = body[:position] + replacement + body[position + 1 :]
            assert parse_number(f"{slipped}-{digit}") is None
    swapped = body[:3] + body[4] + body[3] + body[5:]
    assert swapped != body
    assert parse_number(f"{swapped}-{digit}") is None
    assert parse_number("not a number") is None
    assert parse_number("") is None


def test_the_register_notes_printing_handing_out_and_returns(
    db_session: Session,
) -> None:
    paper = make_paper(db_session)
    batch = make_batch(db_session, paper, count=3)
    mark_printed(db_session, batch, NOW)
    hand_out(db_session, paper.third, batch, "  Tổ dân phố   3 ", NOW)
    note_returned(db_session, paper.third, batch, 2, NOW)
    assert (batch.printed_at, batch.handed_out_at, batch.returned_at) == (NOW,) * 3
    assert batch.handed_out_to == "Tổ dân phố 3"
    assert batch.returned_count == 2
    with pytest.raises(PaperRefused) as refused:
        note_returned(db_session, paper.third, batch, 4, NOW)
    assert refused.value.reason is Refusal.RETURNED_COUNT
    assert "4" in str(refused.value.message)
    assert batch.returned_count == 2
    assert [(e.action, e.detail) for e in _events(db_session)] == [
        ("paper_handed_out", {"unit": paper.unit.code, "to": "Tổ dân phố 3"}),
        ("paper_returned", {"unit": paper.unit.code, "returned": 2}),
    ]


def test_a_void_form_is_refused_and_its_code_revoked(db_session: Session) -> None:
    paper = make_paper(db_session)
    form = make_batch(db_session, paper, count=1).forms[0]
    void_form(db_session, paper.third, form, NOW)
    void_form(db_session, paper.third, form, NOW)
    assert form.access_code.revoked_at == NOW
    (voided,) = _events(db_session)
    assert (voided.action, voided.user_id, voided.object_id) == (
        "paper_form_voided",
        paper.third.id,
        str(form.batch_id),
    )
    assert voided.detail["number"] == format_number(form.number)
    with pytest.raises(PaperRefused) as refused:
        find_form(db_session, Scope.of(paper.first), format_number(form.number))
    assert refused.value.reason is Refusal.VOID


def _events(session: Session) -> list[AuditEvent]:
    """The register's audit events, in order (issuing the codes is audited apart)."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "paper_batch")
            .order_by(AuditEvent.id)
        )
    )
