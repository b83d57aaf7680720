"""Item tallies and device flags, kept after each response's write, from a watermark.

See ``ItemTally``: the sums a per-unit report needs, per quarter;
``ItemDayTally``: the same per day, with each item's answers counted by value;
``ResponseDay``: how many responses each unit had each day; ``RatedComment``:
the comments, with their response's lowest rating. A rating's write stores the
response and its answers only; ``catch_up`` then counts every response stored
since the watermark (``Watermark``) into the tallies, sets the flags that
compare a response with the device's earlier ones (burst, suspected duplicate)
and with its address's (burst, ``ADDRESS_BURST_SIZE``), and moves the watermark,
all in one transaction: a response is counted exactly once, however many
processes catch up at once, and a crash between two catch-ups loses nothing.
Readers of tallies and flags catch up first.

On SQLite writers are serialised, so ids become visible in order and the
highest stored id is a safe bound. On PostgreSQL a transaction with a lower id
may commit after one with a higher: every response write holds the shared
advisory lock ``WRITERS_LOCK`` and the catch-up takes it exclusively for the
instant it reads its bound, so no lower id can still appear afterwards.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    ColumnElement,
    bindparam,
    case,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from surveys.db import begin_writing, dialect_insert, schema_lock
from surveys.local_time import LOCAL_OFFSET, local_date
from surveys.models import (
    Answer,
    ItemDayTally,
    ItemTally,
    RatedComment,
    Response,
    ResponseDay,
    Watermark,
)
from surveys.models import Questionnaire as StoredQuestionnaire
from surveys.questionnaire import Questionnaire
from surveys.questionnaire.scores import Score, respondent_scores
from surveys.questionnaire.versions import definition_of

#: The advisory lock of response writers on PostgreSQL (``schema_lock``).
WRITERS_LOCK = schema_lock(1751215215)  # 0x68616C6F, "halo"
#: The watermark's name in ``watermarks``.
TALLIED = "tallies"
#: Responses counted per catch-up transaction.
CATCH_UP_BATCH = 2000
#: Responses from one device at one code within this window form a burst.
BURST_WINDOW = timedelta(minutes=10)
BURST_SIZE = 3
#: A response is a suspected duplicate when its content equals one of the
#: device's last this many responses in the burst window.
RECENT_COMPARED = 10
assert RECENT_COMPARED >= BURST_SIZE - 1, "a burst must fit in what is compared"
#: This many ratings from one address (its day's pseudonym) at one code, or of
#: one official, within this window come faster than people served at a
#: counter rate: every one of them is a burst, the first ones too. Sixty phones
#: on a ward's Wi-Fi rating one counter over an hour (one a minute, as they are
#: served at random) reach it in roughly one such hour in a hundred (a scan
#: bound: 60 x P(at least 5 more within 30 s at one a minute) = 60 x 0.00017).
ADDRESS_BURST_WINDOW = timedelta(seconds=30)
ADDRESS_BURST_SIZE = 6

SUMMED = ("n", "total", "total_sq", "satisfied")
#: The columns of a response that say which cell it is counted in.
CELL_COLUMNS = (
    "campaign_id",
    "unit_id",
    "service_point_id",
    "official_id",
    "submitted_at",
    "verified",
    "channel",
)


def period_of(moment: datetime) -> str:
    """Return the local quarter of an instant, e.g. ``2026-Q2``."""
    local = moment + LOCAL_OFFSET
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Cell:
    """Where a response is counted."""

    campaign_id: int
    unit_id: int
    service_point_id: int | None
    official_id: int | None
    period: str
    verified: bool
    #: The day of submission in Vietnam's time: the cell of the day tallies.
    day: date
    #: How the responses came (``Response.channel``).
    channel: str

    @classmethod
    def of(cls, response: Response) -> Cell:
        return cls.of_row({name: getattr(response, name) for name in CELL_COLUMNS})

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> Cell:
        """Return the cell of a response given as its column values."""
        return cls(
            row["campaign_id"],
            row["unit_id"],
            row["service_point_id"],
            row["official_id"],
            period_of(row["submitted_at"]),
            row["verified"],
            local_date(row["submitted_at"]),
            row["channel"],
        )

    def key(self, score: Score, *, by_day: bool = False, category: bool = False) -> str:
        """Return the text key of the tally row of ``score`` in this cell: its
        quarter's, or its day's (``by_day``), or its value's that day
        (``category``)."""
        parts = (
            self.campaign_id,
            self.unit_id,
            self.service_point_id or "-",
            self.official_id or "-",
            self.day.isoformat() if by_day or category else self.period,
            "v" if self.verified else "u",
            self.channel,
            "c" if category else score.kind[0],
            score.name,
            *([f"{score.value:g}"] if category else []),
        )
        return "|".join(map(str, parts))


class Counted:
    """What some responses add to (or, excluded, take from) the tallies.

    Their sums per quarter cell and per day cell, each item's answers counted
    by value per day, and their comments; each row of sums once per cell,
    however many responses fall in it, so that one upsert per table writes a
    batch.
    """

    def __init__(self) -> None:
        self.quarters: dict[str, dict[str, object]] = {}
        self.days: dict[str, dict[str, object]] = {}
        self.comments: list[dict[str, object]] = []

    def add(
        self,
        row: Mapping[str, Any],
        questionnaire: Questionnaire,
        values: Mapping[str, object],
    ) -> None:
        """Count a kept response, given as its columns (``CELL_COLUMNS``, ``id``)."""
        self.add_scores(Cell.of_row(row), respondent_scores(questionnaire, values))
        ratings = [values.get(name) for name in questionnaire.rating_questions]
        numbers = [v for v in ratings if isinstance(v, int | float)]
        for question in questionnaire.comment_questions:
            if isinstance(values.get(question), str):
                self.comments.append(
                    {
                        "response_id": row["id"],
                        "question": question,
                        "campaign_id": row["campaign_id"],
                        "unit_id": row["unit_id"],
                        "submitted_at": row["submitted_at"],
                        "channel": row["channel"],
                        "lowest_rating": min(numbers, default=None),
                    }
                )

    def add_scores(self, cell: Cell, scores: Iterable[Score], sign: int = 1) -> None:
        """Add (``sign`` 1) or take out (-1) one response's scores in ``cell``.

        Its comments stay listed when it is taken out: their readers keep the
        kept responses only.
        """
        for score in scores:
            _add(self.quarters, _row(cell, score, sign))
            _add(self.days, _row(cell, score, sign, by_day=True))
            if score.kind == "item":
                _add(self.days, _row(cell, score, sign, category=True))

    def write(self, session: Session) -> None:
        """Upsert the sums: a new cell is inserted, a known one has its sums added."""
        dialect = session.get_bind().dialect.name
        for table, rows in ((ItemTally, self.quarters), (ItemDayTally, self.days)):
            if rows:
                session.execute(_upsert(dialect, table), list(rows.values()))
        if self.comments:
            session.execute(RatedComment.__table__.insert(), self.comments)


@cache
def _upsert(dialect: str, table: type[ItemTally] | type[ItemDayTally]) -> Any:
    """A new cell is inserted; a known one has each sum added (``SUMMED``)."""
    statement = dialect_insert(dialect, table.__table__)
    return statement.on_conflict_do_update(
        index_elements=[table.cell],
        set_={name: getattr(table, name) + statement.excluded[name] for name in SUMMED},
    )


def catch_up(session: Session, *, batch: int = CATCH_UP_BATCH) -> int:
    """Count every response stored since the watermark; commit; return how many.

    Unlike a service, this commits, in transactions of its own (one per
    ``batch`` responses): it is the step after a send, not part of one.
    """
    bound = _final_bound(session)
    counted = 0
    while True:
        begin_writing(session)
        # Read locked: a catch-up running meanwhile waits, then starts here.
        last = _watermark(session, lock=True)
        rows = list(
            session.execute(
                select(*_READ)
                .where(Response.id > last, Response.id <= bound)
                .order_by(Response.id)
                .limit(batch)
            )
        )
        if rows:
            _count(session, rows)
            _count_days(session, rows)
            _flag(session, rows)
            session.execute(
                update(Watermark)
                .where(Watermark.name == TALLIED)
                .values(last_id=rows[-1].id)
            )
            counted += len(rows)
        session.commit()
        if len(rows) < batch:
            return counted


def caught_up(session: Session) -> None:
    """Catch up first if responses were stored since; what readers call first."""
    if behind(session):
        catch_up(session)


def behind(session: Session) -> bool:
    """Tell whether responses were stored since the last catch-up (a cheap read)."""
    newest = session.scalar(select(func.max(Response.id)))
    return (newest or 0) > _watermark(session)


def _final_bound(session: Session) -> int:
    """Return an id at or below which no response can still appear.

    On PostgreSQL the exclusive advisory lock waits for every response write
    in flight and is let go at once (its own transaction).
    """
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(WRITERS_LOCK)))
    bound = session.scalar(select(func.max(Response.id))) or 0
    session.commit()
    return bound


#: What the catch-up reads of each response.
_READ = (
    Response.id,
    Response.questionnaire_id,
    Response.excluded,
    Response.device_hash,
    Response.content_hash,
    Response.address_hash,
    Response.access_code_id,
    Response.campaign_id,
    Response.unit_id,
    Response.service_point_id,
    Response.official_id,
    Response.submitted_at,
    Response.verified,
    Response.channel,
)


def _count(session: Session, rows: list[Any]) -> None:
    """Add the batch's kept responses to their tally cells, one upsert a cell."""
    kept = [row for row in rows if not row.excluded]
    if not kept:
        return
    values: dict[int, dict[str, object]] = defaultdict(dict)
    answers = session.execute(
        select(
            Answer.response_id, Answer.question, Answer.value_num, Answer.value_text
        ).where(
            Answer.response_id >= kept[0].id,
            Answer.response_id <= kept[-1].id,
            # Rows of a repeat are never scored (the schema refuses it).
            Answer.position == 0,
        )
    )
    for response_id, question, number, text in answers:
        values[response_id][question] = number if number is not None else text
    counted = Counted()
    definitions = _definitions(session, {row.questionnaire_id for row in kept})
    for row in kept:
        counted.add(row._mapping, definitions[row.questionnaire_id], values[row.id])
    counted.write(session)


