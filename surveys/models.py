"""The data model: units, counters, officials, users, questionnaires, campaigns,
access codes, responses and their answers, and the audit trail.

Responses are never deleted by the application: a response judged not genuine stays
in the database, flagged ``excluded``, so every report can be traced back.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Store instants as naive UTC and hand them back aware, on every database.

    SQLite has no time zone type; keeping UTC everywhere makes both databases agree.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> Any:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Return the current instant, aware, in UTC."""
    return datetime.now(UTC)


def _values(enum_cls: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum_cls)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012 (SQLAlchemy API)


class UnitKind(enum.StrEnum):
    DISTRICT = "district"
    WARD = "ward"
    DEPARTMENT = "department"
    SCHOOL = "school"
    SERVICE_UNIT = "service_unit"


class Role(enum.StrEnum):
    ADMIN = "admin"
    DISTRICT = "district"
    UNIT_MANAGER = "unit_manager"
    VIEWER = "viewer"


class CampaignMode(enum.StrEnum):
    COUNTER = "counter"
    DOSSIER = "dossier"
    INVITATION = "invitation"
    INTERVIEWER = "interviewer"
    OPEN_LINK = "open_link"


class CodeKind(enum.StrEnum):
    STANDING = "standing"
    SINGLE_USE = "single_use"


class DossierChannel(enum.StrEnum):
    """How a dossier reached the unit."""

    COUNTER = "counter"
    ONLINE = "online"
    POST = "post"


class DossierStatus(enum.StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    NEEDS_DOCUMENTS = "needs_documents"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


class LetterDelivery(enum.StrEnum):
    """How an apology letter reached the applicant (the sending is done outside)."""

    IN_PERSON = "in_person"
    POST = "post"
    EMAIL = "email"
    SMS = "sms"


class ImportStatus(enum.StrEnum):
    """Where a dossier import stands; see ``surveys.dossiers``."""

    READING = "reading"
    CHECKED = "checked"
    APPLYING = "applying"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class CaseChannel(enum.StrEnum):
    """How a feedback case (phản ánh, kiến nghị) reached hailong."""

    #: Sent by the citizen from a counter or dossier rating's thank-you page,
    #: or made by staff from a rating's comment.
    RATING = "rating"
    WEB = "web"
    PORTAL_1022 = "portal_1022"
    NATIONAL_PORTAL = "national_portal"
    LETTER = "letter"
    HOTLINE = "hotline"
    MEETING = "meeting"
    #: Filed through the Open311 API by an integration.
    API = "api"


class CaseState(enum.StrEnum):
    """Where a feedback case stands; see ``surveys.cases.workflow``."""

    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    REJECTED = "rejected"
    REFERRED_OUT = "referred_out"
    MERGED = "merged"
    CLOSED = "closed"


class AnswerState(enum.StrEnum):
    """A case answer's review: drafted, sent to the manager, sent back, published;
    withdrawn when the district reopens the case (kept, no longer shown)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class PaperFormState(enum.StrEnum):
    """Where a paper form stands in its double entry; see ``surveys.paper``."""

    PRINTED = "printed"
    ENTERED_ONCE = "entered_once"
    #: Entered by two clerks who agree: the third user confirms the values.
    ENTERED_TWICE = "entered_twice"
    #: Entered by two clerks who differ: the third user settles against the paper.
    IN_CONFLICT = "in_conflict"
    RECONCILED = "reconciled"
    #: Spoiled, lost or never handed out: it takes no entry.
    VOID = "void"


#: The channel of a response keyed in from a paper form (``Response.channel``);
#: every other response has its campaign's mode (a ``CampaignMode`` value).
PAPER_CHANNEL = "paper"
#: Every channel a response can have (``Response.channel``), in this order
#: wherever channels are listed: the campaign modes, then paper. Built from
#: ``CampaignMode`` so that a new mode is a new channel without a second list.
ResponseChannel = enum.StrEnum(
    "ResponseChannel",
    [(mode.name, mode.value) for mode in CampaignMode] + [("PAPER", PAPER_CHANNEL)],
)


class Unit(Base):
    """A node of the administrative tree: the district, its wards and offices."""

    __tablename__ = "units"
    __table_args__ = (CheckConstraint(f"kind IN ({_values(UnitKind)})", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Human-readable and stable, used in URLs, CLI commands and imports.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Unit | None] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list[Unit]] = relationship(back_populates="parent")
    service_points: Mapped[list[ServicePoint]] = relationship(back_populates="unit")
    officials: Mapped[list[Official]] = relationship(back_populates="unit")


class ServicePointOfficial(Base):
    """Which officials serve at which counter, so a citizen can pick whom to rate."""

    __tablename__ = "service_point_officials"

    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE"), primary_key=True
    )
    official_id: Mapped[int] = mapped_column(
        ForeignKey("officials.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ServicePoint(Base):
    """A counter (quầy) or desk of a unit's one-stop section."""

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit] = relationship(back_populates="service_points")
    officials: Mapped[list[Official]] = relationship(
        secondary="service_point_officials", back_populates="service_points"
    )


