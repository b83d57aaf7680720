"""Open311 GeoReport v2 views: discovery, services, and feedback cases as requests.

Discovery and the services are open to all; reading requests needs a key that
may read and shows only the key's units; filing one needs a key that may write
(``api_key`` in the form or query, or an ``X-Api-Key`` header). Every resource
counts against a ceiling per network address, keyed ones also against their
key's own ``rate_limit``. Every refusal is an Open311 error list in the format
the path asked for. What the answers hold is built in ``surveys.cases.open311``.
"""

from __future__ import annotations

from flask import Response, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from app.api.blueprint import bp
from app.api.formats import answer, errors
from app.api.key_ceiling import KeyCeiling
from app.db import READING_METHODS, get_session
from app.errors import INVALID_CHARACTERS, PAGES
from app.i18n import _, current_language, translated
from app.public.cases import contact_retention
from app.security import (
    Ceiling,
    InvalidCharacters,
    checks_own_ceilings,
    over_ceiling,
    takes_large_uploads,
)
from surveys.cases import open311
from surveys.cases.integration_keys import note_use, use_worth_noting, verify_key
from surveys.db import begin_writing
from surveys.models import FeedbackCase, IntegrationKey

#: The format part of every resource's path.
FORMAT = "<any(json, xml):fmt>"
#: Seconds a client refused for its rate is asked to wait.
RETRY_AFTER = 60
ADDRESS_CEILING = Ceiling("OPEN311_LIMIT_ADDRESS", lambda caller: caller.address)


def _format() -> str:
    """The format the path asked for; JSON when it names none we serve."""
    fmt = (request.view_args or {}).get("fmt")
    if fmt is None and request.path.endswith(".xml"):
        fmt = "xml"
    return fmt or "json"


class _Refusal(Exception):
    """A request refused before the domain saw it: its status and why."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _refusal_answer(status: int, description: str) -> Response:
    refused = errors(_format(), status, description)
    if status == 429:
        refused.headers["Retry-After"] = str(RETRY_AFTER)
    return refused


def _too_many() -> _Refusal:
    return _Refusal(429, _("Quá nhiều yêu cầu: hãy đợi rồi gửi lại."))


@bp.before_request
def _count_address() -> None:
    """Refuse a network address that sends more than its ceiling allows."""
    if over_ceiling([ADDRESS_CEILING]):
        raise _too_many()


@bp.errorhandler(_Refusal)
def _refused_early(error: _Refusal) -> Response:
    get_session().rollback()
    return _refusal_answer(error.status, error.description)


@bp.errorhandler(open311.Open311Error)
def _refused(error: open311.Open311Error) -> Response:
    get_session().rollback()
    return _refusal_answer(error.status, translated(error.message))


@bp.errorhandler(InvalidCharacters)
def _invalid_characters(_error: InvalidCharacters) -> Response:
    # Registered for its status by the app too, which Flask would prefer to a
    # blueprint's handler of all HTTP errors.
    get_session().rollback()
    return _refusal_answer(400, str(INVALID_CHARACTERS[1]))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    get_session().rollback()
    status = error.code or 500
    if status in PAGES:
        return _refusal_answer(status, str(PAGES[status][1]))
    if status < 500:
        return _refusal_answer(status, _("Yêu cầu không hợp lệ."))
    return _refusal_answer(status, str(PAGES[500][1]))


def _key(writing: bool) -> IntegrationKey:
    """Return the request's key if it may read (or write); refuse with 403 else.

    A key within its rate is noted as used (at most every few minutes).
    """
    db = get_session()
    presented = request.values.get("api_key") or request.headers.get("X-Api-Key")
    key = verify_key(db, presented)
    if key is None:
        raise _Refusal(403, _("Khóa api_key không có, sai hoặc đã bị thu hồi."))
    if writing and not key.can_write:
        raise _Refusal(403, _("Khóa này không được phép gửi phản ánh."))
    if not writing and not key.can_read:
        raise _Refusal(403, _("Khóa này không được phép đọc phản ánh."))
    if over_ceiling([KeyCeiling(key)]):  # type: ignore[list-item]
        raise _too_many()
    if use_worth_noting(key):
        if request.method in READING_METHODS:
            begin_writing(db)
        note_use(key)
    return key


@bp.get(f"/discovery.{FORMAT}")
@checks_own_ceilings
def discovery(fmt: str) -> Response:
    """Where the endpoint is, what it speaks, and whom to ask for a key."""
    url = url_for(".discovery", fmt=fmt, _external=True).rsplit("/", 1)[0] + "/"
    document = open311.discovery(
        url,
        current_app.config["OPEN311_CONTACT"] or request.url_root,
        _("Khóa do quản lý đơn vị cấp trên trang Khóa kết nối của hailong."),
        production=not (current_app.debug or current_app.testing),
    )
    return answer(fmt, "discovery", document)


@bp.get(f"/services.{FORMAT}")
@checks_own_ceilings
def services(fmt: str) -> Response:
    """Every public case category, as a service."""
    return answer(fmt, "services", open311.services(get_session(), current_language()))


@bp.get(f"/services/<code>.{FORMAT}")
@checks_own_ceilings
def service_definition(code: str, fmt: str) -> Response:
    """A service's definition: no attributes to fill in."""
    definition = open311.service_definition(get_session(), code)
    return answer(fmt, "service_definition", definition)


def _requests_answer(fmt: str, cases: list[FeedbackCase]) -> Response:
    db = get_session()
    listed = open311.requests_list(db, cases, current_language(), translated)
    db.commit()
    return answer(fmt, "service_requests", listed)


@bp.get(f"/requests.{FORMAT}")
@checks_own_ceilings
def requests(fmt: str) -> Response:
    """The key's cases a query asks for (by ids, or by service, dates and status)."""
    key = _key(writing=False)
    query = open311.parse_query(request.args)
    return _requests_answer(fmt, open311.find_requests(get_session(), key, query))


@bp.get(f"/requests/<request_id>.{FORMAT}")
@checks_own_ceilings
def one_request(request_id: str, fmt: str) -> Response:
    """One of the key's cases, by its tracking code."""
    key = _key(writing=False)
    return _requests_answer(fmt, [open311.find_request(get_session(), key, request_id)])


@bp.post(f"/requests.{FORMAT}")
@checks_own_ceilings
@takes_large_uploads("OPEN311_MAX_CONTENT_LENGTH")
def file_request(fmt: str) -> Response:
    """File a case for the key's units; answer its tracking code."""
    key = _key(writing=True)
    db = get_session()
    case = open311.file_request(db, key, request.form, contact_retention())
    db.commit()
    return answer(fmt, "service_requests", open311.filed(case))


@bp.route("/<path:rest>", methods=["GET", "POST"])
@checks_own_ceilings
def unknown(rest: str) -> Response:
    """Anything else under the endpoint (tokens included: none are issued)."""
    return errors(_format(), 404, str(PAGES[404][1]))
