"""Rating codes of dossiers: one single-use code each, for the result slip.

A rating given through a dossier's code reaches its dossier by
``Response.access_code_id`` = ``Dossier.access_code_id``, never by the dossier
code: the code keeps that only as a keyed hash (``surveys.access.privacy``),
and the questionnaire does not ask for it (``DOSSIER_QUESTION``).

Issuing is set-based, 5,000 dossiers a round: one read, then one INSERT of
their codes and one UPDATE of the dossiers, whose rows travel as one JSON array
each, so that a 200,000-row import gets its codes in seconds
(``bench/bench_rating_codes.py``). It is idempotent: a dossier that has a code
keeps it, and issuers of one unit's codes take turns (its row is locked), so no
dossier ever gets two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Insert,
    Integer,
    Select,
    TableValuedAlias,
    Update,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.access.codes import MAX_DRAWS, new_tokens
from surveys.access.privacy import dossier_hash
from surveys.db import dialect_insert
from surveys.models import (
    AccessCode,
    Campaign,
    CampaignMode,
    CodeKind,
    Dossier,
    DossierImport,
    DossierStatus,
    Procedure,
    Unit,
    User,
    utcnow,
)
from surveys.units.tree import subtree_ids

#: Dossiers read, given codes and linked per round: bounded memory, few statements.
ROUND = 5000
#: Most dossier codes one slip request may name.
MAX_SLIPS = 1000


class RatingCodeError(ValueError):
    """Codes cannot be issued as asked; the message names the unit or dossier."""


class NoDossierCampaign(RatingCodeError):
    """No dossier campaign runs for some units that have dossiers waiting."""


class CampaignsTied(RatingCodeError):
    """Two dossier campaigns equally near a unit started the same day."""


class UnknownDossiers(RatingCodeError):
    """Some dossier codes name no dossier of the unit that could be rated."""

    def __init__(self, codes: Sequence[str]) -> None:
        super().__init__(f"no dossier to rate has the code: {', '.join(codes)}")
        self.codes = tuple(codes)


@dataclass(frozen=True)
class IssuedCodes:
    """How many dossiers got a rating code, in total and per campaign key."""

    issued: int
    by_campaign: Mapping[str, int]


@dataclass(frozen=True)
class RatingSlip:
    """What a dossier's result slip prints: its dossier and its rating code."""

    dossier_code: str
    procedure: str
    token: str


def dossier_campaign(session: Session, unit: Unit, today: date) -> Campaign:
    """Return the campaign a unit's dossier rating codes are issued in.

    It is the dossier-mode campaign running ``today`` that is attached nearest
    to the unit (the ward's own before its district's); of several attached
    at one unit, the one that started last. Raises ``RatingCodeError`` when
    none runs, or when two started the same day at the same unit.
    """
    return _campaigns_for(session, [unit.id], today, where_running=False)[unit.id]


