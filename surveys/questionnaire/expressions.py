"""The XLSForm expression subset: parsed once into a tree, evaluated without ``eval``.

Values follow XPath 1.0 as ODK applies it: an unanswered question is the empty
string, a multiple choice is its choice names joined by spaces, numbers are
floats, and comparisons are numeric only when both sides are numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from surveys.questionnaire.errors import ExpressionError

Value = str | float | bool | date

#: A question name as XLSForm allows it (an XML name without a namespace).
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
MAX_LENGTH = 4000
MAX_TOKENS = 400
MAX_NESTING = 32

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    |(?P<number>\d+(?:\.\d*)?|\.\d+)
    |(?P<string>'[^']*'|"[^"]*")
    |(?P<ref>\$\{(?P<refname>[^}]*)\})
    |(?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
    |(?P<dot>\.)
    |(?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z_][A-Za-z0-9_\-]*)?)
    """,
    re.VERBOSE,
)
_NUMBER = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Literal:
    value: str | float


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Current:
    """The ``.`` of a constraint: the value being checked."""


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Node, ...]


Node = Literal | Ref | Current | Negate | Binary | Call


@dataclass(frozen=True)
class Expression:
    """A parsed expression; equal when the source text is equal."""

    source: str
    tree: Node = field(compare=False, repr=False)

    @property
    def references(self) -> frozenset[str]:
        """Name every question the expression reads through ``${name}``."""
        return frozenset(_references(self.tree))

    def evaluate(
        self,
        values: Mapping[str, Value],
        *,
        current: Value = "",
        today: date | None = None,
    ) -> Value:
        """Compute the expression from the answers given so far."""
        return _Evaluator(values, current, today or date.today()).run(self.tree)

    def holds(
        self,
        values: Mapping[str, Value],
        *,
        current: Value = "",
        today: date | None = None,
    ) -> bool:
        """Tell whether a ``relevant`` or ``constraint`` is satisfied."""
        return to_bool(self.evaluate(values, current=current, today=today))


def parse(source: str) -> Expression:
    """Parse an expression once, so that errors surface at load time."""
    if not isinstance(source, str):
        raise ExpressionError(f"expression must be text, not {source!r}")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    return Expression(source, _Parser(_tokenize(source)).parse())


# --- conversions -------------------------------------------------------------


