"""What ``/api/v1`` answers and accepts, as pydantic models.

pydantic writes their JSON Schema in draft 2020-12, the dialect of OpenAPI 3.1
(a field that may be null is ``anyOf: [..., {"type": "null"}]``, not 3.0's
``nullable``), and ``app.api.v1.openapi`` puts them into the document as they
are. Field descriptions are in English: the document is read by developers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from app.public.forms import SUBMISSION_ID
from surveys.exchange.pages import DEFAULT_LIMIT, MAX_LIMIT
from surveys.models import CampaignMode, ResponseChannel, UnitKind
from surveys.storage.periods import range_days

#: The constraints of a code or key a client names (a unit, a campaign, a
#: counter): never a NUL, which PostgreSQL cannot compare with a column.
CODE: dict[str, Any] = {"min_length": 1, "max_length": 64, "pattern": r"^[^\x00]*$"}
#: A day a client names: the bounds keep the instants around it computable.
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(9000, 12, 31))]


class Shape(BaseModel):
    """A model read from ORM objects' attributes, closed to unknown members."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")


class ListQuery(BaseModel):
    """The query of every list: where to resume, and how many rows to return."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description=f"How many items to return (at most {MAX_LIMIT}).",
    )
    cursor: str | None = Field(
        None,
        max_length=512,
        description="Opaque: the `next_cursor` of the previous page; "
        "none for the first page.",
    )


class Page(Shape):
    """Fields every page of a list has besides its items."""

    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class UnitOut(Shape):
    code: str
    name: str
    kind: UnitKind
    parent_code: str | None = Field(
        description="The unit above; null for the top of the tree."
    )


class UnitPage(Page):
    items: list[UnitOut]


class CounterOut(Shape):
    """A service point (a one-stop counter) where citizens rate the service."""

    code: str
    name: str
    unit_code: str
    active: bool


class CounterPage(Page):
    items: list[CounterOut]


class OfficialOut(Shape):
    code: str = Field(description="Unique within the official's unit only.")
    name: str
    title: str
    unit_code: str
    active: bool


class OfficialPage(Page):
    items: list[OfficialOut]


class QuestionnaireRef(Shape):
    key: str
    version: int


class CampaignOut(Shape):
    key: str
    name: str
    mode: CampaignMode
    unit_code: str = Field(description="The root of the units the campaign covers.")
    questionnaire: QuestionnaireRef
    starts_on: date
    ends_on: date | None
    paused: bool
    closed: bool


class CampaignPage(Page):
    items: list[CampaignOut]


class QuestionnaireOut(Shape):
    key: str
    version: int
    title: str
    checksum: str = Field(description="SHA-256 of the canonical definition.")
    created_at: datetime


class QuestionnairePage(Page):
    items: list[QuestionnaireOut]


class QuestionnaireDefinition(QuestionnaireOut):
    definition: dict[str, Any] = Field(
        description="The whole definition in its canonical JSON form "
        "(docs/questionnaires.md)."
    )


class InvalidParam(Shape):
    name: str
    reason: str


class ProblemOut(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="Names the kind of problem (a docs page anchor).")
    title: str
    status: int
    detail: str
    invalid_params: list[InvalidParam] | None = None


class DocumentOut(BaseModel):
    """This API's OpenAPI 3.1 document."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


#: The most days a range ``period`` of results spans (ten years).
LONGEST_RANGE = 3653


class ResultsQuery(BaseModel):
    """Which campaign's results, and for when."""

    model_config = ConfigDict(extra="ignore")

    campaign: str = Field(
        **CODE,
        description="The key of a campaign held at the unit, above it or below it.",
    )
    period: str | None = Field(
        None,
        # [0-9], not \d: Python's and pydantic's \d take any script's digits.
        pattern=r"^[0-9]{4}(-Q[1-4])?$|^[0-9]{4}-[0-9]{2}-[0-9]{2}\.\.[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description="A year (2026), a quarter (2026-Q2) or a range of days "
        "(2026-05-01..2026-05-20, both included, Vietnam time; at most "
        f"{LONGEST_RANGE} days); none: the whole campaign.",
    )
    channel: ResponseChannel | None = Field(
        None,
        description="Only the responses that came through this channel (the "
        "campaign's mode, or `paper`); none: every channel's.",
    )

    @field_validator("period")
    @classmethod
    def _range_not_too_long(cls, period: str | None) -> str | None:
        """A range of days ends after it starts, and spans at most
        ``LONGEST_RANGE`` days: its quarters are read one by one."""
        days = range_days(period)
        if days is not None and (days[1] - days[0]).days >= LONGEST_RANGE:
            raise ValueError(f"a range spans at most {LONGEST_RANGE} days")
        return period


class Estimate(Shape):
    """One score as the dashboard shows it: n, mean and % satisfied with their
    95% intervals; a suppressed estimate (too few answers) is null."""

    item: str | None = Field(
        description="The score's name in the questionnaire; null for a counter."
    )
    label: str
    n: int
    mean: float | None
    mean_low: float | None
    mean_high: float | None
    pct_satisfied: float | None
    pct_satisfied_low: float | None
    pct_satisfied_high: float | None
    reliable: bool
    suppressed: bool


