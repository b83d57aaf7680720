"""Keying paper forms twice, settling the differences, counting the form once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys.access.scope import Scope
from surveys.models import (
    PAPER_CHANNEL,
    Answer,
    ItemTally,
    PaperEntry,
    PaperForm,
    PaperFormState,
    Response,
    ResponseDay,
)
from surveys.paper.comparison import (
    Difference,
    compared_items,
    differences,
    differing,
    questionnaire_of,
)
from surveys.paper.entries import find_form
from surveys.paper.form_numbers import format_number
from surveys.paper.form_refusals import PaperRefused, Refusal
from surveys.paper.progress import batch_progress
from surveys.paper.reconciling import reconcile
from surveys.questionnaire import InvalidAnswers
from surveys.storage.recording import Submission, record_response
from surveys.storage.tallies import catch_up
from tests.builders import make_unit, make_user, unique
from tests.surveys.paper.paper_builders import (
    KEYING,
    NOW,
    Paper,
    key,
    make_batch,
    make_paper,
    paper_questionnaire,
)

FIRST = {"visited": "yes", "rating": "4", "age": "42", "comment": "Nhanh"}
#: The second clerk misread the age.
SECOND = FIRST | {"age": "47"}


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def entries_of(session: Session, form: PaperForm) -> int:
    return session.scalar(
        select(func.count())
        .select_from(PaperEntry)
        .where(PaperEntry.form_id == form.id)
    )


def blank_form(
    session: Session, definition: dict | None = None
) -> tuple[Paper, PaperForm]:
    """A paper campaign and the first form of a batch of it, not keyed yet."""
    paper = make_paper(session, definition=definition)
    return paper, make_batch(session, paper).forms[0]


def keyed_twice(session: Session) -> tuple[Paper, PaperForm]:
    """A form keyed as ``FIRST`` and then ``SECOND``: in conflict on the age."""
    paper, form = blank_form(session)
    key(session, form, paper.first, FIRST)
    key(session, form, paper.second, SECOND)
    return paper, form


def test_two_entries_with_one_difference_list_exactly_that_question(
    db_session: Session,
) -> None:
    paper, form = blank_form(db_session)
    key(db_session, form, paper.first, FIRST)
    assert form.state == PaperFormState.ENTERED_ONCE
    key(db_session, form, paper.second, SECOND)
    assert form.state == PaperFormState.IN_CONFLICT
    assert differences(form) == [Difference("age", 42, 47)]


def test_agreeing_entries_await_confirmation_with_no_difference(
    db_session: Session,
) -> None:
    paper, form = blank_form(db_session)
    key(db_session, form, paper.first, FIRST)
    # "042" types the same whole number: no difference.
    key(db_session, form, paper.second, FIRST | {"age": "042"})
    assert form.state == PaperFormState.ENTERED_TWICE
    assert differences(form) == []


def with_children() -> dict:
    """The paper questionnaire with a roster of children, rows added by hand;
    each row works out its own position."""
    definition = paper_questionnaire()
    definition["questions"].append(
        {
            "name": "children",
            "type": "repeat",
            "label": {"vi": "Con"},
            "questions": [
                {"name": "child_age", "type": "integer", "label": {"vi": "Tuổi"}},
                {"name": "row", "type": "calculate", "calculation": "position(..)"},
            ],
        }
    )
    return definition


def test_an_empty_row_after_a_rosters_last_is_no_difference(
    db_session: Session,
) -> None:
    paper, form = blank_form(db_session, definition=with_children())
    child = {"child_age": "5"}
    key(db_session, form, paper.first, FIRST | {"children": [child]})
    key(db_session, form, paper.second, FIRST | {"children": [child, {}]})
    # The second entry's blank row holds its position only: nothing keyed.
    assert form.entries[1].answers["children"][1] == {"row": 2}
    assert form.state == PaperFormState.ENTERED_TWICE
    assert differences(form) == []
    # A blank row before a filled one moves the rows: a difference.
    items = compared_items(questionnaire_of(form))
    first = form.entries[0].answers
    moved = first | {"children": [{"row": 1}, {"child_age": 5, "row": 2}]}
    assert differing(items, first, moved) == ["children"]


def test_differences_need_both_entries(db_session: Session) -> None:
    paper, form = blank_form(db_session)
    key(db_session, form, paper.first, FIRST)
    with pytest.raises(PaperRefused) as refused:
        differences(form)
    assert refused.value.reason is Refusal.NOT_ENTERED_TWICE


def test_skip_logic_applies_to_an_entry_as_online(db_session: Session) -> None:
    paper, form = blank_form(db_session)
    # A rating keyed although the visit was "no" is skipped, not stored.
    key(db_session, form, paper.first, FIRST | {"visited": "no"})
    (entry,) = form.entries
    assert entry.answers == {"visited": "no", "age": 42, "comment": "Nhanh"}


def test_invalid_answers_are_refused_per_question_and_nothing_stored(
    db_session: Session,
) -> None:
    paper, form = blank_form(db_session)
    with pytest.raises(InvalidAnswers) as invalid:
        key(db_session, form, paper.first, FIRST | {"rating": "9", "age": "7"})
    assert set(invalid.value.errors) == {"rating", "age"}
    assert entries_of(db_session, form) == 0
    assert form.state == PaperFormState.PRINTED


def test_reconciling_stores_one_verified_paper_response_through_the_code(
    db_session: Session,
) -> None:
    paper, form = keyed_twice(db_session)
    before = count(db_session, Response)
    recorded = reconcile(db_session, form, paper.third, FIRST, now=NOW)
    assert recorded.created
    response = db_session.get(Response, recorded.response_id)
    assert (response.channel, response.verified) == (PAPER_CHANNEL, True)
    assert response.redeemed_code_id == form.access_code_id
    assert (response.unit_id, response.campaign_id) == (
        paper.unit.id,
        paper.campaign.id,
    )
    assert (response.stratum, response.cluster, response.weight) == (
        "urban",
        "KP3",
        12.5,
    )
    assert response.submission_id == f"paper-{format_number(form.number)}"
    stored = dict(
        db_session.execute(
            select(Answer.question, Answer.value_num).where(
                Answer.response_id == response.id, Answer.value_num.is_not(None)
            )
        ).all()
    )
    assert stored == {"rating": 4.0, "age": 42.0}
    assert form.state == PaperFormState.RECONCILED
    assert form.response_id == response.id
    assert form.settled_answers == {
        "visited": "yes",
        "rating": 4,
        "age": 42,
        "comment": "Nhanh",
    }
    # Reconciled again (a resent page): the same response, nothing more.
    again = reconcile(db_session, form, paper.third, FIRST, now=NOW)
    assert (again.response_id, again.created) == (response.id, False)
    assert count(db_session, Response) == before + 1


def test_reconciling_again_with_other_values_is_refused(db_session: Session) -> None:
    paper, form = keyed_twice(db_session)
    reconcile(db_session, form, paper.third, FIRST, now=NOW)
    with pytest.raises(PaperRefused) as refused:
        reconcile(db_session, form, paper.third, SECOND, now=NOW)
    assert refused.value.reason is Refusal.OTHER_ANSWERS
    assert form.settled_answers["age"] == 42


def test_invalid_settled_values_store_nothing(db_session: Session) -> None:
    paper, form = keyed_twice(db_session)
    before = count(db_session, Response)
    with pytest.raises(InvalidAnswers) as invalid:
        reconcile(db_session, form, paper.third, FIRST | {"age": "200"}, now=NOW)
    assert set(invalid.value.errors) == {"age"}
    assert count(db_session, Response) == before
    assert form.state == PaperFormState.IN_CONFLICT


def test_the_same_clerk_cannot_key_a_form_twice(db_session: Session) -> None:
    paper, form = blank_form(db_session)
    key(db_session, form, paper.first, FIRST)
    with pytest.raises(PaperRefused) as refused:
        key(db_session, form, paper.first, SECOND)
    assert refused.value.reason is Refusal.SAME_CLERK
    assert format_number(form.number) in str(refused.value.message)
    assert entries_of(db_session, form) == 1
    with pytest.raises(PaperRefused) as found:
        find_form(
            db_session,
            Scope.of(paper.first),
            format_number(form.number),
            clerk=paper.first,
            now=NOW,
        )
    assert found.value.reason is Refusal.SAME_CLERK


def test_a_third_entry_is_refused(db_session: Session) -> None:
    paper, form = keyed_twice(db_session)
    with pytest.raises(PaperRefused) as refused:
        key(db_session, form, paper.third, FIRST)
    assert refused.value.reason is Refusal.ENTERED_TWICE
    assert entries_of(db_session, form) == 2


def test_the_database_refuses_a_second_entry_by_a_clerk_and_a_third_entry(
    db_session: Session,
) -> None:
    """Even without the checks (two requests at once), the constraints hold."""
    paper, form = blank_form(db_session)

    def insert(clerk, slot) -> None:
        with db_session.begin_nested():
            db_session.add(
                PaperEntry(
                    form_id=form.id,
                    clerk_id=clerk.id,
                    slot=slot,
                    answers={},
                    started_at=NOW - KEYING,
                    finished_at=NOW,
                )
            )

    insert(paper.first, 1)
    for clerk, slot in ((paper.first, 2), (paper.second, 1), (paper.second, 3)):
        with pytest.raises(IntegrityError):
            insert(clerk, slot)
    assert entries_of(db_session, form) == 1


def test_a_clerk_cannot_reconcile_a_form_they_keyed(db_session: Session) -> None:
    paper, form = keyed_twice(db_session)
    before = count(db_session, Response)
    for clerk in (paper.first, paper.second):
        with pytest.raises(PaperRefused) as refused:
            reconcile(db_session, form, clerk, FIRST, now=NOW)
        assert refused.value.reason is Refusal.RECONCILER_IS_CLERK
    assert count(db_session, Response) == before
    assert form.state == PaperFormState.IN_CONFLICT


def test_a_form_with_one_entry_cannot_be_reconciled(db_session: Session) -> None:
    paper, form = blank_form(db_session)
    key(db_session, form, paper.first, FIRST)
    with pytest.raises(PaperRefused) as refused:
        reconcile(db_session, form, paper.third, FIRST, now=NOW)
    assert refused.value.reason is Refusal.NOT_ENTERED_TWICE


def test_another_units_form_is_not_found(db_session: Session) -> None:
    paper, form = blank_form(db_session)
    number = format_number(form.number)
    stranger = make_user(db_session, make_unit(db_session))
    with pytest.raises(PaperRefused) as refused:
        find_form(db_session, Scope.of(stranger), number, now=NOW)
    assert refused.value.reason is Refusal.NOT_FOUND
    # Keying it or reconciling it directly is refused the same way.
    with pytest.raises(PaperRefused) as keyed:
        key(db_session, form, stranger, FIRST)
    assert keyed.value.reason is Refusal.NOT_FOUND
    assert entries_of(db_session, form) == 0
    assert find_form(db_session, Scope.of(paper.first), number, now=NOW) == form


def test_an_unknown_or_mistyped_number_is_not_found(db_session: Session) -> None:
    paper, form = blank_form(db_session)
    printed = format_number(form.number)
    wrong_digit = printed[:-1] + str((int(printed[-1]) + 1) % 10)
    for number in (wrong_digit, format_number(form.number + 10**6), "abc"):
        with pytest.raises(PaperRefused) as refused:
            find_form(db_session, Scope.of(paper.first), number, now=NOW)
        assert refused.value.reason is Refusal.NOT_FOUND


def test_a_form_answered_online_through_its_qr_is_refused(
    db_session: Session,
) -> None:
    paper, form = blank_form(db_session)
    submission = Submission(form.access_code.token, unique("s"), FIRST)
    record_response(db_session, submission, NOW)
    with pytest.raises(PaperRefused) as refused:
        find_form(
            db_session, Scope.of(paper.first), format_number(form.number), now=NOW
        )
    assert refused.value.reason is Refusal.CODE_USED
    with pytest.raises(PaperRefused):
        key(db_session, form, paper.first, FIRST)
    assert entries_of(db_session, form) == 0


def test_a_reconciled_form_is_refused_for_keying(db_session: Session) -> None:
    paper, form = keyed_twice(db_session)
    reconcile(db_session, form, paper.third, FIRST, now=NOW)
    with pytest.raises(PaperRefused) as refused:
        find_form(
            db_session, Scope.of(paper.third), format_number(form.number), now=NOW
        )
    assert refused.value.reason is Refusal.RECONCILED


def test_progress_counts_forms_and_each_clerks_errors_against_the_settled_form(
    db_session: Session,
) -> None:
    paper = make_paper(db_session)
    batch = make_batch(db_session, paper, count=4)
    one, two, three, _ = batch.forms
    # Form one: the second clerk misreads the age; settled as the first keyed.
    key(db_session, one, paper.first, FIRST)
    key(db_session, one, paper.second, SECOND)
    reconcile(db_session, one, paper.third, FIRST, now=NOW)
    # Form two: both misread the comment the same way; the paper says "Chậm".
    key(db_session, two, paper.first, FIRST)
    key(db_session, two, paper.second, FIRST)
    reconcile(db_session, two, paper.third, FIRST | {"comment": "Chậm"}, now=NOW)
    # Form three: keyed once, not yet checked.
    key(db_session, three, paper.first, FIRST | {"visited": "no"})
    progress = batch_progress(db_session, batch)
    assert (
        progress.forms,
        progress.not_entered,
        progress.entered_once,
        progress.entered_twice,
        progress.reconciled,
    ) == (4, 1, 1, 0, 2)
    clerks = {clerk.user_id: clerk for clerk in progress.clerks}
    first, second = clerks[paper.first.id], clerks[paper.second.id]
    assert (first.forms_keyed, first.questions_keyed) == (3, 4 + 4 + 3)
    assert (first.questions_checked, first.questions_wrong) == (8, 1)
    assert (second.questions_checked, second.questions_wrong) == (8, 2)
    assert first.error_rate == 1 / 8
    assert second.error_rate == 2 / 8
    assert first.seconds_keying == 3 * KEYING.total_seconds()
    assert paper.third.id not in clerks


def test_a_form_reconciled_twice_is_counted_once_in_the_units_figures(
    db_session: Session,
) -> None:
    paper, form = keyed_twice(db_session)
    reconcile(db_session, form, paper.third, FIRST, now=NOW)
    catch_up(db_session)
    reconcile(db_session, form, paper.third, FIRST, now=NOW)
    catch_up(db_session)
    days = db_session.execute(
        select(ResponseDay.verified, ResponseDay.n).where(
            ResponseDay.campaign_id == paper.campaign.id
        )
    ).all()
    assert [tuple(day) for day in days] == [(True, 1)]
    tallied = db_session.execute(
        select(ItemTally.item, ItemTally.n, ItemTally.total).where(
            ItemTally.campaign_id == paper.campaign.id, ItemTally.kind == "item"
        )
    ).all()
    assert ("rating", 1, 4.0) in [tuple(row) for row in tallied]