class Official(Base):
    """A civil servant whom citizens may rate directly."""

    __tablename__ = "officials"
    # Each unit numbers its own staff: what codes other units use can neither
    # block a unit's choice nor be learnt from a refusal.
    __table_args__ = (UniqueConstraint("unit_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    #: Unique within the unit only: the unit and the code name an official.
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit] = relationship(back_populates="officials")
    service_points: Mapped[list[ServicePoint]] = relationship(
        secondary="service_point_officials", back_populates="officials"
    )


class User(Base):
    """A staff login; ``unit_id`` scopes what it sees to that unit and below."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({_values(Role)})", name="role"),
        CheckConstraint("role = 'admin' OR unit_id IS NOT NULL", name="scoped"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: An argon2id hash in PHC string form; the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    #: Part of the login cookie's user id: raising it on logout or a password change
    #: makes every cookie issued before refused by the server.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit | None] = relationship()


class Questionnaire(Base):
    """One immutable version of a questionnaire definition."""

    __tablename__ = "questionnaires"
    __table_args__ = (
        UniqueConstraint("key", "version"),
        UniqueConstraint("key", "checksum"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    #: The whole definition in its canonical JSON form.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: SHA-256 of the canonical definition: importing the same content twice is a no-op.
    checksum: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Campaign(Base):
    """A questionnaire put in the field for a scope of units over a period."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(f"mode IN ({_values(CampaignMode)})", name="mode"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period"),
        CheckConstraint("min_interval_seconds >= 0", name="min_interval"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT"), index=True
    )
    #: The root of the units this campaign covers (it and its descendants).
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    mode: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: Least time between two ratings from the same device at one counter.
    min_interval_seconds: Mapped[int] = mapped_column(default=0)
    #: Set while the campaign is paused: no new response, codes and drafts kept.
    paused_at: Mapped[datetime | None]
    #: Set once the campaign is closed: no response after it, for good.
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship()
    unit: Mapped[Unit] = relationship()


class AccessCode(Base):
    """What a QR code or a link carries: the way into one campaign at one unit."""

    __tablename__ = "access_codes"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(CodeKind)})", name="kind"),
        CheckConstraint("weight IS NULL OR weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The random, unguessable token shown under the QR code and typed by hand.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    #: Keyed hash (HMAC) of the dossier code a receipt belongs to; never the code.
    dossier_hash: Mapped[str | None] = mapped_column(String(64))
    #: Sample-design fields carried by an invitation to a sampled business/household.
    stratum: Mapped[str | None] = mapped_column(String(64))
    cluster: Mapped[str | None] = mapped_column(String(64))
    weight: Mapped[float | None] = mapped_column(Float)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: When a single-use code's survey page was first shown (an invitation opened).
    opened_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()


class Response(Base):
    """One accepted submission, with where it came from and how genuine it looks."""

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("campaign_id", "submission_id"),
        CheckConstraint("weight IS NULL OR weight > 0", name="weight_positive"),
        Index("ix_responses_unit_id_submitted_at", "unit_id", "submitted_at"),
        # A device's recent responses: the burst and duplicate flags and the
        # minimum interval, answered from the index alone (content_hash included).
        Index(
            "ix_responses_campaign_id_device_hash_submitted_at",
            "campaign_id",
            "device_hash",
            "submitted_at",
            "content_hash",
        ),
        # An address's recent responses: the address burst flag, read by the
        # catch-up after the writes, never by a rating itself.
        Index("ix_responses_address_hash_submitted_at", "address_hash", "submitted_at"),
        # Partial: a rating through a counter's standing code (no redemption)
        # writes no entry, one page less per rating (migration 6b1d9e4c2f70).
        Index(
            "uq_responses_redeemed_code_id",
            "redeemed_code_id",
            unique=True,
            sqlite_where=text("redeemed_code_id IS NOT NULL"),
            postgresql_where=text("redeemed_code_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="RESTRICT")
    )
    # The four references below have no index of their own: no query filters
    # responses by them (reports read the tallies), hailong never deletes what
    # they point to (it deactivates), and each index is one more page written
    # by every rating (migration 3c5e0f1b7a92).
    #: The exact questionnaire version answered, kept even after newer versions.
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT")
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="RESTRICT")
    )
    official_id: Mapped[int | None] = mapped_column(
        ForeignKey("officials.id", ondelete="RESTRICT")
    )
    access_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_codes.id", ondelete="RESTRICT")
    )
    #: Set only for single-use codes; its unique index (``REDEEMED_ONCE``) lets the
    #: database itself refuse a second response on the same receipt or
    #: invitation, even under concurrency.
    redeemed_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_codes.id", ondelete="RESTRICT")
    )
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    #: Idempotency key chosen by the client: a retried submission is recognised.
    submission_id: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the submitted content, to tell a retry from a conflicting reuse.
    content_hash: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: True when the response came through a single-use code (a known dossier/invitee).
    verified: Mapped[bool] = mapped_column(default=False)
    #: Keyed hash of the device that rotates daily; no raw IP or user agent is kept.
    device_hash: Mapped[str | None] = mapped_column(String(64))
    #: Keyed hash of the network address that rotates daily (no raw address is
    #: kept): ratings from one network seen together, however many devices.
    address_hash: Mapped[str | None] = mapped_column(String(64))
    flag_too_fast: Mapped[bool] = mapped_column(default=False)
    flag_straight_lining: Mapped[bool] = mapped_column(default=False)
    flag_duplicate_suspect: Mapped[bool] = mapped_column(default=False)
    #: Many responses in moments from one device, or from one address at one
    #: code or of one official (``surveys.storage.tallies``).
    flag_burst: Mapped[bool] = mapped_column(default=False)
    #: Excluded responses stay stored but never enter an estimate.
    excluded: Mapped[bool] = mapped_column(default=False)
    excluded_reason: Mapped[str | None] = mapped_column(String(200))
    stratum: Mapped[str | None] = mapped_column(String(64))
    cluster: Mapped[str | None] = mapped_column(String(64))
    weight: Mapped[float | None] = mapped_column(Float)

    questionnaire: Mapped[Questionnaire] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(Base):
    """One question's value in one response: a number, a text, or both."""

    __tablename__ = "answers"
    # On SQLite the rows live in their primary key's b-tree: one page less
    # written per response (migration 6b1d9e4c2f70).
    __table_args__ = ({"sqlite_with_rowid": False},)

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    #: The question's ``name`` in the response's questionnaire version.
    question: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The row of a repeat (a household roster) the answer is in, from 1; 0 for
    #: a question outside repeats, so that readers of single answers filter on
    #: ``position == 0``.
    position: Mapped[int] = mapped_column(
        primary_key=True, default=0, server_default="0"
    )
    value_num: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class HiddenComment(Base):
    """A comment a manager hid from reports, with why; shown again by deleting it.

    The answer itself stays as typed: a hidden comment is left out of the
    reports' comment tables and exports, and shown to managers as hidden. The
    audit trail keeps every hiding and showing again, this row only the
    current one.
    """

    __tablename__ = "hidden_comments"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    #: The comment question's name (a response may have several comments).
    question: Mapped[str] = mapped_column(String(64), primary_key=True)
    hidden_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    hidden_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(200))


