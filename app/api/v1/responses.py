"""Responses at ``/api/v1``: listed with filters, read one by one, and sent.

What is read is anonymised as every export is (``surveys.exchange.
response_listing``). What is sent goes through an access code exactly as the
survey page's send does (``surveys.storage.recording``): checked by the same
engine, stored once per ``submission_id``, the code's campaign mode recorded as
the channel. The send is audited with the key's other writes (``access``).
"""

from __future__ import annotations

from datetime import date

from flask import Response, request
from flask_babel import LazyString
from sqlalchemy.orm import Session

from app.api.v1.access import current_key, current_scope
from app.api.v1.answers import answer, body_of, query_of
from app.api.v1.blueprint import bp, operation
from app.api.v1.problems import Problem, bad_parameter
from app.api.v1.resources import found_in_scope
from app.api.v1.shapes import (
    ResponseOut,
    ResponsePage,
    ResponsesQuery,
    SubmissionIn,
)
from app.db import get_session
from app.i18n import lazy_gettext, translated
from surveys.access.code_state import (
    CodeState,
    CodeUnavailable,
    OpenedCode,
    load_code,
)
from surveys.access.scope import get_in_scope
from surveys.cases.integration_keys import record_export
from surveys.db import begin_writing
from surveys.exchange.listings import campaign_covering
from surveys.exchange.pages import BadCursor
from surveys.exchange.response_listing import (
    ResponseFilter,
    read_responses,
    response_campaign,
    responses_page,
)
from surveys.models import Campaign, ServicePoint, Unit, utcnow
from surveys.questionnaire import InvalidAnswers
from surveys.storage.periods import days_bounds
from surveys.storage.recording import (
    Recorded,
    StaleChoice,
    Submission,
    SubmissionConflict,
    TooSoon,
    record_through,
)
from surveys.units.tree import subtree_ids

#: Why a code takes no response, in the words of the survey page's titles.
CODE_STATES: dict[CodeState, LazyString] = {
    CodeState.EXPIRED: lazy_gettext("Mã đánh giá đã hết hạn"),
    CodeState.REVOKED: lazy_gettext("Mã đánh giá đã bị thu hồi"),
    CodeState.USED: lazy_gettext("Mã đánh giá đã được sử dụng"),
    CodeState.PAUSED: lazy_gettext("Khảo sát đang tạm dừng"),
    CodeState.CLOSED: lazy_gettext("Đợt khảo sát không diễn ra"),
}
#: The days a range open at one end is closed at, for the database; days
#: further out are taken as these (instants past them overflow).
EARLIEST, LATEST = date(2000, 1, 1), date(9000, 12, 31)


def _campaign(key: str) -> Campaign:
    """Return the campaign held at the key's unit, above or below it, or 404."""
    found = campaign_covering(get_session(), current_key().unit, key)
    if found is None:
        raise Problem("not-found")
    return found


def _filter(query: ResponsesQuery) -> ResponseFilter:
    """Read the query's filters; a unit or counter out of the key's scope is a 404."""
    session = get_session()
    root = found_in_scope(Unit, query.unit) if query.unit else current_key().unit
    point = found_in_scope(ServicePoint, query.counter) if query.counter else None
    first, last = query.submitted_from, query.submitted_to
    if first and last and last < first:
        raise bad_parameter("submitted_to", "before_from")
    between = None
    if first or last:
        # Empty when one end lies past the other's clamp: nothing was sent then.
        between = days_bounds(
            max(first or EARLIEST, EARLIEST), min(last or LATEST, LATEST)
        )
    return ResponseFilter(
        unit_ids=list(session.scalars(subtree_ids(root.id))),
        between=between,
        service_point_id=point.id if point else None,
        channel=query.channel,
        version=query.version,
        include_excluded=query.include_excluded,
    )


@bp.get("/responses")
@operation("responses", query=ResponsesQuery, response=ResponsePage)
def responses() -> Response:
    """List a campaign's responses of the key's units, with filters, page by page.

    Anonymised as the CSV export is. Pages follow the responses' order; each
    walks a bounded span of them, so a page may hold fewer than ``limit``
    responses (even none) and still have a ``next_cursor``: follow it until
    null. The excluded responses only with ``include_excluded``.
    """
    query = query_of(ResponsesQuery)
    campaign = _campaign(query.campaign)
    chosen = _filter(query)
    if query.cursor is None:
        # A walk begins: audited once, as a staff download is, not page by page.
        _audited(
            {"campaign": campaign.key, "query": query.model_dump(mode="json",
             exclude_none=True, exclude={"cursor", "limit"})}
        )  # fmt: skip
    try:
        page = responses_page(
            get_session(),
            campaign,
            chosen,
            query.cursor,
            query.limit,
            with_officials=current_key().can_read_officials,
        )
    except BadCursor:
        raise Problem(
            "bad-request",
            {"names": "cursor"},
            {"invalid_params": [{"name": "cursor", "reason": "unknown_cursor"}]},
        ) from None
    return answer(
        ResponsePage(
            items=[ResponseOut.model_validate(item) for item in page.items],
            next_cursor=page.next_cursor,
        )
    )


