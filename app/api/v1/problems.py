"""Refusals as RFC 9457 (formerly 7807) problem details, in the caller's language.

Every error under ``/api/v1`` is ``application/problem+json`` with ``type``,
``title``, ``status`` and ``detail``; ``title`` and ``detail`` follow
``Accept-Language`` through the app's catalogues like every page. ``type`` names
the kind of problem and is the anchor of its explanation on the docs page, so a
client can branch on it whatever the language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, request, url_for
from flask_babel import LazyString
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from app.api.v1.blueprint import bp
from app.db import get_session
from app.errors import INVALID_CHARACTERS, PAGES
from app.i18n import current_language, lazy_gettext
from app.security import InvalidCharacters

PROBLEM_TYPE = "application/problem+json"
#: Seconds a client refused for its rate is asked to wait.
RETRY_AFTER = 60


@dataclass(frozen=True)
class Kind:
    """A kind of problem: its status, its short title and its explanation."""

    slug: str
    status: int
    title: LazyString
    detail: LazyString


#: Every kind of problem the API answers, listed on the docs page.
KINDS = {
    kind.slug: kind
    for kind in (
        Kind(
            "no-key",
            401,
            lazy_gettext("Chưa xác thực"),
            lazy_gettext(
                "Thiếu khóa, khóa sai, đã bị thu hồi hoặc đã hết hạn. Gửi khóa "
                "trong tiêu đề Authorization: Bearer."
            ),
        ),
        Kind(
            "not-allowed",
            403,
            lazy_gettext("Không được phép"),
            lazy_gettext("Khóa này không có quyền thực hiện thao tác này."),
        ),
        Kind("not-found", 404, PAGES[404][0], PAGES[404][1]),
        Kind(
            "bad-request",
            400,
            lazy_gettext("Yêu cầu không hợp lệ"),
            lazy_gettext("Tham số không hợp lệ: %(names)s."),
        ),
        Kind("invalid-characters", 400, *INVALID_CHARACTERS),
        Kind(
            "method-not-allowed",
            405,
            lazy_gettext("Phương thức không được hỗ trợ"),
            lazy_gettext("Địa chỉ này không nhận phương thức HTTP này."),
        ),
        Kind("too-large", 413, PAGES[413][0], PAGES[413][1]),
        Kind(
            "too-many-requests",
            429,
            PAGES[429][0],
            lazy_gettext("Quá nhiều yêu cầu: hãy đợi rồi gửi lại."),
        ),
        Kind(
            "submission-conflict",
            409,
            lazy_gettext("Trùng mã gửi"),
            lazy_gettext(
                "Mã gửi (submission_id) này đã được dùng cho một phiếu có câu trả "
                "lời khác."
            ),
        ),
        Kind(
            "code-unavailable",
            422,
            lazy_gettext("Mã khảo sát không dùng được"),
            lazy_gettext("Mã khảo sát không nhận phiếu: %(state)s."),
        ),
        Kind(
            "invalid-answers",
            422,
            lazy_gettext("Câu trả lời không hợp lệ"),
            lazy_gettext(
                "Một số câu trả lời không hợp lệ: xem invalid_params, mỗi câu "
                "một lý do."
            ),
        ),
        Kind("server-error", 500, PAGES[500][0], PAGES[500][1]),
        Kind("unavailable", 503, PAGES[503][0], PAGES[503][1]),
    )
}
#: The kind of an HTTP error the views did not raise themselves, by status.
BY_STATUS = {kind.status: kind for kind in reversed(KINDS.values())}


@dataclass
class Problem(Exception):
    """A refusal: raise it in a view of ``bp`` to answer a problem document."""

    slug: str
    #: Values of the detail's placeholders.
    values: dict[str, Any] = field(default_factory=dict)
    #: Members added to the document (``invalid_params``).
    extra: dict[str, Any] = field(default_factory=dict)


def bad_parameter(name: str, reason: str) -> Problem:
    """Return the 400 that names one bad parameter (or member) and why."""
    return Problem(
        "bad-request",
        {"names": name},
        {"invalid_params": [{"name": name, "reason": reason}]},
    )


def problem_response(problem: Problem) -> Response:
    """Return ``problem`` as a problem document in the request's language."""
    kind = KINDS[problem.slug]
    detail = str(kind.detail) % problem.values if problem.values else str(kind.detail)
    body = {
        "type": url_for("api_v1.docs", _anchor=f"problem-{kind.slug}"),
        "title": str(kind.title),
        "status": kind.status,
        "detail": detail,
        **problem.extra,
    }
    answer = Response(
        json.dumps(body, ensure_ascii=False),
        kind.status,
        content_type=f"{PROBLEM_TYPE}; charset=utf-8",
    )
    if kind.status == 401:
        answer.headers["WWW-Authenticate"] = 'Bearer realm="hailong"'
    if kind.status in (429, 503):
        answer.headers["Retry-After"] = str(RETRY_AFTER)
    answer.headers["Content-Language"] = current_language()
    return answer


@bp.errorhandler(Problem)
def _refused(problem: Problem) -> Response:
    get_session().rollback()
    return problem_response(problem)


@bp.errorhandler(InvalidCharacters)
def _invalid_characters(_error: InvalidCharacters) -> Response:
    get_session().rollback()
    return problem_response(Problem("invalid-characters"))


# The app's handlers of these are registered for their status or class, which
# Flask prefers to a blueprint's handler of every HTTP error: named here too.
@bp.errorhandler(InternalServerError)
def _server_error(_error: InternalServerError) -> Response:
    get_session().rollback()
    return problem_response(Problem("server-error"))


@bp.errorhandler(OperationalError)
@bp.errorhandler(PoolTimeout)
def _database_unavailable(error: OperationalError | PoolTimeout) -> Response:
    current_app.logger.error("database unavailable: %s", getattr(error, "orig", error))
    get_session().rollback()
    return problem_response(Problem("unavailable"))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    get_session().rollback()
    status = error.code or 500
    kind = BY_STATUS.get(status) or BY_STATUS[400 if status < 500 else 500]
    if kind.slug == "bad-request":
        return problem_response(Problem("bad-request", {"names": "—"}))
    return problem_response(Problem(kind.slug))


#: The methods the API's routes may answer (besides HEAD and OPTIONS).
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@bp.route("/<path:rest>", methods=list(METHODS))
def unknown(rest: str) -> Response:
    """Anything else under ``/api/v1``: a problem document, not an HTML page.

    A 405 naming the methods allowed when the path is a route's with another
    method (this route would otherwise take it for an unknown path), else 404.
    """
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in METHODS:
        try:
            endpoint, _values = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != request.endpoint:
            allowed.append(method)
    if not allowed:
        raise Problem("not-found")
    answer = problem_response(Problem("method-not-allowed"))
    answer.headers["Allow"] = ", ".join(allowed)
    return answer
