"""Settling a paper form's two entries against the paper: the form becomes a response.

``/staff/paper/reconcile`` lists the forms of the units in scope keyed twice;
``/staff/paper/forms/<number>/reconcile`` shows one form's differences
question by question (both clerks' keys with their labels, the printed
number), the agreed answers already filled in. The reconciler takes entry 1,
entry 2, or types what the paper says, and confirms; a form whose entries
agree is confirmed in one click from the list. A clerk of the form cannot
reconcile it (``check_reconciler``): a third user must. Who may: the same
roles as keying (``Permission.MANAGE``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from werkzeug.datastructures import MultiDict

from app.auth import current_scope, current_staff, permission_required
from app.db import get_session
from app.i18n import _, translated
from app.paper_form_pdf import printed_rows
from app.staff.blueprint import bp
from app.staff.paper_keying import (
    KeyedField,
    answer_errors,
    decoded,
    keyed_fields,
    keyed_page,
    shown,
    typed_back,
    value_of,
)
from surveys.access.audit import AuditAction, record_event
from surveys.access.code_state import load_code
from surveys.access.scope import Permission, Scope
from surveys.db import begin_writing
from surveys.models import PaperBatch, PaperForm, PaperFormState, User
from surveys.paper.comparison import differences
from surveys.paper.entries import form_in_scope
from surveys.paper.form_numbers import format_number
from surveys.paper.form_refusals import PaperRefused, Refusal
from surveys.paper.reconciling import check_reconciler, reconcile
from surveys.questionnaire import InvalidAnswers, Questionnaire

#: The forms the list shows at most, oldest numbers first.
LISTED = 200
#: The states of a form keyed twice and not yet settled.
WAITING = (PaperFormState.IN_CONFLICT, PaperFormState.ENTERED_TWICE)
#: How the reconciler settles one difference (the radio's values).
FIRST, SECOND, PAPER = "1", "2", "paper"


@bp.get("/paper/reconcile")
@permission_required(Permission.MANAGE)
def paper_reconciling() -> ResponseReturnValue:
    """List the forms in scope keyed twice, waiting to be settled."""
    forms = waiting_forms(get_session(), current_scope())
    return render_template(
        "staff/paper/reconcile_list.html",
        forms=forms,
        listed=LISTED,
        me=current_staff().id,
        format_number=format_number,
    )


@bp.route("/paper/forms/<number>/reconcile", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def paper_reconcile(number: str) -> ResponseReturnValue:
    """Show a form's differences; on POST store the settled answers as its response."""
    db = get_session()
    user = current_staff()
    form = form_in_scope(db, current_scope(), number)
    if form is None:
        abort(404)
    try:
        if form.state == PaperFormState.RECONCILED:
            raise PaperRefused(Refusal.RECONCILED, number=format_number(form.number))
        check_reconciler(db, form, user)
    except PaperRefused as refusal:
        return _refused(refusal)
    questionnaire = load_code(db, form.access_code.token).questionnaire
    if request.method == "GET":
        return _page(form, questionnaire, _agreed(form, questionnaire), {})
    typed, unsettled = _settled_keys(form, questionnaire, request.form)
    if unsettled:
        return _page(form, questionnaire, request.form, unsettled), 422
    try:
        begin_writing(db)
        # Read again under the write lock: a form settled meanwhile with the
        # same answers is answered as stored, with others refused.
        recorded = reconcile(db, form, user, decoded(questionnaire, typed))
    except PaperRefused as refusal:
        db.rollback()
        return _refused(refusal)
    except InvalidAnswers as invalid:
        db.rollback()
        return _page(form, questionnaire, request.form, answer_errors(invalid)), 422
    printed = format_number(form.number)
    if recorded.created:
        record_event(
            db,
            AuditAction.PAPER_FORM_RECONCILED,
            user.id,
            object_type="paper_form",
            object_id=printed,
            detail={
                "campaign": form.batch.campaign.key,
                "unit": form.batch.unit.code,
                "response": recorded.response_id,
                "differences": len(differences(form)),
            },
        )
    db.commit()
    flash(_("Đã ghi nhận phiếu %(number)s thành câu trả lời.", number=printed))
    return redirect(url_for(".paper_reconciling"))