class ResponseDraft(Base):
    """Answers saved part-way through a long questionnaire, resumable with the code.

    Only single-use codes (an invited business, a sampled household) keep drafts:
    the code identifies one respondent, so resuming with it cannot show anybody
    else's answers. The draft is deleted when the response is recorded.
    """

    __tablename__ = "response_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    access_code_id: Mapped[int] = mapped_column(
        ForeignKey("access_codes.id", ondelete="CASCADE"), unique=True
    )
    #: The raw answers so far, as the browser sent them.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Index of the page to show on resuming.
    page: Mapped[int] = mapped_column(default=0)
    #: The client submission id, kept so that the final submission is idempotent.
    submission_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class _CellSums:
    """What a tally row holds besides its period: where the responses were
    counted (campaign, unit, counter, official, verified or not), the score, and
    its sums. Count, sum, sum of squares and the number satisfied are all that a
    mean, its t interval and a Wilson interval need."""

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE")
    )
    official_id: Mapped[int | None] = mapped_column(
        ForeignKey("officials.id", ondelete="CASCADE")
    )
    verified: Mapped[bool]
    #: How the responses came (``Response.channel``): a unit's results are
    #: shown by channel (paper beside the campaign's own mode) and together.
    channel: Mapped[str] = mapped_column(String(20))
    #: A question's name, or a dimension's name when ``kind`` is ``dimension``.
    item: Mapped[str] = mapped_column(String(64))
    #: ``item`` or ``dimension``; in the day tallies ``category`` too.
    kind: Mapped[str] = mapped_column(String(10))
    n: Mapped[int] = mapped_column(default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)
    total_sq: Mapped[float] = mapped_column(Float, default=0.0)
    satisfied: Mapped[int] = mapped_column(default=0)


class ItemTally(_CellSums, Base):
    """Running sums of one score over the responses of one cell and quarter.

    A per-unit report reads a few thousand tally rows instead of every answer
    ever given (see docs/architecture.md). Tallies are kept just after the
    responses they count, by ``surveys.tallies.catch_up`` from a
    ``Watermark``; excluded responses are taken out again.
    """

    __tablename__ = "item_tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The cell and item as one text key, so that one unique index serves both
    #: databases' upserts (SQLite has no NULLS NOT DISTINCT).
    cell: Mapped[str] = mapped_column(String(160), unique=True)
    #: The quarter of submission in Vietnam's time, e.g. ``2026-Q2``.
    period: Mapped[str] = mapped_column(String(7))

    __table_args__ = (
        Index("ix_item_tallies_campaign_id_unit_id", "campaign_id", "unit_id"),
    )


class ItemDayTally(_CellSums, Base):
    """The item tallies of one day (Vietnam time), and each item's answers by value.

    A range of days that is no run of whole quarters (1 to 20 May) is added up
    from these, a few rows per cell and day, instead of scoring every answer of
    the range again; the officials' model, which counts an official's ratings
    by value, reads the ``category`` rows (``value`` set, ``kind`` ``category``)
    of the days in its period. Kept by the catch-up with ``ItemTally``, from
    the same watermark and in the same transaction.
    """

    __tablename__ = "item_day_tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The cell, day, item and (for a category) value as one text key, for the
    #: upsert (as ``ItemTally.cell``).
    cell: Mapped[str] = mapped_column(String(180), unique=True)
    day: Mapped[date] = mapped_column(Date)
    #: The answer's value, for a ``category`` row only.
    value: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_item_day_tallies_campaign_id_unit_id_day", "campaign_id", "unit_id",
              "day"),
    )  # fmt: skip


class RatedComment(Base):
    """A kept response's comment, with the lowest rating the response gave.

    The dashboard lists the newest comments under low ratings: read from the
    answers, that walked back through every response of the unit until it had
    found enough (most responses have no comment, most ratings are high).
    Here the walk reads commented responses only, their lowest rating in the
    index. Kept by the catch-up; the comment's text stays in ``answers``.
    """

    __tablename__ = "rated_comments"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    submitted_at: Mapped[datetime]
    #: The response's channel, for a dashboard shown for one channel.
    channel: Mapped[str] = mapped_column(String(20))
    #: The lowest of the response's ratings; None when it rated nothing.
    lowest_rating: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_rated_comments_newest", "campaign_id", "unit_id", "submitted_at",
              "lowest_rating"),
    )  # fmt: skip