def _count_days(session: Session, rows: list[Any]) -> None:
    """Add the batch's responses, excluded ones too, to their units' days."""
    days: dict[tuple[object, ...], tuple[int, datetime]] = {}
    for row in rows:
        day = local_date(row.submitted_at)
        key = (
            row.campaign_id,
            row.unit_id,
            day,
            row.verified,
            row.excluded,
            row.channel,
        )
        n, latest = days.get(key, (0, row.submitted_at))
        days[key] = (n + 1, max(latest, row.submitted_at))
    add_to_days(session, days)


def add_to_days(
    session: Session, days: Mapping[tuple[object, ...], tuple[int, datetime]]
) -> None:
    """Upsert day counts keyed (campaign, unit, day, verified, excluded,
    channel): each adds its n and keeps the later of the latest times."""
    if days:
        session.execute(
            _day_upsert(session.get_bind().dialect.name),
            [
                dict(zip(DAY_KEY, key, strict=True), n=n, latest=latest)
                for key, (n, latest) in days.items()
            ],
        )


#: The columns that key a day's count.
DAY_KEY = ("campaign_id", "unit_id", "day", "verified", "excluded", "channel")


@cache
def _day_upsert(dialect: str) -> Any:
    statement = dialect_insert(dialect, ResponseDay.__table__)
    later = statement.excluded.latest > ResponseDay.latest
    return statement.on_conflict_do_update(
        index_elements=list(DAY_KEY),
        set_={
            "n": ResponseDay.n + statement.excluded.n,
            "latest": case(
                (later, statement.excluded.latest), else_=ResponseDay.latest
            ),
        },
    )


