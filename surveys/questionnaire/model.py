"""One model of a questionnaire, whatever format it was written in.

Every object is a frozen dataclass. ``Questionnaire.to_dict`` gives the canonical
JSON-able form (the same shape as the YAML format) and ``checksum`` its SHA-256,
so a stored version can be recognised byte for byte.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from surveys.questionnaire.expressions import Expression
from surveys.questionnaire.messages import RATING_LABELS
from surveys.translatable import Text

#: The range of a ``rating`` question: the 5-point satisfaction scale.
RATING_SCALE = (1, 5)
#: Longest text answer accepted when a question does not set ``max_length``.
DEFAULT_MAX_LENGTH = 2000
#: Choice lists the application fills at run time, named by ``choices_from``:
#: ``officials`` are the active officials of the counter the response comes from.
RUNTIME_CHOICE_SOURCES = frozenset({"officials"})
#: Most rows a repeat takes (a household roster): more is refused as abuse, and
#: a ``repeat_count`` above it is cut to it.
MAX_REPEAT_ROWS = 50
#: The language of labels written without one (a plain ``label`` column). Only
#: such labels are an item's ``label`` in ODK; translated ones are itext.
DEFAULT_LANGUAGE = "default"
#: The columns of a CSV file that give a file select's value and label unless
#: its ``parameters`` name others (pyxform's defaults).
FILE_VALUE_COLUMN = "name"
FILE_LABEL_COLUMN = "label"


class QuestionType(StrEnum):
    """The kinds of question the engine can ask and validate."""

    RATING = "rating"
    SELECT_ONE = "select_one"
    SELECT_MULTIPLE = "select_multiple"
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    GEOPOINT = "geopoint"
    NOTE = "note"
    CALCULATE = "calculate"
    #: When the interview began and ended, and its day: recorded, never asked.
    START = "start"
    END = "end"
    TODAY = "today"

    @property
    def takes_answer(self) -> bool:
        """Tell whether a respondent answers it (not notes, calculations, metadata)."""
        return self not in (QuestionType.NOTE, QuestionType.CALCULATE) and (
            not self.is_metadata
        )

    @property
    def is_metadata(self) -> bool:
        """Tell whether the value is recorded about the interview, not asked."""
        return self in (QuestionType.START, QuestionType.END, QuestionType.TODAY)

    @property
    def is_select(self) -> bool:
        """Tell whether answers come from a choice list."""
        return self in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE)


@dataclass(frozen=True)
class Choice:
    """One option of a choice list."""

    name: str
    label: Text
    #: The choices sheet's other columns (``district`` of a ward), which a
    #: ``choice_filter`` reads as bare names; empty cells are left out.
    data: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Question:
    """One question, note or calculation."""

    name: str
    type: QuestionType
    label: Text = field(default_factory=Text)
    hint: Text = field(default_factory=Text)
    required: bool = False
    required_message: Text = field(default_factory=Text)
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: Text = field(default_factory=Text)
    default: str | None = None
    calculation: Expression | None = None
    #: Name of the choice list of a select question.
    choices: str | None = None
    #: Name of a run-time choice source (see ``RUNTIME_CHOICE_SOURCES``).
    choices_from: str | None = None
    #: Name of the CSV file in ``Questionnaire.files`` whose rows are the options
    #: (``select_one_from_file wards.csv``), and the columns of their value and
    #: label when not ``FILE_VALUE_COLUMN`` and ``FILE_LABEL_COLUMN``.
    choices_file: str | None = None
    value_column: str | None = None
    label_column: str | None = None
    #: Which options to offer, given the answers so far (cascading selects):
    #: evaluated per option, with the option's columns as bare names.
    choice_filter: Expression | None = None
    appearance: str | None = None
    #: Longest text answer; ``DEFAULT_MAX_LENGTH`` when None.
    max_length: int | None = None

    @property
    def text_limit(self) -> int:
        """Return the longest text answer accepted."""
        return self.max_length or DEFAULT_MAX_LENGTH


@dataclass(frozen=True)
class Section:
    """A group of questions shown together, possibly skipped as a whole."""

    name: str
    items: tuple[Question | Section, ...]
    label: Text = field(default_factory=Text)
    hint: Text = field(default_factory=Text)
    relevant: Expression | None = None
    appearance: str | None = None


@dataclass(frozen=True)
class Repeat(Section):
    """A group asked once per row, as a household roster asks once per member.

    Its questions' answers are rows (see ``validation.RawAnswers``). ``count``
    fixes the number of rows (a number or an expression such as
    ``${household_size}``, XLSForm's ``repeat_count``); without it the
    respondent adds and removes rows, up to ``MAX_REPEAT_ROWS``.
    """

    count: Expression | None = None


@dataclass(frozen=True)
class Dimension:
    """Items averaged into one score (a factor, dimension or sub-index)."""

    name: str
    label: Text
    items: tuple[str, ...]
    #: Items whose scale runs the other way: scored as ``min + max - value``.
    reverse: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass(frozen=True)
class Index:
    """How dimension scores combine into one index."""

    name: str
    label: Text
    #: ``mean`` or ``sum`` of the dimension scores, or ``weighted`` by their weights.
    method: str
    #: Range of the index; the dimension scale is mapped onto it linearly.
    scale: tuple[float, float]


@dataclass(frozen=True)
class Scoring:
    """Items to dimensions to an index, with reverse coding, rescaling and weights."""

    #: ``percent_satisfied``: a dimension is the mean, over its items, of the
    #: percentage of answers at or above ``satisfied_min`` (SIPAS).
    #: ``mean``: a dimension is the mean of its items rescaled from
    #: ``item_scale`` to ``dimension_scale`` (PAPI, PCI, DDCI).
    aggregation: str
    item_scale: tuple[float, float]
    dimension_scale: tuple[float, float]
    dimensions: tuple[Dimension, ...]
    index: Index
    satisfied_min: float | None = None


@dataclass(frozen=True)
class DataFile:
    """A CSV uploaded beside the form (``select_one_from_file``, ``pulldata``).

    It is carried inside the definition, not beside it: the rows are part of the
    checksum, so a version always answers with the rows it was published with,
    and an OpenRosa client downloads exactly these bytes (``csv_bytes``).
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def records(self) -> list[dict[str, str]]:
        """Return each row as a mapping from column to value."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def csv_bytes(self) -> bytes:
        """Write the file as UTF-8 CSV, the same bytes for the same rows."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return out.getvalue().encode("utf-8")

    @cached_property
    def md5(self) -> str:
        """Return the MD5 of ``csv_bytes``, as an OpenRosa manifest lists it."""
        return hashlib.md5(self.csv_bytes(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Questionnaire:
    """A questionnaire definition: the unit that is versioned and stored."""

    key: str
    version: str
    title: Text
    #: Languages of the labels, the default first.
    languages: tuple[str, ...]
    items: tuple[Question | Section, ...]
    choice_lists: Mapping[str, tuple[Choice, ...]] = field(default_factory=dict)
    scoring: Scoring | None = None
    #: CSV files uploaded beside the form, by file name (``wards.csv``).
    files: Mapping[str, DataFile] = field(default_factory=dict)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """List every question in the order it is asked, sections flattened."""
        return tuple(item for item in walk(self.items) if isinstance(item, Question))

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        """List every section in document order, nested ones after their parent."""
        return tuple(item for item in walk(self.items) if isinstance(item, Section))

    @cached_property
    def repeats(self) -> tuple[Repeat, ...]:
        """List every repeat in document order."""
        return tuple(item for item in self.sections if isinstance(item, Repeat))

    @cached_property
    def repeated(self) -> dict[str, str]:
        """Map each question inside a repeat to its repeat's name."""
        return {
            item.name: repeat.name
            for repeat in self.repeats
            for item in walk(repeat.items)
            if isinstance(item, Question)
        }

    @cached_property
    def comment_questions(self) -> tuple[str, ...]:
        """Name the questions whose answers are comments: multi-line free text.

        One-line text fields hold codes (a dossier's number), which are no
        comment and may identify a person.
        """
        return tuple(
            q.name
            for q in self.questions
            if q.type is QuestionType.TEXT and q.appearance == "multiline"
        )

    @cached_property
    def rating_questions(self) -> tuple[str, ...]:
        """Name the rating questions, in the order they are asked."""
        return tuple(q.name for q in self.questions if q.type is QuestionType.RATING)

    @cached_property
    def _questions_by_name(self) -> dict[str, Question]:
        return {question.name: question for question in self.questions}

    def question(self, name: str) -> Question:
        """Find a question by name, or raise KeyError."""
        return self._questions_by_name[name]

    def choices_of(self, question: Question) -> tuple[Choice, ...]:
        """Return the fixed options of a question (ratings get the official scale).

        A file select's options are its file's rows: the value and label
        columns give each one's name and label (in every language, as ODK
        shows the one column whatever the language), and the whole row is
        its data.
        """
        if question.type is QuestionType.RATING:
            return tuple(
                Choice(str(value), label)
                for value, label in enumerate(RATING_LABELS, start=RATING_SCALE[0])
            )
        if question.choices_file is not None:
            key = (
                question.choices_file,
                question.value_column or FILE_VALUE_COLUMN,
                question.label_column or FILE_LABEL_COLUMN,
            )
            if key not in self._file_choices:
                self._file_choices[key] = self._read_file_choices(*key)
            return self._file_choices[key]
        return self.choice_lists.get(question.choices or "", ())

    @cached_property
    def _file_choices(self) -> dict[tuple[str, str, str], tuple[Choice, ...]]:
        return {}

    @cached_property
    def filter_indexes(
        self,
    ) -> dict[tuple[str, str, str], Mapping[str, tuple[str, ...]]]:
        """Options by a column's value, per question, column and language.

        ``choice_index`` fills it on first use: a questionnaire is parsed
        once per process, so an index is built once.
        """
        return {}

    def _read_file_choices(
        self, name: str, value: str, label: str
    ) -> tuple[Choice, ...]:
        data_file = self.files.get(name)
        if data_file is None:
            return ()
        choices = {}
        for record in data_file.records():
            if not record[value]:
                continue
            text = Text(dict.fromkeys(self.languages, record.get(label, "")))
            columns = {k: v for k, v in record.items() if v}
            choices.setdefault(record[value], Choice(record[value], text, columns))
        return tuple(choices.values())

    def instance_items(self, name: str, language: str) -> tuple[Mapping[str, str], ...]:
        """Return the items of ``instance(name)``: a choice list's, or a CSV file's.

        A choice is ``name``, its data and its ``label`` in ``language``; a file
        (named without ``.csv``, as pyxform names its instance) is its rows.
        """
        if name in self.choice_lists:
            return tuple(
                {"name": c.name, "label": c.label.get(language), **c.data}
                for c in self.choice_lists[name]
            )
        data_file = self.files.get(f"{name}.csv")
        if data_file is None:
            return ()
        if name not in self._file_items:
            self._file_items[name] = tuple(data_file.records())
        return self._file_items[name]

    @cached_property
    def _file_items(self) -> dict[str, tuple[Mapping[str, str], ...]]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        """Return the canonical JSON-able form, the same shape the YAML format has."""
        data: dict[str, Any] = {
            "key": self.key,
            "version": self.version,
            "title": dict(self.title),
            "languages": list(self.languages),
            "questions": [_item_to_dict(item) for item in self.items],
        }
        if self.choice_lists:
            data["choices"] = {
                name: [_choice_to_dict(choice) for choice in choices]
                for name, choices in self.choice_lists.items()
            }
        if self.scoring is not None:
            data["scoring"] = _scoring_to_dict(self.scoring)
        if self.files:
            data["files"] = {
                name: {"columns": list(f.columns), "rows": [list(r) for r in f.rows]}
                for name, f in self.files.items()
            }
        return data

    @cached_property
    def checksum(self) -> str:
        """Return the SHA-256 of the canonical JSON, to recognise a stored version."""
        canonical = json.dumps(
            self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def scoring_map(self) -> dict[str, Any] | None:
        """Return the scoring as plain data the analysis package takes, or None.

        The analysis package never imports ``surveys``, so this is only dicts,
        tuples and numbers: which dimension each item feeds, which items are
        reverse coded, the scales, the weights and how to aggregate.
        """
        scoring = self.scoring
        if scoring is None:
            return None
        return {
            "aggregation": scoring.aggregation,
            "item_scale": scoring.item_scale,
            "satisfied_min": scoring.satisfied_min,
            "dimension_scale": scoring.dimension_scale,
            "dimensions": tuple(d.name for d in scoring.dimensions),
            "item_dimension": {
                item: d.name for d in scoring.dimensions for item in d.items
            },
            "reverse_coded": tuple(
                item for d in scoring.dimensions for item in d.reverse
            ),
            "weights": {d.name: d.weight for d in scoring.dimensions},
            "index": {
                "name": scoring.index.name,
                "method": scoring.index.method,
                "scale": scoring.index.scale,
            },
        }


def walk(items: tuple[Question | Section, ...]) -> Iterator[Question | Section]:
    """Yield every question and section depth first, in the order they are asked."""
    for item in items:
        yield item
        if isinstance(item, Section):
            yield from walk(item.items)


_QUESTION_DEFAULTS = {
    name: f.default_factory() if callable(f.default_factory) else f.default
    for name, f in Question.__dataclass_fields__.items()
}


def _plain(value: Any) -> Any:
    """Turn model values into JSON values: text maps to dicts, whole floats to ints."""
    if isinstance(value, Expression):
        return value.source
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _choice_to_dict(choice: Choice) -> dict[str, Any]:
    data: dict[str, Any] = {"name": choice.name, "label": dict(choice.label)}
    if choice.data:
        data["data"] = dict(choice.data)
    return data


def _item_to_dict(item: Question | Section) -> dict[str, Any]:
    if isinstance(item, Section):
        repeat = isinstance(item, Repeat)
        data: dict[str, Any] = {
            "name": item.name,
            "type": "repeat" if repeat else "section",
        }
        for key in ("label", "hint", "relevant", "appearance"):
            if value := getattr(item, key):
                data[key] = _plain(value)
        if isinstance(item, Repeat) and item.count is not None:
            data["repeat_count"] = item.count.source
        data["questions"] = [_item_to_dict(child) for child in item.items]
        return data
    data = {"name": item.name, "type": str(item.type)}
    for key, default in _QUESTION_DEFAULTS.items():
        value = getattr(item, key)
        if key not in data and value != default:
            data[key] = _plain(value)
    return data


def _scoring_to_dict(scoring: Scoring) -> dict[str, Any]:
    data: dict[str, Any] = {
        "aggregation": scoring.aggregation,
        "item_scale": _plain(scoring.item_scale),
        "dimension_scale": _plain(scoring.dimension_scale),
    }
    if scoring.satisfied_min is not None:
        data["satisfied_min"] = _plain(scoring.satisfied_min)
    data["dimensions"] = [
        {
            "name": d.name,
            "label": dict(d.label),
            "items": list(d.items),
            **({"reverse": list(d.reverse)} if d.reverse else {}),
            **({"weight": _plain(d.weight)} if d.weight != 1 else {}),
        }
        for d in scoring.dimensions
    ]
    data["index"] = {
        "name": scoring.index.name,
        "label": dict(scoring.index.label),
        "method": scoring.index.method,
        "scale": _plain(scoring.index.scale),
    }
    return data
