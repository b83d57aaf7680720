"""The files citizens attached to feedback cases, for the staff of the case's unit.

Only here do the files leave the instance folder: a case of another unit is a
404 like a missing one, every download is audited, and the file is always sent
as a download (``Content-Disposition: attachment``) with ``nosniff``, so a
browser never renders what a citizen sent as a page of this site.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import abort, current_app, send_file
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth import current_scope, current_staff
from app.db import get_session
from app.staff.blueprint import bp
from app.staff.manage import found_in_scope
from surveys.access.audit import AuditAction, record_event
from surveys.cases.attachments import FOLDER, stored_path
from surveys.cases.contacts import contact_of
from surveys.db import begin_writing
from surveys.models import CaseAttachment, CaseContact, FeedbackCase

#: What each kind is sent as, and its file name's ending; the kind was decided
#: by the file's bytes, so the name it came with keeps only its stem.
MIMETYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
}
ENDINGS = {"jpeg": "jpg", "png": "png", "webp": "webp", "pdf": "pdf"}


@bp.context_processor
def _case_partials() -> dict[str, object]:
    """Give the case page's partials (``_files.html``, ``_contact.html``) their data."""
    return {"case_attachments": case_attachments, "case_contact": case_contact}


def case_attachments(case: FeedbackCase) -> list[CaseAttachment]:
    """Return a case's files, oldest first (the case is in the user's scope)."""
    return list(
        get_session().scalars(
            select(CaseAttachment)
            .where(CaseAttachment.case_id == case.id)
            .order_by(CaseAttachment.id)
        )
    )


def case_contact(case: FeedbackCase) -> CaseContact | None:
    """Return the citizen's contact if the user manages the case's unit, else None."""
    return contact_of(get_session(), current_scope(), case)


@bp.get("/cases/<int:case_id>/files/<int:attachment_id>")
def case_file(case_id: int, attachment_id: int) -> Response:
    """Send one attachment of a case in the user's scope, recording who took it."""
    case = found_in_scope(FeedbackCase, case_id)
    session = get_session()
    attachment = session.get(CaseAttachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        abort(404)
    path = stored_path(Path(current_app.instance_path) / FOLDER, attachment)
    if not path.is_file():
        abort(404)
    stem = Path(attachment.original_name).stem or case.tracking_code
    begin_writing(session)
    record_event(
        session,
        AuditAction.CASE_FILE_READ,
        current_staff().id,
        object_type="feedback_case",
        object_id=case.tracking_code,
        detail={"attachment": str(attachment.id), "kind": attachment.kind},
    )
    session.commit()
    # A few megabytes at most: read whole, so no file stays open with the answer.
    answer = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=MIMETYPES[attachment.kind],
        as_attachment=True,
        download_name=f"{stem}.{ENDINGS[attachment.kind]}",
        max_age=0,
    )
    answer.headers["X-Content-Type-Options"] = "nosniff"
    answer.headers["Cache-Control"] = "private, no-store"
    return answer
