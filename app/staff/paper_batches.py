"""The batch register of paper questionnaires: batches numbered, printed, handed
out, counted back, their forms voided, and how far their double entry has got.

Every batch comes through the user's scope (another unit's batch is a 404);
creating, printing and changing the register are a manager's (403 otherwise),
each audited: a printed form carries a single-use code, so every copy and every
hand-over must be traceable. A batch prints in parts of ``PDF_PART`` forms: a
part of a long questionnaire takes seconds to lay out, in the one process that
serves everyone (``gunicorn.conf.py``).
"""

from __future__ import annotations

import math

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app.auth import current_scope, current_staff, now, permission_required
from app.code_sheets import end_of_day
from app.db import get_session
from app.i18n import _, catalogue_languages, language_name, ngettext, translated
from app.official_document import issuer_of
from app.paper_form_pdf import PrintedForm, paper_forms_pdf
from app.printing import survey_url
from app.public_address import UnreachableAddress, printed_base_url
from app.staff.blueprint import bp
from app.staff.manage import (
    audited_download,
    done_redirect,
    found_in_scope,
    refused_redirect,
)
from app.staff.paper_batch_forms import (
    HandOutForm,
    PaperBatchForm,
    ReturnedForm,
    VoidForm,
)
from surveys.access.codes import CodeError, SampleDesign, campaigns_covering
from surveys.access.scope import Permission, units_in_scope
from surveys.db import begin_writing
from surveys.dossiers.timing import local_instant
from surveys.local_time import local_date
from surveys.models import Campaign, PaperBatch, ServicePoint, Unit
from surveys.paper.batch_list import (
    batch_page,
    form_of_batch,
    form_rows,
    form_tokens,
)
from surveys.paper.batches import (
    create_batch,
    hand_out,
    mark_printed,
    note_returned,
    void_form,
)
from surveys.paper.form_numbers import format_number, parse_number
from surveys.paper.form_refusals import PaperRefused
from surveys.paper.progress import batch_progress
from surveys.questionnaire.versions import definition_of
from surveys.units.management import campaigns_in_scope

#: Batches on a page of the register.
PAGE_SIZE = 20
#: Forms in one PDF: 50 forms of the shipped PAPI questionnaire (five pages
#: each) take about four seconds of the serving process's CPU
#: (``docs/paper-double-entry.md``).
PDF_PART = 50
BATCH = ".paper_batch"


@bp.get("/paper")
def paper_batches() -> ResponseReturnValue:
    """List the batches of the user's units, newest first, a page at a time."""
    page = batch_page(
        get_session(),
        current_scope(),
        before_id=request.args.get("before", type=int),
        limit=PAGE_SIZE,
    )
    return render_template(
        "staff/paper/batches.html", page=page, format_number=format_number
    )


