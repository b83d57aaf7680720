"""The anonymised responses as CSV, streamed: memory stays flat at any size.

No device hash, phone number, submission id, access code or dossier ever
leaves: only where and when (unit, counter, quarter), how genuine (verified,
flags, excluded) and the answers, one column per question but the dossier code
a respondent may have typed (an identifier, not an opinion), and locations
rounded to about a kilometre (``coarse_geopoint``). Every text cell
is neutralised, so a comment starting with ``=`` or ``+`` is never run as a
formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from sqlalchemy.orm import Session

from app.reports.data import official_item
from app.spreadsheets import neutralised
from surveys.access.code_state import DOSSIER_QUESTION
from surveys.models import Campaign
from surveys.questionnaire import Questionnaire, QuestionType
from surveys.questionnaire.lexical import coarse_geopoint
from surveys.questionnaire.versions import definition_of
from surveys.storage.exports import exported_responses
from surveys.storage.periods import period_bounds
from surveys.storage.tallies import period_of

BOM = "\ufeff"
FIXED_COLUMNS = (
    "response_id", "unit_code", "counter_code", "quarter", "verified", "flags",
    "excluded",
)  # fmt: skip


def responses_csv(
    session: Session,
    campaign: Campaign,
    unit_ids: Sequence[int] | None,
    period: str | None,
    *,
    page_size: int = 5000,
    with_officials: bool = True,
) -> Iterator[bytes]:
    """Yield the campaign's kept responses as UTF-8 CSV with a BOM, page by page.

    ``with_officials=False`` leaves out which official was rated and how, for
    readers whose role may not see results of individual officials.
    """
    questionnaire = definition_of(campaign.questionnaire)
    hidden = {DOSSIER_QUESTION}
    if not with_officials:
        hidden |= _about_officials(questionnaire)
    questions = [
        q.name
        for q in questionnaire.questions
        if q.type.takes_answer and q.name not in hidden
    ]
    located = {
        q.name for q in questionnaire.questions if q.type is QuestionType.GEOPOINT
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralised(name) for name in (*FIXED_COLUMNS, *questions)])
    yield (BOM + _drained(buffer)).encode("utf-8")
    pages = exported_responses(
        session,
        campaign.id,
        unit_ids=unit_ids,
        between=period_bounds(period),
        page_size=page_size,
    )
    for page in pages:
        for response in page:
            fixed = (
                response.id,
                response.unit_code,
                response.counter_code or "",
                period_of(response.submitted_at),
                int(response.verified),
                " ".join(response.flags),
                int(response.excluded),
            )
            answers = (
                _answer(response.answers.get(name), name in located)
                for name in questions
            )
            writer.writerow([neutralised(value) for value in (*fixed, *answers)])
        yield _drained(buffer).encode("utf-8")


def _answer(value: str | float | None, located: bool) -> str | float:
    if value is None:
        return ""
    if located and isinstance(value, str):
        return coarse_geopoint(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _drained(buffer: io.StringIO) -> str:
    content = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return content


def _about_officials(questionnaire: Questionnaire) -> set[str]:
    """Name the questions that choose an official and rate the one chosen."""
    chooser = {q.name for q in questionnaire.questions if q.choices_from == "officials"}
    rating = official_item(questionnaire)
    return chooser | ({rating} if rating else set())
