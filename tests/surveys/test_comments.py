"""Every comment listed by key, searched without case or marks, hidden with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction
from surveys.comments.listing import (
    CommentFilter,
    PageKey,
    comment_page,
    rating_question,
)
from surveys.comments.moderation import (
    comment_text,
    hidden_comments,
    hide_comment,
    show_comment,
)
from surveys.db import Folded, is_sqlite, make_engine, make_session_factory
from surveys.models import (
    Answer,
    AuditEvent,
    Campaign,
    HiddenComment,
    Response,
    Role,
    ServicePoint,
)
from surveys.questionnaire.versions import definition_of, shipped_template
from surveys.storage.counts import low_rated_comments
from surveys.text import folded
from tests.builders import (
    make_campaign,
    make_counter_campaign,
    make_questionnaire,
    make_unit,
    make_user,
    new_response,
)

START = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def rate(
    session: Session,
    campaign: Campaign,
    point: ServicePoint,
    overall: int,
    comment: str | None,
    *,
    minutes: int = 0,
    unit_id: int | None = None,
) -> Response:
    """Store a counter rating at ``minutes`` after START, with its comment."""
    response = new_response(
        campaign,
        unit_id=unit_id or point.unit_id,
        service_point_id=point.id,
        submitted_at=START + timedelta(minutes=minutes),
    )
    response.answers = [Answer(question="overall", value_num=overall)]
    if comment is not None:
        response.answers.append(Answer(question="comment", value_text=comment))
    session.add(response)
    session.flush()
    return response


def wanted(campaign: Campaign, unit_ids: list[int], **fields: object) -> CommentFilter:
    questionnaire = definition_of(campaign.questionnaire)
    values = {
        "campaign_id": campaign.id,
        "questions": questionnaire.comment_questions,
        "rating_question": rating_question(questionnaire),
        "unit_ids": unit_ids,
    }
    return CommentFilter(**(values | fields))


def texts(session: Session, chosen: CommentFilter, **options: object) -> list[str]:
    return [c.text for c in comment_page(session, chosen, **options).comments]


def test_the_counter_questionnaire_has_one_comment_and_rates_overall() -> None:
    questionnaire = shipped_template("counter")
    assert questionnaire.comment_questions == ("comment",)
    assert rating_question(questionnaire) == "overall"


def test_every_comment_is_listed_newest_first_whatever_its_rating(
    db_session: Session,
) -> None:
    campaign, point = make_counter_campaign(db_session)
    rate(db_session, campaign, point, 5, "Rất tốt", minutes=1)
    rate(db_session, campaign, point, 1, "Chờ lâu", minutes=2)
    rate(db_session, campaign, point, 4, None, minutes=3)
    rate(db_session, campaign, point, 3, "Bình thường", minutes=4)
    page = comment_page(db_session, wanted(campaign, [point.unit_id]))
    assert [c.text for c in page.comments] == ["Bình thường", "Chờ lâu", "Rất tốt"]
    assert [c.rating for c in page.comments] == [3, 1, 5]
    assert page.comments[0].counter_name == point.name
    assert page.comments[0].unit_name == point.unit.name
    assert page.older is None


def test_pages_follow_each_other_by_key_without_repeating_or_skipping(
    db_session: Session,
) -> None:
    campaign, point = make_counter_campaign(db_session)
    for minute in range(7):
        rate(db_session, campaign, point, 4, f"góp ý {minute}", minutes=minute // 2)
    chosen = wanted(campaign, [point.unit_id])
    seen: list[str] = []
    key = None
    while True:
        page = comment_page(db_session, chosen, after=key, limit=3)
        seen += [c.text for c in page.comments]
        if page.older is None:
            break
        key = PageKey.parse(page.older.token())
    assert seen == [f"góp ý {minute}" for minute in reversed(range(7))]


def test_a_page_key_survives_its_link_and_refuses_what_is_not_one() -> None:
    key = PageKey(START, 12, "comment")
    assert PageKey.parse(key.token()) == key
    for token in [
        "",
        "x~1~comment",
        "2026-03-01T02:00:00~1~comment",
        "a~b~c~d",
        "2026-01-01T00:00:00+00:00~²~comment",
        "2026-01-01T00:00:00+00:00~١٢~comment",
        f"2026-01-01T00:00:00+00:00~{2**31}~comment",
        "2026-01-01T00:00:00+00:00~99999999999999999999999~comment",
    ]:
        assert PageKey.parse(token) is None
    largest = f"2026-01-01T00:00:00+00:00~{2**31 - 1}~comment"
    assert PageKey.parse(largest) == PageKey(
        datetime(2026, 1, 1, tzinfo=UTC), 2**31 - 1, "comment"
    )


@pytest.mark.parametrize(
    "search", ["thai do", "THÁI ĐỘ", "Thái Độ", "thái độ", "hai d", "ĐỘ CHƯA"]
)
def test_search_ignores_case_and_diacritics(db_session: Session, search: str) -> None:
    campaign, point = make_counter_campaign(db_session)
    rate(db_session, campaign, point, 2, "Thái độ chưa tốt", minutes=1)
    rate(db_session, campaign, point, 4, "Hướng dẫn rõ ràng", minutes=2)
    found = texts(db_session, wanted(campaign, [point.unit_id], search=search))
    assert found == ["Thái độ chưa tốt"]


def test_search_finds_comments_typed_with_combining_marks(db_session: Session) -> None:
    campaign, point = make_counter_campaign(db_session)
    decomposed = "Hu\u031bo\u031b\u0301ng da\u0302\u0303n cha\u0323m"
    rate(db_session, campaign, point, 2, decomposed)
    assert texts(db_session, wanted(campaign, [point.unit_id], search="hướng dẫn"))


def test_search_wildcards_are_searched_for_themselves(db_session: Session) -> None:
    campaign, point = make_counter_campaign(db_session)
    rate(db_session, campaign, point, 2, "Giảm 100% phí", minutes=1)
    rate(db_session, campaign, point, 2, "Giảm 1000 phí", minutes=2)
    rate(db_session, campaign, point, 2, "mã a_b", minutes=3)
    rate(db_session, campaign, point, 2, "mã axb", minutes=4)
    unit = [point.unit_id]
    assert texts(db_session, wanted(campaign, unit, search="100%")) == ["Giảm 100% phí"]
    assert texts(db_session, wanted(campaign, unit, search="a_b")) == ["mã a_b"]


def test_the_database_folds_vietnamese_as_python_does(db_session: Session) -> None:
    sample = (
        "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ "
        "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ "
        "Quận Ba Đình, 0912.345.678 – ‘ok’ Ü"
    )
    assert db_session.scalar(select(Folded(sample))) == folded(sample)


def test_filters_by_unit_counter_rating_and_time(db_session: Session) -> None:
    campaign, point = make_counter_campaign(db_session)
    other_point = ServicePoint(code="sp-khac", name="Quầy khác", unit_id=point.unit_id)
    db_session.add(other_point)
    db_session.flush()
    other_unit = make_unit(db_session)
    rate(db_session, campaign, point, 1, "một", minutes=1)
    rate(db_session, campaign, other_point, 5, "hai", minutes=60 * 24)
    rate(db_session, campaign, point, 5, "ba", minutes=60 * 48)
    rate(db_session, campaign, point, 5, "bốn", unit_id=other_unit.id)
    both = [point.unit_id, other_unit.id]
    assert texts(db_session, wanted(campaign, [point.unit_id])) == ["ba", "hai", "một"]
    assert texts(db_session, wanted(campaign, both)) == ["ba", "hai", "một", "bốn"]
    counter = wanted(campaign, both, service_point_id=other_point.id)
    assert texts(db_session, counter) == ["hai"]
    assert texts(db_session, wanted(campaign, both, rating=5)) == ["ba", "hai", "bốn"]
    day_two = (START + timedelta(hours=20), START + timedelta(hours=30))
    assert texts(db_session, wanted(campaign, both, between=day_two)) == ["hai"]


def test_excluded_responses_and_other_campaigns_are_not_listed(
    db_session: Session,
) -> None:
    campaign, point = make_counter_campaign(db_session)
    other, _ = make_counter_campaign(db_session)
    rate(db_session, campaign, point, 3, "giữ lại", minutes=1)
    rate(db_session, campaign, point, 3, "loại", minutes=2).excluded = True
    rate(db_session, other, point, 3, "đợt khác", minutes=3)
    db_session.flush()
    assert texts(db_session, wanted(campaign, [point.unit_id])) == ["giữ lại"]


def test_a_hidden_comment_leaves_the_list_and_the_report_until_shown_again(
    db_session: Session,
) -> None:
    campaign, point = make_counter_campaign(db_session)
    manager = make_user(db_session, point.unit, Role.UNIT_MANAGER)
    kept = rate(db_session, campaign, point, 1, "Chờ lâu quá", minutes=1)
    rude = rate(db_session, campaign, point, 1, "Lời lẽ xúc phạm", minutes=2)
    hide_comment(db_session, rude, "comment", manager, "  Xúc phạm cán bộ  ")
    db_session.flush()
    chosen = wanted(campaign, [point.unit_id])
    assert texts(db_session, chosen) == ["Chờ lâu quá"]
    listed = comment_page(
        db_session, wanted(campaign, [point.unit_id], with_hidden=True)
    )
    hidden = listed.comments[0]
    assert hidden.text == "Lời lẽ xúc phạm"
    assert hidden.hidden is not None
    assert (hidden.hidden.by, hidden.hidden.reason) == (
        manager.username,
        "Xúc phạm cán bộ",
    )
    assert listed.comments[1].hidden is None
    low = low_rated_comments(
        db_session, campaign.id, ["comment"], unit_ids=[point.unit_id]
    )
    assert low["text"].tolist() == ["Chờ lâu quá"]
    assert hidden_comments(db_session, [kept.id, rude.id]) == {(rude.id, "comment")}

    assert show_comment(db_session, rude, "comment", manager)
    assert not show_comment(db_session, rude, "comment", manager)
    db_session.flush()
    assert texts(db_session, chosen) == ["Lời lẽ xúc phạm", "Chờ lâu quá"]
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == f"{rude.id}/comment")
    ).all()
    assert [e.action for e in events] == [
        AuditAction.COMMENT_HIDDEN,
        AuditAction.COMMENT_SHOWN,
    ]
    assert events[0].user_id == manager.id
    assert events[0].detail["reason"] == "Xúc phạm cán bộ"


def test_two_managers_hiding_one_comment_one_after_the_other_keep_the_last_reason(
    fresh_database_url: str,
) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        campaign, point = make_counter_campaign(session)
        manager = make_user(session, point.unit, Role.UNIT_MANAGER)
        response = rate(session, campaign, point, 1, "Lời lẽ xúc phạm")
    for reason in ["Xúc phạm", "Xúc phạm cán bộ"]:
        with factory.begin() as session:
            hide_comment(session, response, "comment", manager, reason)
    with factory() as session:
        rows = session.scalars(select(HiddenComment)).all()
    engine.dispose()
    assert [(row.response_id, row.reason) for row in rows] == [
        (response.id, "Xúc phạm cán bộ")
    ]


def test_two_managers_hiding_one_comment_at_once_both_succeed(
    fresh_database_url: str,
) -> None:
    """The second checks for the row before the first commits it, then writes."""
    if is_sqlite(fresh_database_url):
        pytest.skip("SQLite lets one writer at a time in: the race cannot happen")
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        campaign, point = make_counter_campaign(session)
        manager = make_user(session, point.unit, Role.UNIT_MANAGER)
        response = rate(session, campaign, point, 1, "Lời lẽ xúc phạm")
    first, second = factory(), factory()
    hide_comment(first, response, "comment", manager, "Xúc phạm")
    first.flush()

    def first_commits(
        connection: object, cursor: object, statement: str, *rest: object
    ) -> None:
        # The first manager's commit lands just before the second one's write.
        writes = statement.startswith("INSERT INTO hidden_comments")
        if writes and first.in_transaction():
            first.commit()

    event.listen(engine, "before_cursor_execute", first_commits)
    try:
        hide_comment(second, response, "comment", manager, "Xúc phạm cán bộ")
        second.commit()
    finally:
        event.remove(engine, "before_cursor_execute", first_commits)
        first.close()
        second.close()
    with factory() as session:
        rows = session.scalars(select(HiddenComment)).all()
    engine.dispose()
    assert [(row.response_id, row.reason) for row in rows] == [
        (response.id, "Xúc phạm cán bộ")
    ]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_hiding_needs_a_short_reason(db_session: Session, reason: str) -> None:
    campaign, point = make_counter_campaign(db_session)
    manager = make_user(db_session, point.unit, Role.UNIT_MANAGER)
    response = rate(db_session, campaign, point, 1, "Chờ lâu")
    with pytest.raises(ValueError, match="reason"):
        hide_comment(db_session, response, "comment", manager, reason)


def test_the_stored_answer_is_left_as_typed(db_session: Session) -> None:
    campaign, point = make_counter_campaign(db_session)
    manager = make_user(db_session, point.unit, Role.UNIT_MANAGER)
    response = rate(db_session, campaign, point, 1, "Gọi 0912345678")
    hide_comment(db_session, response, "comment", manager, "Có số điện thoại")
    assert comment_text(db_session, response, "comment") == "Gọi 0912345678"
    assert comment_text(db_session, response, "overall") is None


def test_a_response_with_two_comments_pages_through_both(db_session: Session) -> None:
    key = "hai-gop-y"
    questions = [
        {"name": "overall", "type": "rating", "label": {"vi": "Chung"}},
        *(
            {"name": name, "type": "text", "appearance": "multiline",
             "label": {"vi": name}}
            for name in ("tot", "chua_tot")
        ),
    ]  # fmt: skip
    definition = {"key": key, "languages": ["vi"], "title": {"vi": "Hai góp ý"},
                  "questions": questions}  # fmt: skip
    stored = make_questionnaire(db_session, key=key, definition=definition)
    campaign = make_campaign(db_session, questionnaire=stored)
    for minute in range(3):
        response = new_response(
            campaign, submitted_at=START + timedelta(minutes=minute)
        )
        response.answers = [
            Answer(question="tot", value_text=f"tốt {minute}"),
            Answer(question="chua_tot", value_text=f"chưa tốt {minute}"),
        ]
        db_session.add(response)
    db_session.flush()
    chosen = wanted(campaign, [campaign.unit_id])
    assert chosen.questions == ("tot", "chua_tot")
    seen, key_ = [], None
    for _ in range(10):
        page = comment_page(db_session, chosen, after=key_, limit=2)
        seen += [c.text for c in page.comments]
        key_ = page.older
        if key_ is None:
            break
    assert sorted(seen) == sorted(f"{kind} {m}" for kind in ("tốt", "chưa tốt")
                                  for m in range(3))  # fmt: skip
    assert [text[-1] for text in seen] == ["2", "2", "1", "1", "0", "0"]