class ResponseDay(Base):
    """How many responses a unit had on one day (Vietnam time), verified or not,
    excluded or not: the counts reports show beside their estimates.

    Kept by the catch-up with the item tallies (``surveys.storage.tallies``), so
    a report counts a year's million responses from a few thousand rows, and a
    range of days exactly.
    """

    __tablename__ = "response_days"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    verified: Mapped[bool] = mapped_column(primary_key=True)
    excluded: Mapped[bool] = mapped_column(primary_key=True)
    #: The responses' channel (``Response.channel``).
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
    #: When the day's latest of these responses came in: what a report is as of.
    latest: Mapped[datetime]


class Watermark(Base):
    """How far a step that follows the writes has got: the last id it handled.

    ``tallies``: every response with an id up to ``last_id`` is counted in the
    item tallies and has its device flags set (``surveys.tallies.catch_up``).
    """

    __tablename__ = "watermarks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)


class LoginThrottle(Base):
    """Failed logins of one account from one client, for the exponential delay.

    Neither the name typed nor the address is kept: both are keyed pseudonyms
    (``surveys.access.login_throttle``), and a row is forgotten a day after its
    last failure.
    """

    __tablename__ = "login_throttles"

    #: A keyed hash of the username as typed (normalised), known user or not.
    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: A keyed hash of the client's network address.
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime] = mapped_column(index=True)


class Chore(Base):
    """Work the app does by itself every so often, and when it last began it.

    ``purge``: erasing personal data past its retention
    (``surveys.access.retention.purge_if_due``). The row is the one place where
    every process agrees whether the work is due.
    """

    __tablename__ = "chores"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime]


class FollowUpContact(Base):
    """A phone number left for follow-up, with consent, kept apart from the answers."""

    __tablename__ = "follow_up_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    phone: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime]
    #: When the number must be erased (personal data is kept no longer than needed).
    purge_after: Mapped[datetime] = mapped_column(index=True)

    response: Mapped[Response] = relationship()


class Procedure(Base):
    """An administrative procedure (thủ tục) of the catalogue, with its legal time.

    The catalogue is the district's, shared by every unit: the same procedure
    has the same code and processing time at every ward.
    """

    __tablename__ = "procedures"
    __table_args__ = (
        CheckConstraint(
            "processing_days IS NULL OR processing_days >= 0", name="processing_days"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    #: The procedure's field (lĩnh vực), e.g. "Hộ tịch".
    field: Mapped[str] = mapped_column(String(200), default="")
    #: Legal processing time in working days; None when the catalogue lacks it
    #: (a dossier of such a procedure needs its due date from the import).
    processing_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkingDayChange(Base):
    """A day the government moved: a weekday off, or a Saturday worked instead.

    Public holidays themselves come from the ``holidays`` package; these rows
    are what an admin adds each year as the announcements come out, and they
    override both the weekend and the holidays.
    """

    __tablename__ = "working_day_changes"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: True: a make-up working day (usually a Saturday); False: a day off.
    working: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DossierRules(Base):
    """How a unit counts its deadlines (the nearest ancestor's rules apply below it).

    A dossier received after ``cutoff_minute`` counts from the next working day;
    a due date ends at ``due_minute`` of its last working day (minutes after
    midnight, Vietnam time).
    """

    __tablename__ = "dossier_rules"
    __table_args__ = (
        CheckConstraint("cutoff_minute BETWEEN 0 AND 1440", name="cutoff_minute"),
        CheckConstraint("due_minute BETWEEN 0 AND 1440", name="due_minute"),
    )

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    cutoff_minute: Mapped[int] = mapped_column(Integer)
    due_minute: Mapped[int] = mapped_column(Integer)


class Dossier(Base):
    """A dossier (hồ sơ) received by a unit, as the provincial system exported it.

    ``unit_id`` and ``code`` name it: a newer export updates the same row. The
    derived columns (``working_days_late``, the months) are kept at import so that the
    per-unit figures of a million dossiers are one ``GROUP BY``.
    """

    __tablename__ = "dossiers"
    __table_args__ = (
        UniqueConstraint("unit_id", "code"),
        CheckConstraint(f"channel IN ({_values(DossierChannel)})", name="channel"),
        CheckConstraint(f"status IN ({_values(DossierStatus)})", name="status"),
        # The figures of a unit's months are read from these indexes alone (a
        # million dossiers in seconds, bench/bench_dossier_figures.py): on time
        # or late by month of return (and the rating codes of those dossiers,
        # for their satisfaction), the shares of the dossiers received, and the
        # dossiers open (or returned later) by due date.
        Index(
            "ix_dossiers_returned_figures",
            "unit_id",
            "returned_month",
            "status",
            "working_days_late",
            "access_code_id",
        ),
        Index(
            "ix_dossiers_received_figures",
            "unit_id",
            "received_month",
            "channel",
            "paid_online",
            "digitised",
        ),
        Index(
            "ix_dossiers_open_due",
            "unit_id",
            "returned_at",
            "due_at",
            "status",
            "received_at",
        ),
        # The late ones, which owe an apology letter (surveys.dossiers.letters).
        Index("ix_dossiers_unit_id_working_days_late", "unit_id", "working_days_late"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    #: The dossier code (mã hồ sơ) of the provincial system.
    code: Mapped[str] = mapped_column(String(64))
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="RESTRICT"), index=True
    )
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="RESTRICT")
    )
    official_id: Mapped[int | None] = mapped_column(
        ForeignKey("officials.id", ondelete="RESTRICT")
    )
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]
    #: The legal due date and time (hẹn trả), from the import or computed.
    due_at: Mapped[datetime]
    #: True when hailong computed ``due_at`` from the procedure's working days;
    #: such dates are computed again when the calendar changes.
    due_computed: Mapped[bool] = mapped_column(default=False)
    returned_at: Mapped[datetime | None]
    paid_online: Mapped[bool] = mapped_column(default=False)
    digitised: Mapped[bool] = mapped_column(default=False)
    #: Working days from the due day to the return: positive when late, 0 when
    #: returned on the due day in time, negative when early; None while open.
    working_days_late: Mapped[int | None] = mapped_column(Integer)
    #: Month of receipt and of return in Vietnam time ("2026-03"), for grouping.
    received_month: Mapped[str] = mapped_column(String(7))
    returned_month: Mapped[str | None] = mapped_column(String(7))
    #: The single-use rating code printed on the result slip; answers reach
    #: their dossier through it, never through the dossier code.
    access_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_codes.id", ondelete="SET NULL"), unique=True
    )
    #: SHA-256 of the imported values: an unchanged row is left untouched.
    row_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()
    procedure: Mapped[Procedure] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()
    official: Mapped[Official | None] = relationship()
    access_code: Mapped[AccessCode | None] = relationship()


