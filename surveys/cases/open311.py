"""Open311 GeoReport v2 over feedback cases, as plain dicts (no HTTP here).

The contract is docs/cases-design.md §1: each builder returns exactly the
spec's keys, ids and codes as strings, dates in W3C form with Vietnam's zone.
``service_request_id`` is the case's tracking code. A case's ``status`` is
``open`` while it waits for a reply (received, assigned, in progress) and
``closed`` once the citizen has one (answered, rejected, referred out, merged,
closed). Contact data never leaves: not in a request, not in a list.

Choices where the spec leaves room (and deviations, said as such):

- every service is ``realtime`` with ``metadata`` false; its definition is still
  served, with no attributes, rather than a 404, so a client that asks anyway
  learns there is nothing to fill in;
- GET requests need a key that may read, and see only the key's units
  (case texts can hold personal data): a deliberate deviation;
- POST files the case with the unit named by ``jurisdiction_id`` (a unit code in
  the key's reach), else the service's default unit, which must then be in the
  key's reach; a location is accepted but not required (PAKN rarely has one);
  ``media_url`` is ignored, never fetched; contact fields are kept only when the
  key's owner collected the citizen's consent (``contact_consent``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from surveys.cases.contacts import CaseContactRetention, ContactDetails, keep_contact
from surveys.cases.due_dates import OPEN_STATES
from surveys.cases.events import Actor
from surveys.cases.intake import NewCase, create_case
from surveys.cases.integration_keys import reached_unit_ids, reaches
from surveys.cases.refusals import CaseError
from surveys.cases.tracking import normalise
from surveys.local_time import LOCAL_OFFSET
from surveys.models import (
    AnswerState,
    CaseAnswer,
    CaseCategory,
    CaseChannel,
    CaseState,
    FeedbackCase,
    IntegrationKey,
    Unit,
    utcnow,
)
from surveys.translatable import N_, Message

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When this endpoint last changed the way it answers (discovery's ``changeset``).
CHANGESET = datetime(2026, 12, 6, tzinfo=timezone(LOCAL_OFFSET))
FORMATS = ("text/xml", "application/json")
#: The longest span of ``requested_datetime`` one query may ask for.
MAX_SPAN = timedelta(days=90)
#: The most requests one answer lists (``page_size`` is capped to it).
MAX_PAGE_SIZE = 1000
#: How much of a published answer ``status_notes`` carries.
NOTES_LENGTH = 500
STATUSES = ("open", "closed")
_ZONE = timezone(LOCAL_OFFSET)

BAD_DATE = N_(
    "Ngày giờ %(name)s không đúng dạng W3C có múi giờ, ví dụ 2026-03-02T08:15:30+07:00."
)
SPAN_TOO_LONG = Message(N_("Khoảng thời gian hỏi dài quá 90 ngày."))
SPAN_REVERSED = Message(N_("Ngày bắt đầu phải trước ngày kết thúc."))
BAD_STATUS = Message(N_("Trạng thái chỉ có thể là open hoặc closed."))
BAD_PAGE = N_("%(name)s phải là số nguyên dương.")
NO_SERVICE_CODE = Message(N_("Thiếu service_code."))
UNKNOWN_SERVICE = Message(N_("Không có dịch vụ (lĩnh vực) với mã này."))
UNKNOWN_REQUEST = Message(N_("Không có phản ánh với mã này."))
UNKNOWN_JURISDICTION = Message(N_("Không có đơn vị với mã này trong phạm vi của khóa."))
OUT_OF_REACH = Message(
    N_(
        "Đơn vị nhận lĩnh vực này nằm ngoài phạm vi của khóa: "
        "ghi mã đơn vị của bạn vào jurisdiction_id."
    )
)
BAD_LOCATION = Message(N_("Tọa độ lat/long không hợp lệ."))
REFERRED_TO = N_("Đã chuyển đến %(body)s.")
DUPLICATE_OF = N_("Trùng với phản ánh %(code)s.")

#: Translates a domain message into the language of the answer.
Translate = Callable[[Message], str]


class Open311Error(Exception):
    """A request the endpoint refuses: its HTTP status and a message for the user."""

    def __init__(self, status: int, message: Message) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message


def w3c(moment: datetime | None) -> str | None:
    """Write an aware instant in W3C form, in Vietnam's time with its zone."""
    if moment is None:
        return None
    return moment.astimezone(_ZONE).isoformat(timespec="seconds")


def status_of(case: FeedbackCase) -> str:
    """Return ``open`` while the case waits for a reply, else ``closed``."""
    return "open" if case.state in OPEN_STATES else "closed"


def _states_of(status: str) -> list[str]:
    if status == "open":
        return [str(state) for state in OPEN_STATES]
    return [state.value for state in CaseState if state.value not in OPEN_STATES]


# -- discovery and services ---------------------------------------------------


def discovery(url: str, contact: str, key_service: str, production: bool) -> dict:
    """Return the discovery document of the endpoint at ``url``."""
    changeset = w3c(CHANGESET)
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": changeset,
                "type": "production" if production else "test",
                "formats": list(FORMATS),
            }
        ],
    }