def _moved_to_excluded(session: Session, response: Response) -> None:
    """Move a counted response from its day's kept count to its excluded one.

    The kept count's latest time is read again from the day's other responses
    (through the unit's index): it may have been this one's.
    """
    day = local_date(response.submitted_at)
    where = (response.campaign_id, response.unit_id, day, response.verified)
    add_to_days(session, {(*where, True, response.channel): (1, response.submitted_at)})
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - LOCAL_OFFSET
    others = (
        select(func.max(Response.submitted_at))
        .where(
            Response.unit_id == response.unit_id,
            Response.submitted_at >= start,
            Response.submitted_at < start + timedelta(days=1),
            Response.campaign_id == response.campaign_id,
            Response.verified.is_(response.verified),
            Response.channel == response.channel,
            Response.excluded.is_(False),
            Response.id != response.id,
        )
        .scalar_subquery()
    )
    kept = dict(zip(DAY_KEY, (*where, False, response.channel), strict=True))
    session.execute(
        update(ResponseDay)
        .filter_by(**kept)
        .values(n=ResponseDay.n - 1, latest=func.coalesce(others, ResponseDay.latest))
    )


def _flag(session: Session, rows: list[Any]) -> None:
    """Set the burst and duplicate flags of the batch's responses.

    A response's "recent" responses are the device's latest ``RECENT_COMPARED``
    in the same campaign within ``BURST_WINDOW`` before it, stored before it.
    Of what was stored before the batch, only each device's latest
    ``RECENT_COMPARED`` can be among them (the window only cuts off older
    ones): one short read of the device index per device, however many
    ratings a busy device (a NAT, one phone model) has made. An address burst
    (``_address_bursts``) flags responses before the batch too.
    """
    in_address_bursts = _address_bursts(session, rows)
    earlier: dict[tuple[int, str], list[Any]] = {}
    flagged = []
    for row in rows:
        burst = duplicate = False
        if row.device_hash is not None:
            key = (row.campaign_id, row.device_hash)
            if key not in earlier:
                earlier[key] = _latest_before(session, key, rows[0].id)
            since = row.submitted_at - BURST_WINDOW
            recent = [e for e in earlier[key] if e.submitted_at >= since]
            burst = len(recent) + 1 >= BURST_SIZE
            duplicate = row.content_hash in {e.content_hash for e in recent}
            # Only the device's latest RECENT_COMPARED can be among a later
            # row's recent ones (the window keeps a latest part of them, or
            # none): the list stays that short, however many the batch holds.
            earlier[key] = heapq.nlargest(
                RECENT_COMPARED, [*earlier[key], row], key=attrgetter("submitted_at")
            )
        burst = burst or row.id in in_address_bursts
        if burst or duplicate:
            flagged.append({"rid": row.id, "burst": burst, "duplicate": duplicate})
    if flagged:
        session.execute(
            update(Response.__table__)
            .where(Response.__table__.c.id == bindparam("rid"))
            .values(
                flag_burst=bindparam("burst"),
                flag_duplicate_suspect=bindparam("duplicate"),
            ),
            flagged,
        )
    before = sorted(i for i in in_address_bursts if i < rows[0].id)
    if before:
        session.execute(
            update(Response).where(Response.id.in_(before)).values(flag_burst=True)
        )


