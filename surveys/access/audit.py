"""The audit trail: who did what, and when, for every act that security depends on."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from surveys.models import AuditEvent


class AuditAction(enum.StrEnum):
    """What was done; the event's object and detail say to what, and how."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"
    CODES_ISSUED = "codes_issued"
    CODE_REVOKED = "code_revoked"
    USER_CREATED = "user_created"
    USER_DEACTIVATED = "user_deactivated"
    PASSWORD_RESET = "password_reset"
    #: An admin cleared the failed-login delays of a user's account.
    LOGINS_UNLOCKED = "logins_unlocked"
    OFFICIALS_IMPORTED = "officials_imported"
    UNIT_CREATED = "unit_created"
    COUNTER_CREATED = "counter_created"
    COUNTER_RENAMED = "counter_renamed"
    COUNTER_DEACTIVATED = "counter_deactivated"
    #: Who serves at a counter changed (the officials citizens may rate there).
    COUNTER_OFFICIALS_SET = "counter_officials_set"
    OFFICIAL_CREATED = "official_created"
    OFFICIAL_DEACTIVATED = "official_deactivated"
    CAMPAIGN_CREATED = "campaign_created"
    QUESTIONNAIRE_IMPORTED = "questionnaire_imported"
    #: A report or the responses left the system as a file.
    EXPORT = "export"


def record_event(
    session: Session,
    action: AuditAction,
    user_id: int | None,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit keeps it."""
    event = AuditEvent(
        user_id=user_id,
        action=action.value,
        object_type=object_type,
        object_id=object_id,
        detail=dict(detail or {}),
    )
    session.add(event)
    session.flush()
    return event