class DossierApplicant(Base):
    """Who filed a dossier and how to reach them: personal data, kept apart.

    Kept only while an apology letter may be owed (``purge_after``), shown only
    to the unit's managers, never exported with the anonymous data.
    """

    __tablename__ = "dossier_applicants"

    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    purge_after: Mapped[datetime] = mapped_column(index=True)


class ApologyLetter(Base):
    """A Phiếu xin lỗi và hẹn lại ngày trả kết quả for a late dossier.

    Numbered per unit and year. Whether, when, by whom and how it was sent is
    recorded here; the sending itself happens outside hailong.
    """

    __tablename__ = "apology_letters"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "number"),
        CheckConstraint(
            f"sent_via IS NULL OR sent_via IN ({_values(LetterDelivery)})",
            name="sent_via",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="RESTRICT"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    #: A reason from the list (``surveys.dossiers.letters``), or None when written.
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    new_return_on: Mapped[date] = mapped_column(Date)
    signer_title: Mapped[str] = mapped_column(String(200))
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    sent_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    sent_via: Mapped[str | None] = mapped_column(String(20))

    dossier: Mapped[Dossier] = relationship()


class ImportSource(Base):
    """A dossier system's export layout and the column mapping an official confirmed.

    Recognised by its headers: the next file with the same headers is read with
    the same mapping, without asking again.
    """

    __tablename__ = "import_sources"
    __table_args__ = (UniqueConstraint("kind", "signature"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the export holds: ``dossiers`` or ``cases`` (feedback cases).
    kind: Mapped[str] = mapped_column(String(20), default="dossiers")
    #: SHA-256 of the normalised headers, in order.
    signature: Mapped[str] = mapped_column(String(64))
    headers: Mapped[list[str]] = mapped_column(JSON)
    #: Dossier field name -> header of the column that holds it.
    mapping: Mapped[dict[str, str]] = mapped_column(JSON)
    confirmed_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DossierImport(Base):
    """One uploaded export on its way in: read, checked, then applied at once.

    The browser's progress bar and the CLI read ``rows_read``; what the import
    found wrong is in ``DossierImportProblem`` rows, counted by column in
    ``problems``, and ``rows_bad`` rows have at least one. See
    ``surveys.dossiers.importing``.
    """

    __tablename__ = "dossier_imports"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(ImportStatus)})", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    #: The importer's scope: every row must belong to this unit or below.
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT")
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_sources.id", ondelete="SET NULL")
    )
    filename: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the file's bytes.
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20))
    #: True: good rows go in and bad ones are listed; False: all or nothing.
    skip_bad_rows: Mapped[bool] = mapped_column(default=False)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_bad: Mapped[int] = mapped_column(default=0)
    #: Dossiers the good rows create, update or leave as they are: foreseen
    #: once checked, what happened once done.
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    #: How many problems each column has: ``[{"column": header, "count": n}]``.
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: What stopped the reading, for the operator's log (the official reads the
    #: problem of line 0).
    error: Mapped[str | None] = mapped_column(Text)
    #: The column mapping the rows were read with (field -> header).
    mapping: Mapped[dict[str, str] | None] = mapped_column(JSON)
    #: The uploaded file's name in the instance folder, until the import ends.
    stored_file: Mapped[str | None] = mapped_column(String(255))
    #: When the reading last reported progress: a reading that has stopped
    #: reporting was cut off (its process ended) and is marked failed.
    progress_at: Mapped[datetime | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class DossierImportRow(Base):
    """A checked row of an import, staged until the import is applied at once.

    Its values are the dossier's as they will be written, derived columns
    included; the procedure is named by its code, as a new one enters the
    catalogue only when the import is applied.
    """

    __tablename__ = "dossier_import_rows"

    import_id: Mapped[int] = mapped_column(
        ForeignKey("dossier_imports.id", ondelete="CASCADE"), primary_key=True
    )
    #: The row's number in the file, as a spreadsheet shows it.
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    unit_id: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    procedure_code: Mapped[str] = mapped_column(String(64))
    procedure_name: Mapped[str] = mapped_column(String(500))
    procedure_field: Mapped[str] = mapped_column(String(200))
    service_point_id: Mapped[int | None] = mapped_column(Integer)
    official_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]
    due_at: Mapped[datetime]
    due_computed: Mapped[bool]
    returned_at: Mapped[datetime | None]
    paid_online: Mapped[bool]
    digitised: Mapped[bool]
    working_days_late: Mapped[int | None] = mapped_column(Integer)
    received_month: Mapped[str] = mapped_column(String(7))
    returned_month: Mapped[str | None] = mapped_column(String(7))
    row_hash: Mapped[str] = mapped_column(String(64))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_phone: Mapped[str] = mapped_column(String(20))
    applicant_email: Mapped[str] = mapped_column(String(200))
    applicant_address: Mapped[str] = mapped_column(String(300))
    purge_after: Mapped[datetime]