#: What the address burst flag reads of a response stored before the batch.
_ADDRESS_READ = (
    Response.id,
    Response.campaign_id,
    Response.address_hash,
    Response.access_code_id,
    Response.official_id,
    Response.submitted_at,
)


def _address_bursts(session: Session, rows: list[Any]) -> set[int]:
    """Return the ids of responses in an address burst, in the batch or before it.

    Responses are grouped by campaign, address and code, and by campaign,
    address and rated official; a group's responses within any
    ``ADDRESS_BURST_WINDOW`` holding ``ADDRESS_BURST_SIZE`` of them are all
    in a burst, those before the batch too (the ones that opened it). What was
    stored before the batch is read once, through the address index, for the
    window before the batch's first response.
    """
    addressed = [row for row in rows if row.address_hash is not None]
    if not addressed:
        return set()
    since = min(row.submitted_at for row in addressed) - ADDRESS_BURST_WINDOW
    before = session.execute(
        select(*_ADDRESS_READ).where(
            Response.address_hash.in_({row.address_hash for row in addressed}),
            Response.submitted_at >= since,
            Response.id < rows[0].id,
        )
    )
    groups: dict[tuple[object, ...], list[Any]] = defaultdict(list)
    for row in [*before, *addressed]:
        at = (row.campaign_id, row.address_hash)
        groups[(*at, "code", row.access_code_id)].append(row)
        if row.official_id is not None:
            groups[(*at, "official", row.official_id)].append(row)
    return {i for group in groups.values() for i in _in_a_burst(group)}


