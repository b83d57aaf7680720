"""Answer validation: typing, required, choices, ranges, constraints, skip logic."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

import surveys
from surveys.questionnaire import (
    DefinitionError,
    InvalidAnswers,
    Message,
    Questionnaire,
    messages,
    relevance,
)
from surveys.questionnaire.messages import NOT_A_CHOICE, REQUIRED, TOO_LONG
from surveys.questionnaire.schema import build_questionnaire

OFFICIALS = {"officials": ["NV01", "NV02"]}


@pytest.fixture(scope="module")
def counter(load_template: Callable[[str], Questionnaire]) -> Questionnaire:
    return load_template("counter")


@pytest.fixture(scope="module")
def household() -> Questionnaire:
    return build_questionnaire(
        {
            "key": "household",
            "languages": ["vi", "en"],
            "title": {"vi": "Hộ gia đình", "en": "Household"},
            "questions": [
                {
                    "name": "members",
                    "type": "integer",
                    "label": {"vi": "Số người", "en": "Members"},
                    "required": True,
                    "constraint": ". >= 1 and . <= 30",
                    "constraint_message": {
                        "vi": "Từ 1 đến 30 người.",
                        "en": "Between 1 and 30 people.",
                    },
                },
                {
                    "name": "income",
                    "type": "decimal",
                    "label": {"vi": "Thu nhập (triệu đồng)", "en": "Income (million"},
                },
                {
                    "name": "per_head",
                    "type": "calculate",
                    "calculation": "round(${income} div ${members}, 2)",
                },
                {
                    "name": "moved_in",
                    "type": "date",
                    "label": {"vi": "Ngày chuyển đến", "en": "Moved in on"},
                    "constraint": ". <= today()",
                },
                {
                    "name": "procedure",
                    "type": "section",
                    "label": {"vi": "Thủ tục", "en": "Procedure"},
                    "relevant": "${members} > 1",
                    "questions": [
                        {
                            "name": "note_procedure",
                            "type": "note",
                            "label": {"vi": "Phần thủ tục", "en": "About procedures"},
                        },
                        {
                            "name": "procedure_name",
                            "type": "text",
                            "required": True,
                            "label": {"vi": "Tên thủ tục", "en": "Procedure"},
                        },
                    ],
                },
            ],
        }
    )


def test_counter_keeps_only_relevant_answers(counter: Questionnaire) -> None:
    answers = {"overall": "5", "reasons": ["late"], "comment": "  Cảm ơn  "}
    assert surveys.validate_answers(counter, answers) == {
        "overall": 5,
        "official": None,
        "comment": "Cảm ơn",
    }


def test_low_rating_asks_for_reasons_in_list_order(counter: Questionnaire) -> None:
    answers = {"overall": "2", "reasons": ["late", "waiting", "late"]}
    result = surveys.validate_answers(counter, answers)
    assert result["reasons"] == ["waiting", "late"]


def test_official_rating_follows_the_chosen_official(counter: Questionnaire) -> None:
    answers = {"overall": "4", "official": "NV02", "official_rating": "3"}
    result = surveys.validate_answers(counter, answers, runtime_choices=OFFICIALS)
    assert result["official"] == "NV02"
    assert result["official_rating"] == 3


def test_every_error_is_a_catalogue_message_with_its_values(
    counter: Questionnaire,
) -> None:
    answers = {"official": "NV99", "comment": "x" * 501}
    with pytest.raises(InvalidAnswers) as caught:
        surveys.validate_answers(counter, answers, runtime_choices=OFFICIALS)
    assert caught.value.errors == {
        "overall": Message(REQUIRED),
        "official": Message(NOT_A_CHOICE, {"value": "'NV99'"}),
        "comment": Message.counting(TOO_LONG, 500),
    }
    # The app translates them; their own text is the Vietnamese one.
    assert str(caught.value.errors["comment"]) == (
        "Câu trả lời quá dài (tối đa 500 ký tự)."
    )


@pytest.mark.parametrize("bad", ["0", "6", "4.5", "Hài lòng", ["4", "5"]])
def test_rating_accepts_only_one_to_five(counter: Questionnaire, bad: object) -> None:
    with pytest.raises(InvalidAnswers) as caught:
        surveys.validate_answers(counter, {"overall": bad})
    assert set(caught.value.errors) == {"overall"}


def test_runtime_choices_must_be_supplied(counter: Questionnaire) -> None:
    with pytest.raises(ValueError, match="runtime_choices"):
        surveys.validate_answers(counter, {"overall": "4", "official": "NV01"})


def test_reasons_are_relevant_only_after_a_low_rating(counter: Questionnaire) -> None:
    assert "reasons" in relevance(counter, {"overall": "1"})
    assert "reasons" not in relevance(counter, {"overall": "4"})
    assert "reasons" not in relevance(counter, {})


def test_types_calculations_and_sections(household: Questionnaire) -> None:
    answers = {
        "members": "4",
        "income": "10",
        "moved_in": "2020-02-29",
        "procedure_name": "Đăng ký khai sinh",
    }
    result = surveys.validate_answers(household, answers, today=date(2026, 1, 1))
    assert result == {
        "members": 4,
        "income": 10.0,
        "per_head": 2.5,
        "moved_in": date(2020, 2, 29),
        "procedure_name": "Đăng ký khai sinh",
    }


def test_a_calculation_on_blank_answers_is_none(household: Questionnaire) -> None:
    result = surveys.validate_answers(household, {"members": "1"})
    assert result["per_head"] is None


def test_irrelevant_section_is_skipped(household: Questionnaire) -> None:
    result = surveys.validate_answers(
        household, {"members": "1", "procedure_name": "x"}
    )
    assert "procedure_name" not in result
    shown = relevance(household, {"members": "1"})
    assert "procedure" not in shown.sections
    assert "procedure" in relevance(household, {"members": "2"}).sections


@pytest.mark.parametrize(
    ("answers", "name", "msgid"),
    [
        ({"members": "abc"}, "members", messages.NOT_AN_INTEGER),
        ({"members": "1" * 16}, "members", messages.OUT_OF_RANGE),
        ({"members": "0"}, "members", messages.CONSTRAINT_FAILED),
        ({"members": "2", "income": "1,5"}, "income", messages.NOT_A_NUMBER),
        ({"members": "2", "moved_in": "2021-02-29"}, "moved_in", messages.NOT_A_DATE),
        ({"members": "2", "moved_in": "2999-01-01"}, "moved_in", "Câu trả lời"),
        ({"members": "2"}, "procedure_name", messages.REQUIRED),
        ({"members": {"x": 1}}, "members", messages.NOT_TEXT),
        (
            {"members": "2", "procedure_name": "a\x00b"},
            "procedure_name",
            messages.INVALID_CHARACTER,
        ),
    ],
)
def test_bad_values_are_named(
    household: Questionnaire, answers: dict[str, object], name: str, msgid: str
) -> None:
    with pytest.raises(InvalidAnswers) as caught:
        surveys.validate_answers(household, answers, today=date(2026, 1, 1))
    message = caught.value.errors[name]
    assert isinstance(message, Message)
    assert message.msgid.startswith(msgid)
    assert str(message)


def test_a_questions_own_message_comes_with_the_catalogues(
    household: Questionnaire,
) -> None:
    with pytest.raises(InvalidAnswers) as caught:
        surveys.validate_answers(household, {"members": "0"})
    message = caught.value.errors["members"]
    assert message.msgid == messages.CONSTRAINT_FAILED
    assert message.wording == {
        "vi": "Từ 1 đến 30 người.",
        "en": "Between 1 and 30 people.",
    }


_RAW = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["1", "4", "5", "-3", "2.5", "2020-02-30", "waiting", "NV01"]),
    st.lists(st.sampled_from(["late", "waiting", "x", ""]), max_size=4),
    st.integers(),
)


@given(data=st.data())
def test_any_raw_answers_validate_or_raise_invalid_answers(
    household: Questionnaire, counter: Questionnaire, data: st.DataObject
) -> None:
    for questionnaire in (household, counter):
        names = [q.name for q in questionnaire.questions] + ["stray"]
        answers = data.draw(st.dictionaries(st.sampled_from(names), _RAW))
        try:
            result = surveys.validate_answers(
                questionnaire,
                answers,
                runtime_choices=OFFICIALS,
                today=date(2026, 1, 1),
            )
        except InvalidAnswers as invalid:
            assert invalid.errors
            assert all(isinstance(m, Message) for m in invalid.errors.values())
        else:
            assert "stray" not in result
        shown = relevance(questionnaire, answers, runtime_choices=OFFICIALS)
        assert shown.questions <= set(names)


def test_the_engine_imports_no_web_or_database_code() -> None:
    code = (
        "import sys, surveys, surveys.questionnaire.xlsform_writer; "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('flask', 'sqlalchemy')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def _with_questions(
    questionnaire: Questionnaire, questions: list[dict[str, object]]
) -> dict[str, object]:
    """A shipped questionnaire's definition with questions added at the end."""
    data = questionnaire.to_dict()
    data["questions"] = [*data["questions"], *questions]
    return data