@bp.route("/paper/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def new_paper_batch() -> ResponseReturnValue:
    """Number a new batch of forms for a unit in scope, each with its code."""
    db = get_session()
    units = {unit.code: unit for unit in units_in_scope(db, current_scope())}
    campaigns = _open_campaigns(units)
    points = _counters()
    form = PaperBatchForm()
    form.campaign.choices = [
        SelectChoice(key, f"{campaign.name} ({key})")
        for key, campaign in campaigns.items()
    ]
    form.unit.choices = [SelectChoice(code, unit.name) for code, unit in units.items()]
    form.service_point.choices = [SelectChoice("", "—")] + [
        SelectChoice(code, f"{point.unit.name} — {point.name}")
        for code, point in points.items()
    ]
    if form.validate_on_submit():
        unit = units[form.unit.data]
        point = points.get(form.service_point.data)
        if point is not None and point.unit_id != unit.id:
            form.service_point.errors.append(_("Quầy này không thuộc đơn vị đã chọn."))
        else:
            batch = _created(form, campaigns[form.campaign.data], unit, point)
            if batch is not None:
                return done_redirect(
                    ngettext(
                        "Đã tạo lô %(num)s phiếu, số %(first)s đến %(last)s.",
                        "Đã tạo lô %(num)s phiếu, số %(first)s đến %(last)s.",
                        batch.count,
                        first=format_number(batch.first_number),
                        last=format_number(batch.last_number),
                    ),
                    BATCH,
                    batch_id=batch.id,
                )
    return render_template(
        "staff/paper/new_batch.html", form=form, has_campaigns=bool(campaigns)
    )


def _created(
    form: PaperBatchForm, campaign: Campaign, unit: Unit, point: ServicePoint | None
) -> PaperBatch | None:
    """Create the batch the form describes, or say on the form why not."""
    db = get_session()
    expires_on = form.expires_on.data
    try:
        return create_batch(
            db,
            current_staff(),
            campaign,
            unit,
            form.count.data,
            service_point=point,
            design=SampleDesign(
                form.stratum.data or None, form.cluster.data or None, form.weight.data
            ),
            expires_at=end_of_day(expires_on) if expires_on else None,
        )
    except CodeError:
        db.rollback()
        form.campaign.errors.append(
            _(
                "Không tạo được lô phiếu: đợt khảo sát đã đóng hoặc không áp dụng cho"
                " đơn vị này."
            )
        )
        return None


def _open_campaigns(units: dict[str, Unit]) -> dict[str, Campaign]:
    """Return the open campaigns that cover a unit in scope, by key.

    Those rooted in the scope, and those of the units above its root (a
    district's campaign covers its wards).
    """
    db = get_session()
    scope = current_scope()
    found = [c for c in campaigns_in_scope(db, scope) if c.closed_at is None]
    root = next((unit for unit in units.values() if unit.id == scope.unit_id), None)
    if root is not None:
        found += campaigns_covering(db, root)
    return {campaign.key: campaign for campaign in found}


def _counters() -> dict[str, ServicePoint]:
    """Return the active counters of the units in scope, by code, in one query."""
    found = current_scope().filter(
        select(ServicePoint).where(ServicePoint.active), ServicePoint.unit_id
    )
    return {
        point.code: point
        for point in get_session().scalars(
            found.options(selectinload(ServicePoint.unit)).order_by(ServicePoint.name)
        )
    }


@bp.get("/paper/<int:batch_id>")
def paper_batch(batch_id: int) -> ResponseReturnValue:
    """Show a batch: its register, its forms, and each clerk's keying."""
    batch = _batch(batch_id)
    db = get_session()
    return render_template(
        "staff/paper/batch.html",
        batch=batch,
        progress=batch_progress(db, batch),
        forms=form_rows(db, batch),
        parts=[
            (part, *map(format_number, _part_numbers(batch, part)))
            for part in range(1, _parts(batch) + 1)
        ],
        languages=[(code, language_name(code)) for code in catalogue_languages()],
        hand_out_form=HandOutForm(formdata=None, handed_on=local_date(now())),
        returned_form=ReturnedForm(formdata=None, returned=batch.returned_count),
        void_form=VoidForm(formdata=None),
        part_size=PDF_PART,
        format_number=format_number,
    )


def _batch(batch_id: int) -> PaperBatch:
    """Return the batch in the user's scope with what its pages show, or 404."""
    return found_in_scope(
        PaperBatch,
        batch_id,
        [
            selectinload(PaperBatch.campaign),
            selectinload(PaperBatch.unit),
            selectinload(PaperBatch.service_point),
        ],
    )


def _parts(batch: PaperBatch) -> int:
    """Return how many PDFs the batch prints in."""
    return math.ceil(batch.count / PDF_PART)


def _part_numbers(batch: PaperBatch, part: int) -> tuple[int, int]:
    """Return the sequence numbers of a part's first and last form."""
    first = batch.first_number + (part - 1) * PDF_PART
    return first, min(first + PDF_PART - 1, batch.last_number)


@bp.get("/paper/<int:batch_id>/forms.pdf")
@permission_required(Permission.MANAGE)
def paper_batch_pdf(batch_id: int) -> ResponseReturnValue:
    """Send one part of the batch's forms to print; note the batch printed."""
    batch = _batch(batch_id)
    part = request.args.get("part", 1, type=int)
    language = request.args.get("language", "vi")
    if language not in catalogue_languages() or not 1 <= part <= _parts(batch):
        abort(404)
    try:
        base_url = printed_base_url()
    except UnreachableAddress as refused:
        return refused_redirect(refused.message, BATCH, batch_id=batch.id)
    printed = [
        PrintedForm(format_number(number), token, survey_url(base_url, token))
        for number, token in form_tokens(
            get_session(), batch, *_part_numbers(batch, part)
        )
    ]
    pdf = paper_forms_pdf(
        definition_of(batch.campaign.questionnaire),
        issuer_of(batch.unit),
        batch.campaign.name,
        printed,
        language,
        printed_on=local_date(now()),
    )
    db = get_session()
    begin_writing(db)
    mark_printed(db, batch, now())
    return audited_download(
        pdf,
        "pdf",
        f"phieu-{batch.unit.code}-{printed[0].number}.pdf",
        audited=("paper_batch", str(batch.id)),
        detail={
            "document": "paper_forms",
            "first": printed[0].number,
            "last": printed[-1].number,
            "language": language,
        },
    )


@bp.post("/paper/<int:batch_id>/handed-out")
@permission_required(Permission.MANAGE)
def paper_batch_handed_out(batch_id: int) -> ResponseReturnValue:
    """Note to whom, and on which day, the batch's forms went."""
    batch = _batch(batch_id)
    form = HandOutForm()
    if not form.validate_on_submit():
        return _refused(form, batch)
    day = form.handed_on.data or local_date(now())
    # The start of the day typed in the register, in Vietnam.
    handed_at = local_instant(day, 0)
    hand_out(get_session(), current_staff(), batch, form.recipient.data, handed_at)
    return done_redirect(
        _("Đã ghi giao lô phiếu cho %(recipient)s.", recipient=batch.handed_out_to),
        BATCH,
        batch_id=batch.id,
    )


@bp.post("/paper/<int:batch_id>/returned")
@permission_required(Permission.MANAGE)
def paper_batch_returned(batch_id: int) -> ResponseReturnValue:
    """Note how many filled-in forms of the batch have come back."""
    batch = _batch(batch_id)
    form = ReturnedForm()
    if not form.validate_on_submit():
        return _refused(form, batch)
    try:
        note_returned(get_session(), current_staff(), batch, form.returned.data, now())
    except PaperRefused as refusal:
        return refused_redirect(translated(refusal.message), BATCH, batch_id=batch.id)
    return done_redirect(
        _("Đã ghi số phiếu nhận lại: %(returned)s.", returned=form.returned.data),
        BATCH,
        batch_id=batch.id,
    )


@bp.post("/paper/<int:batch_id>/void")
@permission_required(Permission.MANAGE)
def paper_form_void(batch_id: int) -> ResponseReturnValue:
    """Void one of the batch's forms, typed by its printed number."""
    batch = _batch(batch_id)
    form = VoidForm()
    if not form.validate_on_submit():
        return _refused(form, batch)
    parsed = parse_number(form.number.data)
    db = get_session()
    found = form_of_batch(db, batch, parsed) if parsed is not None else None
    if found is None:
        return refused_redirect(
            _(
                "Lô này không có phiếu số %(number)s. Hãy kiểm tra lại số in trên"
                " phiếu, kể cả chữ số kiểm tra.",
                number=form.number.data.strip(),
            ),
            BATCH,
            batch_id=batch.id,
        )
    try:
        void_form(db, current_staff(), found, now())
    except PaperRefused as refusal:
        return refused_redirect(translated(refusal.message), BATCH, batch_id=batch.id)
    return done_redirect(
        _("Đã hủy phiếu số %(number)s.", number=format_number(found.number)),
        BATCH,
        batch_id=batch.id,
    )


def _refused(
    form: HandOutForm | ReturnedForm | VoidForm, batch: PaperBatch
) -> ResponseReturnValue:
    """Go back to the batch saying what was wrong with what was sent."""
    problems = [error for errors in form.errors.values() for error in errors]
    return refused_redirect(
        str(problems[0]) if problems else _("Dữ liệu gửi lên không hợp lệ."),
        BATCH,
        batch_id=batch.id,
    )
