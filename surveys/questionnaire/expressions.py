"""The XLSForm expression subset: parsed once into a tree, evaluated without ``eval``.

Values follow XPath 1.0 as the ODK XForms specification extends it and ODK's
engine (JavaRosa) applies it: an unanswered question is the empty string, a
multiple choice is its choice names joined by spaces, numbers are floats; ``=``
and ``!=`` compare as booleans if either side is one, else as numbers if either
side is one, else as strings (so ``'007' = '7'`` is false), while ``<``,
``<=``, ``>``, ``>=`` convert both sides to numbers. Dates and date strings
convert to days since 1970-01-01, as the specification's ``number()`` says.
docs/questionnaires.md tables the rules and where ODK's engines differ.

References
----------
ODK XForms specification, "XPath Operators" and "XPath Functions",
https://getodk.github.io/xforms-spec/#xpath-functions ;
XPath 1.0, sections 3.4 (Booleans) and 4.4 (Number Functions),
https://www.w3.org/TR/1999/REC-xpath-19991116/ ;
JavaRosa ``XPathEqExpr``, ``XPathCmpExpr`` and ``XPathFuncExpr``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache

from surveys.questionnaire.errors import ExpressionError
from surveys.questionnaire.lexical import (
    LOCAL_ZONE,
    LexicalError,
    parse_offset,
    parse_time,
)


@dataclass(frozen=True)
class Nodes:
    """The values of a repeated question in every row of its repeat: a node-set.

    Outside its repeat, ``${age}`` is all the household members' ages (pyxform
    writes an absolute path); only the node-set functions (``count``, ``sum``,
    ``max``, ``min``, ``count-non-empty``, ``join``, ``indexed-repeat``) take it.
    """

    values: tuple[Value, ...]


Value = str | float | bool | date | datetime | Nodes

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
    |(?P<parent>\.\.(?:/\.\.)*(?:/[A-Za-z_][A-Za-z0-9_.\-]*)?)
    |(?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|/|\[|\])
    |(?P<dot>\.)
    |(?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z_][A-Za-z0-9_\-]*)?)
    """,
    re.VERBOSE,
)
#: XPath 1.0 ``number()``: optional spaces, an optional minus, digits, spaces.
_NUMBER = re.compile(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*")
#: The date and dateTime forms of the ODK specification, with the offset.
_ISO_DATE_TIME = re.compile(
    r"\s*(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?)?\s*"
)
_EPOCH = date(1970, 1, 1)
_EPOCH_TIME = datetime(1970, 1, 1)
_DAY_SECONDS = 86400.0
#: Day counts that make a date of years 1 to 9999 (NaN is outside).
_FIRST_DAY = float((date.min - _EPOCH).days)
_LAST_DAY = float((date.max - _EPOCH).days)
#: The second argument of ``jr:choice-name``: a question named as ``'${name}'``.
_QUOTED_REF = re.compile(r"\$\{(.*)\}")
#: The path from ``instance('name')`` to its items, as pyxform writes both the
#: choice lists and the CSV files beside the form.
INSTANCE_ITEMS = ("root", "item")
#: A record of a secondary instance: one choice or one CSV row, column to text.
Item = Mapping[str, str]
#: Gives the items of the secondary instance ``name`` (a choice list, or a CSV
#: file without ``.csv``), in order; what ``instance(name)`` and ``pulldata``
#: read.
Instances = Callable[[str], Sequence[Item]]

#: Gives the label, in the respondent's language, of choice ``value`` of the
#: select question ``question`` (``''`` if it has none): what
#: ``jr:choice-name(value, '${question}')`` returns.
ChoiceLabel = Callable[[str, str], str]


def no_choice_labels(question: str, value: str) -> str:
    """Answer ``''`` for every choice: for evaluations that know no labels."""
    return ""


def no_instances(name: str) -> Sequence[Item]:
    """Answer no items for every instance: for evaluations that know no lists."""
    return ()


@dataclass(frozen=True)
class Literal:
    value: str | float


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Relative:
    """``../name`` (``steps`` is the number of ``..``), or ``..`` alone (no name).

    A relative path starts at the node the expression belongs to, as in XPath;
    the schema checks that ``name`` is a child of the node ``steps`` levels up.
    """

    steps: int
    name: str | None


@dataclass(frozen=True)
class Current:
    """The ``.`` of a constraint: the value being checked."""


@dataclass(frozen=True)
class Field:
    """A bare name: a column of the item being looked at (a choice, a CSV row).

    Only a ``choice_filter`` and the ``[...]`` of a lookup have an item; the
    schema refuses a bare name anywhere else.
    """

    name: str


@dataclass(frozen=True)
class Lookup:
    """``instance('name')/root/item[predicate]/column``: the first matching item's."""

    instance: str
    predicates: tuple[Node, ...]
    column: str


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


Node = Literal | Ref | Relative | Current | Field | Lookup | Negate | Binary | Call


@dataclass(frozen=True)
class Expression:
    """A parsed expression; equal when the source text is equal."""

    source: str
    tree: Node = field(compare=False, repr=False)

    @property
    def references(self) -> frozenset[str]:
        """Name every question the expression reads through ``${name}``."""
        return frozenset(_references(self.tree))

    @property
    def choice_name_questions(self) -> frozenset[str]:
        """Name every question whose choice labels ``jr:choice-name`` reads."""
        return frozenset(_choice_name_questions(self.tree))

    @property
    def single_references(self) -> frozenset[str]:
        """Name the questions read as one value, not as a node-set.

        A repeated question read from outside its repeat is a node-set: only a
        node-set function may take it (the schema checks).
        """
        return frozenset(_single_references(self.tree))

    @property
    def relative_paths(self) -> frozenset[Relative]:
        """List the ``../name`` and ``..`` paths, for the schema to resolve."""
        return frozenset(_relative_paths(self.tree))

    @property
    def indexed_repeats(self) -> frozenset[tuple[str, str]]:
        """Give each ``indexed-repeat(${question}, ${repeat}, n)`` pair."""
        return frozenset(_indexed_repeats(self.tree))

    @property
    def bare_names(self) -> frozenset[str]:
        """Name the columns read from the item being looked at (outside lookups)."""
        return frozenset(_fields(self.tree))

    @property
    def pulled_files(self) -> frozenset[str]:
        """Name the files ``pulldata`` reads (without ``.csv``)."""
        return frozenset(
            str(node.args[0].value)  # type: ignore[union-attr]
            for node in _walk(self.tree)
            if isinstance(node, Call) and node.function == "pulldata"
        )

    @property
    def instance_columns(self) -> dict[str, frozenset[str]]:
        """Map every instance a lookup or ``pulldata`` reads to the columns it reads."""
        columns: dict[str, set[str]] = {}
        for node in _walk(self.tree):
            match node:
                case Lookup(instance, predicates, column):
                    read = set().union(*map(_fields, predicates)) | {column}
                    columns.setdefault(instance, set()).update(read)
                case Call("pulldata", (Literal(str(name)), *keys)):
                    read = {str(key.value) for key in keys[:2]}  # type: ignore[union-attr]
                    columns.setdefault(name, set()).update(read)
        return {name: frozenset(read) for name, read in columns.items()}

    def evaluate(
        self,
        values: Mapping[str, Value],
        *,
        current: Value = "",
        today: date | None = None,
        now: datetime | None = None,
        choice_label: ChoiceLabel = no_choice_labels,
        row: Row | None = None,
        item: Item | None = None,
        instances: Instances = no_instances,
    ) -> Value:
        """Compute the expression from the answers given so far.

        ``current`` is the ``.`` of a constraint and the value ``once()`` keeps;
        ``today`` and ``now`` default to the clock; ``choice_label`` answers
        ``jr:choice-name`` in the respondent's language; ``item`` is the choice
        a ``choice_filter`` is deciding on (its columns are the bare names);
        ``instances`` gives the items lookups and ``pulldata`` read. ``row`` is
        the repeat row the expression belongs to, if any: there ``${name}`` of
        a question of the same repeat is that row's answer (pyxform's relative
        path).
        """
        now = now or datetime.now()
        evaluator = _Evaluator(
            values, current, today or now.date(), now, choice_label, row, instances
        )
        return evaluator.run(self.tree, item or {})

    def holds(
        self,
        values: Mapping[str, Value],
        *,
        current: Value = "",
        today: date | None = None,
        now: datetime | None = None,
        choice_label: ChoiceLabel = no_choice_labels,
        row: Row | None = None,
        item: Item | None = None,
        instances: Instances = no_instances,
    ) -> bool:
        """Tell whether a ``relevant``, ``constraint`` or ``choice_filter`` holds."""
        value = self.evaluate(
            values,
            current=current,
            today=today,
            now=now,
            choice_label=choice_label,
            row=row,
            item=item,
            instances=instances,
        )
        return to_bool(value)


@dataclass(frozen=True)
class Row:
    """One row of a repeat, seen from an expression of that row.

    ``names`` are the questions of the repeat, ``values`` this row's answers so
    far and ``position`` its 1-based index (what ``position(..)`` gives).
    """

    names: frozenset[str]
    values: Mapping[str, Value]
    position: int


def parse(source: str) -> Expression:
    """Parse an expression once, so that errors surface at load time."""
    if not isinstance(source, str):
        raise ExpressionError(f"expression must be text, not {source!r}")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    tree = _Parser(_tokenize(source)).parse()
    if _bare_parents(tree):
        raise ExpressionError("'..' alone is a node: only position(..) takes it")
    return Expression(source, tree)


def _bare_parents(tree: Node) -> bool:
    if isinstance(tree, Relative):
        return tree.name is None
    if isinstance(tree, Call) and tree.function == "position":
        return False
    return any(_bare_parents(child) for child in _children(tree))


# --- conversions -------------------------------------------------------------


def to_number(value: Value) -> float:
    """Convert as the specification's ``number()`` does.

    XPath 1.0 numbers only (no ``+``, exponent or comma; ``''`` is NaN), and
    dates and date strings count days since 1970-01-01, with the time of day
    as a fraction of a day. A node-set is its first node's value.
    """
    if isinstance(value, Nodes):
        return to_number(to_string(value))
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, datetime):
        return (value - _EPOCH_TIME).total_seconds() / _DAY_SECONDS
    if isinstance(value, date):
        return float((value - _EPOCH).days)
    if _NUMBER.fullmatch(value):
        return float(value)
    moment = parse_date_time(value)
    return math.nan if moment is None else to_number(moment)