def _in_a_burst(group: list[Any]) -> set[int]:
    """Return the ids of a group's responses in a window that holds a burst."""
    ordered = sorted(group, key=attrgetter("submitted_at"))
    found: set[int] = set()
    start = marked = 0  # ``marked``: the responses before it are in ``found``
    for end, row in enumerate(ordered):
        while row.submitted_at - ordered[start].submitted_at > ADDRESS_BURST_WINDOW:
            start += 1
        if end - start + 1 >= ADDRESS_BURST_SIZE:
            # Each response is added once: a busy address's windows overlap by
            # thousands, and adding every window whole was quadratic.
            found.update(r.id for r in ordered[max(start, marked) : end + 1])
            marked = end + 1
    return found


def _latest_before(session: Session, key: tuple[int, str], first_id: int) -> list[Any]:
    """Return a device's latest responses in a campaign stored before ``first_id``."""
    campaign_id, device = key
    return list(
        session.execute(
            select(Response.id, Response.submitted_at, Response.content_hash)
            .where(
                Response.campaign_id == campaign_id,
                Response.device_hash == device,
                Response.id < first_id,
            )
            .order_by(Response.submitted_at.desc())
            .limit(RECENT_COMPARED)
        )
    )


def _definitions(session: Session, ids: set[int]) -> dict[int, Questionnaire]:
    """Return the engine's model of each stored version named, read in one query.

    Once per batch, not per response: the session's identity map holds an
    object only while it is referenced, so a read per response loaded (and
    decoded) the same row every time.
    """
    stored = session.scalars(
        select(StoredQuestionnaire).where(StoredQuestionnaire.id.in_(ids))
    )
    return {version.id: definition_of(version) for version in stored}


def _add(sums: dict[str, dict[str, object]], row: dict[str, object]) -> None:
    known = sums.setdefault(str(row["cell"]), row)
    if known is not row:
        for name in SUMMED:
            known[name] += row[name]  # type: ignore[operator]


def exclude_response(session: Session, response: Response, reason: str) -> None:
    """Keep a response but take it out of every estimate (its tallies too).

    A response the catch-up has not reached yet is only marked: the catch-up
    skips excluded responses. The watermark is read locked, so a catch-up
    running meanwhile cannot count it in between.
    """
    if response.excluded:
        return
    if response.id <= _watermark(session, lock=True):
        questionnaire = definition_of(response.questionnaire)
        values = stored_values(session, response)
        taken_out = Counted()
        taken_out.add_scores(
            Cell.of(response), respondent_scores(questionnaire, values), -1
        )
        taken_out.write(session)
        _moved_to_excluded(session, response)
    response.excluded = True
    response.excluded_reason = reason
    session.flush()


