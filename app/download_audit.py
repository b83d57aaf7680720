"""Every file a staff user takes is in the audit trail before a byte of it leaves.

Reports, responses, codes, posters and problem lists can each be traced to who
took them, when, and with which options; one function records that act for
every download (``AuditAction.EXPORT``), committed before the file is sent.
"""

from __future__ import annotations

from app.auth import current_staff
from app.db import get_session
from surveys.access.audit import AuditAction, record_event
from surveys.db import begin_writing


def record_staff_download(
    object_type: str, object_id: str, detail: dict[str, object]
) -> None:
    """Record that the logged-in staff user takes a file of this object; commit."""
    session = get_session()
    begin_writing(session)
    record_event(
        session,
        AuditAction.EXPORT,
        current_staff().id,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
    session.commit()