def parse_date_time(text: str) -> date | datetime | None:
    """Read an ODK date (``2020-01-31``) or dateTime, or None if it is neither.

    A dateTime comes out as Vietnam's wall-clock time (UTC+7), the time every
    answer and ``now()`` is in: one with another offset (``Z``, ``-05:00``) is
    converted to it, one without any is read as local, as ODK reads it in the
    device's zone.
    """
    match = _ISO_DATE_TIME.fullmatch(text)
    if match is None:
        return None
    day, clock, zone = match.groups()
    try:
        if clock is None:
            return date.fromisoformat(day)
        moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock))
        offset = parse_offset(zone)
        local = moment.replace(tzinfo=offset).astimezone(LOCAL_ZONE)
    except (ValueError, LexicalError, OverflowError):
        return None  # OverflowError: a moment past year 9999 in Vietnam
    return local.replace(tzinfo=None)


def _local_wall_time(value: Value) -> datetime | None:
    """Read a time answer, a dateTime or a date as Vietnam's wall-clock time.

    A time answer (``14:30:00.000+07:00``) falls on 1970-01-01; None when the
    value is none of these.
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if not isinstance(value, str):
        return None
    moment = parse_date_time(value)
    if isinstance(moment, datetime):
        return moment
    if isinstance(moment, date):
        return datetime.combine(moment, time())
    clock = parse_time(value)
    if clock is None:
        return None
    return clock.astimezone(LOCAL_ZONE).replace(tzinfo=None)


def to_string(value: Value) -> str:
    """Convert as XPath ``string()`` does (a node-set: its first node, or '')."""
    if isinstance(value, Nodes):
        return to_string(value.values[0]) if value.values else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return _format_number(float(value))
    if isinstance(value, datetime):
        # ODK's dateTime keeps its offset; hailong's moments are Vietnam's.
        local = value.replace(tzinfo=LOCAL_ZONE)
        return local.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_bool(value: Value) -> bool:
    """Convert as XPath ``boolean()`` does (a node-set: true if it has a node)."""
    if isinstance(value, Nodes):
        return bool(value.values)
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
        elif kind == "parent":
            tokens.append(_Token("parent", match.group(), position))
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
        if token.kind == "parent":
            steps = token.text.split("/")
            name = None if steps[-1] == ".." else steps.pop()
            return Relative(len(steps), name)
        if token.kind == "dot":
            return Current()
        if token.text == "(":
            tree = self.expression()
            self.expect(")")
            return tree
        if token.kind == "name" and token.text == "instance":
            return self.lookup()
        following = self.peek()
        if token.kind == "name" and following is not None and following.text == "(":
            return self.call(token)
        if token.kind == "name" and token.text not in _WORD_OPERATORS:
            return Field(token.text)
        raise ExpressionError(
            f"unexpected {token.text!r} at position {token.position + 1}"
        )

    def lookup(self) -> Node:
        """Read ``instance('name')/root/item[...]/column``, the one path shape run."""
        self.expect("(")
        name = self.peek()
        if name is None or name.kind != "string":
            raise ExpressionError("instance() takes the list's name, quoted")
        self.index += 1
        self.expect(")")
        for step in INSTANCE_ITEMS:
            self.expect("/")
            self.expect(step)
        predicates = []
        while (bracket := self.peek()) is not None and bracket.text == "[":
            self.index += 1
            predicates.append(self.expression())
            self.expect("]")
        column = None
        if (slash := self.peek()) is not None and slash.text == "/":
            self.index += 1
            column = self.peek()
        if column is None or column.kind != "name":
            raise ExpressionError(
                "a lookup reads one column of the first matching item: "
                "instance('list')/root/item[name = ${question}]/label"
            )
        self.index += 1
        return Lookup(name.text[1:-1], tuple(predicates), column.text)

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
        literal_format = name == "format-date" and isinstance(args[1], Literal)
        if literal_format and _format_date(date(2000, 1, 1), args[1].value) is None:
            raise ExpressionError(f"invalid date format {args[1].value!r}")
        if name == "jr:choice-name":
            args[1] = _choice_name_question(args[1])
        _check_node_arguments(name, args)
        if name == "pulldata" and not all(
            isinstance(arg, Literal) and isinstance(arg.value, str) and arg.value
            for arg in args[:3]
        ):
            raise ExpressionError(
                "pulldata() takes the file, the column and the key column quoted: "
                "pulldata('file', 'column', 'key_column', ${question})"
            )
        return Call(name, tuple(args))


#: Functions of a node-set, and which of their arguments must be a question.
_NODE_SET_ARGUMENTS: dict[str, tuple[int, ...]] = {
    "count": (0,),
    "count-non-empty": (0,),
    "sum": (0,),
    "indexed-repeat": (0, 1),
    "position": (0,),
}
#: Functions whose arguments may be node-sets; ``indexed-repeat`` reads its
#: first two as whole node-sets even inside the repeat (pyxform writes them as
#: absolute paths), the others read a question of the same row as that row's.
_NODE_SET_FUNCTIONS = frozenset({*_NODE_SET_ARGUMENTS, "max", "min", "join"})


def _check_node_arguments(name: str, args: list[Node]) -> None:
    """Refuse a value where a function needs a question (a node), at load time."""
    for index in _NODE_SET_ARGUMENTS.get(name, ()):
        argument = args[index]
        if name == "position":
            if not (isinstance(argument, Relative) and argument.name is None):
                raise ExpressionError(
                    "position() takes a path of '..', as position(..)"
                )
        elif not isinstance(argument, Ref | Relative) or (
            isinstance(argument, Relative) and argument.name is None
        ):
            raise ExpressionError(
                f"{name}() takes a question as argument {index + 1}, e.g. "
                f"{name}(${{name}})"
            )


def _choice_name_question(argument: Node) -> Literal:
    """Read the ``'${question}'`` of ``jr:choice-name`` as the question's name.

    The question must be written out: ODK resolves the path when the form is
    built, and hailong checks at load time that it names a select question.
    """
    match = None
    if isinstance(argument, Literal) and isinstance(argument.value, str):
        match = _QUOTED_REF.fullmatch(argument.value.strip())
    if match is None or not NAME_PATTERN.fullmatch(match.group(1)):
        raise ExpressionError(
            "jr:choice-name() takes the question as its second argument, "
            "quoted: jr:choice-name(${answer}, '${question}')"
        )
    return Literal(match.group(1))


def _arity_text(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low}"
    return str(low) if low == high else f"{low} to {high}"


def _children(tree: Node) -> tuple[Node, ...]:
    match tree:
        case Negate(operand):
            return (operand,)
        case Binary(_, left, right):
            return (left, right)
        case Call(_, args):
            return args
        case Lookup(_, predicates, _):
            return predicates
    return ()


def _walk(tree: Node) -> Iterator[Node]:
    yield tree
    for child in _children(tree):
        yield from _walk(child)


def _references(tree: Node) -> set[str]:
    named = {node.name for node in _walk(tree) if isinstance(node, Ref | Relative)}
    return {name for name in named if name is not None} | (_choice_name_questions(tree))


def _single_references(tree: Node) -> set[str]:
    match tree:
        case Ref(name):
            return {name}
        case Call(function, _) if function in _NODE_SET_FUNCTIONS:
            nested = [arg for arg in tree.args if not isinstance(arg, Ref)]
            if function == "indexed-repeat":
                nested = list(tree.args[2:])
            return set().union(*(_single_references(arg) for arg in nested))
    return set().union(*(_single_references(child) for child in _children(tree)))


def _relative_paths(tree: Node) -> set[Relative]:
    return {node for node in _walk(tree) if isinstance(node, Relative)}


def _indexed_repeats(tree: Node) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    if isinstance(tree, Call) and tree.function == "indexed-repeat":
        question, repeat = tree.args[:2]
        found.add((_node_name(question), _node_name(repeat)))
    return found.union(*(_indexed_repeats(child) for child in _children(tree)))


def _node_name(node: Node) -> str:
    assert isinstance(node, Ref | Relative) and node.name is not None
    return node.name


def _choice_name_questions(tree: Node) -> set[str]:
    return {
        node.args[1].value  # type: ignore[union-attr, misc]
        for node in _walk(tree)
        if isinstance(node, Call) and node.function == "jr:choice-name"
    }


def _fields(tree: Node) -> set[str]:
    """Name the bare names read from the current item: not those of a lookup's."""
    if isinstance(tree, Field):
        return {tree.name}
    if isinstance(tree, Lookup):
        return set()
    return set().union(*map(_fields, _children(tree)))


