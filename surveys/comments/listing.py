"""Every comment of the units in scope, newest first, a page at a time.

A page is cut at a key (when, which response, which question), never counted
by offset: the database walks the responses from the key down and stops after
a page, so the hundredth page of a million responses costs what the first
does, and comments arriving while someone reads do not shift the pages. The
search compares folded text (``surveys.db.Folded``: no case, no diacritics) with
``LIKE`` inside the database; no comment is loaded to be searched in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from surveys.db import Folded
from surveys.models import Answer, HiddenComment, Response, ServicePoint, Unit, User
from surveys.questionnaire import Questionnaire
from surveys.storage.periods import responses_in
from surveys.text import MARKED_LETTERS, folded

#: Comments on one page of the list.
COMMENTS_PER_PAGE = 50
#: Where the page key's parts are joined; no ISO date nor question name has it.
_KEY_SEPARATOR = "~"
#: The largest id an INTEGER column holds (4 bytes on PostgreSQL).
_LARGEST_ID = 2**31 - 1


def rating_question(questionnaire: Questionnaire) -> str | None:
    """Name the rating shown beside a comment: the first (the counter's overall)."""
    return next(iter(questionnaire.rating_questions), None)


@dataclass(frozen=True)
class CommentFilter:
    """Which comments a list shows: one campaign's, of units already in scope."""

    campaign_id: int
    questions: tuple[str, ...]
    #: The rating shown and filtered on (``rating_question``); None: none.
    rating_question: str | None
    #: The units whose comments may be listed (the reader's scope, or one unit).
    unit_ids: Sequence[int]
    service_point_id: int | None = None
    #: The rating's points (1-5) a comment's response gave; None: any.
    rating: int | None = None
    #: UTC bounds, the end excluded.
    between: tuple[datetime, datetime] | None = None
    #: Words the comment contains, whatever their case and marks; "": any.
    search: str = ""
    #: Whether hidden comments are listed (marked), for those who may show them.
    with_hidden: bool = False


@dataclass(frozen=True)
class PageKey:
    """Where a page starts: the comments older than this one."""

    submitted_at: datetime
    response_id: int
    question: str

    def token(self) -> str:
        """Return the key as it travels in a link."""
        return _KEY_SEPARATOR.join(
            [self.submitted_at.isoformat(), str(self.response_id), self.question]
        )

    @classmethod
    def parse(cls, token: str) -> PageKey | None:
        """Read a key from a link; None when it is not one."""
        parts = token.split(_KEY_SEPARATOR)
        # ASCII digits only ("²" is a digit to ``isdigit``, not to ``int``), and
        # an id the responses' INTEGER column can hold (PostgreSQL refuses more).
        if len(parts) != 3 or not (parts[1].isascii() and parts[1].isdigit()):
            return None
        if int(parts[1]) > _LARGEST_ID:
            return None
        try:
            moment = datetime.fromisoformat(parts[0])
        except ValueError:
            return None
        if moment.tzinfo is None:
            return None
        return cls(moment, int(parts[1]), parts[2])


@dataclass(frozen=True)
class Hiding:
    """Who hid a comment from reports, when and why."""

    by: str | None
    at: datetime
    reason: str


@dataclass(frozen=True)
class ListedComment:
    """One comment as the list shows it; ``text`` is as typed, masked by the page."""

    response_id: int
    question: str
    submitted_at: datetime
    unit_name: str
    counter_name: str | None
    rating: int | None
    text: str
    hidden: Hiding | None

    @property
    def key(self) -> PageKey:
        """Return the key of the page that follows this comment."""
        return PageKey(self.submitted_at, self.response_id, self.question)


@dataclass(frozen=True)
class CommentPage:
    """A page of comments, newest first, and the key of the next (older) page."""

    comments: tuple[ListedComment, ...]
    older: PageKey | None


def comment_page(
    session: Session,
    wanted: CommentFilter,
    *,
    after: PageKey | None = None,
    limit: int = COMMENTS_PER_PAGE,
) -> CommentPage:
    """Return the newest comments ``wanted`` picks that are older than ``after``."""
    if not wanted.questions or not wanted.unit_ids:
        return CommentPage((), None)
    keys = _newest(session, wanted, after, limit + 1)
    rating = aliased(Answer)
    query = (
        select(
            Response.id,
            Answer.question,
            Response.submitted_at,
            Unit.name,
            ServicePoint.name,
            rating.value_num,
            Answer.value_text,
            HiddenComment.hidden_at,
            HiddenComment.reason,
            User.username,
        )
        .join(Answer, Answer.response_id == Response.id)
        .join(Unit, Unit.id == Response.unit_id)
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
        .outerjoin(rating, _rating_of(rating, wanted))
        .outerjoin(HiddenComment, _hiding_of(Answer))
        .outerjoin(User, User.id == HiddenComment.hidden_by)
        .where(
            Response.id.in_({response_id for response_id, _ in keys}),
            Answer.question.in_(wanted.questions),
            Answer.position == 0,
        )
    )
    found = {(row[0], row[1]): row for row in session.execute(query).all()}
    rows = [found[key] for key in keys]
    comments = tuple(
        ListedComment(
            response_id=row[0],
            question=row[1],
            submitted_at=row[2],
            unit_name=row[3],
            counter_name=row[4],
            rating=None if row[5] is None else int(row[5]),
            text=row[6],
            hidden=None if row[7] is None else Hiding(row[9], row[7], row[8]),
        )
        for row in rows[:limit]
    )
    older = comments[-1].key if len(rows) > limit else None
    return CommentPage(comments, older)


def _newest(
    session: Session, wanted: CommentFilter, after: PageKey | None, count: int
) -> list[tuple[int, str]]:
    """Return the keys (response, question) of the ``count`` newest comments picked.

    Without words to search, each unit's comments are read newest first on the
    responses' index by unit and time, stopping after ``count``, and the units'
    few are merged: one statement over all the units would read every response
    of the district and sort them all. With words, the comments are searched
    first (one pass over the answers, as a plain ``LIKE`` would make), and only
    those found are looked up and sorted.
    """
    words = folded(wanted.search).strip()
    if words:
        pattern = "%" + _escaped(words) + "%"
        matches = [Folded(Answer.value_text).like(pattern, escape="\\")]
        if session.get_bind().dialect.name == "sqlite":
            matches.insert(0, _may_match(words))
        found = _comments(wanted, *matches)
        statement = _keys(
            wanted, after, count, found.cte("found").prefix_with("MATERIALIZED")
        )
        rows = session.execute(
            statement.where(Response.unit_id.in_(wanted.unit_ids))
        ).all()
    else:
        statement = _keys(wanted, after, count, _comments(wanted).subquery("found"))
        statement = statement.where(Response.unit_id == bindparam("unit_id"))
        rows = [
            row
            for unit_id in wanted.unit_ids
            for row in session.execute(statement, {"unit_id": unit_id})
        ]
    # A response's comments keep the database's order (its collation decides
    # between question names, as it does for the next page's key).
    ordered = sorted(rows, key=lambda row: (row[2], row[0]), reverse=True)
    return [(response_id, question) for response_id, question, _ in ordered[:count]]


def _comments(wanted: CommentFilter, *conditions: ColumnElement[bool]) -> Select[Any]:
    """Return the query of the comment answers, (response, question), meeting these."""
    return select(Answer.response_id, Answer.question).where(
        Answer.question.in_(wanted.questions),
        Answer.position == 0,
        Answer.value_text.is_not(None),
        *conditions,
    )


def _keys(
    wanted: CommentFilter, after: PageKey | None, count: int, found: Any
) -> Select[Any]:
    """Return the query of the ``count`` newest comments' keys among those ``found``."""
    rating = aliased(Answer)
    question = found.c.question
    return (
        select(Response.id, question, Response.submitted_at)
        .join(found, found.c.response_id == Response.id)
        .outerjoin(rating, _rating_of(rating, wanted))
        .outerjoin(
            HiddenComment,
            and_(
                HiddenComment.response_id == Response.id,
                HiddenComment.question == question,
            ),
        )
        .where(*_conditions(wanted, rating.value_num, question, after))
        .order_by(Response.submitted_at.desc(), Response.id.desc(), question.desc())
        .limit(count)
    )


def _rating_of(rating: type[Answer], wanted: CommentFilter) -> ColumnElement[bool]:
    """Join a response's rating shown beside its comment."""
    return and_(
        rating.response_id == Response.id,
        rating.question == (wanted.rating_question or ""),
        rating.position == 0,
    )


def _hiding_of(answer: type[Answer]) -> ColumnElement[bool]:
    """Join a comment's hiding, if it is hidden."""
    return and_(
        HiddenComment.response_id == answer.response_id,
        HiddenComment.question == answer.question,
    )


def _conditions(
    wanted: CommentFilter,
    rating: ColumnElement[float | None],
    question: ColumnElement[str],
    after: PageKey | None,
) -> list[ColumnElement[bool]]:
    """Return the conditions on a comment's response, the page's start included."""
    conditions = [responses_in(wanted.campaign_id, None, wanted.between)]
    if wanted.service_point_id is not None:
        conditions.append(Response.service_point_id == wanted.service_point_id)
    if wanted.rating is not None:
        conditions.append(rating == wanted.rating)
    if not wanted.with_hidden:
        conditions.append(HiddenComment.response_id.is_(None))
    if after is not None:
        # The first condition alone lets the index start at the key's time.
        conditions.append(Response.submitted_at <= after.submitted_at)
        conditions.append(
            or_(
                Response.submitted_at < after.submitted_at,
                Response.id < after.response_id,
                and_(Response.id == after.response_id, question < after.question),
            )
        )
    return conditions


#: Any combining mark: a comment typed with marks apart from their letters.
_COMBINING = "*[\u0300-\u036f]*"


def _may_match(words: str) -> ColumnElement[bool]:
    """Return a test in SQLite's own ``LIKE`` that every comment with ``words`` passes.

    SQLite folds in Python (``surveys.db.Folded``), a call per comment that made
    a search of 200,000 comments take seconds; this test first lets through,
    in C, only comments that could hold the words: a letter that may have been
    typed with marks (a vowel, d) or is no ASCII letter stands for any one
    character, the others are compared ignoring ASCII case as ``LIKE`` does.
    A comment spelling marks apart from their letters passes too.
    """
    skeleton = "".join(
        _escaped(c) if c.isascii() and c not in MARKED_LETTERS else "_" for c in words
    )
    return or_(
        Answer.value_text.like(f"%{skeleton}%", escape="\\"),
        Answer.value_text.op("GLOB")(_COMBINING),
    )


def _escaped(words: str) -> str:
    """Escape ``LIKE``'s wildcards, so "100%" searches for "100%"."""
    return words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