def issue_rating_codes(
    session: Session,
    dossier_key: bytes,
    units: Select[tuple[int]] | Collection[int],
    *,
    today: date,
    dossier_ids: Collection[int] | None = None,
    now: datetime | None = None,
    where_running: bool = False,
) -> IssuedCodes:
    """Give each dossier of ``units`` without a rating code one; flush, never commit.

    ``where_running``: units with no dossier campaign running are passed over
    instead of refused (after an import, which must not fail for want of one).

    ``dossier_ids`` (a batch of slips, not a whole import: pass its units)
    narrows it to those dossiers. Withdrawn dossiers get none: they have no
    result to rate. Each code is single-use, in the unit's dossier campaign
    (``dossier_campaign``), and keeps the dossier code's keyed hash under
    ``dossier_key``. Raises ``NoDossierCampaign`` naming every unit with
    dossiers waiting and no campaign (``CampaignsTied`` when two are equally
    near); nothing is issued then. Call it in a writing transaction
    (``surveys.db.begin_writing`` in a request that began reading).
    """
    if not dossier_key:
        raise RatingCodeError("dossier codes need the key they are hashed with")
    session.flush()
    waiting = _waiting(units, dossier_ids)
    unit_ids = sorted(
        session.scalars(select(Dossier.unit_id).where(waiting).distinct())
    )
    if not unit_ids:
        return IssuedCodes(0, {})
    # Issuers of one unit's codes take turns; on SQLite the writer's lock does.
    # FOR NO KEY UPDATE leaves the rows free for references (ratings, codes).
    session.execute(
        select(Unit.id)
        .where(Unit.id.in_(unit_ids))
        .order_by(Unit.id)
        .with_for_update(key_share=True)
    )
    campaigns = _campaigns_for(session, unit_ids, today, where_running=where_running)
    unit_ids = sorted(campaigns)
    connection = session.connection()
    moment = now or utcnow()
    counts: Counter[str] = Counter()
    last = 0
    while True:
        rows = session.execute(
            select(Dossier.id, Dossier.unit_id, Dossier.code)
            .where(waiting, Dossier.unit_id.in_(unit_ids), Dossier.id > last)
            .order_by(Dossier.id)
            .limit(ROUND)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        codes = {
            dossier_id: [
                campaigns[unit_id].id,
                unit_id,
                dossier_hash(dossier_key, code),
            ]
            for dossier_id, unit_id, code in rows
        }
        links = _insert_codes(connection, codes, moment)
        connection.execute(_link_statement(connection.dialect.name), {"links": links})
        counts.update(campaigns[row.unit_id].key for row in rows)
    _forget_links(session)
    return IssuedCodes(sum(counts.values()), dict(counts))


def issue_imported_codes(
    session: Session, dossier_key: bytes, dossier_import: DossierImport, today: date
) -> IssuedCodes:
    """Give the dossiers of an import's scope their codes where a campaign runs.

    Called once the import is committed: a unit with no dossier campaign keeps
    its dossiers without codes (its managers issue them later, from its page).
    """
    units = (
        select(Unit.id)
        if dossier_import.unit_id is None
        else subtree_ids(dossier_import.unit_id)
    )
    return issue_rating_codes(
        session, dossier_key, units, today=today, where_running=True
    )


def dossiers_without_code(session: Session, unit: Unit) -> int:
    """Count the dossiers of ``unit`` and below it that are waiting for a code."""
    return session.scalar(
        select(func.count()).where(_waiting(subtree_ids(unit.id), None))
    )


def issue_unit_rating_codes(
    session: Session,
    actor: User | None,
    dossier_key: bytes,
    unit: Unit,
    *,
    today: date,
) -> IssuedCodes:
    """Issue the codes of the dossiers of ``unit`` and below it, and audit who did.

    ``actor`` None: a command-line task. Raises as ``issue_rating_codes``.
    """
    issued = issue_rating_codes(session, dossier_key, subtree_ids(unit.id), today=today)
    if issued.issued:
        record_event(
            session,
            AuditAction.CODES_ISSUED,
            actor.id if actor is not None else None,
            object_type="unit",
            object_id=unit.code,
            detail={
                "kind": CodeKind.SINGLE_USE.value,
                "dossiers": issued.issued,
                "campaigns": dict(issued.by_campaign),
            },
        )
    return issued


def rating_slips(
    session: Session,
    dossier_key: bytes,
    unit: Unit,
    dossier_codes: Sequence[str],
    *,
    today: date,
) -> list[RatingSlip]:
    """Return the slips of the named dossiers of ``unit``, issuing missing codes.

    Slips come in the order the codes were given, each dossier once. Raises
    ``UnknownDossiers`` naming the codes of no dossier of the unit (or of a
    withdrawn one), and ``RatingCodeError`` as ``issue_rating_codes``; nothing
    is issued then.
    """
    wanted = list(dict.fromkeys(code.strip() for code in dossier_codes if code.strip()))
    if not wanted:
        raise UnknownDossiers(())
    if len(wanted) > MAX_SLIPS:
        raise RatingCodeError(f"{len(wanted)} dossiers: at most {MAX_SLIPS} at once")
    found = dict(
        session.execute(
            select(Dossier.code, Dossier.id).where(
                Dossier.unit_id == unit.id,
                Dossier.code.in_(wanted),
                Dossier.status != DossierStatus.WITHDRAWN,
            )
        ).all()
    )
    missing = [code for code in wanted if code not in found]
    if missing:
        raise UnknownDossiers(missing)
    issue_rating_codes(
        session, dossier_key, [unit.id], today=today, dossier_ids=found.values()
    )
    rows = session.execute(
        select(Dossier.code, Procedure.name, AccessCode.token)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .join(AccessCode, AccessCode.id == Dossier.access_code_id)
        .where(Dossier.id.in_(found.values()))
    ).all()
    slips = {
        code: RatingSlip(code, procedure, token) for code, procedure, token in rows
    }
    return [slips[code] for code in wanted]


def _waiting(
    units: Select[tuple[int]] | Collection[int],
    dossier_ids: Collection[int] | None,
) -> ColumnElement[bool]:
    """Select the dossiers of ``units`` (among ``dossier_ids``) still without a code."""
    if not isinstance(units, Select):
        units = list(units)
    condition = (
        Dossier.unit_id.in_(units)
        & Dossier.access_code_id.is_(None)
        & (Dossier.status != DossierStatus.WITHDRAWN)
    )
    if dossier_ids is not None:
        condition &= Dossier.id.in_(list(dossier_ids))
    return condition


def _campaigns_for(
    session: Session, unit_ids: Sequence[int], today: date, *, where_running: bool
) -> dict[int, Campaign]:
    """Return each unit's dossier campaign; refuse naming every unit that has none
    (``where_running``: leave those units out)."""
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    running: dict[int, list[Campaign]] = {}
    for campaign in session.scalars(
        select(Campaign)
        .where(
            Campaign.mode == CampaignMode.DOSSIER,
            Campaign.closed_at.is_(None),
            Campaign.starts_on <= today,
            or_(Campaign.ends_on.is_(None), Campaign.ends_on >= today),
        )
        .order_by(Campaign.starts_on.desc(), Campaign.key)
    ):
        running.setdefault(campaign.unit_id, []).append(campaign)
    chosen: dict[int, Campaign] = {}
    lacking: list[int] = []
    for unit_id in unit_ids:
        node: int | None = unit_id
        while node is not None and node not in running:
            node = parents.get(node)
        if node is None:
            lacking.append(unit_id)
            continue
        newest, *others = running[node]
        if others and others[0].starts_on == newest.starts_on:
            keys = ", ".join(
                c.key for c in running[node] if c.starts_on == newest.starts_on
            )
            raise CampaignsTied(
                f"several dossier campaigns started together cover unit"
                f" {_codes(session, [unit_id])}: {keys}"
            )
        chosen[unit_id] = newest
    if lacking and not where_running:
        raise NoDossierCampaign(
            f"no dossier campaign runs on {today.isoformat()} for unit"
            f" {_codes(session, lacking)}"
        )
    return chosen


def _codes(session: Session, unit_ids: Sequence[int]) -> str:
    """Name units by their codes, for a refusal."""
    codes = session.scalars(select(Unit.code).where(Unit.id.in_(unit_ids)))
    return ", ".join(sorted(codes))


def _insert_codes(
    connection: Connection, codes: dict[int, list[object]], now: datetime
) -> list[tuple[int, int]]:
    """Insert each dossier's code with a fresh token; return (dossier, code) ids.

    One INSERT of the whole round, its rows bound as one JSON array: a token
    some code has already is skipped (ON CONFLICT DO NOTHING) and drawn
    again. Rare: a round of 5,000 meets one of a million stored codes about
    once in 80,000 rounds.
    """
    statement = _insert_statement(connection.dialect.name)
    links: list[tuple[int, int]] = []
    pending = list(codes)
    for _ in range(MAX_DRAWS):
        # A token drawn twice keeps one dossier; the other draws again.
        drawn = dict(zip(new_tokens(len(pending)), pending, strict=True))
        inserted = connection.execute(
            statement,
            {
                "codes": [[*codes[dossier], token] for token, dossier in drawn.items()],
                "created_at": now,
            },
        )
        links += [(drawn[token], code_id) for token, code_id in inserted]
        linked = {dossier for dossier, _ in links}
        pending = [dossier for dossier in pending if dossier not in linked]
        if not pending:
            return links
    raise RatingCodeError(f"could not draw unused tokens in {MAX_DRAWS} rounds")


def _elements(dialect: str, name: str) -> TableValuedAlias:
    """Return the rows of the JSON array of arrays bound as ``name``.

    Many rows in one parameter: the drivers then convert one value, not
    thousands, and the database reads them in one statement.
    """
    function = func.json_each if dialect == "sqlite" else func.json_array_elements
    return function(bindparam(name, type_=JSON)).table_valued("value").alias(name)


def _field(rows: TableValuedAlias, index: int) -> ColumnElement[str]:
    """Return the text at ``index`` of each row of ``rows`` (both databases' ->>)."""
    return rows.c.value.op("->>")(literal_column(str(index)))


@cache
def _insert_statement(dialect: str) -> Insert:
    """Build the INSERT of a round's codes: [campaign, unit, hash, token] rows."""
    rows = _elements(dialect, "codes")
    table = AccessCode.__table__
    values = select(
        cast(_field(rows, 0), Integer),
        cast(_field(rows, 1), Integer),
        _field(rows, 2),
        _field(rows, 3),
        literal(CodeKind.SINGLE_USE.value),
        bindparam("created_at", type_=table.c.created_at.type),
    ).where(true())  # SQLite reads "ON CONFLICT" after a WHERE only
    return (
        dialect_insert(dialect, table)
        .from_select(
            ["campaign_id", "unit_id", "dossier_hash", "token", "kind", "created_at"],
            values,
        )
        .on_conflict_do_nothing(index_elements=["token"])
        .returning(AccessCode.token, AccessCode.id)
    )


@cache
def _link_statement(dialect: str) -> Update:
    """Build the UPDATE that links a round's dossiers: [dossier, code] rows.

    The dossiers were read without a code under their units' lock, so no
    condition on the link: on SQLite it would lead the plan through the
    link's index (every unlinked dossier) instead of the ids given.
    """
    links = _elements(dialect, "links")
    return (
        update(Dossier)
        .where(Dossier.id == cast(_field(links, 0), Integer))
        .values(access_code_id=cast(_field(links, 1), Integer))
    )


def _forget_links(session: Session) -> None:
    """Expire the link of dossiers loaded in the session: it changed beneath them."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Dossier):
            session.expire(loaded, ["access_code_id", "access_code"])