def _one(response_id: int) -> ResponseOut:
    """Read one response of the key's units, anonymised, or 404."""
    session = get_session()
    campaign = response_campaign(session, response_id, current_scope().unit_ids())
    if campaign is None:
        raise Problem("not-found")
    (found,) = read_responses(
        session,
        campaign,
        [response_id],
        with_officials=current_key().can_read_officials,
    )
    return ResponseOut.model_validate(found)


# A plain <int:>: one beyond the databases' integers is the 404 of an unknown id
# (blueprint._beyond_integers); <int(max=...)> made it the site's HTML 404.
@bp.get("/responses/<int:response_id>")
@operation("responses", response=ResponseOut)
def response(response_id: int) -> Response:
    """Read one response, as the list gives it."""
    found = _one(response_id)
    _audited({"campaign": found.campaign_key, "response": response_id})
    return answer(found)


def _audited(detail: dict[str, object]) -> None:
    """Record in the audit trail that the key read responses, before they leave."""
    session = get_session()
    begin_writing(session)
    record_export(session, current_key(), f"GET {request.url_rule}", detail)
    session.commit()


@bp.post("/responses")
@operation(
    "responses",
    body=SubmissionIn,
    response=ResponseOut,
    statuses=(200, 201),
    refusals=(404, 409, 422),
)
def submit_response() -> Response:
    """Send a respondent's answers through an access code (a key that may write).

    Checked and stored as the survey page's send: 201 with the stored response;
    the same ``submission_id`` with the same answers again is 200 with the
    response stored the first time (nothing stored twice), with other answers
    409. A code out of the key's units (or unknown) is 404; a code that takes
    no response now (closed, revoked, used) or answers that break the
    questionnaire's rules are 422, the latter naming each question and why in
    ``invalid_params`` (in the language of ``Accept-Language``). The channel
    recorded is the code's campaign's mode, as for the page.
    """
    sent = body_of(SubmissionIn)
    session = get_session()
    try:
        code = load_code(session, sent.token)
    except CodeUnavailable:
        raise Problem("not-found") from None
    if get_in_scope(session, current_scope(), Unit, code.unit_id) is None:
        raise Problem("not-found")
    submission = Submission(
        token=code.token,
        submission_id=sent.submission_id,
        answers={name: _raw(value) for name, value in sent.answers.items()},
        language=sent.language,
        started_at=sent.started_at,
    )
    try:
        recorded = _record(session, code, submission)
    except InvalidAnswers as invalid:
        raise Problem(
            "invalid-answers",
            extra={
                "invalid_params": [
                    {"name": f"answers.{name}", "reason": translated(message)}
                    for name, message in invalid.errors.items()
                ]
            },
        ) from None
    except CodeUnavailable as refusal:
        raise _unavailable(refusal.state) from None
    except SubmissionConflict:
        raise Problem("submission-conflict") from None
    except (StaleChoice, TooSoon):
        # No device is sent, so no interval applies; an official leaving the
        # counter twice during one send: either way, send again later.
        raise Problem("too-many-requests") from None
    session.commit()
    return answer(_one(recorded.response_id), 201 if recorded.created else 200)


def _record(session: Session, code: OpenedCode, submission: Submission) -> Recorded:
    """Store the send; as the page does, once more with the counter's officials
    read afresh if the official it rates has just left the counter (the engine
    then refuses the choice next to its question). That send stored nothing."""
    now = utcnow()
    try:
        return record_through(session, code, submission, now)
    except StaleChoice:
        fresh = load_code(session, code.token)
        return record_through(session, fresh, submission, now)


def _unavailable(state: CodeState) -> Problem:
    """The 422 of a code that takes no response now, saying why."""
    reason = CODE_STATES.get(state)
    if reason is None:
        return Problem("not-found")
    return Problem("code-unavailable", {"state": str(reason)}, {"state": str(state)})


def _raw(value: object) -> object:
    """An answer as the page sends it: text, a list of options, rows of them."""
    if isinstance(value, list):
        return [_raw(item) for item in value]
    if isinstance(value, dict):
        return {name: _raw(item) for name, item in value.items()}
    if value is None or isinstance(value, str):
        return value
    return str(value)
