"""A plain ``column = ${question}`` choice_filter answered from an index gives
exactly what the general evaluation gives.

Each case builds the questionnaire twice: with the filter as written (the
index answers it) and with ``and 1 = 1`` added (only the general evaluation
takes that), then compares the options shown and the answers checked.
"""

from __future__ import annotations

from typing import Any

import pytest

from surveys.questionnaire import (
    InvalidAnswers,
    Questionnaire,
    build_questionnaire,
    relevance,
    validate_answers,
)

#: Codes with leading zeros, a blank column, a code that looks like a number.
COUNTERS = [
    ["c1", "Quầy Một", "01"],
    ["c2", "Quầy Hai", "1"],
    ["c3", "Quầy Ba", ""],
    ["c4", "Quầy Bốn", "01"],
    ["c5", "Quầy Năm", "q3"],
]
WARDS = [
    {"name": "bn", "label": {"vi": "Bến Nghé", "en": "Ben Nghe"}, "data": {"d": "01"}},
    {"name": "bt", "label": {"vi": "Bến Thành", "en": "Ben Thanh"}, "data": {"d": "1"}},
    {"name": "dk", "label": {"vi": "Đa Kao", "en": "Da Kao"}},
]


def _questionnaire(questions: list[dict[str, Any]], general: bool) -> Questionnaire:
    flat = [*questions, *(q for r in questions for q in r.get("questions", []))]
    for question in flat:
        if general and "choice_filter" in question:
            question["choice_filter"] += " and 1 = 1"
    lists = {
        "districts": [{"name": n, "label": _label(n)} for n in ("01", "1", "q3")],
        "wards": WARDS,
    }
    used = {q.get("choices") for q in flat}
    files = {
        "counters.csv": {"columns": ["name", "label", "district"], "rows": COUNTERS}
    }
    return build_questionnaire(
        {
            "key": "cascade",
            "version": "1",
            "title": {"vi": "Quầy", "en": "Counters"},
            "languages": ["vi", "en"],
            "questions": questions,
            "choices": {name: lists[name] for name in sorted(used & set(lists))},
            "files": files if any("choices_file" in q for q in flat) else {},
        }
    )


def _copy(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        q | {"questions": _copy(q["questions"])} if "questions" in q else dict(q)
        for q in questions
    ]


def _both(questions: Any) -> tuple[Questionnaire, Questionnaire]:
    indexed = _questionnaire(_copy(questions), general=False)
    return indexed, _questionnaire(_copy(questions), general=True)


def _outcome(questionnaire: Questionnaire, answers: dict[str, Any], language: str):
    shown = relevance(questionnaire, answers, language=language)
    try:
        checked: object = validate_answers(questionnaire, answers, language=language)
    except InvalidAnswers as invalid:
        checked = {name: str(message) for name, message in invalid.errors.items()}
    return dict(shown.choices), checked


def _label(name: str) -> dict[str, str]:
    return {"vi": name, "en": name}


FILE_SELECT = {"name": "counter", "type": "select_one", "choices_file": "counters.csv",
               "label": _label("Quầy")}  # fmt: skip
CASES = {
    "a string answer": (
        [{"name": "district", "type": "select_one", "choices": "districts",
          "label": _label("Quận")},
         FILE_SELECT | {"choice_filter": "district = ${district}"}],
        [{"district": d, "counter": c} for d in ("01", "1", "q3", None)
         for c in ("c1", "c2", "c3", "c5", None)],
    ),
    "the reference first": (
        [{"name": "district", "type": "select_one", "choices": "districts",
          "label": _label("Quận")},
         FILE_SELECT | {"choice_filter": "${district} = district"}],
        [{"district": d, "counter": "c4"} for d in ("01", "1", None)],
    ),
    "a number answer (compared as numbers)": (
        [{"name": "code", "type": "integer", "label": _label("Mã")},
         FILE_SELECT | {"choice_filter": "district = ${code}"}],
        [{"code": n, "counter": c} for n in ("1", "3", None) for c in ("c1", "c2")],
    ),
    "a choice list's data, name and label": (
        [{"name": "text", "type": "text", "label": _label("Chữ")},
         {"name": "by_data", "type": "select_one", "choices": "wards",
          "choice_filter": "d = ${text}", "label": _label("Phường")},
         {"name": "by_name", "type": "select_multiple", "choices": "wards",
          "choice_filter": "name = ${text}", "label": _label("Phường")},
         {"name": "by_label", "type": "select_one", "choices": "wards",
          "choice_filter": "label = ${text}", "label": _label("Phường")}],
        [{"text": t, "by_data": w, "by_name": [w], "by_label": w}
         for t in ("01", "bn", "Bến Nghé", "Ben Nghe", "")
         for w in ("bn", "dk")],
    ),
    "a repeat row's own answer": (
        [{"name": "rows", "type": "repeat", "label": _label("Dòng"), "questions": [
            {"name": "district", "type": "select_one", "choices": "districts",
             "label": _label("Quận")},
            FILE_SELECT | {"choice_filter": "district = ${district}"}]}],
        [{"rows": [{"district": "01", "counter": "c4"}, {"district": "1",
                    "counter": "c4"}, {"counter": "c3"}]}],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_index_gives_what_the_general_evaluation_gives(
    case: str, language: str
) -> None:
    questions, answer_sets = CASES[case]
    indexed, general = _both(questions)
    for answers in answer_sets:
        assert _outcome(indexed, answers, language) == _outcome(
            general, answers, language
        ), answers
    assert not general.filter_indexes


def test_a_string_answer_is_answered_from_the_index_built_once() -> None:
    indexed, _ = _both(CASES["a string answer"][0])
    shown = relevance(indexed, {"district": "01"})
    assert shown.choices["counter"] == ("c1", "c4")
    index = indexed.filter_indexes[("counter", "district", "vi")]
    assert index == {"01": ("c1", "c4"), "1": ("c2",), "": ("c3",), "q3": ("c5",)}
    relevance(indexed, {"district": "1"})
    assert indexed.filter_indexes[("counter", "district", "vi")] is index