def _public_categories() -> Select[tuple[CaseCategory]]:
    return select(CaseCategory).where(CaseCategory.active, CaseCategory.public)


def _name(category: CaseCategory, language: str) -> str:
    return (category.name_en if language == "en" else "") or category.name_vi


def services(session: Session, language: str) -> list[dict[str, Any]]:
    """Return the service list: every public, active category."""
    return [
        {
            "service_code": category.code,
            "service_name": _name(category, language),
            "description": category.description or None,
            "metadata": False,
            "type": "realtime",
            "keywords": category.keywords or None,
            "group": category.group or None,
        }
        for category in session.scalars(
            _public_categories().order_by(CaseCategory.group, CaseCategory.code)
        )
    ]


def public_category(session: Session, code: str) -> CaseCategory:
    """Return the public, active category with this code; 404 otherwise."""
    category = session.scalar(_public_categories().where(CaseCategory.code == code))
    if category is None:
        raise Open311Error(404, UNKNOWN_SERVICE)
    return category


def service_definition(session: Session, code: str) -> dict[str, Any]:
    """Return a service's definition: it asks for no attributes."""
    return {"service_code": public_category(session, code).code, "attributes": []}


# -- requests: reading ----------------------------------------------------------


@dataclass(frozen=True)
class RequestQuery:
    """What GET requests asked for, checked. Ids, when given, override the rest."""

    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    page: int = 1
    page_size: int = MAX_PAGE_SIZE


def _listed(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _moment(args: Mapping[str, str], name: str) -> datetime | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    # Years far from ours would overflow when 90 days are added or taken away.
    if moment is None or moment.tzinfo is None or not 1900 < moment.year < 9000:
        raise Open311Error(400, Message(BAD_DATE, {"name": name}))
    return moment


def _positive(args: Mapping[str, str], name: str, default: int) -> int:
    value = (args.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise Open311Error(400, Message(BAD_PAGE, {"name": name}))
    return int(value)


def parse_query(args: Mapping[str, str], now: datetime | None = None) -> RequestQuery:
    """Read GET requests' arguments; raise ``Open311Error`` (400) when one is wrong.

    Without dates the span is the last 90 days; with one, 90 days from or to it;
    with both, at most 90 days. ``page_size`` above 1000 is cut to 1000.
    """
    page = _positive(args, "page", 1)
    page_size = min(_positive(args, "page_size", MAX_PAGE_SIZE), MAX_PAGE_SIZE)
    ids = _listed(args.get("service_request_id"))
    if ids:
        return RequestQuery(ids=ids[:MAX_PAGE_SIZE], page=page, page_size=page_size)
    statuses = tuple(status.lower() for status in _listed(args.get("status")))
    if any(status not in STATUSES for status in statuses):
        raise Open311Error(400, BAD_STATUS)
    start, end = _moment(args, "start_date"), _moment(args, "end_date")
    if start is None and end is None:
        end = now or utcnow()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, SPAN_REVERSED)
    if end - start > MAX_SPAN:
        raise Open311Error(400, SPAN_TOO_LONG)
    return RequestQuery(
        codes=_listed(args.get("service_code")),
        start=start,
        end=end,
        statuses=statuses,
        page=page,
        page_size=page_size,
    )


def _in_reach(key: IntegrationKey) -> Select[tuple[FeedbackCase]]:
    """Cases of public categories in the key's units, with what a request shows."""
    return (
        select(FeedbackCase)
        .join(FeedbackCase.category)
        .where(
            FeedbackCase.unit_id.in_(reached_unit_ids(key)),
            CaseCategory.public,
        )
        .options(
            selectinload(FeedbackCase.category),
            selectinload(FeedbackCase.unit),
            selectinload(FeedbackCase.merged_into),
        )
    )


def find_requests(
    session: Session, key: IntegrationKey, query: RequestQuery
) -> list[FeedbackCase]:
    """Return the cases ``query`` asks for among the key's, newest first."""
    statement = _in_reach(key)
    if query.ids:
        codes = {normalise(typed) for typed in query.ids} - {None}
        statement = statement.where(FeedbackCase.tracking_code.in_(codes))
    else:
        statement = statement.where(
            FeedbackCase.received_at >= query.start,
            FeedbackCase.received_at <= query.end,
        )
        if query.codes:
            statement = statement.where(CaseCategory.code.in_(query.codes))
        if query.statuses and set(query.statuses) != set(STATUSES):
            statement = statement.where(
                FeedbackCase.state.in_(_states_of(query.statuses[0]))
            )
    statement = (
        statement.order_by(FeedbackCase.received_at.desc(), FeedbackCase.id.desc())
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    )
    return list(session.scalars(statement))


def find_request(session: Session, key: IntegrationKey, typed: str) -> FeedbackCase:
    """Return the key's case with this tracking code; 404 otherwise."""
    code = normalise(typed)
    case = None
    if code is not None:
        case = session.scalar(_in_reach(key).where(FeedbackCase.tracking_code == code))
    if case is None:
        raise Open311Error(404, UNKNOWN_REQUEST)
    return case


def _published_answers(session: Session, cases: list[FeedbackCase]) -> dict[int, str]:
    """Return the published answer's text of each case that has one."""
    answered = [case.id for case in cases if case.state != CaseState.MERGED]
    rows = session.execute(
        select(CaseAnswer.case_id, CaseAnswer.text)
        .where(
            CaseAnswer.case_id.in_(answered),
            CaseAnswer.state == AnswerState.PUBLISHED,
        )
        .order_by(CaseAnswer.published_at)
    )
    # The latest published answer wins: later rows overwrite earlier ones.
    return {case_id: text for case_id, text in rows}


def _notes(case: FeedbackCase, answer: str | None, translate: Translate) -> str:
    """What the citizen has been told: the answer, the refusal, where it went."""
    if case.merged_into is not None:
        code = case.merged_into.tracking_code
        return translate(Message(DUPLICATE_OF, {"code": code}))
    if answer:
        return answer[:NOTES_LENGTH]
    if case.reject_reason:
        return case.reject_reason[:NOTES_LENGTH]
    if case.referred_to:
        return translate(Message(REFERRED_TO, {"body": case.referred_to}))
    return ""


def requests_list(
    session: Session, cases: list[FeedbackCase], language: str, translate: Translate
) -> list[dict[str, Any]]:
    """Return each case as an Open311 request (never with its contact)."""
    answers = _published_answers(session, cases)
    return [_request(case, answers.get(case.id), language, translate) for case in cases]


def _request(
    case: FeedbackCase, answer: str | None, language: str, translate: Translate
) -> dict[str, Any]:
    status = status_of(case)
    updated = case.resolved_at if status == "closed" and case.resolved_at else None
    request: dict[str, Any] = {
        "service_request_id": case.tracking_code,
        "status": status,
        "service_name": _name(case.category, language),
        "service_code": case.category.code,
        "description": case.text,
        "agency_responsible": case.unit.name,
        "requested_datetime": w3c(case.received_at),
        "updated_datetime": w3c(updated or case.updated_at),
        "expected_datetime": w3c(case.due_at),
        "address": case.address_text or None,
    }
    notes = _notes(case, answer, translate) if status == "closed" else ""
    if notes:
        request["status_notes"] = notes
    if case.lat is not None and case.long is not None:
        request["lat"], request["long"] = case.lat, case.long
    return request


# -- requests: filing -----------------------------------------------------------


def _unit_for(
    session: Session, key: IntegrationKey, category: CaseCategory, jurisdiction: str
) -> int:
    """Return the unit the new case goes to, in the key's reach; else refuse."""
    if jurisdiction:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == jurisdiction))
        if unit_id is None or not reaches(session, key, unit_id):
            raise Open311Error(404, UNKNOWN_JURISDICTION)
        return unit_id
    unit_id = category.default_unit_id
    if unit_id is None or not reaches(session, key, unit_id):
        raise Open311Error(403, OUT_OF_REACH)
    return unit_id