# --- evaluation --------------------------------------------------------------


class _Evaluator:
    def __init__(
        self,
        values: Mapping[str, Value],
        current: Value,
        today: date,
        now: datetime,
        choice_label: ChoiceLabel,
        row: Row | None,
        instances: Instances,
    ):
        self.values = values
        self.current = current
        self.today = today
        self.now = now
        self.choice_label = choice_label
        self.row = row
        self.instances = instances

    def read(self, name: str) -> Value:
        """Read ``${name}``: in a repeat row, a question of that repeat is the row's."""
        if self.row is not None and name in self.row.names:
            return self.row.values.get(name, "")
        return self.values.get(name, "")

    def nodes(
        self, tree: Node, item: Item, *, whole: bool = False
    ) -> tuple[Value, ...]:
        """Evaluate a node-set argument; ``whole``: every row, even from a row."""
        match tree:
            case Ref(name) | Relative(_, str(name)):
                value = self.values.get(name, "") if whole else self.read(name)
            case _:
                value = self.run(tree, item)
        return value.values if isinstance(value, Nodes) else (value,)

    def run(self, tree: Node, item: Item) -> Value:
        match tree:
            case Literal(value):
                return value
            case Ref(name) | Relative(_, str(name)):
                return self.read(name)
            case Call("position", _):
                return float(self.row.position if self.row is not None else 1)
            case Call("count", (nodes,)):
                return float(len(self.nodes(nodes, item)))
            case Call("count-non-empty", (nodes,)):
                return float(sum(to_string(v) != "" for v in self.nodes(nodes, item)))
            case Call("sum", (nodes,)):
                # Not math.fsum: it raises on inf + -inf, where XPath gives NaN.
                return sum((to_number(v) for v in self.nodes(nodes, item)), 0.0)
            case Call("max" | "min" as extreme, args):
                numbers = [to_number(v) for arg in args for v in self.nodes(arg, item)]
                if not numbers or any(math.isnan(n) for n in numbers):
                    return math.nan
                return max(numbers) if extreme == "max" else min(numbers)
            case Call("join", (separator, *args)):
                texts = [to_string(v) for arg in args for v in self.nodes(arg, item)]
                return to_string(self.run(separator, item)).join(texts)
            case Call("indexed-repeat", (question, _, index)):
                values = self.nodes(question, item, whole=True)
                position = _int(self.run(index, item))
                if not 1 <= position <= len(values):
                    return ""
                return values[int(position) - 1]
            case Current():
                return self.current
            case Field(name):
                return item.get(name, "")
            case Lookup(name, predicates, column):
                return self.lookup(name, predicates, column)
            case Negate(operand):
                return -to_number(self.run(operand, item))
            case Binary("or", left, right):
                return to_bool(self.run(left, item)) or to_bool(self.run(right, item))
            case Binary("and", left, right):
                return to_bool(self.run(left, item)) and to_bool(self.run(right, item))
            case Binary(op, left, right) if op in _ARITHMETIC:
                numbers = (
                    to_number(self.run(left, item)),
                    to_number(self.run(right, item)),
                )
                return _ARITHMETIC[op](*numbers)
            case Binary(op, left, right):
                return _compare(op, self.run(left, item), self.run(right, item))
            case Call("if", (condition, then, otherwise)):
                chosen = then if to_bool(self.run(condition, item)) else otherwise
                return self.run(chosen, item)
            case Call("today", ()):
                return self.today
            case Call("now", ()):
                return self.now
            case Call("once", (calculation,)):
                if to_string(self.current) != "":
                    return self.current
                return self.run(calculation, item)
            case Call("jr:choice-name", (value, Literal(str(question)))):
                return self.choice_label(question, to_string(self.run(value, item)))
            case Call("pulldata", (Literal(str(name)), Literal(str(column)), *key)):
                wanted = to_string(self.run(key[1], item))
                key_column = Field(str(key[0].value))  # type: ignore[union-attr]
                match_key = Binary("=", key_column, Literal(wanted))
                return self.lookup(name, (match_key,), column)
            case Call(name, args):
                apply = FUNCTIONS[name].apply
                if apply is not None:
                    return apply(*(self.run(arg, item) for arg in args))
        raise ExpressionError(f"cannot evaluate {tree!r}")

    def lookup(self, name: str, predicates: tuple[Node, ...], column: str) -> Value:
        """Read ``column`` of the first item every predicate keeps, else ``''``.

        A predicate that is a number keeps the item at that position (from 1),
        as in XPath; the string value of a node-set is its first node's.
        """
        for position, candidate in enumerate(self.instances(name), start=1):
            if all(self.keeps(p, candidate, position) for p in predicates):
                return candidate.get(column, "")
        return ""

    def keeps(self, predicate: Node, candidate: Item, position: int) -> bool:
        value = self.run(predicate, candidate)
        if _is_number(value):
            return value == position
        return to_bool(value)


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
    """Compare as XPath 1.0 section 3.4 says for values that are not node-sets.

    ``=`` and ``!=``: as booleans if either side is one, else as numbers if
    either side is one, else as strings. Ordering: always as numbers, and NaN
    (an empty answer, a word) is never ordered.
    """
    relation = _RELATIONS[op]
    if op not in ("=", "!="):
        return relation(to_number(left), to_number(right))
    if isinstance(left, bool) or isinstance(right, bool):
        return relation(to_bool(left), to_bool(right))
    if _is_number(left) or _is_number(right):
        return relation(to_number(left), to_number(right))
    return relation(to_string(left), to_string(right))


