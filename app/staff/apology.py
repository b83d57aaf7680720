"""Apology letters for late dossiers: the list, drafting, downloads, sending.

For the unit's managers only (``Permission.MANAGE``): the pages show applicants'
names, which viewers never see. Every dossier and letter comes through the
user's scope, so another unit's is a 404; every download and change is audited
by the services or by ``audited_download``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.apology_pdf import letters_pdf
from app.auth import current_scope, current_staff, now, permission_required
from app.db import get_session
from app.i18n import _, translated
from app.staff.apology_forms import WRITTEN, LetterForm, SentForm
from app.staff.blueprint import bp
from app.staff.manage import (
    audited_download,
    done_redirect,
    found_in_scope,
    refused_redirect,
)
from surveys.access.scope import Permission
from surveys.dossiers.applicants import ApplicantRetention
from surveys.dossiers.calendar import load_calendar
from surveys.dossiers.letters import (
    HAS_LETTER,
    NOT_LATE,
    LetterDraft,
    LetterError,
    LetterFilter,
    default_new_return_on,
    draft_letter,
    is_late,
    last_signer,
    late_dossiers,
    letter_of,
    printed_letters,
    reference,
)
from surveys.dossiers.sending import PROPOSED_DELIVERY, Senders, send_letter
from surveys.dossiers.timing import local_instant
from surveys.local_time import local_date
from surveys.models import (
    ApologyLetter,
    Dossier,
    DossierApplicant,
    LetterDelivery,
    Unit,
)
from surveys.translatable import Message
from surveys.units.tree import subtree_ids

SENDERS = "hailong.letter_senders"
LETTER_OPTIONS = (
    selectinload(ApologyLetter.dossier).selectinload(Dossier.unit),
    selectinload(ApologyLetter.dossier).selectinload(Dossier.procedure),
)


def applicant_retention() -> ApplicantRetention:
    """Return how long applicants' data is kept, from the app's settings."""
    config = current_app.config
    return ApplicantRetention(
        after_return=timedelta(days=config["APPLICANT_DAYS_AFTER_RETURN"]),
        after_letter=timedelta(days=config["APPLICANT_DAYS_AFTER_LETTER"]),
        unsettled=timedelta(days=config["APPLICANT_DAYS_UNSETTLED"]),
    )


def letter_senders() -> Senders:
    """Return this app's letter senders, built from ``LETTER_SENDERS`` once."""
    extensions = current_app.extensions
    if SENDERS not in extensions:
        extensions[SENDERS] = Senders.from_settings(
            current_app.config["LETTER_SENDERS"]
        )
    return extensions[SENDERS]


@bp.get("/units/<unit_code>/letters")
@permission_required(Permission.MANAGE)
def letters(unit_code: str) -> str:
    """List the unit's late dossiers: without a letter, unsent, sent, or all."""
    unit = found_in_scope(Unit, unit_code)
    try:
        shown = LetterFilter(request.args.get("shown", LetterFilter.MISSING))
    except ValueError:
        abort(404)
    page = late_dossiers(
        get_session(),
        current_scope(),
        unit,
        now(),
        shown,
        request.args.get("page", 1, type=int),
    )
    return render_template(
        "staff/apology/letters.html",
        unit=unit,
        shown=shown,
        filters=LetterFilter,
        page=page,
        sent_form=SentForm(sent_on=local_date(now())),
        deliveries=list(LetterDelivery),
        proposed=PROPOSED_DELIVERY,
    )