class DossierImportProblem(Base):
    """Why a row of an import (line 0: the file itself) cannot go in."""

    __tablename__ = "dossier_import_problems"
    __table_args__ = (
        Index("ix_dossier_import_problems_import_id_line", "import_id", "line"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("dossier_imports.id", ondelete="CASCADE")
    )
    line: Mapped[int] = mapped_column(Integer)
    #: The file's header of the column at fault ("" for the row or file).
    column: Mapped[str] = mapped_column(String(200))
    #: A ``surveys.translatable.Message``: its msgid and parameters.
    msgid: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CaseCategory(Base):
    """A kind of feedback the district handles (an Open311 service).

    Managed by the district; ``public`` ones are offered on ``/phan-anh`` and
    over Open311, the others only to staff.
    """

    __tablename__ = "case_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable code, the Open311 ``service_code``.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    #: Open311 ``group``: a heading the categories are listed under.
    group: Mapped[str] = mapped_column(String(100), default="")
    keywords: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    public: Mapped[bool] = mapped_column(default=True)
    #: Where a case of this category goes when nothing else names its unit.
    default_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseDeadlineRule(Base):
    """How many working days a case has to be answered, and when to warn.

    None for the category or the channel means any; the most specific rule
    applies (``surveys.cases.due_dates.rule_for``).
    """

    __tablename__ = "case_deadline_rules"
    __table_args__ = (
        UniqueConstraint("category_id", "channel"),
        CheckConstraint("working_days > 0", name="working_days"),
        CheckConstraint("warn_days >= 0", name="warn_days"),
        CheckConstraint(
            f"channel IS NULL OR channel IN ({_values(CaseChannel)})", name="channel"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_categories.id", ondelete="CASCADE")
    )
    channel: Mapped[str | None] = mapped_column(String(20))
    working_days: Mapped[int] = mapped_column(Integer)
    warn_days: Mapped[int] = mapped_column(Integer, default=2)
    note: Mapped[str] = mapped_column(String(300), default="")


class IntegrationKey(Base):
    """A key an outside system (Open311 client, city dashboard) calls with.

    Only its SHA-256 is stored; the key itself is shown once. It reaches its
    unit and the units below, for reading, filing, or both.
    """

    __tablename__ = "integration_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The key's first characters, to tell keys apart in lists and logs.
    prefix: Mapped[str] = mapped_column(String(12))
    can_read: Mapped[bool] = mapped_column(default=True)
    can_write: Mapped[bool] = mapped_column(default=False)
    #: Reads officials and their ratings, as the unit's managers do (a viewer
    #: does not): the staff form asks for it apart.
    can_read_officials: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )
    #: A ``limits`` rate string, e.g. ``"60/minute;2000/day"``.
    rate_limit: Mapped[str] = mapped_column(String(100), default="60/minute;2000/day")
    #: True: contact details the client sends are kept (it collected consent).
    contact_consent: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    #: When the key stops working; None only for keys made before keys expired.
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()


class PaperBatch(Base):
    """Paper questionnaires printed together for one unit, and their register.

    Each of its ``count`` forms is tied to a single-use access code of its own
    (issued with the batch, with the sample design's fields), so a paper form
    is counted once, like an invitation. ``first_number``..``last_number`` are
    the forms' printed numbers, consecutive (``surveys.paper.batches``).
    """

    __tablename__ = "paper_batches"
    __table_args__ = (
        CheckConstraint("count >= 1", name="count_positive"),
        CheckConstraint("last_number = first_number + count - 1", name="range"),
        CheckConstraint(
            "returned_count IS NULL OR returned_count BETWEEN 0 AND count",
            name="returned_count",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    #: The counter the forms are handed out at, if one.
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="RESTRICT")
    )
    count: Mapped[int] = mapped_column(Integer)
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    printed_at: Mapped[datetime | None]
    handed_out_at: Mapped[datetime | None]
    #: To whom the forms went (a counter, an enumerator, a school): free text.
    handed_out_to: Mapped[str] = mapped_column(String(200), default="")
    #: How many filled-in forms came back, and when that was last noted.
    returned_count: Mapped[int | None] = mapped_column(Integer)
    returned_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()
    forms: Mapped[list[PaperForm]] = relationship(
        back_populates="batch", order_by="PaperForm.number"
    )


class PaperForm(Base):
    """One printed questionnaire: its number, its access code, its double entry.

    ``number`` is printed on every sheet (with a check digit, see
    ``surveys.paper.numbers``); the code's QR beside it. Only a reconciled
    form becomes a response (``response_id``), through its code.
    """

    __tablename__ = "paper_forms"
    __table_args__ = (
        CheckConstraint(f"state IN ({_values(PaperFormState)})", name="state"),
        Index("ix_paper_forms_batch_id_state", "batch_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique across the installation, consecutive within a batch.
    number: Mapped[int] = mapped_column(Integer, unique=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("paper_batches.id", ondelete="RESTRICT")
    )
    access_code_id: Mapped[int] = mapped_column(
        ForeignKey("access_codes.id", ondelete="RESTRICT"), unique=True
    )
    state: Mapped[str] = mapped_column(String(20), default=PaperFormState.PRINTED.value)
    #: The values the third user settled, as the entries keep theirs.
    settled_answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reconciled_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    reconciled_at: Mapped[datetime | None]
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="RESTRICT"), unique=True
    )

    batch: Mapped[PaperBatch] = relationship(back_populates="forms")
    access_code: Mapped[AccessCode] = relationship()
    entries: Mapped[list[PaperEntry]] = relationship(
        back_populates="form", order_by="PaperEntry.slot"
    )


class PaperEntry(Base):
    """One clerk's keying of one paper form, never shown to the other clerk.

    The database refuses a clerk's second entry of a form (``form_id``,
    ``clerk_id``) and a third entry (``slot`` is 1 or 2, unique per form),
    even when two arrive at once.
    """

    __tablename__ = "paper_entries"
    __table_args__ = (
        UniqueConstraint("form_id", "clerk_id"),
        UniqueConstraint("form_id", "slot"),
        CheckConstraint("slot IN (1, 2)", name="slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("paper_forms.id", ondelete="CASCADE")
    )
    clerk_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    #: First or second entry of the form.
    slot: Mapped[int] = mapped_column(Integer)
    #: The validated values, relevant questions only, blanks dropped, in JSON
    #: (dates as ISO text): what the engine gave, typed as the page sends them.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: When the clerk opened the form and saved it: the keying time.
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]

    form: Mapped[PaperForm] = relationship(back_populates="entries")
    clerk: Mapped[User] = relationship()


class Enumerator(Base):
    """A field interviewer who sends interviews from ODK Collect or Enketo.

    Like an integration key, only the SHA-256 of the enumerator's key is stored
    (``surveys.access.secret_keys``); the key is shown once and goes into the
    client's server address. ``unit_id`` is the unit that manages them (the
    staff pages' scope); what they may send is in their assignments.
    """

    __tablename__ = "enumerators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The key's first characters, to tell keys apart in lists and logs.
    prefix: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()
    assignments: Mapped[list[EnumeratorAssignment]] = relationship(
        back_populates="enumerator", cascade="all, delete-orphan"
    )


class EnumeratorAssignment(Base):
    """One unit of one interviewer campaign an enumerator may interview in.

    Each assignment is one form on the enumerator's tablet; the interviews sent
    with it carry its sample-design fields (the cluster the enumerator works
    in, its stratum and the design weight of its households).
    """

    __tablename__ = "enumerator_assignments"
    __table_args__ = (
        UniqueConstraint("enumerator_id", "campaign_id", "unit_id"),
        CheckConstraint("weight IS NULL OR weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enumerator_id: Mapped[int] = mapped_column(
        ForeignKey("enumerators.id", ondelete="CASCADE")
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    stratum: Mapped[str | None] = mapped_column(String(64))
    cluster: Mapped[str | None] = mapped_column(String(64))
    weight: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enumerator: Mapped[Enumerator] = relationship(back_populates="assignments")
    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()


class FeedbackCase(Base):
    """A citizen's or business's feedback or complaint (phản ánh, kiến nghị).

    The tracking code is what the citizen keeps; ``unit_id`` is the unit that
    answers for it now. ``resolved_at`` is when it left the open states
    (answered, rejected, referred out, merged); the derived columns
    (quarters, working days, on time) are set then, so that a quarter's figures
    are one ``GROUP BY``. The history is in ``CaseEvent``.
    """

    __tablename__ = "feedback_cases"
    __table_args__ = (
        UniqueConstraint("channel", "source_ref"),
        CheckConstraint(f"channel IN ({_values(CaseChannel)})", name="channel"),
        CheckConstraint(f"state IN ({_values(CaseState)})", name="state"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN"
            " ('answered', 'rejected', 'referred_out', 'merged')",
            name="outcome",
        ),
        # The lists of open cases by due date, and a quarter's figures read
        # from the indexes alone (bench/bench_case_figures.py): received,
        # answered (on time, working days), overdue at the quarter's end; and
        # Open311's requests by date of receipt.
        Index("ix_feedback_cases_open_due", "unit_id", "state", "due_at"),
        Index("ix_feedback_cases_received", "unit_id", "received_quarter", "outcome"),
        Index(
            "ix_feedback_cases_resolved",
            "unit_id",
            "resolved_quarter",
            "outcome",
            "on_time",
            "working_days_to_resolve",
        ),
        Index(
            "ix_feedback_cases_backlog",
            "unit_id",
            "due_at",
            "received_at",
            "resolved_at",
            "outcome",
        ),
        Index("ix_feedback_cases_received_at", "unit_id", "received_at"),
        Index("ix_feedback_cases_handler", "handler_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    #: The case number of the portal it was imported from (idempotent imports).
    source_ref: Mapped[str | None] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    handler_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("case_categories.id", ondelete="RESTRICT"), index=True
    )
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="SET NULL")
    )
    official_id: Mapped[int | None] = mapped_column(
        ForeignKey("officials.id", ondelete="SET NULL")
    )
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossiers.id", ondelete="SET NULL")
    )
    procedure_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedures.id", ondelete="SET NULL")
    )
    #: The rating whose comment became this case.
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), unique=True
    )
    integration_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("integration_keys.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    address_text: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(20), default=CaseState.RECEIVED.value)
    #: How the case left the open states (answered, rejected, referred_out,
    #: merged); kept once it is closed, cleared when it is reopened.
    outcome: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime]
    due_at: Mapped[datetime]
    #: True when hailong computed ``due_at`` from the rules (computed again
    #: when the calendar changes); False when a portal's export gave it.
    due_computed: Mapped[bool] = mapped_column(default=True)
    #: The working days the rules gave the case when it arrived: a later rule
    #: applies to later cases only (None when a portal gave the deadline).
    working_days: Mapped[int | None] = mapped_column(Integer)
    #: True while the unit waits for the citizen to say more.
    waiting_since: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: When the case was first seen overdue and shown to the unit above.
    escalated_at: Mapped[datetime | None]
    #: Quarter of receipt and of resolution in Vietnam time ("2026-Q1").
    received_quarter: Mapped[str] = mapped_column(String(7))
    resolved_quarter: Mapped[str | None] = mapped_column(String(7))
    working_days_to_resolve: Mapped[int | None] = mapped_column(Integer)
    on_time: Mapped[bool | None]
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_cases.id", ondelete="SET NULL")
    )
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    #: Where a case referred out went (a body outside hailong).
    referred_to: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()
    category: Mapped[CaseCategory] = relationship()
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    service_point: Mapped[ServicePoint | None] = relationship()
    official: Mapped[Official | None] = relationship()
    dossier: Mapped[Dossier | None] = relationship()
    procedure: Mapped[Procedure | None] = relationship()
    merged_into: Mapped[FeedbackCase | None] = relationship(remote_side=[id])