def stored_values(session: Session, response: Response) -> dict[str, object]:
    """Return a stored response's answers as the scoring reads them."""
    answers = session.scalars(select(Answer).where(Answer.response_id == response.id))
    return {
        answer.question: answer.value_num
        if answer.value_num is not None
        else answer.value_text
        for answer in answers
    }


def rebuild_tallies(session: Session, campaign_id: int) -> int:
    """Recount a campaign's tallies (quarters, days, comments) from its stored
    answers; return the quarter tally rows made.

    A repair, and how a migration fills a new kind of tally: the result equals
    what the catch-ups gave. Only responses the catch-up has reached are
    recounted (the later ones it will count itself).
    """
    for table in (ItemTally, ItemDayTally, RatedComment):
        session.execute(delete(table).where(table.campaign_id == campaign_id))
    counted = counted_from_answers(
        session,
        (Response.campaign_id == campaign_id)
        & Response.excluded.is_(False)
        & (Response.id <= _watermark(session, lock=True)),
    )
    counted.write(session)
    return len(counted.quarters)


def counted_from_answers(session: Session, kept: ColumnElement[bool]) -> Counted:
    """Count the responses ``kept`` picks from their answers, as the catch-ups did.

    Answers are streamed in response order, so a campaign of a million
    responses never sits in memory at once: only the sums, one per cell and
    score, and one small row per comment (150,000 of them at a million counter
    responses).
    """
    responses = session.execute(
        select(*_READ)
        .where(kept)
        .order_by(Response.id)
        .execution_options(yield_per=10_000)
    )
    answers = session.execute(
        select(Answer.response_id, Answer.question, Answer.value_num, Answer.value_text)
        .join(Response, Response.id == Answer.response_id)
        .where(kept, Answer.position == 0)
        .order_by(Answer.response_id)
        .execution_options(yield_per=100_000)
    )
    pending = next(answers, None)
    counted = Counted()
    definitions: dict[int, Questionnaire] = {}
    for row in responses:
        values: dict[str, object] = {}
        while pending is not None and pending[0] == row.id:
            values[pending[1]] = pending[2] if pending[2] is not None else pending[3]
            pending = next(answers, None)
        if row.questionnaire_id not in definitions:
            definitions |= _definitions(session, {row.questionnaire_id})
        counted.add(row._mapping, definitions[row.questionnaire_id], values)
    return counted


def _watermark(session: Session, *, lock: bool = False) -> int:
    """Return the id up to which responses are counted.

    Its row is made by the migration that brought the watermark
    (``5f3a9c1e7d24``), at the highest id then stored.
    """
    query = select(Watermark.last_id).where(Watermark.name == TALLIED)
    last = session.scalar(query.with_for_update() if lock else query)
    if last is None:
        raise LookupError("the tallies' watermark is missing: run `flask init-db`")
    return last


def _row(
    cell: Cell,
    score: Score,
    sign: int,
    *,
    by_day: bool = False,
    category: bool = False,
) -> dict[str, object]:
    """Return the tally row adding ``score`` to ``cell``'s quarter, or to its day
    (``by_day``), or to its value's count that day (``category``)."""
    daily = by_day or category
    return {
        "cell": cell.key(score, by_day=by_day, category=category),
        "campaign_id": cell.campaign_id,
        "unit_id": cell.unit_id,
        "service_point_id": cell.service_point_id,
        "official_id": cell.official_id,
        **({"day": cell.day} if daily else {"period": cell.period}),
        "verified": cell.verified,
        "channel": cell.channel,
        "item": score.name,
        "kind": "category" if category else score.kind,
        **({"value": score.value if category else None} if daily else {}),
        "n": sign,
        "total": sign * score.value,
        "total_sq": sign * score.value * score.value,
        "satisfied": sign * int(score.satisfied),
    }
