"""Importing a portal's export of feedback cases from the staff pages.

Upload (the file kept in the instance folder, the choices in the browser's
session) → the column mapping when the layout is new, remembered once
confirmed → every row checked, the problems listed by row and column → apply,
all or nothing or the good rows only → the result. Synchronous: on the
development machine checking 10,000 rows took under a second, storing 10,000
new cases 5 s on SQLite and 12 s on PostgreSQL, 3,000 about 3 s, and
re-importing known cases about a second; larger files are for ``flask cases
import``. Scoped to the importer's units; the service is
``surveys.cases.portal_import``.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from flask import current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from app.auth import current_scope, current_staff, permission_required
from app.db import get_session
from app.i18n import _, translated
from app.labels import case_channel_name
from app.security import takes_large_uploads
from app.staff.blueprint import bp
from app.staff.dossier_import import (
    ApplyForm,
    mapping_form,
    mapping_rows,
    store_upload,
)
from app.staff.forms import Required, StaffForm
from surveys.access.scope import Permission, units_in_scope
from surveys.cases.portal_columns import (
    CASE_LABELS,
    CASE_REQUIRED,
    CaseField,
    case_mapping_problems,
    confirm_case_mapping,
    propose_case_mapping,
    remembered_case_source,
)
from surveys.cases.portal_import import (
    PORTAL_CHANNELS,
    CheckedExport,
    Choices,
    ImportRefused,
    apply_export,
    check_export,
)
from surveys.dossiers.reading import UnreadableExport, inspect_export
from surveys.models import CaseCategory, CaseChannel
from surveys.translatable import Message

#: The instance folder's subfolder the uploads are kept in until imported.
UPLOADS = "case-imports"
#: The browser session's upload on its way in.
PENDING = "case_import_upload"
#: Problems listed on the page; the rest are counted.
LISTED_PROBLEMS = 200


class CaseUploadForm(StaffForm):
    file = FileField(validators=[Required()])
    channel = SelectField(choices=[], validators=[Required()])
    unit = SelectField(choices=[], validators=[Required()])
    fallback = SelectField(choices=[])


def _uploads() -> Path:
    folder = Path(current_app.instance_path) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pending_path() -> Path | None:
    upload = session.get(PENDING)
    if upload is None:
        return None
    path = _uploads() / Path(upload["file"]).name
    return path if path.exists() else None


def _forget() -> None:
    upload = session.pop(PENDING, None)
    if upload is not None:
        (_uploads() / Path(upload["file"]).name).unlink(missing_ok=True)


@bp.route("/cases/import", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
@takes_large_uploads("DOSSIER_IMPORT_MAX_BYTES")
def case_import_upload() -> ResponseReturnValue:
    """Take the export, where it comes from and the unit it is imported into."""
    db = get_session()
    units = {unit.code: unit for unit in units_in_scope(db, current_scope())}
    form = CaseUploadForm()
    form.channel.choices = [
        SelectChoice(channel.value, case_channel_name(channel))
        for channel in PORTAL_CHANNELS
    ]
    form.unit.choices = [SelectChoice(code, unit.name) for code, unit in units.items()]
    categories = db.execute(
        select(CaseCategory.code, CaseCategory.name_vi).where(CaseCategory.active)
    ).all()
    form.fallback.choices = [SelectChoice("", _("— không có: báo lỗi —"))] + [
        SelectChoice(code, name) for code, name in categories
    ]
    own = current_staff().unit
    if own is not None and not form.unit.data:
        form.unit.data = own.code
    unreadable = None
    if form.validate_on_submit():
        _forget()
        stored = store_upload(form.file.data, _uploads())
        upload = stored | {
            "unit": form.unit.data,
            "channel": form.channel.data,
            "fallback": form.fallback.data or "",
        }
        try:
            layout = inspect_export(_uploads() / stored["file"])
        except UnreadableExport as refused:
            (_uploads() / stored["file"]).unlink(missing_ok=True)
            unreadable = translated(refused.message)
        else:
            session[PENDING] = upload
            if remembered_case_source(db, layout.headers) is None:
                return redirect(url_for(".case_import_mapping"))
            return redirect(url_for(".case_import_check"))
    page = render_template(
        "staff/case_import/upload.html",
        form=form,
        unreadable=unreadable,
        limit_mb=current_app.config["DOSSIER_IMPORT_MAX_BYTES"] // (1024 * 1024),
    )
    return page, 422 if unreadable else 200


@bp.route("/cases/import/mapping", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def case_import_mapping() -> ResponseReturnValue:
    """Show the columns proposed for a new layout; remember them once confirmed."""
    path = _pending_path()
    if path is None:
        return _start_again()
    db = get_session()
    try:
        layout = inspect_export(path)
    except UnreadableExport as refused:
        _forget()
        flash(translated(refused.message))
        return redirect(url_for(".case_import_upload"))
    remembered = remembered_case_source(db, layout.headers)
    initial = remembered.mapping if remembered else propose_case_mapping(layout.headers)
    form = mapping_form(layout.headers, initial, CaseField)
    problems: list[str] = []
    if form.validate_on_submit():
        mapping = {field.value: form[field.value].data for field in CaseField}
        problems = [
            translated(problem)
            for problem in case_mapping_problems(layout.headers, mapping)
        ]
        if not problems:
            confirm_case_mapping(db, layout.headers, mapping, current_staff().id)
            db.commit()
            return redirect(url_for(".case_import_check"))
    page = render_template(
        "staff/case_import/mapping.html",
        form=form,
        rows=mapping_rows(
            layout,
            form,
            {field.value: CASE_LABELS[field] for field in CaseField},
            set(CASE_REQUIRED),
        ),
        filename=session[PENDING]["name"],
        problems=problems,
    )
    return page, 422 if problems else 200


@bp.route("/cases/import/check", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def case_import_check() -> ResponseReturnValue:
    """Read and check every row; on confirmation, store them and say what changed."""
    path = _pending_path()
    if path is None:
        return _start_again()
    db = get_session()
    upload = session[PENDING]
    layout = inspect_export(path)
    source = remembered_case_source(db, layout.headers)
    if source is None:
        return redirect(url_for(".case_import_mapping"))
    choices = _choices(upload)
    if choices is None:
        _forget()
        return _start_again()
    try:
        checked = check_export(db, path, source.mapping, choices)
    except UnreadableExport as refused:
        _forget()
        flash(translated(refused.message))
        return redirect(url_for(".case_import_upload"))
    form = ApplyForm()
    refused = None
    if form.validate_on_submit():
        try:
            result = apply_export(
                db,
                checked,
                choices,
                current_staff(),
                good_rows_only=form.mode.data == "skip",
                filename=upload["name"],
            )
        except ImportRefused as error:
            db.rollback()
            refused = translated(error.message)
        else:
            db.commit()
            _forget()
            flash(
                _(
                    "Đã nhập: %(created)s phản ánh mới, %(updated)s cập nhật,"
                    " %(answered)s ghi nhận đã trả lời, %(unchanged)s không đổi,"
                    " %(skipped)s dòng lỗi bỏ qua.",
                    **asdict(result),
                )
            )
            return redirect(url_for(".case_import_upload"))
    page = render_template(
        "staff/case_import/check.html",
        checked=checked,
        problems=_problems(checked),
        filename=upload["name"],
        form=form,
        refused=refused,
    )
    return page, 422 if refused else 200


def _choices(upload: dict[str, str]) -> Choices | None:
    """Return the import's choices, or None when the unit left the user's scope."""
    db = get_session()
    units = {unit.code: unit for unit in units_in_scope(db, current_scope())}
    unit = units.get(upload["unit"])
    if unit is None:
        return None
    fallback = None
    if upload["fallback"]:
        fallback = db.scalar(
            select(CaseCategory.id).where(CaseCategory.code == upload["fallback"])
        )
    return Choices(
        CaseChannel(upload["channel"]),
        frozenset(one.id for one in units.values()),
        unit.id,
        fallback,
    )


def _problems(checked: CheckedExport) -> list[tuple[int, str, str]]:
    """The first problems as the page lists them: row, column, reason."""
    return [
        (
            problem.line,
            translated(Message(problem.column)) if problem.column else "",
            translated(problem.message),
        )
        for problem in checked.problems[:LISTED_PROBLEMS]
    ]


def _start_again() -> ResponseReturnValue:
    session.pop(PENDING, None)
    flash(_("Không còn tệp nào chờ nhập: hãy tải tệp lên."))
    return redirect(url_for(".case_import_upload"))