class CaseEvent(Base):
    """One step of a case's history: who did what, when, from which state to which.

    Written by ``surveys.cases.workflow`` in the same transaction as the change;
    never updated. ``public_note`` is what the citizen's status page shows.
    """

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_cases.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    #: staff, citizen, system or integration.
    actor: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    from_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL")
    )
    to_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL")
    )
    public_note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship()


class CaseAnswer(Base):
    """The unit's answer to a case, reviewed by its manager before publication."""

    __tablename__ = "case_answers"
    __table_args__ = (
        CheckConstraint(f"state IN ({_values(AnswerState)})", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_cases.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=AnswerState.DRAFT.value)
    drafted_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    drafted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    reviewed_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]


class CaseRating(Base):
    """How satisfied the citizen was with the answer (SIPAS factor 5), anonymous."""

    __tablename__ = "case_ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_cases.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[int] = mapped_column(Integer)
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseContact(Base):
    """How to reach the citizen about a case: personal data, kept apart.

    Stored only with their explicit consent, shown only to the unit's managers,
    never exported, erased after ``purge_after``.
    """

    __tablename__ = "case_contacts"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_cases.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    consented_at: Mapped[datetime]
    purge_after: Mapped[datetime] = mapped_column(index=True)


class CaseAttachment(Base):
    """A picture or PDF sent with a case, stored outside the web root.

    ``kind`` is what the bytes are, not what the name says; pictures are stored
    re-encoded (no EXIF, no location).
    """

    __tablename__ = "case_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_cases.id", ondelete="CASCADE"), index=True
    )
    #: The file's random name in the instance's case files folder.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    #: The name it came with, for display only.
    original_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Who did what to which object, and when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str | None] = mapped_column(String(50))
    object_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


