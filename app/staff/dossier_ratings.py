"""Dossier ratings on a unit's page: issue the dossiers' rating codes, print
their result slips, and see satisfaction with dossiers returned in time and late.

Like the other management pages, every change is a POST with its CSRF token; a
slip sheet is an export, recorded before it leaves (``app.staff.manage``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from app.auth import current_staff, permission_required
from app.db import get_session
from app.i18n import _, ngettext
from app.printing import ResultSlip, result_slips_pdf, survey_url
from app.public_address import UnreachableAddress, printed_base_url
from app.staff.blueprint import bp
from app.staff.forms import MaxLength, Required, StaffForm
from app.staff.manage import audited_download, found_in_scope
from surveys.access.privacy import dossier_key
from surveys.access.scope import Permission
from surveys.dossiers.rating_codes import (
    MAX_SLIPS,
    CampaignsTied,
    NoDossierCampaign,
    RatingCodeError,
    UnknownDossiers,
    dossiers_without_code,
    issue_unit_rating_codes,
    rating_slips,
)
from surveys.dossiers.timing import month_key
from surveys.local_time import local_date
from surveys.models import Dossier, Unit, utcnow
from surveys.units.tree import subtree_ids

#: How far back the unit's page looks: the last twelve months of returns.
MONTHS_SHOWN = 12


class SlipsForm(StaffForm):
    """Dossier codes to print result slips for, one a line (or one alone)."""

    dossiers = TextAreaField(
        validators=[Required(), MaxLength(MAX_SLIPS * (Dossier.code.type.length + 2))]
    )

    def validate_dossiers(self, field: TextAreaField) -> None:
        """Refuse blank lines only, and more dossiers than one sheet run prints."""
        named = [line for line in field.data.splitlines() if line.strip()]
        if not named:
            raise ValidationError(_("Vui lòng nhập mục này."))
        if len(named) > MAX_SLIPS:
            raise ValidationError(
                ngettext(
                    "Tối đa %(num)s hồ sơ mỗi lần in.",
                    "Tối đa %(num)s hồ sơ mỗi lần in.",
                    MAX_SLIPS,
                )
            )


@dataclass(frozen=True)
class RatingsPanel:
    """What the unit's page shows of its dossier ratings, formatted to read."""

    #: The months of return shown, as a reader writes them ("03/2025", "02/2026").
    first: str
    last: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: Dossiers of the unit and below it without a rating code yet.
    waiting: int


def ratings_panel(session: Session, unit: Unit) -> RatingsPanel:
    """Assemble the dossier ratings of ``unit`` and below it for its page."""
    # The table brings pandas and SciPy: loaded with the first unit page a
    # process shows, not when a worker starts.
    from app.reports.dossier_ratings import dossier_ratings_table
    from app.reports.layout import (
        dossier_rating_columns,
        dossier_rating_rows,
        shown,
        with_notes,
    )

    months = _last_months(MONTHS_SHOWN)
    names = dict(
        session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_(subtree_ids(unit.id)))
        ).all()
    )
    table = dossier_ratings_table(session, names, months)
    rows: tuple[tuple[str, ...], ...] = ()
    headings: tuple[str, ...] = ()
    if not table.empty:
        labelled = with_notes(dossier_rating_rows(table))
        columns = dossier_rating_columns(labelled)
        headings = tuple(column.heading for column in columns)
        rows = tuple(
            tuple(shown(record[column.name], column.kind) for column in columns)
            for record in labelled.to_dict("records")
        )
    first, last = (f"{month[5:]}/{month[:4]}" for month in months)
    waiting = dossiers_without_code(session, unit)
    return RatingsPanel(first, last, headings, rows, waiting)


@bp.post("/units/<unit_code>/dossiers/rating-codes")
@permission_required(Permission.MANAGE)
def issue_dossier_codes(unit_code: str) -> ResponseReturnValue:
    """Give every dossier of the unit (and below it) without a rating code one."""
    unit = found_in_scope(Unit, unit_code)
    back = url_for(".unit", unit_code=unit.code)
    session = get_session()
    if not StaffForm().validate_on_submit():
        flash(_("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."))
        return redirect(back)
    try:
        issued = issue_unit_rating_codes(
            session, current_staff(), _key(), unit, today=local_date(utcnow())
        )
    except RatingCodeError as refused:
        session.rollback()
        flash(refusal(refused))
        return redirect(back)
    session.commit()
    flash(
        ngettext(
            "Đã phát mã đánh giá cho %(num)s hồ sơ.",
            "Đã phát mã đánh giá cho %(num)s hồ sơ.",
            issued.issued,
        )
        if issued.issued
        else _("Mọi hồ sơ đã có mã đánh giá.")
    )
    return redirect(back)


@bp.post("/units/<unit_code>/dossiers/slips")
@permission_required(Permission.MANAGE)
def dossier_slips(unit_code: str) -> ResponseReturnValue:
    """Print the result slips of the dossiers named, issuing codes they lack."""
    unit = found_in_scope(Unit, unit_code)
    back = url_for(".unit", unit_code=unit.code)
    session = get_session()
    form = SlipsForm()
    if not form.validate_on_submit():
        for message in form.dossiers.errors or [_("Dữ liệu gửi lên không hợp lệ.")]:
            flash(message)
        return redirect(back)
    try:
        base = printed_base_url()
    except UnreachableAddress as refused:
        flash(refused.message)
        return redirect(back)
    try:
        slips = rating_slips(
            session,
            _key(),
            unit,
            form.dossiers.data.splitlines(),
            today=local_date(utcnow()),
        )
    except UnknownDossiers as unknown:
        session.rollback()
        flash(
            _(
                "Đơn vị không có hồ sơ (chưa rút) mang mã: %(codes)s",
                codes=", ".join(unknown.codes),
            )
        )
        return redirect(back)
    except RatingCodeError as refused:
        session.rollback()
        flash(refusal(refused))
        return redirect(back)
    pdf = result_slips_pdf(
        [
            ResultSlip(
                survey_url(base, slip.token),
                slip.token,
                unit.name,
                slip.dossier_code,
                slip.procedure,
            )
            for slip in slips
        ]
    )
    return audited_download(
        pdf,
        "pdf",
        f"phieu-danh-gia-ho-so-{unit.code}.pdf",
        audited=("unit", unit.code),
        detail={"document": "result_slips", "dossiers": str(len(slips))},
    )


def _key() -> bytes:
    return dossier_key(current_app.secret_key)


def refusal(refused: RatingCodeError) -> str:
    """Say why no code was issued, in the official's words."""
    if isinstance(refused, NoDossierCampaign):
        return _(
            "Chưa có đợt khảo sát theo hồ sơ đang diễn ra cho đơn vị này: "
            "nhờ quản trị viên tạo đợt khảo sát trước."
        )
    if isinstance(refused, CampaignsTied):
        return _(
            "Không phát được mã đánh giá: có nhiều đợt khảo sát theo hồ sơ cùng bắt "
            "đầu một ngày cho đơn vị này."
        )
    return _("Không phát được mã đánh giá; xin thử lại.")


def _last_months(count: int) -> tuple[str, str]:
    """Return the first and last of the ``count`` months up to this one (Vietnam)."""
    last = month_key(utcnow())
    year, month = int(last[:4]), int(last[5:])
    back = year * 12 + month - 1 - (count - 1)
    return f"{back // 12:04d}-{back % 12 + 1:02d}", last