class ChannelEstimate(Estimate):
    """The headline score of one channel's responses, or of all together."""

    channel: ResponseChannel | None = Field(
        description="The channel; null for all channels together."
    )


class OfficialEstimate(Shape):
    """An official's score (shrunk toward the unit's) and own mean; null when
    the official has too few ratings to show."""

    label: str
    n: int
    score: float | None
    score_low: float | None
    score_high: float | None
    own_mean: float | None
    own_low: float | None
    own_high: float | None
    reliable: bool
    suppressed: bool


class ResponseCounts(Shape):
    responses: int = Field(description="Responses counted in the estimates.")
    verified: int = Field(description="Of those, through single-use codes.")
    excluded: int = Field(description="Set aside; never in an estimate.")


class UnitResults(Shape):
    unit_code: str
    campaign_key: str
    period: str | None
    channel: ResponseChannel | None = Field(
        description="The one channel the results are of; null: every channel."
    )
    headline: str = Field(description="The score units are ranked on.")
    counts: ResponseCounts
    items: list[Estimate]
    dimensions: list[Estimate]
    counters: list[Estimate]
    officials: list[OfficialEstimate] | None = Field(
        description="Null for a key not made to read officials."
    )
    channels: list[ChannelEstimate] = Field(
        description="The headline per channel, then all channels together, "
        "whichever channel was asked for; empty when the responses came "
        "through one channel."
    )


#: An answer as the API gives and takes it: text, a number, a select_multiple's
#: options as a list, or null (unanswered).
AnswerValue = str | int | float | list[str] | None


class ResponsesQuery(ListQuery):
    """Which of a campaign's responses to list."""

    campaign: str = Field(
        **CODE,
        description="The key of a campaign held at the key's unit, above or below.",
    )
    unit: str | None = Field(
        None,
        **CODE,
        description="Only this unit's responses and those of the units below it.",
    )
    counter: str | None = Field(
        None,
        **CODE,
        description="Only the responses given at this counter (its code).",
    )
    channel: ResponseChannel | None = Field(
        None,
        description="Only the responses that came through this channel (the "
        "campaign's mode, or `paper` for forms keyed in from paper).",
    )
    submitted_from: date | None = Field(
        None, description="Only those sent on this day or later (Vietnam time)."
    )
    submitted_to: date | None = Field(
        None, description="Only those sent on this day or earlier (Vietnam time)."
    )
    version: int | None = Field(
        None,
        ge=1,
        le=2**31 - 1,
        description="Only the answers to this version of the questionnaire.",
    )
    include_excluded: bool = Field(
        False, description="Also the responses set aside (`excluded`: true)."
    )


class ResponseOut(Shape):
    """One response, anonymised exactly as the CSV and statistical exports are:
    no device or address, submission id, access code or dossier code; free
    text masked; comments hidden from reports null; the answers about
    officials only for a key made to read officials."""

    id: int
    campaign_key: str
    unit_code: str
    counter_code: str | None
    questionnaire_key: str
    questionnaire_version: int | None
    channel: ResponseChannel = Field(
        description="How the answers came: the campaign's mode, or `paper` "
        "for a form keyed in from paper."
    )
    language: str = Field(description="The language the respondent answered in.")
    submitted_on: date = Field(description="The day it was sent (Vietnam time).")
    verified: bool = Field(description="Sent through a single-use code.")
    flags: list[str] = Field(description="The quality flags raised.")
    excluded: bool = Field(description="Set aside; never in an estimate.")
    stratum: str | None
    cluster: str | None
    weight: float | None
    answers: dict[str, AnswerValue] = Field(
        description="By question name, every question an export has a column "
        "for: its answer, null when unanswered or hidden."
    )


class ResponsePage(Page):
    items: list[ResponseOut] = Field(
        description="May hold fewer than `limit` responses, even none, while "
        "`next_cursor` is not null: each page walks a bounded span of responses."
    )


class SubmissionIn(BaseModel):
    """Answers sent through an access code, as a respondent's page sends them."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        **CODE,
        description="The access code (its QR code's or link's token).",
    )
    submission_id: str = Field(
        pattern=SUBMISSION_ID.pattern,
        description="Chosen by the client, the idempotency key: the same id "
        "sent again with the same answers is answered with the stored response.",
    )
    answers: dict[str, AnswerValue | list[dict[str, AnswerValue]]] = Field(
        description="By question name; a repeat's rows as a list of objects."
    )
    language: str = Field(
        "vi",
        pattern=r"^[a-z]{2,3}$",
        description="The language the respondent answered in.",
    )
    started_at: AwareDatetime | None = Field(
        None,
        description="When the respondent began (with a time zone): too little "
        "time for the answers raises the response's too_fast flag.",
    )