def _is_number(value: Value) -> bool:
    return isinstance(value, float | int) and not isinstance(value, bool)


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
    # Java's Pattern.matches: the whole text must match, not a part of it.
    return compiled is not None and compiled.fullmatch(to_string(text)) is not None


def _round(number: Value, digits: Value = 0.0) -> float:
    """Round to ``digits`` decimals, a tie towards positive infinity (XPath 1.0).

    The decimal written form of the number is rounded (``round(2.345, 2)`` is
    2.35 although the float is just below), as JavaRosa does with ``BigDecimal``
    (half up for positive numbers, half down for negative ones).
    """
    value, places = to_number(number), to_number(digits)
    if not math.isfinite(value) or math.isnan(places):
        return value
    exponent = int(places)
    if abs(exponent) > 30:
        return math.nan
    tie = ROUND_HALF_DOWN if value < 0 else ROUND_HALF_UP
    rounded = Decimal(repr(value)).scaleb(exponent).to_integral_value(tie)
    return float(rounded.scaleb(-exponent))


def _int(number: Value) -> float:
    value = to_number(number)
    return float(math.trunc(value)) if math.isfinite(value) else value


def _selected(choices: Value, name: Value) -> bool:
    return to_string(name).strip() in to_string(choices).split()


def _selected_at(choices: Value, index: Value) -> str:
    position, names = _int(index), to_string(choices).split()
    return names[int(position)] if 0 <= position < len(names) else ""


