"""Who calls ``/api/v1``: an integration key sent as ``Authorization: Bearer``.

Checked before every view but the document and its page: a key that is missing,
unknown, revoked or expired is a 401; one that may not read (or write) what the
method asks is a 403; past its own ``rate_limit`` or its address's ceiling a
429. The key then reads through the staff pages' ``Scope`` of its unit
(``current_scope``), and every request that writes is audited.
"""

from __future__ import annotations

from flask import g, request

from app.api.key_ceiling import KeyCeiling
from app.api.v1.blueprint import OPERATIONS, bp
from app.api.v1.problems import Problem
from app.db import READING_METHODS, get_session
from app.security import Ceiling, over_ceiling
from surveys.access.scope import Scope
from surveys.cases.integration_keys import (
    key_scope,
    note_use,
    record_write,
    use_worth_noting,
    verify_key,
)
from surveys.db import begin_writing
from surveys.models import IntegrationKey

ADDRESS_CEILING = Ceiling("API_LIMIT_ADDRESS", lambda caller: caller.address)


def _presented() -> str | None:
    """The key in ``Authorization: Bearer <key>``, or None."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


@bp.before_request
def _check_key() -> None:
    """Refuse a request without a live key allowed to do what it asks."""
    if over_ceiling([ADDRESS_CEILING]):
        raise Problem("too-many-requests")
    described = OPERATIONS.get(request.endpoint or "")
    if described is not None and described.public:
        return
    db = get_session()
    key = verify_key(db, _presented())
    if key is None:
        raise Problem("no-key")
    writing = request.method not in READING_METHODS
    if not (key.can_write if writing else key.can_read):
        raise Problem("not-allowed")
    if over_ceiling([KeyCeiling(key)]):  # type: ignore[list-item]
        raise Problem("too-many-requests")
    if use_worth_noting(key):
        if not writing:
            begin_writing(db)
        note_use(key)
        # Kept even when the view refuses what was asked: the key was used.
        db.commit()
    if writing:
        # Kept with what the view changes, when it commits.
        record_write(db, key, f"{request.method} {request.url_rule}", request.path)
    g.api_key = key


def current_key() -> IntegrationKey:
    """Return the key of this request (checked before the view)."""
    return g.api_key


def current_scope() -> Scope:
    """Return what this request's key reaches: its unit and the units below."""
    return key_scope(current_key())