def waiting_forms(session: Session, scope: Scope) -> list[PaperForm]:
    """Return the forms in scope keyed twice and not settled, by number."""
    query = (
        select(PaperForm)
        .join(PaperForm.batch)
        .where(PaperForm.state.in_(WAITING))
        .order_by(PaperForm.number)
        .limit(LISTED)
        .options(
            joinedload(PaperForm.batch).joinedload(PaperBatch.campaign),
            joinedload(PaperForm.batch).joinedload(PaperBatch.unit),
            selectinload(PaperForm.entries),
        )
    )
    return list(session.scalars(scope.filter(query, PaperBatch.unit_id)).unique())


def _refused(refusal: PaperRefused) -> ResponseReturnValue:
    """Back to the list, saying why; another unit's form is not found."""
    if refusal.reason is Refusal.NOT_FOUND:
        abort(404)
    flash(translated(refusal.message))
    return redirect(url_for(".paper_reconciling"))


def _agreed(form: PaperForm, questionnaire: Questionnaire) -> dict[str, str]:
    """The keys both entries agree on, as typed; a differing question left blank."""
    first = typed_back(questionnaire, form.entries[0].answers)
    second = typed_back(questionnaire, form.entries[1].answers)
    return {key: value for key, value in first.items() if second.get(key) == value}


def _differing(
    form: PaperForm, questionnaire: Questionnaire, fields: list[KeyedField]
) -> list[KeyedField]:
    """The fields (of the form's ``fields``) the two entries keyed differently
    (in a repeat, by row)."""
    first, second = (entry.answers for entry in form.entries)
    return [
        field
        for field in fields
        if value_of(questionnaire, field, first)
        != value_of(questionnaire, field, second)
    ]


def _settled_keys(
    form: PaperForm, questionnaire: Questionnaire, sent: MultiDict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Return the keys to store, and the differing fields no choice was made
    for (with a message).

    Each field is taken as sent, and a differing one as the reconciler chose
    it: entry 1, entry 2, or the paper's value typed in its box. A form whose
    entries agree, confirmed from the list (``agreed``), is stored as keyed.
    """
    entries = [typed_back(questionnaire, entry.answers) for entry in form.entries]
    differing = _differing(form, questionnaire, _fields(form, questionnaire))
    if sent.get("agreed") and not differing:
        return entries[0], {}
    typed = {key: sent.get(key, "") for key in sent}
    unsettled: dict[str, str] = {}
    for field in differing:
        picked = sent.get(f"pick-{field.key}")
        if picked in (FIRST, SECOND):
            typed[field.key] = entries[int(picked) - 1].get(field.key, "")
        elif picked != PAPER:
            unsettled[field.key] = _(
                "Chọn lần nhập 1, lần nhập 2, hoặc gõ giá trị trên phiếu giấy."
            )
    return typed, unsettled


def _page(
    form: PaperForm,
    questionnaire: Questionnaire,
    typed: Mapping[str, str],
    errors: dict[str, str],
) -> str:
    fields = _fields(form, questionnaire)
    differing = _differing(form, questionnaire, fields)
    return keyed_page(
        "staff/paper/reconcile_form.html",
        form,
        questionnaire,
        fields,
        typed,
        errors,
        # Every box is shown: the reconciler checks the whole form.
        relevant={field.key for field in fields},
        drivers=frozenset(),
        differing={field.key: _both(questionnaire, field, form) for field in differing},
        clerks=[_clerk_name(entry.clerk_id) for entry in form.entries],
        choices=(FIRST, SECOND, PAPER),
    )


def _fields(form: PaperForm, questionnaire: Questionnaire) -> list[KeyedField]:
    """The boxes of the form: a roster's rows as far as its printed table, or
    as far as either entry reached (rows keyed from the back of the sheet)."""
    reached = {
        repeat.name: max(
            printed_rows(repeat),
            *(len(entry.answers.get(repeat.name) or []) for entry in form.entries),
        )
        for repeat in questionnaire.repeats
    }
    repeated = questionnaire.repeated
    return [
        field
        for field in keyed_fields(questionnaire)
        if field.row is None or field.row <= reached[repeated[field.question.name]]
    ]


def _both(
    questionnaire: Questionnaire, field: KeyedField, form: PaperForm
) -> tuple[str, str]:
    """Both entries' answers of one field, with their labels."""
    values: list[Any] = [
        value_of(questionnaire, field, entry.answers) for entry in form.entries
    ]
    return shown(field, values[0]), shown(field, values[1])


def _clerk_name(user_id: int) -> str:
    user = get_session().get(User, user_id)
    return user.username if user is not None else ""