def _substr(text: Value, start: Value, end: Value | None = None) -> str:
    """Characters ``start`` to ``end - 1``, 0-based; negative counts from the end."""
    string = to_string(text)
    length = len(string)
    first, last = _int(start), length if end is None else _int(end)
    if math.isnan(first) or math.isnan(last):
        return ""
    first = first + length if first < 0 else first
    last = last + length if last < 0 else last
    first, last = (min(max(0.0, bound), length) for bound in (first, last))
    return string[int(first) : int(last)] if first <= last else ""


def _to_date(value: Value, *, keep_time: bool) -> Value:
    """``date()`` and ``date-time()``: a date from a date string or a day count.

    '' and NaN stay as they are; anything else that is not a date gives NaN
    (ODK stops the form with an error there).
    """
    if isinstance(value, datetime):
        return value if keep_time else value.date()
    if isinstance(value, date) or value == "":
        return value
    if isinstance(value, str):
        moment = parse_date_time(value)
        if moment is None:
            return math.nan
        if isinstance(moment, datetime) and not keep_time:
            return moment.date()
        return moment
    days = to_number(value)
    if not _FIRST_DAY <= days < _LAST_DAY:
        return math.nan
    if keep_time:
        return _EPOCH_TIME + timedelta(days=days)
    return _EPOCH + timedelta(days=math.trunc(days))