@bp.route("/dossiers/<int:dossier_id>/letter", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def draft_letter_view(dossier_id: int) -> ResponseReturnValue:
    """Draft the letter of one late dossier, then go back to the unit's list."""
    dossier = found_in_scope(
        Dossier,
        dossier_id,
        [selectinload(Dossier.unit), selectinload(Dossier.procedure)],
    )
    back = {"unit_code": dossier.unit.code}
    session = get_session()
    existing = letter_of(session, dossier)
    if existing is not None:
        number = reference(dossier.unit.code, existing.number)
        flash(translated(Message(HAS_LETTER.msgid, {"reference": number})))
        return redirect(url_for(".letters", shown=LetterFilter.ALL, **back))
    instant = now()
    if not is_late(dossier, instant):
        flash(translated(NOT_LATE))
        return redirect(url_for(".letters", **back))
    calendar = load_calendar(session)
    form = LetterForm()
    if request.method == "GET":
        form.new_return_on.data = default_new_return_on(
            dossier, calendar, local_date(instant)
        )
        form.signer_title.data, form.signer_name.data = last_signer(
            session, dossier.unit
        ) or ("", "")
    if form.validate_on_submit():
        draft = LetterDraft(
            reason_code=None if form.reason.data == WRITTEN else form.reason.data,
            reason_text=form.reason_text.data or "",
            new_return_on=form.new_return_on.data,
            signer_title=form.signer_title.data,
            signer_name=form.signer_name.data or "",
        )
        try:
            letter = draft_letter(
                session, current_staff(), dossier, draft, instant, calendar
            )
        except LetterError as error:
            form.reason.errors = [*form.reason.errors, translated(error.message)]
        else:
            number = reference(dossier.unit.code, letter.number)
            return done_redirect(
                _("Đã lập phiếu xin lỗi số %(reference)s.", reference=number),
                ".letters",
                shown=LetterFilter.UNSENT,
                **back,
            )
    return render_template(
        "staff/apology/draft.html",
        dossier=dossier,
        applicant=session.get(DossierApplicant, dossier.id),
        form=form,
    )


@bp.get("/letters/<int:letter_id>.pdf")
@permission_required(Permission.MANAGE)
def letter_pdf(letter_id: int) -> ResponseReturnValue:
    """Download one letter to print, sign and send."""
    letter = found_in_scope(ApologyLetter, letter_id, LETTER_OPTIONS)
    return _letters_download([letter], f"phieu-xin-loi-{letter.year}-{letter.number}")


@bp.get("/units/<unit_code>/letters.pdf")
@permission_required(Permission.MANAGE)
def letters_batch_pdf(unit_code: str) -> ResponseReturnValue:
    """Download the chosen letters of the unit (or all its unsent ones), one a page."""
    unit = found_in_scope(Unit, unit_code)
    query = (
        select(ApologyLetter)
        .where(ApologyLetter.unit_id.in_(subtree_ids(unit.id)))
        .options(*LETTER_OPTIONS)
        .order_by(ApologyLetter.year, ApologyLetter.unit_id, ApologyLetter.number)
    )
    back = url_for(".letters", unit_code=unit.code)
    chosen = set(request.args.getlist("letter", type=int))
    if chosen:
        query = query.where(ApologyLetter.id.in_(chosen))
    elif request.args.get("unsent"):
        query = query.where(ApologyLetter.sent_at.is_(None))
    else:
        flash(_("Hãy chọn ít nhất một phiếu để tải."))
        return redirect(back)
    found = list(get_session().scalars(query))
    if len(found) < len(chosen):
        abort(404)  # another unit's letter, or none at all
    if not found:
        flash(_("Không có phiếu nào chưa gửi."))
        return redirect(back)
    return _letters_download(found, f"phieu-xin-loi-{unit.code}")


def _letters_download(found: list[ApologyLetter], name: str) -> ResponseReturnValue:
    """Send letters as one PDF, audited as an export of each."""
    body = letters_pdf(printed_letters(get_session(), found))
    return audited_download(
        body,
        "pdf",
        f"{name}.pdf",
        audited=("apology_letter", str(found[0].id)),
        detail={
            "document": "apology_letters",
            "letters": ",".join(str(letter.id) for letter in found),
        },
    )


@bp.post("/letters/<int:letter_id>/sent")
@permission_required(Permission.MANAGE)
def letter_sent(letter_id: int) -> ResponseReturnValue:
    """Record that a letter was sent, on which day and how."""
    letter = found_in_scope(ApologyLetter, letter_id, LETTER_OPTIONS)
    back = {"unit_code": letter.dossier.unit.code, "shown": LetterFilter.UNSENT}
    form = SentForm()
    if not form.validate_on_submit():
        return refused_redirect(
            _("Chưa ghi nhận: hãy chọn cách gửi và ngày gửi."), ".letters", **back
        )
    instant = now()
    session = get_session()
    try:
        send_letter(
            session,
            current_staff(),
            letter,
            via=LetterDelivery(form.via.data),
            sent_at=_sent_at(form.sent_on.data, instant),
            now=instant,
            document=lambda: letters_pdf(printed_letters(session, [letter])),
            senders=letter_senders(),
            retention=applicant_retention(),
        )
    except LetterError as error:
        return refused_redirect(translated(error.message), ".letters", **back)
    number = reference(letter.dossier.unit.code, letter.number)
    return done_redirect(
        _("Đã ghi nhận gửi phiếu số %(reference)s.", reference=number),
        ".letters",
        **back,
    )


def _sent_at(day: date, instant: datetime) -> datetime:
    """Return the instant to record for a letter sent on ``day``: now if today."""
    return instant if day == local_date(instant) else local_instant(day, 0)
