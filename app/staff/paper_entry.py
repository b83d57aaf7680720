"""Keying in a paper form: ``/staff/entry``, its number, then its answers.

The clerk types the number printed on the form (or scans its QR code: the
camera where the browser reads QR codes, or a hand scanner typing the
address), keys the answers as codes in the printed order, and is back at the
number box for the next form. Each form is keyed by two clerks, blind: the
page shows nothing of another entry, nor whether there is one.

Who keys: a user whose role manages the units in scope (``Permission.MANAGE``:
unit managers, district officers, admins), for forms of those units. A viewer
reads results only; an entry makes answers, which a viewer's role never does.
The check digit is required: a number typed without it, or with a slip, could
open another form of the unit, which the digit exists to prevent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.auth import current_scope, current_staff, permission_required
from app.db import get_session
from app.i18n import _, translated
from app.staff.blueprint import bp
from app.staff.paper_keying import (
    answer_errors,
    decoded,
    keyed_fields,
    keyed_page,
    skip_readers,
    with_printed_rows,
)
from surveys.access.audit import AuditAction, record_event
from surveys.access.code_state import OpenedCode, load_code
from surveys.access.codes import CodeError, parse_token
from surveys.access.scope import Permission
from surveys.db import begin_writing
from surveys.local_time import local_wall_clock
from surveys.models import PaperForm, utcnow
from surveys.paper.entries import find_form, number_of_code, record_entry
from surveys.paper.form_numbers import WIDTH, format_number, parse_number
from surveys.paper.form_refusals import PaperRefused, Refusal
from surveys.questionnaire import InvalidAnswers, relevance
from surveys.questionnaire.validation import RawAnswers

#: The address a form's QR code holds ends in ``/s/<code>``.
_SCANNED = re.compile(r"/s/([A-Za-z0-9-]+)/?$")
#: What a typed form number may hold besides its digits.
_NUMBER_LIKE = re.compile(r"^[\d\s\-.]+$")
#: A keying started longer ago than this is counted from the page's redraw.
LONGEST_KEYING = timedelta(hours=12)


@bp.get("/entry")
@permission_required(Permission.MANAGE)
def paper_entry() -> ResponseReturnValue:
    """The number box; with ``?number=`` (typed or scanned) the form to key."""
    typed = request.args.get("number", "").strip()
    if not typed:
        return _number_page()
    try:
        number = _number_of(typed)
        form = find_form(get_session(), current_scope(), number, clerk=current_staff())
    except _Mistyped:
        return _number_page(_mistyped(typed), typed), 404
    except PaperRefused as refusal:
        return _refused(refusal, typed)
    return _keying_page(form, {}, {}, utcnow())


@bp.post("/entry/<number>")
@permission_required(Permission.MANAGE)
def paper_entry_save(number: str) -> ResponseReturnValue:
    """Store the clerk's entry; back to the number box for the next form."""
    db = get_session()
    clerk = current_staff()
    now = utcnow()
    started = _started(request.form.get("started"), now)
    try:
        form = find_form(db, current_scope(), number, clerk=clerk, now=now)
        answers = decoded(_code(form).questionnaire, request.form)
        begin_writing(db)
        record_entry(db, form, clerk, answers, started, now)
    except PaperRefused as refusal:
        db.rollback()
        return _refused(refusal, number)
    except InvalidAnswers as invalid:
        db.rollback()
        return _keying_page(form, request.form, answer_errors(invalid), started), 422
    printed = format_number(form.number)
    record_event(
        db,
        AuditAction.PAPER_ENTRY_RECORDED,
        clerk.id,
        object_type="paper_form",
        object_id=printed,
        detail={"campaign": form.batch.campaign.key, "unit": form.batch.unit.code},
    )
    db.commit()
    flash(_("Đã lưu phiếu %(number)s.", number=printed))
    return redirect(url_for(".paper_entry"))


@bp.post("/entry/<number>/relevance")
@permission_required(Permission.MANAGE)
def paper_entry_relevance(number: str) -> ResponseReturnValue:
    """Tell the keying page's script which questions the keys so far leave asked."""
    try:
        form = find_form(get_session(), current_scope(), number, clerk=current_staff())
    except PaperRefused:
        abort(404)
    code = _code(form)
    shown = _relevant(code, decoded(code.questionnaire, request.form))
    return jsonify(relevant=sorted(shown))


class _Mistyped(ValueError):
    """Digits whose last is not their check digit: a slip, or a number typed
    without the digit after the dash."""


def _number_of(typed: str) -> str:
    """Return the form number typed, or the number of the form whose QR
    address was scanned; refuse (``_Mistyped``) digits whose check digit
    does not fit."""
    scanned = _SCANNED.search(typed)
    if scanned is not None:
        try:
            token = parse_token(scanned.group(1))
        except CodeError:
            token = ""
        found = number_of_code(get_session(), current_scope(), token)
        if found is None:
            raise PaperRefused(Refusal.NOT_FOUND, number=typed)
        return found
    # Six digits alone are the printed number without its check digit (one
    # time in ten they would pass as another, shorter number with one).
    if (typed.isdigit() and len(typed) == WIDTH) or (
        parse_number(typed) is None and _NUMBER_LIKE.match(typed)
    ):
        raise _Mistyped(typed)
    return typed


def _mistyped(typed: str) -> str:
    return _(
        "Số phiếu %(number)s không đúng: chữ số kiểm tra (sau dấu gạch ngang)"
        " không khớp. Hãy gõ đủ số in trên phiếu, kể cả chữ số sau dấu gạch,"
        " ví dụ 000123-7.",
        number=typed,
    )


def _refused(refusal: PaperRefused, typed: str) -> ResponseReturnValue:
    """The number box again, saying why; another unit's form is as unknown."""
    status = 404 if refusal.reason is Refusal.NOT_FOUND else 409
    return _number_page(translated(refusal.message), typed), status


def _number_page(error: str | None = None, typed: str = "") -> str:
    return render_template("staff/paper/entry_number.html", error=error, typed=typed)


def _code(form: PaperForm) -> OpenedCode:
    """Return the form's single-use code, with its questionnaire."""
    return load_code(get_session(), form.access_code.token)


def _relevant(code: OpenedCode, answers: RawAnswers) -> frozenset[str]:
    """Name the questions and sections the answers leave asked (row keys in repeats)."""
    found = relevance(
        code.questionnaire,
        with_printed_rows(code.questionnaire, answers),
        runtime_choices=code.runtime_choices,
        carried=code.carried,
        now=local_wall_clock(utcnow()),
    )
    return found.questions | found.sections


def _keying_page(
    form: PaperForm,
    typed: Mapping[str, str],
    errors: dict[str, str],
    started: datetime,
) -> str:
    code = _code(form)
    return keyed_page(
        "staff/paper/entry_form.html",
        form,
        code.questionnaire,
        keyed_fields(code.questionnaire, code.carried),
        typed,
        errors,
        relevant=_relevant(code, decoded(code.questionnaire, typed)),
        drivers=skip_readers(code.questionnaire),
        started=started.isoformat(),
    )


def _started(sent: str | None, now: datetime) -> datetime:
    """When the keying began, as the page stamped it; a missing or odd stamp
    (in the future, or long ago) counts from now."""
    try:
        started = datetime.fromisoformat(sent or "")
    except ValueError:
        return now
    if started.tzinfo is None or not now - LONGEST_KEYING <= started <= now:
        return now
    return started
