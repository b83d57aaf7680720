"""The audit trail: who did what, and when, for every act that security depends on."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from surveys.models import AuditEvent, User


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
    #: A campaign's name, period, interval (or, before any response, its
    #: questionnaire and mode) changed; paused, resumed, or closed for good.
    CAMPAIGN_EDITED = "campaign_edited"
    CAMPAIGN_PAUSED = "campaign_paused"
    CAMPAIGN_RESUMED = "campaign_resumed"
    CAMPAIGN_CLOSED = "campaign_closed"
    QUESTIONNAIRE_IMPORTED = "questionnaire_imported"
    #: An admin recorded, or removed, a day the government moved.
    WORKING_DAY_SET = "working_day_set"
    WORKING_DAY_CLEARED = "working_day_cleared"
    #: A unit's cutoff and due time for counting its dossiers' deadlines.
    DOSSIER_RULES_SET = "dossier_rules_set"
    #: A dossier system's export applied to the register.
    DOSSIERS_IMPORTED = "dossiers_imported"
    #: A portal's export of feedback cases imported.
    CASES_IMPORTED = "cases_imported"
    #: A report or the responses left the system as a file.
    EXPORT = "export"
    #: An apology letter for a late dossier was drafted (numbered), or sent.
    LETTER_DRAFTED = "letter_drafted"
    LETTER_SENT = "letter_sent"
    #: A feedback case category added or changed, or taken out of use.
    CASE_CATEGORY_SAVED = "case_category_saved"
    CASE_CATEGORY_DEACTIVATED = "case_category_deactivated"
    #: A case deadline rule set (added or changed), or removed.
    CASE_RULE_SET = "case_rule_set"
    CASE_RULE_REMOVED = "case_rule_removed"
    #: A key for an outside system (Open311) was made, or revoked.
    INTEGRATION_KEY_CREATED = "integration_key_created"
    INTEGRATION_KEY_REVOKED = "integration_key_revoked"
    #: An outside system changed data with its key (``/api/v1``).
    INTEGRATION_KEY_WROTE = "integration_key_wrote"
    #: A staff user took a file a citizen attached to a feedback case.
    CASE_FILE_READ = "case_file_read"
    #: An enumerator's key was made or revoked; an assignment given or taken back.
    ENUMERATOR_CREATED = "enumerator_created"
    ENUMERATOR_REVOKED = "enumerator_revoked"
    ENUMERATOR_ASSIGNED = "enumerator_assigned"
    ENUMERATOR_UNASSIGNED = "enumerator_unassigned"
    #: A comment hidden from reports (with the reason), or shown again.
    COMMENT_HIDDEN = "comment_hidden"
    COMMENT_SHOWN = "comment_shown"
    #: A clerk keyed a paper form (one of its two entries; no answers recorded here).
    PAPER_ENTRY_RECORDED = "paper_entry_recorded"
    #: A third user settled a paper form's entries: it became a response.
    PAPER_FORM_RECONCILED = "paper_form_reconciled"
    #: A batch of paper forms handed out, its returned forms counted; one of
    #: its forms voided (``surveys.paper.batches``).
    PAPER_HANDED_OUT = "paper_handed_out"
    PAPER_RETURNED = "paper_returned"
    PAPER_FORM_VOIDED = "paper_form_voided"


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


@dataclass(frozen=True)
class AuditEntry:
    """One event as the audit page reads it, with its user's name."""

    id: int
    occurred_at: datetime
    action: AuditAction
    user_id: int | None
    #: None when no user did it: a command-line task, or a login naming nobody.
    username: str | None
    object_type: str | None
    object_id: str | None
    detail: Mapping[str, Any]

    @property
    def by_command(self) -> bool:
        """Tell whether a command-line task did it (it has no user to name).

        A failed login that named no known user has no user either; it was a
        visitor's attempt, not an administrator's command.
        """
        return self.user_id is None and self.action != AuditAction.LOGIN_FAILED


@dataclass(frozen=True)
class AuditPage:
    """A page of events, newest first, and where the pages beside it start."""

    entries: tuple[AuditEntry, ...]
    #: Pass as ``before_id`` for the older events; None on the oldest page.
    older: int | None
    #: Pass as ``after_id`` for the newer events; None on the newest page.
    newer: int | None


def audit_page(
    session: Session,
    *,
    action: AuditAction | None = None,
    user_id: int | None = None,
    before_id: int | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> AuditPage:
    """Return up to ``limit`` events before ``before_id`` or after ``after_id``.

    Pages are cut at event ids rather than counted by offset: events recorded
    while someone reads the trail do not push older ones onto the next page,
    so paging on neither repeats nor skips an event. Ids also order the events
    exactly as they were recorded, even two recorded in the same instant.
    """
    conditions: list[ColumnElement[bool]] = []
    if action is not None:
        conditions.append(AuditEvent.action == action.value)
    if user_id is not None:
        conditions.append(AuditEvent.user_id == user_id)
    query = (
        select(AuditEvent, User.username)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(*conditions)
    )
    if after_id is not None:
        # The page just above ``after_id``: its oldest events first, then turned.
        query = query.where(AuditEvent.id > after_id).order_by(AuditEvent.id)
    else:
        if before_id is not None:
            query = query.where(AuditEvent.id < before_id)
        query = query.order_by(AuditEvent.id.desc())
    rows = session.execute(query.limit(limit)).all()
    entries = sorted(
        (_entry(event, username) for event, username in rows),
        key=lambda entry: entry.id,
        reverse=True,
    )
    if not entries:
        return AuditPage((), None, None)

    def beyond(condition: ColumnElement[bool]) -> bool:
        return bool(session.scalar(select(exists().where(condition, *conditions))))

    oldest, newest = entries[-1].id, entries[0].id
    return AuditPage(
        tuple(entries),
        older=oldest if beyond(AuditEvent.id < oldest) else None,
        newer=newest if beyond(AuditEvent.id > newest) else None,
    )


def _entry(event: AuditEvent, username: str | None) -> AuditEntry:
    return AuditEntry(
        id=event.id,
        occurred_at=event.occurred_at,
        action=AuditAction(event.action),
        user_id=event.user_id,
        username=username,
        object_type=event.object_type,
        object_id=event.object_id,
        detail=dict(event.detail),
    )
