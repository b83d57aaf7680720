"""Keeping the item tallies: added with each response, taken out when one is excluded.

See ``ItemTally``: the sums a per-unit report needs, maintained in the same
transaction as the responses they count, so they are never ahead or behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surveys.db import dialect_insert
from surveys.local_time import LOCAL_OFFSET
from surveys.models import Answer, ItemTally, Response
from surveys.prepared import Driver, Prepared
from surveys.questionnaire import Questionnaire
from surveys.questionnaire.scoring import Score, respondent_scores
from surveys.questionnaires import definition_of

SUMMED = ("n", "total", "total_sq", "satisfied")
#: The columns of a response that say which cell it is counted in.
CELL_COLUMNS = (
    "campaign_id",
    "unit_id",
    "service_point_id",
    "official_id",
    "submitted_at",
    "verified",
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
        )

    def key(self, score: Score) -> str:
        parts = (
            self.campaign_id,
            self.unit_id,
            self.service_point_id or "-",
            self.official_id or "-",
            self.period,
            "v" if self.verified else "u",
            score.kind[0],
            score.name,
        )
        return "|".join(map(str, parts))


def tally_response(
    session: Session,
    response: Response,
    questionnaire: Questionnaire,
    values: Mapping[str, object],
    sign: int = 1,
) -> None:
    """Add a stored response's scores to its cell (``sign=-1`` takes them out)."""
    scores = respondent_scores(questionnaire, values)
    add_to_tallies(session, tally_rows(Cell.of(response), scores, sign))


def tally_rows(
    cell: Cell, scores: Iterable[Score], sign: int = 1
) -> list[dict[str, object]]:
    """Return the tally rows that add a response's ``scores`` to ``cell``."""
    return [_row(cell, score, sign) for score in scores]


def add_to_tallies(session: Session, rows: Iterable[dict[str, object]]) -> None:
    """Upsert tally rows: a new cell is inserted, a known one has its sums added."""
    Driver.of_session(session).run_many(UPSERT_TALLIES, list(rows))


def _upsert(dialect: str) -> Any:
    """A new cell is inserted; a known one has each sum added (``SUMMED``)."""
    statement = dialect_insert(dialect, ItemTally.__table__)
    return statement.on_conflict_do_update(
        index_elements=[ItemTally.cell],
        set_={
            name: getattr(ItemTally, name) + statement.excluded[name] for name in SUMMED
        },
    )


UPSERT_TALLIES = Prepared(_upsert)


def exclude_response(session: Session, response: Response, reason: str) -> None:
    """Keep a response but take it out of every estimate (its tallies too)."""
    if response.excluded:
        return
    questionnaire = definition_of(response.questionnaire)
    tally_response(
        session, response, questionnaire, stored_values(session, response), -1
    )
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
    """Recount a campaign's tallies from its stored answers; return the rows made.

    For bulk loads (the demo) and for repairs: the result equals what the
    response-by-response upkeep gives. Answers are streamed in response order,
    so a campaign of a million responses never sits in memory at once.
    """
    session.execute(delete(ItemTally).where(ItemTally.campaign_id == campaign_id))
    kept = (Response.campaign_id == campaign_id) & Response.excluded.is_(False)
    responses = session.execute(
        select(Response)
        .where(kept)
        .order_by(Response.id)
        .execution_options(yield_per=10_000)
    ).scalars()
    answers = session.execute(
        select(Answer.response_id, Answer.question, Answer.value_num, Answer.value_text)
        .join(Response, Response.id == Answer.response_id)
        .where(kept)
        .order_by(Answer.response_id)
        .execution_options(yield_per=100_000)
    )
    pending = next(answers, None)
    sums: dict[str, dict[str, object]] = {}
    for response in responses:
        values: dict[str, object] = {}
        while pending is not None and pending[0] == response.id:
            values[pending[1]] = pending[2] if pending[2] is not None else pending[3]
            pending = next(answers, None)
        cell = Cell.of(response)
        questionnaire = definition_of(response.questionnaire)
        for score in respondent_scores(questionnaire, values):
            row = _row(cell, score, 1)
            known = sums.setdefault(str(row["cell"]), row)
            if known is not row:
                for name in SUMMED:
                    known[name] += row[name]  # type: ignore[operator]
    add_to_tallies(session, sums.values())
    return len(sums)


def _row(cell: Cell, score: Score, sign: int) -> dict[str, object]:
    return {
        "cell": cell.key(score),
        "campaign_id": cell.campaign_id,
        "unit_id": cell.unit_id,
        "service_point_id": cell.service_point_id,
        "official_id": cell.official_id,
        "period": cell.period,
        "verified": cell.verified,
        "item": score.name,
        "kind": score.kind,
        "n": sign,
        "total": sign * score.value,
        "total_sq": sign * score.value * score.value,
        "satisfied": sign * int(score.satisfied),
    }
