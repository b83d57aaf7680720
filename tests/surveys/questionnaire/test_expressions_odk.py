"""Expression semantics checked case by case against ODK's rules.

Each case names the rule it checks: XPath 1.0 (``XPath §n``,
https://www.w3.org/TR/1999/REC-xpath-19991116/), the ODK XForms specification
(``ODK fn:name``, https://getodk.github.io/xforms-spec/#xpath-functions) or,
where the specification is silent, the code of ODK's engine (``JavaRosa
Class``). Answers are typed as hailong's validation passes them: integers and
decimals as floats, texts and single choices as strings, multiple choices as
names joined by spaces, dates as dates, unanswered as ''.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from surveys.questionnaire.errors import ExpressionError
from surveys.questionnaire.expressions import parse

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 14, 5, 9, 120000)
ANSWERS = {
    "code": "007",
    "code_one": "1",
    "age": 30.0,
    "empty": "",
    "born": date(2000, 1, 31),
    "fruits": "apple pear kiwi",
    "phone": "0912345678",
    "name": "Nguyễn Lan",
    # time, datetime and geopoint answers are ODK's lexical forms (lexical.py).
    "opened": "07:30:00.000+07:00",
    "visited": "2026-11-25T09:15:00.000+07:00",
    "place": "21.0285 105.8542 12 8",
}

# (expression, expected, rule)
CASES = [
    # regex: Java's Pattern.matches, the whole value must match.
    ("regex(${phone}, '[0-9]{10}')", True, "ODK fn:regex; JavaRosa regex()"),
    ("regex(${phone}, '[0-9]{3}')", False, "ODK fn:regex: full match, not search"),
    ("regex('abc123', '[a-z]+')", False, "ODK fn:regex: full match, not search"),
    ("regex('', '[0-9]*')", True, "ODK fn:regex: empty value, pattern allows it"),
    # = and != between two strings compare strings.
    ("'1' = '01'", False, "XPath §3.4: two strings compare as strings"),
    ("${code} = '7'", False, "XPath §3.4: a code keeps its leading zeros"),
    ("${code} = '007'", True, "XPath §3.4: equal strings"),
    ("${code_one} != '01'", True, "XPath §3.4: != between strings"),
    ("'abc' = 'abc '", False, "XPath §3.4: no trimming between strings"),
    # a number against a string converts the string.
    ("${code} = 7", True, "XPath §3.4: number vs string, string converted"),
    ("'01' = 1", True, "XPath §3.4: number vs string, string converted"),
    ("${age} = '30'", True, "XPath §3.4: number vs string, string converted"),
    ("${empty} = 0", False, "XPath §4.4: number('') is NaN"),
    ("${empty} != 0", True, "XPath §3.4: NaN != 0"),
    ("${empty} = ''", True, "XPath §3.4: unanswered is the empty string"),
    ("${missing} = ''", True, "XPath §3.4: unanswered is the empty string"),
    ("'+5' = 5", False, "XPath §4.4: number() takes no plus sign"),
    ("' 5 ' = 5", True, "XPath §4.4: number() ignores surrounding spaces"),
    ("'1e3' = 1000", False, "XPath §4.4: number() takes no exponent"),
    # booleans on either side of = compare as booleans.
    ("true() = 'x'", True, "XPath §3.4: boolean vs string, boolean() of string"),
    ("false() = ''", True, "XPath §3.4: boolean('') is false"),
    ("true() = 2", True, "XPath §3.4: boolean vs number"),
    # ordering converts both sides to numbers.
    ("'10' > '9'", True, "XPath §3.4: <, > convert both strings to numbers"),
    ("'b' > 'a'", False, "XPath §3.4: words are NaN, never ordered"),
    ("${code} < 8", True, "XPath §3.4: ordering, string converted"),
    ("${empty} <= 2", False, "XPath §3.4: NaN is never ordered"),
    ("${empty} >= 2", False, "XPath §3.4: NaN is never ordered"),
    ("true() > 0", True, "XPath §3.4: boolean converts to 1"),
    # dates: days since 1970-01-01 as numbers, ISO text as strings.
    ("${born} = '2000-01-31'", True, "JavaRosa toString(Date): yyyy-mm-dd"),
    ("${born} = '2000-1-31'", False, "XPath §3.4: compared as strings"),
    ("${born} < '2001-01-01'", True, "ODK Operators: number() of a date string"),
    ("${born} > date('2001-01-01')", False, "ODK fn:date"),
    ("${born} = date('2000-01-31')", True, "ODK fn:date"),
    ("${born} = 10957", False, "JavaRosa toNumeric(Date): days since epoch"),
    ("${born} = 10987", True, "JavaRosa toNumeric(Date): days since epoch"),
    ("number(${born})", 10987.0, "ODK fn:number: date to days"),
    ("number('1970-01-02')", 1.0, "ODK fn:number: date string to days"),
    ("number('1970-01-01T12:00:00')", 0.5, "ODK fn:number: dateTime fraction"),
    ("today() - ${born}", 9795.0, "ODK Operators: arithmetic with dates"),
    ("today()", TODAY, "ODK fn:today"),
    ("string(today())", "2026-11-25", "ODK fn:today: date format"),
    ("now()", NOW, "ODK fn:now"),
    ("format-date(now(), '%H:%M:%S.%3')", "14:05:09.120", "ODK fn:format-date-time"),
    ("date(0)", date(1970, 1, 1), "JavaRosa toDate: a number counts days"),
    ("date(10987.9)", date(2000, 1, 31), "JavaRosa toDate: days truncated"),
    ("date('2000-01-31')", date(2000, 1, 31), "ODK fn:date"),
    ("date('')", "", "JavaRosa toDate: '' stays ''"),
    ("date(-1000000)", math.nan, "JavaRosa toDate: out of range (an error there)"),
    ("date(number(''))", math.nan, "JavaRosa toDate: NaN stays NaN"),
    ("date(${born} + 1)", date(2000, 2, 1), "ODK fn:date: add days"),
    ("decimal-date-time('1970-01-02T06:00:00')", 1.25, "ODK fn:decimal-date-time"),
    ("decimal-date-time(${born})", 10987.0, "ODK fn:decimal-date-time"),
    ("decimal-date-time(2.5)", 2.5, "JavaRosa toDecimalDateTime: number kept"),
    ("format-date(${born}, '%Y-%m-%d')", "2000-01-31", "ODK fn:format-date: %Y %m %d"),
    ("format-date(${born}, '%e/%n/%y')", "31/1/00", "ODK fn:format-date: %e %n %y"),
    ("format-date(${born}, '%a %d %b')", "Mon 31 Jan", "ODK fn:format-date: %a %b"),
    ("format-date('2024-03-05', '%e %b %Y')", "5 Mar 2024", "ODK fn:format-date"),
    ("format-date(${empty}, '%Y')", "", "JavaRosa formatDateTime: not a date is ''"),
    ("format-date(${born}, '100%%')", "100%", "JavaRosa DateUtils.format: %%"),
    # numbers.
    ("int(-3.7)", -3.0, "ODK fn:int: discard the fraction"),
    ("int('12.9')", 12.0, "ODK fn:int: string converted first"),
    ("round(2.5)", 3.0, "XPath §4.4 round: half up"),
    ("round(-2.5)", -2.0, "XPath §4.4 round: a tie goes towards +infinity"),
    ("round(-2.6)", -3.0, "XPath §4.4 round: closest integer"),
    ("round(-1.25, 1)", -1.2, "JavaRosa round: half down for negatives"),
    ("round(2.345, 2)", 2.35, "ODK fn:round: decimals, on the written number"),
    ("round(1234.5, -2)", 1200.0, "ODK fn:round: negative decimals"),
    ("round(${empty})", math.nan, "XPath §4.4 round: NaN stays NaN"),
    ("number('')", math.nan, "XPath §4.4: number('') is NaN"),
    ("number('-0.5')", -0.5, "XPath §4.4 number"),
    ("number('abc')", math.nan, "XPath §4.4 number"),
    ("number(true())", 1.0, "XPath §4.4 number of a boolean"),
    ("boolean('0')", True, "XPath §4.3: a non-empty string is true"),
    ("boolean(0)", False, "XPath §4.3: zero is false"),
    ("boolean(number(''))", False, "XPath §4.3: NaN is false"),
    ("boolean(${born})", True, "JavaRosa toBoolean(Date): true"),
    # strings.
    ("substr('hailong', 2)", "ilong", "ODK fn:substr: 0-based start"),
    ("substr('hailong', 0, 3)", "hai", "ODK fn:substr: end excluded"),
    ("substr('hailong', -4)", "long", "JavaRosa substring: negative from the end"),
    ("substr('hailong', 5, 2)", "", "JavaRosa substring: start after end"),
    ("concat(${name}, '-', ${age}, '-', true())", "Nguyễn Lan-30-true", "XPath §4.2"),
    ("concat(0.5, ${empty})", "0.5", "XPath §4.2: string() of numbers"),
    ("string-length(${name})", 10.0, "XPath §4.2: characters, not bytes"),
    # multiple choices.
    ("count-selected(${fruits})", 3.0, "ODK fn:count-selected"),
    ("count-selected(${empty})", 0.0, "ODK fn:count-selected: unanswered"),
    ("selected-at(${fruits}, 1)", "pear", "ODK fn:selected-at: 0-based"),
    ("selected-at(${fruits}, 3)", "", "ODK fn:selected-at: past the end"),
    ("selected-at(${fruits}, -1)", "", "ODK fn:selected-at: negative index"),
    ("selected(${fruits}, ' kiwi ')", True, "JavaRosa multiSelected: trimmed"),
    ("selected(${fruits}, 'pea')", False, "ODK fn:selected: whole names"),
    # times: text in ODK's form; number() converts dates and dateTimes only.
    ("${opened} = '07:30:00.000+07:00'", True, "XPath §3.4: compared as strings"),
    ("${opened} < '08:00:00.000+07:00'", False, "ODK fn:number: a time is NaN"),
    ("decimal-time(${opened})", 0.3125, "ODK fn:decimal-time: 07:30 of the day"),
    ("decimal-time('12:00:00.000')", 0.5, "ODK fn:decimal-time: noon is 0.5"),
    ("decimal-time('05:00:00.000Z')", 0.5, "ODK fn:decimal-time: device's zone"),
    ("decimal-time(${visited})", 0.3854166666666667, "JavaRosa: a dateTime's time"),
    ("decimal-time(1.75)", 0.75, "JavaRosa toDecimalDateTime: the fraction"),
    ("decimal-time(${empty})", "", "JavaRosa toDecimalDateTime: '' stays ''"),
    ("decimal-time('noon')", math.nan, "JavaRosa: not a time (an error there)"),
    (
        "decimal-time(${opened}) < decimal-time('08:00:00.000+07:00')",
        True,
        "ODK docs: compare times through decimal-time()",
    ),
    # dateTimes: days since 1970-01-01 as numbers, the offset counted.
    ("${visited} < now()", True, "ODK fn:number: dateTime strings to days"),
    ("${visited} < '2026-11-25T03:00:00.000Z'", True, "ODK dateTime: 02:15Z"),
    ("${visited} > '2026-11-25T02:00:00Z'", True, "ODK dateTime: 02:15Z"),
    ("${visited} = '2026-11-25T09:15:00.000+07:00'", True, "XPath §3.4: strings"),
    ("date(${visited})", date(2026, 11, 25), "JavaRosa toDate: rounded to the day"),
    ("string(now())", "2026-11-25T14:05:09.120+07:00", "ODK fn:now: with offset"),
    (
        "format-date-time(${visited}, '%Y-%m-%d %H:%M')",
        "2026-11-25 09:15",
        "ODK fn:format-date-time",
    ),
    (
        "format-date-time('2026-11-25T02:15:00Z', '%H:%M')",
        "09:15",
        "ODK fn:format-date-time: in the device's zone",
    ),
    # geopoints: the numbers separated by spaces (JavaRosa GeoPointData).
    ("selected-at(${place}, 0)", "21.0285", "JavaRosa GeoPointData: latitude"),
    ("number(selected-at(${place}, 3)) <= 10", True, "ODK geopoint: accuracy"),
    ("count-selected(${place})", 4.0, "ODK geopoint: four numbers"),
    # once: the value is kept once computed.
    ("once(${age} + 1)", 31.0, "ODK fn:once: empty context evaluates"),
]


@pytest.mark.parametrize(("source", "expected", "rule"), CASES)
def test_expression_agrees_with_odk(source: str, expected: object, rule: str) -> None:
    value = parse(source).evaluate(ANSWERS, today=TODAY, now=NOW)
    if isinstance(expected, float) and math.isnan(expected):
        assert isinstance(value, float) and math.isnan(value), rule
    else:
        assert value == expected, rule
        assert type(value) is type(expected), rule


def test_once_keeps_a_value_already_there() -> None:
    # ODK fn:once: "otherwise the current value of the context node".
    assert parse("once(${age} + 1)").evaluate(ANSWERS, current=5.0, now=NOW) == 5.0


def test_constraint_regex_refuses_partial_codes() -> None:
    # ODK fn:regex through a constraint: a 10-digit phone, not "contains 10 digits".
    constraint = parse("regex(., '0[0-9]{9}')")
    assert constraint.holds({}, current="0912345678")
    assert not constraint.holds({}, current="tel 0912345678 ext")


def test_unknown_date_format_field_is_refused_when_parsed() -> None:
    # JavaRosa DateUtils.format: "unrecognized escape in date format string".
    with pytest.raises(ExpressionError, match="invalid date format"):
        parse("format-date(today(), '%Q')")


# jr:choice-name: the label, in the respondent's language, of the choice with
# that value in the list of the named select question, '' if none (ODK
# fn:jr:choice-name). The labels here are the ones validation would look up.
LABELS = {
    ("fruit", "vi"): {"apple": "Táo", "pear": "Lê"},
    ("fruit", "en"): {"apple": "Apple", "pear": "Pear"},
}
CHOICE_NAME_CASES = [
    ("jr:choice-name('apple', '${fruit}')", "vi", "Táo", "ODK fn:jr:choice-name"),
    ("jr:choice-name('apple', '${fruit}')", "en", "Apple", "ODK: current language"),
    (
        "jr:choice-name(selected-at(${fruits}, 1), '${fruit}')",
        "en",
        "Pear",
        "ODK fn:jr:choice-name of one item of a multiple choice",
    ),
    ("jr:choice-name('kiwi', '${fruit}')", "en", "", "ODK: no such choice is ''"),
    ("jr:choice-name(${empty}, '${fruit}')", "vi", "", "ODK: unanswered is ''"),
    ("jr:choice-name(${missing}, '${fruit}')", "vi", "", "ODK: unanswered is ''"),
]


@pytest.mark.parametrize(("source", "language", "expected", "rule"), CHOICE_NAME_CASES)
def test_choice_name_agrees_with_odk(
    source: str, language: str, expected: str, rule: str
) -> None:
    def choice_label(question: str, value: str) -> str:
        return LABELS[question, language].get(value, "")

    value = parse(source).evaluate(ANSWERS, now=NOW, choice_label=choice_label)
    assert value == expected, rule


def test_choice_name_names_the_question_it_reads() -> None:
    # The second argument is a question, written as a quoted ${name} (XLSForm).
    expression = parse("jr:choice-name(${fruits}, '${fruit}')")
    assert expression.choice_name_questions == {"fruit"}
    assert expression.references == {"fruits", "fruit"}


@pytest.mark.parametrize(
    "source",
    [
        "jr:choice-name(${fruit}, ${fruit})",
        "jr:choice-name(${fruit}, 'fruit')",
        "jr:choice-name(${fruit}, concat('${', 'fruit}'))",
    ],
)
def test_choice_name_needs_a_quoted_question(source: str) -> None:
    with pytest.raises(ExpressionError, match="quoted"):
        parse(source)
