"""Importing a provincial dossier export from the staff pages (unit managers and up).

Upload (the file goes to the instance folder) → the column mapping, proposed or
remembered for the export's layout → the reading, in a thread of this process
with its own session, whose progress the page polls (``status.json``) →
the problems and what applying would do → confirm, all or nothing or the good
rows only → the result. The service is ``surveys.dossiers.importing``.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import io
import threading
import time
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.file import FileField
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from app.auth import current_scope, current_staff, now, permission_required
from app.db import get_session, session_factory
from app.download_audit import record_staff_download
from app.formatting import format_number
from app.i18n import _, lazy_gettext, ngettext, translated
from app.security import takes_large_uploads
from app.spreadsheets import neutralised
from app.staff.blueprint import bp
from app.staff.dossier_ratings import refusal
from app.staff.forms import ConfirmForm, Required, StaffForm
from app.staff.manage import found_in_scope
from surveys.access.privacy import dossier_key
from surveys.access.scope import Permission, get_in_scope, units_in_scope
from surveys.db import begin_writing
from surveys.dossiers.columns import (
    LABELS,
    PROCEDURE,
    REQUIRED,
    Field,
    confirm_mapping,
    mapping_problems,
    propose_mapping,
    remembered_source,
)
from surveys.dossiers.importing import (
    PROBLEMS_PAGE,
    ImportRefused,
    all_problems,
    apply_import,
    cancel_import,
    discard_staged_rows,
    earlier_import,
    end_stale_imports,
    files_in_use,
    problems_page,
    read_import,
    recent_imports,
    stale_imports,
    start_import,
)
from surveys.dossiers.rating_codes import RatingCodeError, issue_imported_codes
from surveys.dossiers.reading import CHUNK, Layout, UnreadableExport, inspect_export
from surveys.dossiers.sample_export import SAMPLE_FILES
from surveys.local_time import local_date
from surveys.models import DossierImport, ImportSource, ImportStatus, Unit, utcnow
from surveys.translatable import Message

#: The instance folder's subfolder the uploads are kept in until imported.
UPLOADS = "dossier-imports"
#: The browser session's upload waiting for its column mapping.
PENDING = "dossier_import_upload"
#: An upload never confirmed is deleted after this long (seconds).
UPLOAD_KEPT = 24 * 3600


class DossierUploadForm(StaffForm):
    file = FileField(validators=[Required()])
    unit = SelectField(choices=[], validators=[Required()])


class ApplyForm(StaffForm):
    mode = RadioField(
        choices=[
            SelectChoice(
                "all",
                lazy_gettext("Tất cả hoặc không: chỉ nhập khi mọi dòng đều hợp lệ"),
            ),
            SelectChoice(
                "skip", lazy_gettext("Nhập các dòng hợp lệ, bỏ qua các dòng lỗi")
            ),
        ],
        default="all",
    )


def _mapping_form(headers: tuple[str, ...], initial: dict[str, str]) -> StaffForm:
    """Build the form of one select per dossier field, offering the file's headers."""
    return mapping_form(headers, initial, Field)


def mapping_form(
    headers: tuple[str, ...], initial: dict[str, str], fields: Iterable[enum.StrEnum]
) -> StaffForm:
    """Build the form of one select per field, offering the file's headers."""
    choices = [SelectChoice("", str(_("— không có —")))] + [
        SelectChoice(header, header) for header in dict.fromkeys(headers)
    ]

    class MappingForm(StaffForm):
        pass

    for field in fields:
        setattr(
            MappingForm,
            field.value,
            SelectField(choices=choices, default=initial.get(field, "")),
        )
    return MappingForm()


def _uploads() -> Path:
    folder = Path(current_app.instance_path) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _store(upload: FileStorage) -> dict[str, str]:
    """Keep an upload in the instance folder until it is imported."""
    return store_upload(upload, _uploads())


def store_upload(upload: FileStorage, folder: Path) -> dict[str, str]:
    """Copy an upload into ``folder`` a megabyte at a time, under a random name;
    hash it."""
    name = f"{uuid.uuid4().hex}{Path(upload.filename or '').suffix.lower()[:8]}"
    digest = hashlib.sha256()
    with (folder / name).open("wb") as stored:
        while chunk := upload.stream.read(CHUNK):
            digest.update(chunk)
            stored.write(chunk)
    return {
        "file": name,
        "name": Path(upload.filename or "").name or name,
        "checksum": digest.hexdigest(),
    }


def _forget_file(name: str | None) -> None:
    if name:
        (_uploads() / Path(name).name).unlink(missing_ok=True)


