"""How far a batch's double entry has got, and how well each clerk keys.

A clerk's keying errors are counted on reconciled forms only, against what the
third user settled from the paper: each question (or repeat) the clerk's entry
answers differently from the settled form is one error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import PaperBatch, PaperEntry, PaperForm, User
from surveys.paper.batch_list import FormCounts, form_counts
from surveys.paper.comparison import compared_items, differing
from surveys.questionnaire.versions import definition_of


@dataclass(frozen=True)
class ClerkProgress:
    """One clerk's keying in one batch."""

    user_id: int
    username: str
    forms_keyed: int
    #: Questions the clerk answered (not blank) over all their entries.
    questions_keyed: int
    #: Seconds from opening to saving, over all their entries.
    seconds_keying: float
    #: Questions answered in their entries of reconciled forms, and how many of
    #: those (or of the questions they left blank) differ from the settled form.
    questions_checked: int
    questions_wrong: int

    @property
    def error_rate(self) -> float | None:
        """Return the share of checked questions keyed wrong (None: none checked)."""
        if not self.questions_checked:
            return None
        return self.questions_wrong / self.questions_checked


@dataclass(frozen=True)
class BatchProgress(FormCounts):
    """A batch's forms by where their double entry stands, and its clerks."""

    clerks: tuple[ClerkProgress, ...] = ()


def batch_progress(session: Session, batch: PaperBatch) -> BatchProgress:
    """Count the batch's forms by state, and each clerk's keying and errors."""
    counts = form_counts(session, [batch])[batch.id]
    return BatchProgress(**asdict(counts), clerks=_clerks(session, batch))


def _clerks(session: Session, batch: PaperBatch) -> tuple[ClerkProgress, ...]:
    """Add up each clerk's entries of the batch, by username."""
    items = compared_items(definition_of(batch.campaign.questionnaire))
    rows = session.execute(
        select(
            PaperEntry.clerk_id,
            User.username,
            PaperEntry.answers,
            PaperEntry.started_at,
            PaperEntry.finished_at,
            PaperForm.settled_answers,
        )
        .join(PaperEntry.form)
        .join(PaperEntry.clerk)
        .where(PaperForm.batch_id == batch.id)
    )
    sums: dict[tuple[int, str], list[float]] = {}
    for clerk_id, username, answers, started, finished, settled in rows:
        keyed = sum(1 for name in items if name in answers)
        total = sums.setdefault((clerk_id, username), [0, 0, 0.0, 0, 0])
        total[0] += 1
        total[1] += keyed
        total[2] += (finished - started).total_seconds()
        if settled is not None:
            total[3] += keyed
            total[4] += len(differing(items, answers, settled))
    return tuple(
        ClerkProgress(
            user_id=clerk_id,
            username=username,
            forms_keyed=int(forms),
            questions_keyed=int(keyed),
            seconds_keying=seconds,
            questions_checked=int(checked),
            questions_wrong=int(wrong),
        )
        for (clerk_id, username), (forms, keyed, seconds, checked, wrong) in sorted(
            sums.items(), key=lambda item: item[0][1]
        )
    )
