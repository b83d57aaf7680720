"""The expression subset: parsing, XPath-like evaluation, and robustness."""

from __future__ import annotations

import contextlib
import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.questionnaire.errors import ExpressionError
from surveys.questionnaire.expressions import FUNCTIONS, Nodes, parse, to_string

TODAY = date(2026, 11, 25)
ANSWERS = {
    "age": 30.0,
    "empty": "",
    "fruits": "apple pear",
    "name": "Lan",
    "born": date(2000, 1, 31),
    "text_number": "7",
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${age} > 18 and ${age} < 120", True),
        ("${age} >= 30 or not(${age} = 30)", True),
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("7 div 2", 3.5),
        ("7 mod 3", 1.0),
        ("-7 mod 3", -1.0),
        ("- -2", 2.0),
        ("1 div 0", math.inf),
        ("selected(${fruits}, 'pear')", True),
        ("selected(${fruits}, 'kiwi')", False),
        ("count-selected(${fruits})", 2.0),
        ("string-length(${name})", 3.0),
        ("regex(${name}, '^[A-Z][a-z]+$')", True),
        ("if(${age} > 18, 'adult', 'child')", "adult"),
        ("coalesce(${empty}, 'fallback')", "fallback"),
        ("int(-3.7)", -3.0),
        ("number('2.5') + 1", 3.5),
        ("number('abc') = number('abc')", False),
        ("round(2.345, 2)", 2.35),
        ("round(2.5)", 3.0),
        ("concat(${name}, ' ', ${age})", "Lan 30"),
        ("string(${age} div 4)", "7.5"),
        ("today()", TODAY),
        ("today() > ${born}", True),
        ("${born} = '2000-01-31'", True),
        ("${empty} = ''", True),
        ("${empty} = 0", False),
        ("${empty} <= 2", False),
        ("${missing} != 'x'", True),
        ("${text_number} = 7", True),
        ("${text_number} < 10", True),
        ("'b' > 'a'", False),
        ("normalize-space('  a   b ')", "a b"),
        ("true() and not(false())", True),
    ],
)
def test_evaluates_like_xpath(source: str, expected: object) -> None:
    assert parse(source).evaluate(ANSWERS, today=TODAY) == expected


def test_current_value_is_the_dot() -> None:
    constraint = parse(". >= 1 and . <= 5")
    assert constraint.holds({}, current=3.0)
    assert not constraint.holds({}, current=6.0)


def test_java_style_hyphen_after_class_escape_is_literal() -> None:
    email = parse(r"regex(., '^[\w-\.]+@([\w-]+\.)+[\w-]{2,}$')")
    assert email.holds({}, current="nguyen-van.a@example.vn")
    assert not email.holds({}, current="not an address")


def test_references_are_collected() -> None:
    expression = parse("selected(${a}, 'x') and ${b} > count-selected(${c})")
    assert expression.references == {"a", "b", "c"}


def test_equality_ignores_the_tree() -> None:
    assert parse("${a} = 1") == parse("${a} = 1")
    assert parse("${a} = 1") != parse("${a}=1")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty expression"),
        ("sqrt(4)", "unknown function sqrt()"),
        ("${a} = ‘other’", "unexpected character '‘'"),
        ("selected(${a})", "selected() takes 2 arguments"),
        ("(1 + 2", "expected ')'"),
        ("1 +", "ends too early"),
        ("1 2", "unexpected '2'"),
        ("${a b}", "invalid question name"),
        ("regex(., '[')", "invalid regular expression"),
        ("/data/a", "unexpected '/' at position 1"),
        ("(" * 40 + "1" + ")" * 40, "nested deeper"),
        ("+".join(["1"] * 300), "more than 400 tokens"),
    ],
)
def test_bad_expressions_are_refused(source: str, message: str) -> None:
    with pytest.raises(
        ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        parse(source)


_ATOMS = st.sampled_from(
    ["${a}", "${b}", ".", "1", "0", "-2.5", "'x'", "''", "'2020-01-01'", "today()"]
)
_OPERATORS = st.sampled_from(
    [
        " = ",
        " != ",
        " < ",
        " <= ",
        " > ",
        " >= ",
        " and ",
        " or ",
        " + ",
        " - ",
        " * ",
        " div ",
        " mod ",
    ]
)
_SCALARS = st.one_of(
    st.text(max_size=20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
)
# A repeated question read from outside its repeat: the rows' values.
_VALUES = st.one_of(
    _SCALARS, st.lists(_SCALARS, max_size=3).map(lambda v: Nodes(tuple(v)))
)


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(_ATOMS)
    kind = draw(st.sampled_from(["binary", "call", "negate", "parens"]))
    if kind == "binary":
        left = draw(_expressions(depth - 1))
        return left + draw(_OPERATORS) + draw(_expressions(depth - 1))
    if kind == "negate":
        return "-" + draw(_expressions(depth - 1))
    if kind == "parens":
        return "(" + draw(_expressions(depth - 1)) + ")"
    name = draw(st.sampled_from(sorted(FUNCTIONS)))
    low, high = FUNCTIONS[name].arity
    count = draw(st.integers(low, low + 2 if high is None else high))
    args = [draw(_expressions(depth - 1)) for _ in range(count)]
    if name == "jr:choice-name":  # its second argument is a quoted question, as ODK's
        args[1] = "'${a}'"
    # Node-set functions take questions (or a path of '..') where a node is due.
    if name in ("count", "count-non-empty", "sum", "indexed-repeat"):
        args[0] = "${a}"
    if name == "indexed-repeat":
        args[1] = "${b}"
    if name == "position":
        args[0] = ".."
    if name == "pulldata":  # the file and its columns are quoted names
        args[:3] = ["'file'", "'column'", "'key'"]
    return f"{name}({', '.join(args)})"


@given(st.text(max_size=60))
def test_random_text_parses_or_raises_expression_error(source: str) -> None:
    with contextlib.suppress(ExpressionError):
        assert parse(source).source == source


@given(
    st.text(alphabet="${}ab.()'\"=!<>+-* 0123456789,divmodnt", max_size=40),
    _VALUES,
    _VALUES,
)
def test_expression_like_text_never_fails_otherwise(
    source: str, a: object, b: object
) -> None:
    try:
        expression = parse(source)
    except ExpressionError:
        return
    expression.evaluate({"a": a, "b": b}, current=a, today=TODAY)


@given(_expressions(), _VALUES, _VALUES, _VALUES)
def test_well_formed_expressions_always_evaluate(
    source: str, a: object, b: object, current: object
) -> None:
    value = parse(source).evaluate({"a": a, "b": b}, current=current, today=TODAY)
    assert isinstance(to_string(value), str)
