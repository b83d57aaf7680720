"""Skip logic in words for paper forms: each relevance, worded or read out."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from surveys.questionnaire import Questionnaire, build_questionnaire
from surveys.questionnaire.expressions import parse
from surveys.questionnaire.skip_words import (
    Words,
    condition_words,
    printed_numbers,
    skip_words,
)
from surveys.translatable import Message, Text


def vietnamese(words: Words) -> str:
    """Fill the Vietnamese msgids, as the app does with no catalogue."""
    if isinstance(words, Message):
        return words.msgid % {k: vietnamese(v) for k, v in words.params.items()}
    if isinstance(words, Text):
        return words.get("vi")
    if isinstance(words, tuple):
        return "".join(vietnamese(part) for part in words)
    return str(words)


def _question(name: str, kind: str, **more: object) -> dict[str, object]:
    return {"name": name, "type": kind, "label": {"vi": name.upper()}, **more}


#: q1 yes/no, a note (not numbered), q2 a multiple choice, q3 an integer, q4 a
#: rating, a calculation (not numbered), q5 text, q6 yes/no and a run (q7, q8)
#: asked on its "yes", q9 text, q10 yes/no with the form's last question on it.
FORM = build_questionnaire(
    {
        "key": "paper",
        "version": "1",
        "title": {"vi": "Phiếu"},
        "languages": ["vi"],
        "questions": [
            _question("used", "select_one", choices="yes_no"),
            {"name": "intro", "type": "note", "label": {"vi": "Ghi chú"}},
            _question("channels", "select_multiple", choices="channels"),
            _question("visits", "integer"),
            _question("overall", "rating"),
            {"name": "double", "type": "calculate", "calculation": "${visits} * 2"},
            _question("comment", "text"),
            _question("went", "select_one", choices="yes_no"),
            _question("asked_a", "text", relevant="${went} = 'yes'"),
            _question("asked_b", "text", relevant="${went} = 'yes'"),
            _question("after", "text"),
            _question("last_choice", "select_one", choices="yes_no"),
            _question("last", "text", relevant="selected(${last_choice}, 'yes')"),
        ],
        "choices": {
            "yes_no": [
                {"name": "yes", "label": {"vi": "Có"}},
                {"name": "no", "label": {"vi": "Không"}},
                {"name": "dk", "label": {"vi": "Không biết"}},
            ],
            "channels": [
                {"name": "online", "label": {"vi": "Trực tuyến"}},
                {"name": "counter", "label": {"vi": "Tại quầy"}},
            ],
        },
    }
)

WORDED = [
    ("${used} = 'yes'", "Chỉ trả lời nếu câu 1 chọn “Có”."),
    ("${used} != 'no'", "Chỉ trả lời nếu câu 1 không chọn “Không”."),
    ("selected(${used}, 'no')", "Chỉ trả lời nếu câu 1 chọn “Không”."),
    ("not(${used} = 'yes')", "Chỉ trả lời nếu câu 1 không chọn “Có”."),
    (
        "${used} = 'yes' or ${used} = 'dk'",
        "Chỉ trả lời nếu câu 1 không chọn “Không”.",
    ),
    # Never true: no option satisfies it, so each side is worded.
    (
        "${used} = 'yes' and ${used} = 'no'",
        "Chỉ trả lời nếu câu 1 chọn “Có” và câu 1 chọn “Không”.",
    ),
    ("selected(${channels}, 'online')", "Chỉ trả lời nếu câu 2 chọn “Trực tuyến”."),
    (
        "not(selected(${channels}, 'counter'))",
        "Chỉ trả lời nếu câu 2 không chọn “Tại quầy”.",
    ),
    ("${visits} >= 2", "Chỉ trả lời nếu câu 3 từ 2 trở lên."),
    ("3 < ${visits}", "Chỉ trả lời nếu câu 3 lớn hơn 3."),
    ("${visits} != ''", "Chỉ trả lời nếu câu 3 có trả lời."),
    ("${comment} = ''", "Chỉ trả lời nếu câu 5 để trống."),
    (
        "${overall} <= 2",
        "Chỉ trả lời nếu câu 4 chọn “Rất không hài lòng” hoặc “Không hài lòng”.",
    ),
    (
        "${used} = 'yes' and ${visits} > 1",
        "Chỉ trả lời nếu câu 1 chọn “Có” và câu 3 lớn hơn 1.",
    ),
    (
        "${used} = 'yes' and (${visits} > 1 or selected(${channels}, 'online'))",
        "Chỉ trả lời nếu câu 1 chọn “Có” và (câu 3 lớn hơn 1 hoặc câu 2 chọn "
        "“Trực tuyến”).",
    ),
    # Not simply worded: read out, with numbers and option labels.
    (
        "count-selected(${channels}) >= 2",
        "Chỉ trả lời nếu: count-selected(câu 2) >= 2.",
    ),
    (
        "${double} > 4 and ${used} = 'yes'",
        "Chỉ trả lời nếu: “double” > 4 và câu 1 chọn “Có”.",
    ),
    ("${visits} > ${overall}", "Chỉ trả lời nếu: câu 3 > câu 4."),
    (
        "not(${visits} > ${overall})",
        "Chỉ trả lời nếu: không phải (câu 3 > câu 4).",
    ),
    (
        "${used} = 'yes' or string-length(${comment}) > 10",
        "Chỉ trả lời nếu: câu 1 chọn “Có” hoặc string-length(câu 5) > 10.",
    ),
    (
        "${channels} = 'online'",
        "Chỉ trả lời nếu: câu 2 = “Trực tuyến”.",
    ),
]


@pytest.mark.parametrize(("source", "expected"), WORDED)
def test_a_relevance_is_worded(source: str, expected: str) -> None:
    assert vietnamese(condition_words(parse(source), FORM)) == expected


def test_notes_and_calculations_are_not_numbered() -> None:
    numbers = printed_numbers(FORM)
    assert "intro" not in numbers and "double" not in numbers
    assert numbers["used"] == 1 and numbers["comment"] == 5
    assert numbers["last"] == len(numbers) == 11


def test_a_run_after_a_single_choice_says_where_to_go_on() -> None:
    words = skip_words(FORM)
    jump = words.jumps["went"]
    assert jump.options == ("no", "dk") and jump.target == 9
    assert vietnamese(jump.words) == "Nếu không chọn “Có”, chuyển sang câu 9."
    # Every question of the run still says when it is asked.
    assert vietnamese(words.conditions["asked_b"]) == "Chỉ trả lời nếu câu 6 chọn “Có”."
    assert set(words.jumps) == {"went", "last_choice"}


def test_a_run_that_ends_the_form_says_so() -> None:
    jump = skip_words(FORM).jumps["last_choice"]
    assert vietnamese(jump.words) == "Nếu không chọn “Có”, phiếu kết thúc tại đây."


def test_no_jump_when_the_run_does_not_follow_its_question(
    load_template: Callable[[str], Questionnaire],
) -> None:
    # DDCI: "time_costs" hangs on dealt_with_unit, asked sections earlier.
    words = skip_words(load_template("ddci"))
    assert "dealt_with_unit" not in words.jumps
    assert "time_costs" in words.conditions


#: The shipped definitions' own relevances, as their forms print them.
SHIPPED = {
    "papi": {
        "procedures": "Chỉ trả lời nếu câu 13 chọn “Có”.",
        "svc_school": "Chỉ trả lời nếu câu 18 chọn “Có”.",
        "members": "Chỉ trả lời nếu câu 31 từ 1 trở lên.",
        "used_procedure": "Nếu chọn “Không”, chuyển sang câu 18.",
        "uses_internet": "Nếu chọn “Không”, chuyển sang câu 29.",
    },
    "sipas": {"gave_feedback": "Nếu chọn “Không”, chuyển sang câu 26."},
    "counter": {
        "official_rating": "Chỉ trả lời nếu câu 2 có trả lời.",
        "reasons": "Chỉ trả lời nếu câu 1 chọn “Rất không hài lòng” hoặc "
        "“Không hài lòng”.",
    },
    "dossier": {
        "feedback_handling": "Chỉ trả lời nếu câu 11 chọn “Có”.",
        "used_online": "Nếu chọn “Không”, chuyển sang câu 15.",
    },
    "open_rating": {
        # Said by the two options that go on, not the three that skip.
        "overall": "Nếu không chọn “Rất không hài lòng” hoặc “Không hài lòng”, "
        "chuyển sang câu 6.",
    },
    "pci": {"land": "Chỉ trả lời nếu câu 3 chọn “Có”."},
}


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_the_shipped_relevances_are_worded(
    key: str, load_template: Callable[[str], Questionnaire]
) -> None:
    words = skip_words(load_template(key))
    said = {name: vietnamese(m) for name, m in words.conditions.items()}
    said |= {name: vietnamese(jump.words) for name, jump in words.jumps.items()}
    for name, expected in SHIPPED[key].items():
        assert said[name] == expected


def test_every_relevance_of_every_definition_is_printed(
    template_name: str, load_template: Callable[[str], Questionnaire]
) -> None:
    questionnaire = load_template(template_name)
    words = skip_words(questionnaire)
    relevant = {
        item.name
        for item in (*questionnaire.questions, *questionnaire.sections)
        if item.relevant is not None and getattr(item, "type", None) != "calculate"
    }
    assert set(words.conditions) == relevant