__all__ = [
    "PAPER_CHANNEL",
    "AccessCode",
    "Answer",
    "AnswerState",
    "ApologyLetter",
    "AuditEvent",
    "Base",
    "Campaign",
    "CampaignMode",
    "CaseAnswer",
    "CaseAttachment",
    "CaseCategory",
    "CaseChannel",
    "CaseContact",
    "CaseDeadlineRule",
    "CaseEvent",
    "CaseRating",
    "CaseState",
    "Chore",
    "CodeKind",
    "Dossier",
    "DossierApplicant",
    "DossierChannel",
    "DossierImport",
    "DossierImportProblem",
    "DossierImportRow",
    "DossierRules",
    "DossierStatus",
    "Enumerator",
    "EnumeratorAssignment",
    "FeedbackCase",
    "FollowUpContact",
    "HiddenComment",
    "ImportSource",
    "ImportStatus",
    "IntegrationKey",
    "ItemTally",
    "LetterDelivery",
    "LoginThrottle",
    "Official",
    "PaperBatch",
    "PaperEntry",
    "PaperForm",
    "PaperFormState",
    "Procedure",
    "Questionnaire",
    "Response",
    "ResponseChannel",
    "ResponseDraft",
    "Role",
    "ServicePoint",
    "ServicePointOfficial",
    "Unit",
    "UnitKind",
    "User",
    "WorkingDayChange",
]