def to_number(value: Value) -> float:
    """Convert as XPath ``number()`` does; dates count days since 1970-01-01."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, date):
        return float((value - _EPOCH).days)
    if _NUMBER.fullmatch(value):
        return float(value)
    return math.nan


def to_string(value: Value) -> str:
    """Convert as XPath ``string()`` does."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return _format_number(float(value))
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_bool(value: Value) -> bool:
    """Convert as XPath ``boolean()`` does."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return value != 0 and not math.isnan(value)
    if isinstance(value, date):
        return True
    return value != ""


def _format_number(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _numeric(value: Value) -> float | None:
    if isinstance(value, date):
        return None
    if isinstance(value, str) and not _NUMBER.fullmatch(value):
        return None
    return to_number(value)


def _as_date(value: Value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# --- tokenizer and parser ----------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokenize(source: str) -> list[_Token]:
    tokens = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise ExpressionError(
                f"unexpected character {source[position]!r} at position {position + 1}"
            )
        kind = match.lastgroup
        if kind == "ref":
            name = match.group("refname")
            if not NAME_PATTERN.fullmatch(name):
                raise ExpressionError(f"invalid question name in ${{{name}}}")
            tokens.append(_Token("ref", name, position))
        elif kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    if len(tokens) > MAX_TOKENS:
        raise ExpressionError(f"expression has more than {MAX_TOKENS} tokens")
    return tokens


#: Binary operators by precedence level, loosest first.
_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"or"}),
    frozenset({"and"}),
    frozenset({"=", "!="}),
    frozenset({"<", "<=", ">", ">="}),
    frozenset({"+", "-"}),
    frozenset({"*", "div", "mod"}),
)
_WORD_OPERATORS = frozenset({"or", "and", "div", "mod"})


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.nesting = 0

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("empty expression")
        tree = self.expression()
        if self.index < len(self.tokens):
            token = self.tokens[self.index]
            raise ExpressionError(
                f"unexpected {token.text!r} at position {token.position + 1}"
            )
        return tree

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def is_operator(self, token: _Token | None, level: frozenset[str]) -> bool:
        if token is None or token.text not in level:
            return False
        return token.kind == "op" or token.text in _WORD_OPERATORS

    def expect(self, text: str) -> None:
        token = self.peek()
        if token is None or token.text != text:
            found = "end of expression" if token is None else repr(token.text)
            raise ExpressionError(f"expected {text!r}, found {found}")
        self.index += 1

    def expression(self) -> Node:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExpressionError(f"expression nested deeper than {MAX_NESTING}")
        tree = self.binary(0)
        self.nesting -= 1
        return tree

    def binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.is_operator(self.peek(), _LEVELS[level]):
            op = self.tokens[self.index].text
            self.index += 1
            left = Binary(op, left, self.binary(level + 1))
        return left

    def unary(self) -> Node:
        negations = 0
        while (token := self.peek()) is not None and token.text == "-":
            negations += 1
            self.index += 1
        tree = self.primary()
        return Negate(tree) if negations % 2 else tree

    def primary(self) -> Node:
        token = self.peek()
        if token is None:
            raise ExpressionError("expression ends too early")
        self.index += 1
        if token.kind == "number":
            return Literal(float(token.text))
        if token.kind == "string":
            return Literal(token.text[1:-1])
        if token.kind == "ref":
            return Ref(token.text)
        if token.kind == "dot":
            return Current()
        if token.text == "(":
            tree = self.expression()
            self.expect(")")
            return tree
        if token.kind == "name" and token.text not in _WORD_OPERATORS:
            return self.call(token)
        raise ExpressionError(
            f"unexpected {token.text!r} at position {token.position + 1}"
        )

    def call(self, token: _Token) -> Node:
        name = token.text
        if name not in FUNCTIONS:
            raise ExpressionError(f"unknown function {name}()")
        self.expect("(")
        args: list[Node] = []
        if (closing := self.peek()) is not None and closing.text == ")":
            self.index += 1
        else:
            args.append(self.expression())
            while (comma := self.peek()) is not None and comma.text == ",":
                self.index += 1
                args.append(self.expression())
            self.expect(")")
        low, high = FUNCTIONS[name].arity
        if len(args) < low or (high is not None and len(args) > high):
            raise ExpressionError(f"{name}() takes {_arity_text(low, high)} arguments")
        literal_pattern = name == "regex" and isinstance(args[1], Literal)
        if literal_pattern and _compile_regex(to_string(args[1].value)) is None:
            raise ExpressionError(f"invalid regular expression {args[1].value!r}")
        return Call(name, tuple(args))


def _arity_text(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low}"
    return str(low) if low == high else f"{low} to {high}"


def _references(tree: Node) -> set[str]:
    match tree:
        case Ref(name):
            return {name}
        case Negate(operand):
            return _references(operand)
        case Binary(_, left, right):
            return _references(left) | _references(right)
        case Call(_, args):
            return set().union(*(_references(arg) for arg in args))
    return set()


# --- evaluation --------------------------------------------------------------


class _Evaluator:
    def __init__(self, values: Mapping[str, Value], current: Value, today: date):
        self.values = values
        self.current = current
        self.today = today

    def run(self, tree: Node) -> Value:
        match tree:
            case Literal(value):
                return value
            case Ref(name):
                return self.values.get(name, "")
            case Current():
                return self.current
            case Negate(operand):
                return -to_number(self.run(operand))
            case Binary("or", left, right):
                return to_bool(self.run(left)) or to_bool(self.run(right))
            case Binary("and", left, right):
                return to_bool(self.run(left)) and to_bool(self.run(right))
            case Binary(op, left, right) if op in _ARITHMETIC:
                numbers = to_number(self.run(left)), to_number(self.run(right))
                return _ARITHMETIC[op](*numbers)
            case Binary(op, left, right):
                return _compare(op, self.run(left), self.run(right))
            case Call("if", (condition, then, otherwise)):
                return self.run(then if to_bool(self.run(condition)) else otherwise)
            case Call("today", ()):
                return self.today
            case Call(name, args):
                apply = FUNCTIONS[name].apply
                if apply is not None:
                    return apply(*(self.run(arg) for arg in args))
        raise ExpressionError(f"cannot evaluate {tree!r}")


def _divide(left: float, right: float) -> float:
    if right == 0:
        if left == 0 or math.isnan(left):
            return math.nan
        return math.copysign(math.inf, left) * math.copysign(1.0, right)
    return left / right


def _modulo(left: float, right: float) -> float:
    if right == 0 or not math.isfinite(left) or math.isnan(right):
        return math.nan
    return math.fmod(left, right)


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda left, right: left + right,
    "-": lambda left, right: left - right,
    "*": lambda left, right: left * right,
    "div": _divide,
    "mod": _modulo,
}

_RELATIONS: dict[str, Callable[[object, object], bool]] = {
    "=": lambda left, right: left == right,
    "!=": lambda left, right: left != right,
    "<": lambda left, right: left < right,  # type: ignore[operator]
    "<=": lambda left, right: left <= right,  # type: ignore[operator]
    ">": lambda left, right: left > right,  # type: ignore[operator]
    ">=": lambda left, right: left >= right,  # type: ignore[operator]
}


def _compare(op: str, left: Value, right: Value) -> bool:
    relation = _RELATIONS[op]
    if isinstance(left, bool) or isinstance(right, bool):
        if op in ("=", "!="):
            return relation(to_bool(left), to_bool(right))
        return relation(to_number(left), to_number(right))
    left_number, right_number = _numeric(left), _numeric(right)
    if left_number is not None and right_number is not None:
        return relation(left_number, right_number)
    left_date, right_date = _as_date(left), _as_date(right)
    if left_date is not None and right_date is not None:
        return relation(left_date, right_date)
    if op in ("=", "!="):
        return relation(to_string(left), to_string(right))
    # XPath compares anything else as numbers, and NaN is never ordered.
    return False


@lru_cache(maxsize=256)
def _compile_regex(pattern: str) -> re.Pattern[str] | None:
    # ODK's regex engine (Java) reads a "-" right after a class escape such as
    # "\w" as a literal hyphen; Python refuses it, so escape it first.
    pattern = re.sub(r"(?<!\\)(\\[wWdDsS])-", r"\1\\-", pattern)
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def _regex(text: Value, pattern: Value) -> bool:
    compiled = _compile_regex(to_string(pattern))
    return compiled is not None and compiled.search(to_string(text)) is not None


def _round(number: Value, digits: Value = 0.0) -> float:
    value, places = to_number(number), to_number(digits)
    if not math.isfinite(value) or math.isnan(places) or abs(value) >= 2.0**52:
        return value
    factor = 10.0 ** int(max(-15.0, min(15.0, places)))
    scaled = value * factor
    if not math.isfinite(scaled):
        return value
    return math.floor(scaled + 0.5) / factor


def _int(number: Value) -> float:
    value = to_number(number)
    return float(math.trunc(value)) if math.isfinite(value) else value


def _selected(choices: Value, name: Value) -> bool:
    return to_string(name).strip() in to_string(choices).split()


@dataclass(frozen=True)
class Function:
    """A function callable from an expression, with its allowed argument counts.

    ``apply`` is None for the functions the evaluator handles itself: ``if``
    evaluates only one branch and ``today`` reads the evaluation's date.
    """

    arity: tuple[int, int | None]
    apply: Callable[..., Value] | None


FUNCTIONS: dict[str, Function] = {
    "selected": Function((2, 2), _selected),
    "count-selected": Function((1, 1), lambda v: float(len(to_string(v).split()))),
    "string-length": Function((1, 1), lambda v: float(len(to_string(v)))),
    "regex": Function((2, 2), _regex),
    "if": Function((3, 3), None),
    "today": Function((0, 0), None),
    "coalesce": Function((2, 2), lambda a, b: a if to_string(a) != "" else b),
    "int": Function((1, 1), _int),
    "number": Function((1, 1), to_number),
    "round": Function((1, 2), _round),
    "concat": Function((0, None), lambda *vs: "".join(to_string(v) for v in vs)),
    "string": Function((1, 1), to_string),
    "not": Function((1, 1), lambda v: not to_bool(v)),
    "boolean": Function((1, 1), to_bool),
    "true": Function((0, 0), lambda: True),
    "false": Function((0, 0), lambda: False),
    "normalize-space": Function((1, 1), lambda v: " ".join(to_string(v).split())),
    "contains": Function((2, 2), lambda a, b: to_string(b) in to_string(a)),
    "starts-with": Function((2, 2), lambda a, b: to_string(a).startswith(to_string(b))),
}