def _coordinate(value: str, bound: float) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > bound:
        raise Open311Error(400, BAD_LOCATION)
    return number


def _field(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def file_request(
    session: Session,
    key: IntegrationKey,
    form: Mapping[str, str],
    retention: CaseContactRetention,
) -> FeedbackCase:
    """File a case from POST requests' fields; flush. Raises ``Open311Error``.

    The caller checks that the key may write, commits on success and rolls
    back on a refusal: nothing of a refused request is kept. Contact fields
    are kept, as the web form's are (``surveys.cases.contacts``), only for a
    key whose owner collected the citizen's consent, and only with a phone
    number or an e-mail address to reach them by.
    """
    code = _field(form, "service_code")
    if not code:
        raise Open311Error(400, NO_SERVICE_CODE)
    category = public_category(session, code)
    unit_id = _unit_for(session, key, category, _field(form, "jurisdiction_id"))
    lat = _coordinate(_field(form, "lat"), 90)
    long = _coordinate(_field(form, "long"), 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, BAD_LOCATION)
    new = NewCase(
        text=form.get("description") or "",
        category_id=category.id,
        channel=CaseChannel.API,
        unit_id=unit_id,
        integration_key_id=key.id,
        address_text=_field(form, "address_string"),
        lat=lat,
        long=long,
    )
    contact = _sent_contact(form) if key.contact_consent else None
    try:
        case = create_case(session, new, Actor.INTEGRATION)
        if contact is not None:
            keep_contact(session, case, contact, retention)
    except CaseError as refusal:
        raise Open311Error(400, refusal.message) from refusal
    return case


def _sent_contact(form: Mapping[str, str]) -> ContactDetails | None:
    """Return the contact the client sent, or None when it gave no way to reach."""
    names = (_field(form, "first_name"), _field(form, "last_name"))
    phone, email = _field(form, "phone"), _field(form, "email")
    if not (phone or email):
        return None
    name = " ".join(part for part in names if part)
    return ContactDetails(name=name, phone=phone, email=email, consented=True)


def filed(case: FeedbackCase) -> list[dict[str, Any]]:
    """Return POST requests' answer: the new request's id (no token)."""
    return [{"service_request_id": case.tracking_code}]
