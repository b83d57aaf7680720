"""Skip logic in words, for a questionnaire printed on paper.

On screen the engine hides what is not relevant; on paper the respondent skips
by reading. Each ``relevant`` expression becomes a sentence under the question
or section it governs ("Chỉ trả lời nếu câu 5 chọn “Có”."), and where a run of
questions right after a single-choice question is asked only for some of its
options, the other options say where to go on ("Nếu chọn “Không”, chuyển sang
câu 12."), as survey offices print their forms. A condition with no simple
wording is still printed, read out with question numbers and option labels
("Chỉ trả lời nếu: count-selected(câu 4) > 2."): a skip rule is never dropped.

Questions are numbered as printed: every question that takes an answer, in
order, repeats included; notes and calculations are not numbered. The words are
``Message`` values whose parameters may be messages, definition texts (option
labels) or tuples of both (a phrase, joined): the app words them in a language.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import reduce

from surveys.questionnaire.expressions import (
    Binary,
    Call,
    Current,
    Expression,
    Field,
    Literal,
    Lookup,
    Negate,
    Node,
    Ref,
    Relative,
    to_string,
)
from surveys.questionnaire.model import (
    Choice,
    Question,
    Questionnaire,
    QuestionType,
    Section,
)
from surveys.translatable import N_, Message, Text

#: One piece of printed words: plain text, a message, a definition's text, or a
#: phrase of them (joined with nothing between).
Words = str | Message | Text | tuple["Words", ...]

ASKED_IF = N_("Chỉ trả lời nếu %(condition)s.")
#: A condition with no simple wording, read out as it is written.
ASKED_IF_WRITTEN = N_("Chỉ trả lời nếu: %(condition)s.")
JUMP = N_("Nếu chọn %(options)s, chuyển sang câu %(number)s.")
JUMP_TO_END = N_("Nếu chọn %(options)s, phiếu kết thúc tại đây.")
JUMP_UNLESS = N_("Nếu không chọn %(options)s, chuyển sang câu %(number)s.")
JUMP_UNLESS_TO_END = N_("Nếu không chọn %(options)s, phiếu kết thúc tại đây.")
QUESTION = N_("câu %(number)s")
CHOSE = N_("câu %(number)s chọn %(options)s")
NOT_CHOSE = N_("câu %(number)s không chọn %(options)s")
ANSWERED = N_("câu %(number)s có trả lời")
BLANK = N_("câu %(number)s để trống")
EITHER = N_("%(left)s hoặc %(right)s")
BOTH = N_("%(left)s và %(right)s")
NOT = N_("không phải %(condition)s")
#: A number question compared with a number, by operator.
COMPARED = {
    ">=": N_("câu %(number)s từ %(value)s trở lên"),
    ">": N_("câu %(number)s lớn hơn %(value)s"),
    "<=": N_("câu %(number)s từ %(value)s trở xuống"),
    "<": N_("câu %(number)s nhỏ hơn %(value)s"),
    "=": N_("câu %(number)s bằng %(value)s"),
    "!=": N_("câu %(number)s khác %(value)s"),
}
_MIRRORED = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "=": "=", "!=": "!="}
_NUMERIC = (QuestionType.INTEGER, QuestionType.DECIMAL)
#: Functions a condition on one single choice may use and still be worded by
#: which options satisfy it.
_OPTION_FUNCTIONS = frozenset({"selected", "not"})


@dataclass(frozen=True)
class Jump:
    """Where to go on from a single-choice question for some of its options."""

    question: str
    #: Names of the options that skip the run of questions after the question.
    options: tuple[str, ...]
    #: The printed number of the question to go on with; None: the form ends.
    target: int | None
    #: The labels of the options that skip, and of those that go on, in order.
    labels: tuple[Text, ...]
    kept: tuple[Text, ...]

    @property
    def words(self) -> Message:
        """Say it: "Nếu chọn “Không”, chuyển sang câu 12.".

        By the options that go on instead ("Nếu không chọn “Có”, ...") when
        they are fewer.
        """
        unless = len(self.kept) < len(self.labels)
        options = _alternatives(self.kept if unless else self.labels)
        if self.target is None:
            message = JUMP_UNLESS_TO_END if unless else JUMP_TO_END
            return Message(message, {"options": options})
        message = JUMP_UNLESS if unless else JUMP
        return Message(message, {"options": options, "number": self.target})


@dataclass(frozen=True)
class SkipWords:
    """The printed numbers and skip instructions of one questionnaire."""

    #: The printed number of every question that takes an answer.
    numbers: Mapping[str, int]
    #: Under a question or section heading: when it is to be answered.
    conditions: Mapping[str, Message]
    #: Under a single-choice question: which options skip the questions after it.
    jumps: Mapping[str, Jump]


def printed_numbers(questionnaire: Questionnaire) -> dict[str, int]:
    """Number the questions that take an answer 1, 2, 3... in the order asked."""
    asked = (q for q in questionnaire.questions if q.type.takes_answer)
    return {question.name: number for number, question in enumerate(asked, 1)}


def skip_words(questionnaire: Questionnaire) -> SkipWords:
    """Word every relevance of ``questionnaire`` for its printed form."""
    numbers = printed_numbers(questionnaire)
    wording = _Wording(questionnaire, numbers)
    conditions = {
        item.name: wording.asked_if(item.relevant)
        for item in _relevant_items(questionnaire.items)
        if item.relevant is not None
    }
    return SkipWords(numbers, conditions, _jumps(questionnaire, numbers))


def condition_words(expression: Expression, questionnaire: Questionnaire) -> Message:
    """Word one relevance: "Chỉ trả lời nếu câu 5 chọn “Có”."."""
    return _Wording(questionnaire, printed_numbers(questionnaire)).asked_if(expression)


def _relevant_items(
    items: tuple[Question | Section, ...],
) -> Iterator[Question | Section]:
    for item in items:
        if isinstance(item, Question) and item.type is QuestionType.CALCULATE:
            continue  # never printed
        yield item
        if isinstance(item, Section):
            yield from _relevant_items(item.items)


# --- jumps ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Printed:
    """A printed question with the relevances that govern it, outermost first."""

    question: Question
    conditions: tuple[Expression, ...]


def _printed(
    items: tuple[Question | Section, ...], outer: tuple[Expression, ...] = ()
) -> Iterator[_Printed]:
    for item in items:
        own = outer if item.relevant is None else (*outer, item.relevant)
        if isinstance(item, Section):
            yield from _printed(item.items, own)
        elif item.type.takes_answer or item.type is QuestionType.NOTE:
            yield _Printed(item, own)


def _jumps(questionnaire: Questionnaire, numbers: Mapping[str, int]) -> dict[str, Jump]:
    """Find each single choice followed by a run asked only for some options.

    The run is every printed question right after it whose outermost relevance
    is the same expression, reading that question only; the options for which
    the expression fails go on with the first question after the run.
    """
    printed = list(_printed(questionnaire.items))
    jumps = {}
    for position, entry in enumerate(printed[:-1]):
        question, following = entry.question, printed[position + 1]
        if question.type not in (QuestionType.SELECT_ONE, QuestionType.RATING):
            continue
        if len(following.conditions) <= len(entry.conditions):
            continue
        condition = following.conditions[len(entry.conditions)]
        if not _governed_by(following, entry, condition):
            continue
        options = questionnaire.choices_of(question)
        chosen = _options_satisfying(condition, question, options)
        if chosen is None or not 0 < len(chosen) < len(options):
            continue
        end = position + 1
        while end < len(printed) and _governed_by(printed[end], entry, condition):
            end += 1
        after = (numbers.get(p.question.name) for p in printed[end:])
        skipping = tuple(c for c in options if c.name not in chosen)
        jumps[question.name] = Jump(
            question.name,
            tuple(c.name for c in skipping),
            next((n for n in after if n is not None), None),
            tuple(c.label for c in skipping),
            tuple(c.label for c in options if c.name in chosen),
        )
    return jumps


def _governed_by(printed: _Printed, before: _Printed, condition: Expression) -> bool:
    depth = len(before.conditions)
    return (
        len(printed.conditions) > depth
        and printed.conditions[:depth] == before.conditions
        and printed.conditions[depth] == condition
    )


def _options_satisfying(
    condition: Expression | Node, question: Question, options: tuple[Choice, ...]
) -> frozenset[str] | None:
    """Return the options for which a condition on one single choice holds.

    None when the condition reads anything else, or something whose value is
    not given by the option alone (the clock, other answers, lists).
    """
    tree = condition.tree if isinstance(condition, Expression) else condition
    if not _refs(tree) <= {question.name}:
        return None
    expression = Expression("", tree)
    return frozenset(
        option.name
        for option in options
        if expression.holds({question.name: option.name})
    )


def _alternatives(labels: tuple[Text, ...]) -> Words:
    """Join quoted option labels with "hoặc": “Có” hoặc “Không biết”."""
    quoted: list[Words] = [("“", label, "”") for label in labels]
    return reduce(
        lambda left, right: Message(EITHER, {"left": left, "right": right}), quoted
    )


# --- conditions ----------------------------------------------------------------


class _Wording:
    """Words conditions of one questionnaire, knowing its numbers and options."""

    def __init__(self, questionnaire: Questionnaire, numbers: Mapping[str, int]):
        self.questionnaire = questionnaire
        self.numbers = numbers
        self.questions = {q.name: q for q in questionnaire.questions}

    def asked_if(self, expression: Expression) -> Message:
        words, simple = self.words(expression.tree)
        return Message(ASKED_IF if simple else ASKED_IF_WRITTEN, {"condition": words})

    def words(self, tree: Node) -> tuple[Words, bool]:
        """Word a condition; tell whether it was worded simply (else read out)."""
        simple = self.simple(tree)
        if simple is not None:
            return simple, True
        match tree:
            case Binary("and" | "or" as op, left, right):
                parts = [self.operand(side, op) for side in (left, right)]
                message = BOTH if op == "and" else EITHER
                params = {"left": parts[0][0], "right": parts[1][0]}
                return Message(message, params), parts[0][1] and parts[1][1]
            case Call("not", (operand,)):
                words, simple = self.words(operand)
                return Message(NOT, {"condition": ("(", words, ")")}), False
        return self.read_out(tree), False

    def operand(self, tree: Node, op: str) -> tuple[Words, bool]:
        """Word one side of ``and``/``or``, in brackets when it is the other one."""
        words, simple = self.words(tree)
        if isinstance(tree, Binary) and tree.op in ("and", "or") and tree.op != op:
            return ("(", words, ")"), simple
        return words, simple

    def simple(self, tree: Node) -> Words | None:
        """Word a condition on one question simply, or None."""
        names = _refs(tree)
        if len(names) != 1:
            return None
        question = self.questions.get(next(iter(names)))
        number = self.numbers.get(question.name) if question else None
        if question is None or number is None:
            return None
        if question.type in (QuestionType.SELECT_ONE, QuestionType.RATING):
            chosen = self.chosen(tree, question, number)
            if chosen is not None:
                return chosen
        match tree:
            case Call("selected", (Ref(), Literal(str(option)))):
                return Message(
                    CHOSE, {"number": number, "options": self.label(question, option)}
                )
            case Call("not", (Call("selected", (Ref(), Literal(str(option)))),)):
                options = self.label(question, option)
                return Message(NOT_CHOSE, {"number": number, "options": options})
            case Binary("=" | "!=" as op, Ref(), Literal("")) | Binary(
                "=" | "!=" as op, Literal(""), Ref()
            ):
                return Message(ANSWERED if op == "!=" else BLANK, {"number": number})
            case Binary(op, Ref(), Literal(float(value))) if question.type in _NUMERIC:
                return self.compared(op, number, value)
            case Binary(op, Literal(float(value)), Ref()) if question.type in _NUMERIC:
                return self.compared(_MIRRORED.get(op, ""), number, value)
        return None

    def chosen(self, tree: Node, question: Question, number: int) -> Words | None:
        """Word a condition on a single choice by the options that satisfy it."""
        options = self.questionnaire.choices_of(question)
        chosen = _options_satisfying(tree, question, options)
        if chosen is None or not 0 < len(chosen) < len(options):
            return None
        inside = [c.label for c in options if c.name in chosen]
        outside = [c.label for c in options if c.name not in chosen]
        if len(outside) < len(inside):
            params = {"number": number, "options": _alternatives(tuple(outside))}
            return Message(NOT_CHOSE, params)
        return Message(
            CHOSE, {"number": number, "options": _alternatives(tuple(inside))}
        )

    def compared(self, op: str, number: int, value: float) -> Words | None:
        message = COMPARED.get(op)
        if message is None or not math.isfinite(value):
            return None
        return Message(message, {"number": number, "value": to_string(value)})

    def label(self, question: Question, option: str) -> Words:
        for choice in self.questionnaire.choices_of(question):
            if choice.name == option:
                return ("“", choice.label, "”")
        return f"“{option}”"

    def read_out(self, tree: Node, beside: Question | None = None) -> Words:
        """Read a condition out as written, questions by number, options by label.

        ``beside`` is the select question a string is compared with: the
        string is then read as that option's label.
        """
        match tree:
            case Literal(str(text)):
                return self.label(beside, text) if beside else f"'{text}'"
            case Literal(number):
                return to_string(number)
            case Ref(name) | Relative(_, str(name)):
                return self.question_words(name)
            case Relative():
                return ".."
            case Current():
                return "."
            case Field(name):
                return name
            case Lookup(instance, _, column):
                return f"instance('{instance}')/…/{column}"
            case Negate(operand):
                return ("-", self.read_out(operand))
            case Binary("and" | "or", _, _):
                return self.words(tree)[0]
            case Binary(op, left, right):
                select = self.select_of(left) or self.select_of(right)
                sides = (self.read_out(left, select), self.read_out(right, select))
                return (sides[0], f" {op} ", sides[1])
            case Call("not", (operand,)):
                return self.words(tree)[0]
            case Call(function, args):
                select = self.select_of(args[0]) if args else None
                read = [self.read_out(arg, select) for arg in args]
                joined = [part for arg in read for part in (", ", arg)][1:]
                return (f"{function}(", *joined, ")")
        return "?"

    def question_words(self, name: str) -> Words:
        number = self.numbers.get(name)
        if number is not None:
            return Message(QUESTION, {"number": number})
        question = self.questions.get(name)
        label = question.label if question is not None and question.label else name
        return ("“", label, "”")

    def select_of(self, tree: Node) -> Question | None:
        if isinstance(tree, Ref | Relative) and tree.name in self.questions:
            question = self.questions[tree.name]
            return (
                question
                if question.type.is_select or question.type is QuestionType.RATING
                else None
            )
        return None


def _refs(tree: Node) -> set[str]:
    """Name the questions a condition reads, or a name no question has when it
    reads anything but answers (relative paths, lists, the clock)."""
    match tree:
        case Ref(name):
            return {name}
        case Literal():
            return set()
        case Binary(_, left, right):
            return _refs(left) | _refs(right)
        case Call(function, args) if function in _OPTION_FUNCTIONS:
            return set().union(*map(_refs, args))
    return {"\0"}