def test_choice_name_gives_the_label_in_the_respondents_language(
    counter: Questionnaire,
) -> None:
    # ODK fn:jr:choice-name: the label of the chosen value, in the current language.
    questionnaire = build_questionnaire(
        _with_questions(
            counter,
            [
                {
                    "name": "first_reason",
                    "type": "calculate",
                    "calculation": (
                        "jr:choice-name(selected-at(${reasons}, 0), '${reasons}')"
                    ),
                },
                {
                    "name": "overall_label",
                    "type": "calculate",
                    "calculation": "jr:choice-name(${overall}, '${overall}')",
                },
            ],
        )
    )
    answers = {"overall": "2", "reasons": ["late", "waiting"]}
    in_vi = surveys.validate_answers(questionnaire, answers, runtime_choices=OFFICIALS)
    in_en = surveys.validate_answers(
        questionnaire, answers, runtime_choices=OFFICIALS, language="en"
    )
    # Multiple choices keep the list's order, so "waiting" comes first.
    assert in_vi["first_reason"] == "Phải chờ đợi lâu"
    assert in_en["first_reason"] == "I waited too long"
    assert (in_vi["overall_label"], in_en["overall_label"]) == (
        "Không hài lòng",
        "Dissatisfied",
    )
    unanswered = surveys.validate_answers(
        questionnaire, {"overall": "5"}, runtime_choices=OFFICIALS, language="en"
    )
    assert unanswered["overall_label"] == "Very satisfied"
    assert unanswered["first_reason"] == ""


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        ("comment", "'comment', which is not a select question"),
        ("official", "'official', which is not a select question"),
        ("nowhere", "${nowhere} names no question"),
    ],
)
def test_choice_name_must_read_a_select_question(
    counter: Questionnaire, question: str, problem: str
) -> None:
    data = _with_questions(
        counter,
        [
            {
                "name": "label",
                "type": "calculate",
                "calculation": f"jr:choice-name(${{overall}}, '${{{question}}}')",
            }
        ],
    )
    with pytest.raises(DefinitionError) as caught:
        build_questionnaire(data)
    assert any(problem in str(p) for p in caught.value.problems)