def _remove_stale_uploads(db: Session) -> None:
    """Delete uploads left unconfirmed for a day (not those of a running import)."""
    kept = files_in_use(db)
    cutoff = time.time() - UPLOAD_KEPT
    for path in _uploads().iterdir():
        if path.name not in kept and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _sweep_stale(db: Session) -> None:
    """End the imports left behind (a restart, never confirmed); drop their files."""
    now = utcnow()
    if not stale_imports(db, now):
        return
    begin_writing(db)
    for dossier_import in end_stale_imports(db, now):
        _forget_file(dossier_import.stored_file)
        dossier_import.stored_file = None
    db.commit()


@bp.route("/dossiers/import", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
@takes_large_uploads("DOSSIER_IMPORT_MAX_BYTES")
def dossier_import_upload() -> ResponseReturnValue:
    db = get_session()
    units = {unit.code: unit for unit in units_in_scope(db, current_scope())}
    form = DossierUploadForm()
    form.unit.choices = [SelectChoice(code, unit.name) for code, unit in units.items()]
    own = current_staff().unit
    if own is not None and not form.unit.data:
        form.unit.data = own.code
    unreadable = None
    if form.validate_on_submit():
        unit = units[form.unit.data]
        upload = _store(form.file.data) | {"unit": unit.code}
        earlier = earlier_import(db, unit, upload["checksum"])
        if earlier is not None:
            _forget_file(upload["file"])
            flash(
                _(
                    "Tệp này đã được nhập vào %(unit)s (lần nhập số %(number)s);"
                    " không có gì thay đổi.",
                    unit=unit.name,
                    number=earlier.id,
                )
            )
            return redirect(url_for(".dossier_import_view", import_id=earlier.id))
        try:
            layout = inspect_export(_uploads() / upload["file"])
        except UnreadableExport as refused:
            _forget_file(upload["file"])
            unreadable = translated(refused.message)
        else:
            source = remembered_source(db, layout.headers)
            if source is None:
                session[PENDING] = upload
                return redirect(url_for(".dossier_import_mapping"))
            return _start(db, unit, source, upload)
    else:
        _sweep_stale(db)
        _remove_stale_uploads(db)
    page = render_template(
        "staff/dossier_import/upload.html",
        form=form,
        unreadable=unreadable,
        imports=recent_imports(db, current_scope()),
        units={unit.id: unit for unit in units.values()},
        limit_mb=current_app.config["DOSSIER_IMPORT_MAX_BYTES"] // (1024 * 1024),
    )
    return page, 422 if unreadable else 200


@bp.route("/dossiers/import/mapping", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def dossier_import_mapping() -> ResponseReturnValue:
    """Show the columns proposed for a new layout; start the reading once confirmed."""
    upload = session.get(PENDING)
    path = _uploads() / Path(upload["file"]).name if upload else None
    if upload is None or path is None or not path.exists():
        session.pop(PENDING, None)
        flash(_("Không còn tệp nào chờ ghép cột: hãy tải tệp lên."))
        return redirect(url_for(".dossier_import_upload"))
    db = get_session()
    unit = get_in_scope(db, current_scope(), Unit, upload["unit"])
    if unit is None:
        abort(404)
    try:
        layout = inspect_export(path)
    except UnreadableExport as refused:
        _forget_file(path.name)
        session.pop(PENDING, None)
        flash(translated(refused.message))
        return redirect(url_for(".dossier_import_upload"))
    remembered = remembered_source(db, layout.headers)
    initial = remembered.mapping if remembered else propose_mapping(layout.headers)
    form = _mapping_form(layout.headers, upload.get("mapping") or initial)
    problems: list[str] = []
    if form.validate_on_submit():
        mapping = {field.value: form[field.value].data for field in Field}
        problems = [translated(p) for p in mapping_problems(layout.headers, mapping)]
        if not problems:
            source = confirm_mapping(db, layout.headers, mapping, current_staff().id)
            return _start(db, unit, source, upload)
    page = render_template(
        "staff/dossier_import/mapping.html",
        form=form,
        layout=layout,
        rows=mapping_rows(
            layout,
            form,
            {field.value: LABELS[field] for field in Field},
            {*REQUIRED, *PROCEDURE},
        ),
        filename=upload["name"],
        unit=unit,
        problems=problems,
    )
    return page, 422 if problems else 200


def mapping_rows(
    layout: Layout,
    form: StaffForm,
    labels: Mapping[str, str],
    required: Collection[str],
) -> list[dict[str, Any]]:
    """Each field's row of a mapping page: its name, select and first values.

    ``labels`` maps each field (in the page's order) to its msgid; a header
    found twice shows the first column's values, as the import reads it.
    """
    index = {
        header: number for number, header in reversed(list(enumerate(layout.headers)))
    }
    rows = []
    for field, label in labels.items():
        column = index.get(form[field].data)
        rows.append(
            {
                "label": translated(Message(label)),
                "select": form[field],
                "required": field in required,
                "samples": [
                    sample[column]
                    for sample in layout.samples
                    if column is not None and column < len(sample) and sample[column]
                ],
            }
        )
    return rows


def _start(
    db: Session, unit: Unit, source: ImportSource, upload: dict[str, str]
) -> Response:
    """Record the import, start reading it, and go to its page."""
    try:
        dossier_import = start_import(
            db,
            unit=unit,
            user_id=current_staff().id,
            source=source,
            filename=upload["name"],
            checksum=upload["checksum"],
            stored_file=upload["file"],
        )
    except ImportRefused as refused:
        db.rollback()
        flash(translated(refused.message))
        return redirect(url_for(".dossier_import_mapping"))
    db.commit()
    session.pop(PENDING, None)
    _read(dossier_import.id)
    return redirect(url_for(".dossier_import_view", import_id=dossier_import.id))


def _read(import_id: int) -> None:
    """Read the import in a thread of this process, or in this request (tests)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["DOSSIER_IMPORT_IN_BACKGROUND"]:
        _read_with(get_session(), import_id)
        return
    thread = threading.Thread(
        target=_read_job, args=(app, import_id), name=f"dossier-import-{import_id}"
    )
    thread.daemon = True  # a shutdown cuts it off; the import is then failed
    thread.start()


def _read_job(app: Flask, import_id: int) -> None:
    with app.app_context(), session_factory()() as db:
        _read_with(db, import_id)


def _read_with(db: Session, import_id: int) -> None:
    dossier_import = db.get(DossierImport, import_id)
    assert dossier_import is not None and dossier_import.stored_file is not None
    try:
        read = read_import(db, dossier_import, _uploads() / dossier_import.stored_file)
    except Exception:
        current_app.logger.exception("reading dossier import %s failed", import_id)
        read = db.get(DossierImport, import_id, populate_existing=True)
    if read is not None and read.status == ImportStatus.FAILED:
        _forget_file(read.stored_file)
        read.stored_file = None
        db.commit()


@bp.get("/dossiers/imports/<int:import_id>")
@permission_required(Permission.MANAGE)
def dossier_import_view(import_id: int) -> ResponseReturnValue:
    db = get_session()
    dossier_import = found_in_scope(DossierImport, import_id)
    if dossier_import.status in (ImportStatus.READING, ImportStatus.CHECKED):
        _sweep_stale(db)
        db.refresh(dossier_import)
    page = max(request.args.get("page", 1, type=int), 1)
    problems, total = problems_page(db, dossier_import, page)
    mapping = dossier_import.mapping or {}
    return render_template(
        "staff/dossier_import/import.html",
        imp=dossier_import,
        progress=_progress(dossier_import),
        problems=problems,
        total=total,
        page=page,
        pages=max((total + PROBLEMS_PAGE - 1) // PROBLEMS_PAGE, 1),
        mapping=[
            (translated(Message(LABELS[field])), mapping[field])
            for field in Field
            if mapping.get(field)
        ],
        unit=db.get(Unit, dossier_import.unit_id) if dossier_import.unit_id else None,
        apply_form=ApplyForm(),
        confirm=ConfirmForm(),
    )


def _progress(dossier_import: DossierImport) -> dict[str, Any]:
    """The reading's progress, as the page and its script show it."""
    total = dossier_import.rows_total
    read = dossier_import.rows_read
    if dossier_import.status != ImportStatus.READING:
        percent = 100
    elif total:
        percent = min(99, 100 * read // total)
    else:
        percent = 0
    counted = (
        _(
            "Đã đọc %(read)s trên khoảng %(total)s dòng; %(bad)s dòng có lỗi.",
            read=format_number(read),
            total=format_number(total),
            bad=format_number(dossier_import.rows_bad),
        )
        if total
        else _(
            "Đã đọc %(read)s dòng; %(bad)s dòng có lỗi.",
            read=format_number(read),
            bad=format_number(dossier_import.rows_bad),
        )
    )
    return {"status": dossier_import.status, "percent": percent, "text": counted}


@bp.get("/dossiers/imports/<int:import_id>/status.json")
@permission_required(Permission.MANAGE)
def dossier_import_status(import_id: int) -> ResponseReturnValue:
    """Tell the import page's script how far the reading has got."""
    dossier_import = found_in_scope(DossierImport, import_id)
    if dossier_import.status == ImportStatus.READING:
        _sweep_stale(get_session())
        get_session().refresh(dossier_import)
    return jsonify(_progress(dossier_import))


@bp.post("/dossiers/imports/<int:import_id>/apply")
@permission_required(Permission.MANAGE)
def dossier_import_apply(import_id: int) -> ResponseReturnValue:
    db = get_session()
    dossier_import = found_in_scope(DossierImport, import_id)
    form = ApplyForm()
    back = redirect(url_for(".dossier_import_view", import_id=import_id))
    if not form.validate_on_submit():
        flash(_("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."))
        return back
    try:
        apply_import(
            db,
            dossier_import,
            skip_bad_rows=form.mode.data == "skip",
            user_id=current_staff().id,
        )
    except ImportRefused as refused:
        db.rollback()
        flash(translated(refused.message))
        return back
    db.commit()
    _end(db, dossier_import)
    flash(_("Đã nhập xong hồ sơ."))
    try:
        issued = issue_imported_codes(
            db, dossier_key(current_app.secret_key), dossier_import, local_date(now())
        )
    except RatingCodeError as error:
        db.rollback()
        flash(refusal(error))
        return back
    db.commit()
    if issued.issued:
        flash(
            ngettext(
                "Đã phát mã đánh giá cho %(num)d hồ sơ.",
                "Đã phát mã đánh giá cho %(num)d hồ sơ.",
                issued.issued,
            )
        )
    return back


def _end(db: Session, dossier_import: DossierImport) -> None:
    """Drop an ended import's staged rows and uploaded file (personal data)."""
    discard_staged_rows(db, dossier_import.id)
    _forget_file(dossier_import.stored_file)
    dossier_import.stored_file = None
    db.commit()


@bp.post("/dossiers/imports/<int:import_id>/cancel")
@permission_required(Permission.MANAGE)
def dossier_import_cancel(import_id: int) -> ResponseReturnValue:
    db = get_session()
    dossier_import = found_in_scope(DossierImport, import_id)
    if ConfirmForm().validate_on_submit() and cancel_import(db, dossier_import):
        db.commit()
        _end(db, dossier_import)
        flash(_("Đã hủy lần nhập; không có gì thay đổi."))
        return redirect(url_for(".dossier_import_upload"))
    db.rollback()
    flash(_("Lần nhập này không còn hủy được."))
    return redirect(url_for(".dossier_import_view", import_id=import_id))


@bp.post("/dossiers/imports/<int:import_id>/mapping")
@permission_required(Permission.MANAGE)
def dossier_import_remap(import_id: int) -> ResponseReturnValue:
    """Cancel a reading to choose its columns again, keeping the uploaded file."""
    db = get_session()
    dossier_import = found_in_scope(DossierImport, import_id)
    stored = dossier_import.stored_file
    if (
        not ConfirmForm().validate_on_submit()
        or stored is None
        or not cancel_import(db, dossier_import)
    ):
        db.rollback()
        flash(_("Lần nhập này không còn đổi cách ghép cột được."))
        return redirect(url_for(".dossier_import_view", import_id=import_id))
    unit = db.get(Unit, dossier_import.unit_id) if dossier_import.unit_id else None
    dossier_import.stored_file = None
    db.commit()
    session[PENDING] = {
        "file": stored,
        "name": dossier_import.filename,
        "checksum": dossier_import.checksum,
        "unit": unit.code if unit else "",
        "mapping": dossier_import.mapping or {},
    }
    return redirect(url_for(".dossier_import_mapping"))


@bp.get("/dossiers/imports/<int:import_id>/problems.csv")
@permission_required(Permission.MANAGE)
def dossier_import_problems(import_id: int) -> ResponseReturnValue:
    """Send every problem of an import as a CSV, recording the export."""
    db = get_session()
    dossier_import = found_in_scope(DossierImport, import_id)
    record_staff_download(
        "dossier_import", str(import_id), {"document": "problems", "format": "csv"}
    )
    header = [_("Dòng"), _("Cột"), _("Lỗi")]

    def lines() -> Iterator[str]:
        # With a byte order mark, so that Excel reads the diacritics.
        buffer = io.StringIO("\ufeff")
        buffer.seek(0, io.SEEK_END)
        writer = csv.writer(buffer)
        writer.writerow(header)
        for problem in all_problems(db, dossier_import):
            cells = [problem.line or "", problem.column, translated(problem.message)]
            writer.writerow([neutralised(cell) for cell in cells])
            if buffer.tell() > CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": (
                f'attachment; filename="loi-nhap-ho-so-{import_id}.csv"'
            )
        },
    )


@bp.get("/dossiers/import/sample.xlsx")
@permission_required(Permission.MANAGE)
def dossier_import_sample_xlsx() -> ResponseReturnValue:
    """Send the sample export as a workbook, to show the format ("Tải file mẫu")."""
    return _sample("xlsx")


@bp.get("/dossiers/import/sample.csv")
@permission_required(Permission.MANAGE)
def dossier_import_sample_csv() -> ResponseReturnValue:
    """Send the sample export as a CSV, to show the format."""
    return _sample("csv")


#: The sample's media types.
SAMPLE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _sample(kind: str) -> Response:
    """Send a sample file (some 100 KB: read whole, no file left open)."""
    path = SAMPLE_FILES[kind]
    return Response(
        path.read_bytes(),
        mimetype=SAMPLE_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{path.name}"'},
    )