def _decimal_time(value: Value) -> Value:
    """``decimal-time()``: the time of day as a fraction of the day (noon 0.5).

    Of a time answer, a dateTime or a number (its fraction), in Vietnam's
    time; '' stays ''; anything else is NaN (ODK stops the form there).
    """
    if isinstance(value, str) and value == "":
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        return value - math.floor(value) if math.isfinite(value) else math.nan
    moment = _local_wall_time(value)
    if moment is None:
        return math.nan
    midnight = datetime.combine(moment.date(), time())
    return (moment - midnight).total_seconds() / _DAY_SECONDS


def _decimal_date_time(value: Value) -> Value:
    if isinstance(value, str) and value == "":
        return value
    moment = _to_date(value, keep_time=True)
    return to_number(moment) if isinstance(moment, date) else math.nan


_MONTHS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]
_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_DATE_FIELDS: dict[str, Callable[[datetime], str]] = {
    "%": lambda _: "%",
    "Y": lambda moment: f"{moment.year:04d}",
    "y": lambda moment: f"{moment.year:04d}"[2:],
    "m": lambda moment: f"{moment.month:02d}",
    "n": lambda moment: str(moment.month),
    "b": lambda moment: _MONTHS[moment.month - 1],
    "d": lambda moment: f"{moment.day:02d}",
    "e": lambda moment: str(moment.day),
    "H": lambda moment: f"{moment.hour:02d}",
    "h": lambda moment: str(moment.hour),
    "M": lambda moment: f"{moment.minute:02d}",
    "S": lambda moment: f"{moment.second:02d}",
    "3": lambda moment: f"{moment.microsecond // 1000:03d}",
    "a": lambda moment: _WEEKDAYS[moment.weekday()],
    "W": lambda moment: str(moment.isocalendar()[1]),
}


