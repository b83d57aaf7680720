"""The batch register as staff read it: a scope's batches, newest first, and a
batch's forms, counted in a few queries whatever the number of batches.

Pages are cut at batch ids (``before_id``) rather than by offset, as the audit
trail's are: a batch created while someone reads does not shift the pages.
Nothing here shows what a clerk keyed: a form's entries are only counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from surveys.access.scope import Scope
from surveys.models import (
    AccessCode,
    Campaign,
    PaperBatch,
    PaperEntry,
    PaperForm,
    PaperFormState,
)


@dataclass(frozen=True)
class FormCounts:
    """A batch's forms by where their double entry stands."""

    forms: int
    not_entered: int
    entered_once: int
    #: Entered by two clerks and awaiting reconciliation (``in_conflict`` of them
    #: with differences to settle).
    entered_twice: int
    in_conflict: int
    reconciled: int
    void: int


@dataclass(frozen=True)
class ListedBatch:
    """A batch and how many of its forms stand in each state."""

    batch: PaperBatch
    counts: FormCounts


@dataclass(frozen=True)
class BatchPage:
    """Batches newest first, and the id to pass as ``before_id`` for older ones."""

    batches: tuple[ListedBatch, ...]
    older: int | None


@dataclass(frozen=True)
class FormRow:
    """One form of a batch: its number, its state and how many entries it has."""

    number: int
    state: str
    entries: int


def batch_page(
    session: Session, scope: Scope, *, before_id: int | None = None, limit: int = 20
) -> BatchPage:
    """Return up to ``limit`` batches of the scope's units, newest first."""
    query = scope.filter(select(PaperBatch), PaperBatch.unit_id).options(
        selectinload(PaperBatch.campaign).selectinload(Campaign.unit),
        selectinload(PaperBatch.unit),
        selectinload(PaperBatch.service_point),
    )
    if before_id is not None:
        query = query.where(PaperBatch.id < before_id)
    found = list(session.scalars(query.order_by(PaperBatch.id.desc()).limit(limit + 1)))
    shown = found[:limit]
    counts = form_counts(session, shown)
    return BatchPage(
        tuple(ListedBatch(batch, counts[batch.id]) for batch in shown),
        older=shown[-1].id if len(found) > limit else None,
    )


def form_counts(
    session: Session, batches: Sequence[PaperBatch]
) -> dict[int, FormCounts]:
    """Count each batch's forms by state, in one query; by batch id."""
    counted: dict[int, Counter[str]] = {batch.id: Counter() for batch in batches}
    if batches:
        rows = session.execute(
            select(PaperForm.batch_id, PaperForm.state, func.count())
            .where(PaperForm.batch_id.in_(counted))
            .group_by(PaperForm.batch_id, PaperForm.state)
        )
        for batch_id, state, count in rows:
            counted[batch_id][state] = int(count)
    return {batch.id: _counts(batch.count, counted[batch.id]) for batch in batches}


def _counts(forms: int, states: Counter[str]) -> FormCounts:
    in_conflict = states[PaperFormState.IN_CONFLICT]
    return FormCounts(
        forms=forms,
        not_entered=states[PaperFormState.PRINTED],
        entered_once=states[PaperFormState.ENTERED_ONCE],
        entered_twice=states[PaperFormState.ENTERED_TWICE] + in_conflict,
        in_conflict=in_conflict,
        reconciled=states[PaperFormState.RECONCILED],
        void=states[PaperFormState.VOID],
    )


def form_rows(session: Session, batch: PaperBatch) -> list[FormRow]:
    """Return the batch's forms by number, each with its number of entries."""
    rows = session.execute(
        select(PaperForm.number, PaperForm.state, func.count(PaperEntry.id))
        .outerjoin(PaperEntry, PaperEntry.form_id == PaperForm.id)
        .where(PaperForm.batch_id == batch.id)
        .group_by(PaperForm.id, PaperForm.number, PaperForm.state)
        .order_by(PaperForm.number)
    )
    return [FormRow(number, state, int(entries)) for number, state, entries in rows]


def form_of_batch(session: Session, batch: PaperBatch, number: int) -> PaperForm | None:
    """Return the batch's form with this sequence number, or None."""
    return session.scalar(
        select(PaperForm)
        .where(PaperForm.batch_id == batch.id, PaperForm.number == number)
        .options(selectinload(PaperForm.access_code))
    )


def form_tokens(
    session: Session, batch: PaperBatch, first: int, last: int
) -> list[tuple[int, str]]:
    """Return the numbers and code tokens of the batch's forms ``first``..``last``."""
    rows = session.execute(
        select(PaperForm.number, AccessCode.token)
        .join(PaperForm.access_code)
        .where(PaperForm.batch_id == batch.id, PaperForm.number.between(first, last))
        .order_by(PaperForm.number)
    )
    return [(number, token) for number, token in rows]
