"""Recording responses: exactly once, through valid codes, flagged, never discarded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.access.code_state import CodeState, CodeUnavailable, load_code
from surveys.db import make_engine, make_session_factory
from surveys.models import FollowUpContact, Official, Response
from surveys.questionnaire import InvalidAnswers
from surveys.questionnaire.schema import build_questionnaire
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from surveys.storage.recording import (
    Submission,
    SubmissionConflict,
    TooSoon,
    record_response,
)
from surveys.storage.tallies import catch_up
from tests.at_once import run_at_once
from tests.builders import (
    make_campaign,
    make_code,
    make_counter_campaign,
    make_unit,
    unique,
)

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def submit(session: Session, token: str, answers: dict, **fields: object):
    values = {"token": token, "submission_id": unique("sub"), "answers": answers}
    return record_response(session, Submission(**(values | fields)), NOW)


def submitted(session: Session, token: str, answers: dict, **fields: object):
    """Submit, then return the stored response."""
    recorded = submit(session, token, answers, **fields)
    return session.get(Response, recorded.response_id)


def caught_up(session: Session, responses: list[Response]) -> None:
    """Run the step after the writes, then read the responses again."""
    catch_up(session)
    for response in responses:
        session.refresh(response)


def count(session: Session) -> int:
    return session.scalar(select(func.count(Response.id)))


def test_a_counter_rating_is_stored_with_its_official(db_session: Session) -> None:
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    official = point.officials[0]
    answers = {"overall": "4", "official": official.code, "official_rating": "5"}
    recorded = submit(db_session, code.token, answers)
    response = db_session.get(Response, recorded.response_id)
    assert recorded.created
    assert response.official_id == official.id
    assert response.service_point_id == point.id
    assert not response.verified
    stored = {answer.question: answer.value_num for answer in response.answers}
    assert stored == {"overall": 4.0, "official": None, "official_rating": 5.0}


def test_a_rating_goes_to_the_counters_official_when_another_ward_has_the_code(
    db_session: Session,
) -> None:
    """Codes are unique within a unit only: the rated one is sought at the counter.

    The other ward's namesake is even linked to the counter behind the
    management pages' back: neither offered nor rated (on PostgreSQL, two
    officials answering the lookup would fail the write).
    """
    campaign, point = make_counter_campaign(db_session)
    official = point.officials[0]
    namesake = Official(
        code=official.code, name="Lê Văn Cường", unit=make_unit(db_session)
    )
    point.officials.append(namesake)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    db_session.flush()
    offered = load_code(db_session, code.token).officials
    assert [o.name for o in offered] == sorted(o.name for o in point.officials[:2])
    answers = {"overall": "4", "official": official.code, "official_rating": "2"}
    assert submitted(db_session, code.token, answers).official_id == official.id


def test_a_single_use_code_takes_one_response(db_session: Session) -> None:
    campaign, _ = make_counter_campaign(db_session)
    code = make_code(db_session, campaign)
    assert submitted(db_session, code.token, {"overall": "5"}).verified
    with pytest.raises(CodeUnavailable) as refused:
        submit(db_session, code.token, {"overall": "1"})
    assert refused.value.state is CodeState.USED


def test_a_retry_is_recognised_and_stored_once(db_session: Session) -> None:
    campaign, _ = make_counter_campaign(db_session)
    code = make_code(db_session, campaign)
    first = submit(db_session, code.token, {"overall": "3"}, submission_id="abc")
    again = submit(db_session, code.token, {"overall": "3"}, submission_id="abc")
    assert first.created and not again.created
    assert again.response_id == first.response_id
    assert count(db_session) == 1


def test_the_same_id_with_other_content_is_a_conflict(db_session: Session) -> None:
    campaign, _ = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing")
    submit(db_session, code.token, {"overall": "3"}, submission_id="abc")
    with pytest.raises(SubmissionConflict):
        submit(db_session, code.token, {"overall": "5"}, submission_id="abc")


def test_invalid_answers_are_refused_and_nothing_is_stored(db_session: Session) -> None:
    campaign, _ = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing")
    with pytest.raises(InvalidAnswers) as invalid:
        submit(db_session, code.token, {"overall": "9", "comment": "x" * 5000})
    assert set(invalid.value.errors) == {"overall", "comment"}
    assert count(db_session) == 0


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        ({"revoked_at": NOW - timedelta(days=1)}, CodeState.REVOKED),
        ({"expires_at": NOW - timedelta(seconds=1)}, CodeState.EXPIRED),
    ],
)
def test_revoked_and_expired_codes_are_refused(
    db_session: Session, fields: dict, state: CodeState
) -> None:
    campaign, _ = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, **fields)
    with pytest.raises(CodeUnavailable) as refused:
        submit(db_session, code.token, {"overall": "5"})
    assert refused.value.state is state


def test_unknown_codes_and_closed_campaigns_are_refused(db_session: Session) -> None:
    with pytest.raises(CodeUnavailable) as unknown:
        submit(db_session, "NOSUCHCODE", {"overall": "5"})
    assert unknown.value.state is CodeState.UNKNOWN
    campaign, _ = make_counter_campaign(db_session)
    campaign.ends_on = NOW.date() - timedelta(days=1)
    campaign.starts_on = campaign.ends_on - timedelta(days=30)
    code = make_code(db_session, campaign)
    with pytest.raises(CodeUnavailable) as closed:
        submit(db_session, code.token, {"overall": "5"})
    assert closed.value.state is CodeState.CLOSED


def test_one_device_cannot_rate_a_counter_twice_within_the_interval(
    db_session: Session,
) -> None:
    campaign, point = make_counter_campaign(db_session, min_interval_seconds=120)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    submit(db_session, code.token, {"overall": "5"}, device_hash="phone-1")
    with pytest.raises(TooSoon) as too_soon:
        submit(db_session, code.token, {"overall": "5"}, device_hash="phone-1")
    assert 0 < too_soon.value.retry_after <= 120
    submit(db_session, code.token, {"overall": "4"}, device_hash="phone-2")
    assert count(db_session) == 2


def test_suspicious_responses_are_flagged_not_discarded(db_session: Session) -> None:
    campaign, _ = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing")
    quick = submitted(
        db_session, code.token, {"overall": "5"}, started_at=NOW - timedelta(seconds=1)
    )
    calm = submitted(
        db_session, code.token, {"overall": "4"}, started_at=NOW - timedelta(seconds=20)
    )
    assert quick.flag_too_fast and not calm.flag_too_fast
    burst = [
        submitted(db_session, code.token, {"overall": "5"}, device_hash="same")
        for _ in range(3)
    ]
    assert not any(r.flag_burst or r.flag_duplicate_suspect for r in burst)
    caught_up(db_session, burst)  # the device flags are set after the write
    assert [r.flag_burst for r in burst] == [False, False, True]
    assert [r.flag_duplicate_suspect for r in burst] == [False, True, True]
    assert count(db_session) == 5


def test_device_flags_read_the_window_and_only_the_latest_ratings(
    db_session: Session,
) -> None:
    campaign, _ = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing")

    def rating(comment: str, minutes_ago: float) -> Response:
        submission = Submission(
            token=code.token,
            submission_id=unique("sub"),
            answers={"overall": "2", "comment": comment},
            device_hash="same",
        )
        when = NOW - timedelta(minutes=minutes_ago)
        return db_session.get(
            Response, record_response(db_session, submission, when).response_id
        )

    rating("old", 45)
    rating("old", 30)  # both before the 10-minute window
    first = rating("old", 9)
    for number in range(10):
        rating(f"new {number}", 8 - number / 2)
    # "old" nine minutes ago is now the device's eleventh latest: not compared.
    late = rating("old", 0)
    again = rating("new 9", 0)
    caught_up(db_session, [first, late, again])
    assert not first.flag_burst and not first.flag_duplicate_suspect
    assert late.flag_burst and not late.flag_duplicate_suspect
    assert again.flag_duplicate_suspect


def rated_from(
    session: Session, token: str, answers: dict, seconds: float, **fields: object
) -> Response:
    """Store a rating sent ``seconds`` after ``NOW``; return it."""
    submission = Submission(token, unique("sub"), answers, **fields)
    when = NOW + timedelta(seconds=seconds)
    return session.get(Response, record_response(session, submission, when).response_id)


def test_a_burst_from_one_address_flags_every_rating_in_it(
    db_session: Session,
) -> None:
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)

    def rating(number: int) -> Response:
        # A new device each time (a script dropping its cookie), one network.
        return rated_from(
            db_session,
            code.token,
            {"overall": "1"},
            seconds=4 * number,
            device_hash=f"device {number}",
            address_hash="one network",
        )

    first = [rating(number) for number in range(3)]
    caught_up(db_session, first)  # the burst is not one yet
    assert not any(r.flag_burst for r in first)
    rest = [rating(number) for number in range(3, 6)]
    elsewhere = rated_from(
        db_session, code.token, {"overall": "5"}, 21, address_hash="another network"
    )
    caught_up(db_session, [*first, *rest, elsewhere])
    assert all(r.flag_burst for r in [*first, *rest]), "the first ones too"
    assert not elsewhere.flag_burst


def test_an_official_rated_through_many_codes_from_one_address_is_a_burst(
    db_session: Session,
) -> None:
    campaign, point = make_counter_campaign(db_session)
    official = point.officials[0].code
    codes = [
        make_code(db_session, campaign, kind="standing", service_point=point).token
        for _ in range(6)
    ]
    answers = {"overall": "3", "official": official, "official_rating": "1"}
    rated = [
        rated_from(db_session, token, answers, n, address_hash="one network")
        for n, token in enumerate(codes)
    ]
    caught_up(db_session, rated)
    assert all(r.flag_burst for r in rated)


def test_a_wards_wifi_at_human_pace_is_no_burst(db_session: Session) -> None:
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    # Sixty phones behind the ward's one address, one rating a minute for an hour.
    rated = [
        rated_from(
            db_session,
            code.token,
            {"overall": "4"},
            seconds=60 * number,
            device_hash=f"phone {number}",
            address_hash="ward wifi",
        )
        for number in range(60)
    ]
    caught_up(db_session, rated)
    assert not any(r.flag_burst or r.flag_duplicate_suspect for r in rated)


def test_a_phone_number_is_kept_apart_with_its_consent(db_session: Session) -> None:
    campaign, _ = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing")
    response = submitted(db_session, code.token, {"overall": "2"}, phone="0901234567")
    contact = db_session.scalar(select(FollowUpContact))
    assert contact.response_id == response.id
    assert contact.consented_at == NOW and contact.purge_after > NOW
    assert all("0901234567" not in (a.value_text or "") for a in response.answers)


def test_twenty_concurrent_submissions_of_one_code_store_exactly_one(
    fresh_database_url: str,
) -> None:
    engine = make_engine(fresh_database_url, pool_size=20, max_overflow=0)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        campaign, _ = make_counter_campaign(session)
        token = make_code(session, campaign).token
    outcomes: list[str] = []

    def attempt(number: int) -> None:
        try:
            with factory.begin() as session:
                submission = Submission(token, f"client-{number}", {"overall": "5"})
                record_response(session, submission, NOW)
            outcomes.append("stored")
        except CodeUnavailable as refused:
            outcomes.append(refused.state.value)
        except Exception as error:
            outcomes.append(repr(error))

    run_at_once(attempt, range(20))
    with factory() as session:
        stored = count(session)
    engine.dispose()
    assert sorted(outcomes) == ["stored"] + ["used"] * 19
    assert stored == 1


def test_a_choice_label_is_stored_in_the_respondents_language(
    db_session: Session,
) -> None:
    # ODK fn:jr:choice-name: the label in the language the respondent answered in.
    data = shipped_template("counter").to_dict()
    data["key"] = unique("labelled")
    data["questions"].append(
        {
            "name": "overall_label",
            "type": "calculate",
            "calculation": "jr:choice-name(${overall}, '${overall}')",
        }
    )
    stored = store_questionnaire(db_session, build_questionnaire(data)).stored
    campaign = make_campaign(
        db_session, questionnaire=stored, unit=make_unit(db_session)
    )
    labels = {}
    for language in ("vi", "en"):
        code = make_code(db_session, campaign)
        response = submitted(
            db_session, code.token, {"overall": "4"}, language=language
        )
        stored_values = {a.question: a.value_text for a in response.answers}
        labels[language] = stored_values["overall_label"]
    assert labels == {"vi": "Hài lòng", "en": "Satisfied"}