def _format_date(moment: date, pattern: Value) -> str | None:
    """Write ``moment`` with the ``%`` fields of the specification, or None."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time())
    pieces = re.split(r"(%.?)", to_string(pattern), flags=re.DOTALL)
    written = []
    for piece in pieces:
        if piece.startswith("%"):
            field = _DATE_FIELDS.get(piece[1:])
            if field is None:
                return None
            piece = field(moment)
        written.append(piece)
    return "".join(written)


def _format_date_value(value: Value, pattern: Value) -> str:
    moment = _to_date(value, keep_time=True)
    if not isinstance(moment, date):
        return ""
    return _format_date(moment, pattern) or ""


@dataclass(frozen=True)
class Function:
    """A function callable from an expression, with its allowed argument counts.

    ``apply`` is None for the functions the evaluator handles itself: ``if``
    evaluates only one branch, ``today`` and ``now`` read the evaluation's
    clock, ``once`` reads the value being computed, ``jr:choice-name``
    reads the questionnaire's choice labels, ``pulldata`` its CSV files, and
    the node-set functions (``count``, ``sum``, ``indexed-repeat``,
    ``position``...) read questions as node-sets, not as values.
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
    "now": Function((0, 0), None),
    "once": Function((1, 1), None),
    "date": Function((1, 1), lambda v: _to_date(v, keep_time=False)),
    "date-time": Function((1, 1), lambda v: _to_date(v, keep_time=True)),
    "decimal-date-time": Function((1, 1), _decimal_date_time),
    "decimal-time": Function((1, 1), _decimal_time),
    "format-date": Function((2, 2), _format_date_value),
    "format-date-time": Function((2, 2), _format_date_value),
    "selected-at": Function((2, 2), _selected_at),
    "jr:choice-name": Function((2, 2), None),
    "pulldata": Function((4, 4), None),
    "substr": Function((2, 3), _substr),
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
    # Node-set functions: the evaluator reads their arguments as node-sets.
    "count": Function((1, 1), None),
    "count-non-empty": Function((1, 1), None),
    "sum": Function((1, 1), None),
    "max": Function((1, None), None),
    "min": Function((1, None), None),
    "join": Function((1, None), None),
    "indexed-repeat": Function((3, 3), None),
    "position": Function((1, 1), None),
}
