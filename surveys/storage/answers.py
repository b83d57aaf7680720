"""Turning validated answers into stored rows, the same way for every channel."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date, datetime

from surveys.local_time import local_date
from surveys.questionnaire import Questionnaire
from surveys.questionnaire.lexical import LOCAL_ZONE
from surveys.questionnaire.model import QuestionType
from surveys.questionnaire.validation import Answer

#: select_multiple answers are stored as XLSForm stores them: names joined by spaces.
MULTIPLE_SEPARATOR = " "
#: A choice name that is a plain number, like the points of an agreement scale.
NUMERIC = re.compile(r"-?\d{1,15}(?:\.\d{1,6})?")


def answer_records(
    values: Mapping[str, Answer], position: int = 0
) -> list[dict[str, object]]:
    """Return the ``answers`` columns of each answered question; blanks are skipped.

    Numbers (ratings, integers, decimals, booleans) go to ``value_num`` so that
    statistics can read them without parsing; everything else to ``value_text``.
    A choice whose name is a number (a 5-point agreement "4") keeps its name in
    ``value_text`` and its number in ``value_num``. A repeat's rows give their
    questions' records with ``position`` 1, 2, ... (the row); every other
    answer has position 0. Plain dicts serve both one ORM insert and a bulk
    insert of many responses.
    """
    records: list[dict[str, object]] = []
    for name, value in values.items():
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, list) and isinstance(value[0], dict):
            for row, row_values in enumerate(value, start=1):
                records.extend(answer_records(row_values, row))
            continue
        number, text = None, None
        if isinstance(value, bool | int | float):
            number = float(value)
        elif isinstance(value, list):
            text = MULTIPLE_SEPARATOR.join(value)
        elif isinstance(value, date):
            text = value.isoformat()
        else:
            text = str(value)
            number = _number(text)
        records.append(
            {
                "question": name,
                "position": position,
                "value_num": number,
                "value_text": text,
            }
        )
    return records


def with_interview_times(
    questionnaire: Questionnaire,
    values: Mapping[str, Answer],
    started_at: datetime | None,
    submitted_at: datetime,
) -> dict[str, Answer]:
    """Fill the ``start``, ``end`` and ``today`` a client did not send.

    A web respondent sends none of them (they are never asked): they are the
    response's own times, written as ODK writes them in Vietnam's time. An
    OpenRosa client's own values are kept. Filled only for storing, after the
    content hash, so a resent submission stays the same content.
    """
    moments = {QuestionType.START: started_at, QuestionType.END: submitted_at}
    filled = dict(values)
    for question in questionnaire.questions:
        if not question.type.is_metadata or values.get(question.name) is not None:
            continue
        if question.name in questionnaire.repeated:
            continue  # a row's own: the response's times are not the row's
        if question.type is QuestionType.TODAY:
            filled[question.name] = local_date(submitted_at)
        elif (moment := moments[question.type]) is not None:
            local = moment.astimezone(LOCAL_ZONE)
            filled[question.name] = local.isoformat(timespec="milliseconds")
    return filled


def _number(text: str) -> float | None:
    if not NUMERIC.fullmatch(text):
        return None
    return float(text)


def content_hash(raw: Mapping[str, object]) -> str:
    """Return a SHA-256 of the submitted content, independent of key order.

    Two submissions with one client id are the same retry exactly when their
    hashes are equal.
    """
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def rated_official(
    questionnaire: Questionnaire, values: Mapping[str, Answer]
) -> str | None:
    """Return the code of the official the respondent chose to rate, if any.

    That is the answer to the question whose choices are the counter's officials.
    """
    for question in questionnaire.questions:
        if question.choices_from == "officials" and values.get(question.name):
            return str(values[question.name])
    return None
