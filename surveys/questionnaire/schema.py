"""Check a questionnaire's dict form and build the model, reporting every problem.

YAML, JSON and XLSForm definitions all end up here as the same nested dicts,
so one set of rules applies to all. A reader may pass ``locations`` to say
where each dict came from (e.g. a worksheet row); otherwise problems are
placed by their path in the dict (``questions[2].questions[0]``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from surveys.questionnaire.cycles import Step, circles
from surveys.questionnaire.errors import DefinitionError, ExpressionError, Problem
from surveys.questionnaire.expressions import NAME_PATTERN, Expression, Relative, parse
from surveys.questionnaire.lexical import (
    LexicalError,
    normalise_datetime,
    normalise_geopoint,
    normalise_time,
)
from surveys.questionnaire.model import (
    DEFAULT_LANGUAGE,
    FILE_LABEL_COLUMN,
    FILE_VALUE_COLUMN,
    RATING_SCALE,
    RUNTIME_CHOICE_SOURCES,
    Choice,
    DataFile,
    Dimension,
    Index,
    Question,
    Questionnaire,
    QuestionType,
    Repeat,
    Scoring,
    Section,
    walk,
)
from surveys.questionnaire.shape import shape_problem
from surveys.translatable import Text

SECTION = "section"
REPEAT = "repeat"
_CONTAINERS = (SECTION, REPEAT)
#: The functions that take a repeated question as a whole (a node-set).
NODE_SET_FUNCTIONS = (
    "count()", "sum()", "max()", "min()", "count-non-empty()", "join()",
    "indexed-repeat()",
)  # fmt: skip
AGGREGATIONS = ("percent_satisfied", "mean")
INDEX_METHODS = ("mean", "sum", "weighted")
SCOREABLE_TYPES = (
    QuestionType.RATING,
    QuestionType.SELECT_ONE,
    QuestionType.INTEGER,
    QuestionType.DECIMAL,
)
MAX_TEXT_LIMIT = 100_000
#: The types whose default must be in ODK's lexical form of the type.
_LEXICAL = {
    QuestionType.TIME: normalise_time,
    QuestionType.DATETIME: normalise_datetime,
    QuestionType.GEOPOINT: normalise_geopoint,
}
#: The longest key and question name: the columns ``questionnaires.key`` and
#: ``answers.question`` hold 64 characters.
MAX_NAME_LENGTH = 64
#: The longest title: the column ``questionnaires.title`` holds 300.
MAX_TITLE_LENGTH = 300

_TOP_KEYS = {
    "key",
    "version",
    "title",
    "languages",
    "choices",
    "questions",
    "scoring",
    "files",
}
_QUESTION_KEYS = set(Question.__dataclass_fields__)
_SECTION_KEYS = {"name", "type", "label", "hint", "relevant", "appearance", "questions"}
_REPEAT_KEYS = _SECTION_KEYS | {"repeat_count"}
_TEXT_KEYS = ("label", "hint", "required_message", "constraint_message")
_SELECT_TYPES = (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE)
#: Where a select's options come from: exactly one of these is given.
_CHOICE_SOURCES = ("choices", "choices_from", "choices_file")
_CHOICE_KEYS = (*_CHOICE_SOURCES, "value_column", "label_column", "choice_filter")


def build_questionnaire(
    data: Any,
    *,
    source: str = "<dict>",
    locations: Mapping[int, str] | None = None,
) -> Questionnaire:
    """Build a questionnaire from its dict form, or raise one DefinitionError."""
    if refused := shape_problem(data):
        raise DefinitionError(source, [Problem("top level", "(document)", refused)])
    builder = _Builder(locations or {})
    questionnaire = builder.questionnaire(data)
    if builder.problems or questionnaire is None:
        raise DefinitionError(source, builder.problems)
    return questionnaire


class _Builder:
    def __init__(self, locations: Mapping[int, str]) -> None:
        self.locations = locations
        self.problems: list[Problem] = []
        #: Every question name, with where it was first defined.
        self.question_names: dict[str, str] = {}
        #: Questions whose choices have labels: ratings and fixed-list selects.
        self.labelled_choices: set[str] = set()
        self.choice_lists: dict[str, tuple[Choice, ...]] = {}
        self.files: dict[str, DataFile] = {}
        #: Instances (choice lists, files without .csv) read by lookups.
        self.instances_read: set[str] = set()
        self.languages: tuple[str, ...] = ()
        #: The sections and repeats around each item, outermost first.
        self.parents: dict[str, tuple[str, ...]] = {}
        self.repeats: set[str] = set()

    def problem(self, where: str, field: str, message: str) -> None:
        self.problems.append(Problem(where, field, message))

    def where(self, raw: object, path: str) -> str:
        return self.locations.get(id(raw), path)

    # --- top level -----------------------------------------------------------

    def questionnaire(self, data: Any) -> Questionnaire | None:
        where = self.where(data, "top level")
        if not isinstance(data, Mapping):
            self.problem(where, "(document)", "a definition must be a mapping")
            return None
        for key in sorted(set(data) - _TOP_KEYS, key=str):
            self.problem(where, str(key), "unknown key")
        key = self.string(data, "key", where, required=True)
        if key is not None:
            self.stored_length(key, MAX_NAME_LENGTH, where, "key")
        version = data.get("version", "1")
        if isinstance(version, int | float) and not isinstance(version, bool):
            version = str(version)
        if not isinstance(version, str) or not version.strip():
            self.problem(where, "version", "version must be text or a number")
        self.languages = self.language_list(data.get("languages"), where)
        title = self.text(data, "title", where, required=True)
        for text in title.values():
            self.stored_length(text, MAX_TITLE_LENGTH, where, "title")
        self.choice_lists = self.choices(data.get("choices", {}), where)
        self.files = files = self.read_files(data.get("files", {}), where)
        for name in sorted(self.choice_lists.keys() & {f[:-4] for f in files}):
            self.problem(
                where, f"files.{name}.csv", f"a choice list is named {name!r} too"
            )
        raw_items = data.get("questions")
        if not isinstance(raw_items, list) or not raw_items:
            self.problem(where, "questions", "a non-empty list of questions is needed")
            raw_items = []
        self.collect_names(raw_items, "questions")
        items = self.items(raw_items, "questions")
        for circle in circles(items):
            self.circle(circle)
        questions = [q for q in walk(items) if isinstance(q, Question)]
        used = {q.choices for q in questions} | self.instances_read
        for list_name in sorted(self.choice_lists.keys() - used):
            self.problem(where, f"choices.{list_name}", "no question uses this list")
        scoring = None
        if data.get("scoring") is not None:
            scoring = self.scoring(data["scoring"], "scoring", items)
        return Questionnaire(
            key=key or "",
            version=str(version),
            title=title,
            languages=self.languages,
            items=items,
            choice_lists=self.choice_lists,
            scoring=scoring,
            files=files,
        )

    def read_files(self, raw: Any, where: str) -> dict[str, DataFile]:
        """Read the CSV files carried in the definition: a header and text rows."""
        if not isinstance(raw, Mapping):
            self.problem(where, "files", "files must map file names to tables")
            return {}
        files = {}
        for name, table in raw.items():
            path = f"files.{name}"
            columns = table.get("columns") if isinstance(table, Mapping) else None
            rows = table.get("rows") if isinstance(table, Mapping) else None
            if not (
                isinstance(name, str)
                and name.lower().endswith(".csv")
                # A plain file name: it becomes a path when the files are written
                # beside an export, and an XML name in the XForm's instances.
                and NAME_PATTERN.fullmatch(name[:-4]) is not None
                and isinstance(columns, list)
                and columns
                and all(isinstance(c, str) and c for c in columns)
                and isinstance(rows, list)
                and all(
                    isinstance(r, list)
                    and len(r) == len(columns)
                    and all(isinstance(v, str) for v in r)
                    for r in rows
                )
            ):
                self.problem(
                    where,
                    path,
                    "a file needs a plain .csv name (letters, digits, _, -), "
                    "columns and rows of text",
                )
                continue
            files[name] = DataFile(tuple(columns), tuple(tuple(r) for r in rows))
        return files

    def language_list(self, raw: Any, where: str) -> tuple[str, ...]:
        valid = isinstance(raw, list) and raw and all(isinstance(x, str) for x in raw)
        if not valid:
            self.problem(where, "languages", "a list of language codes is needed")
            return ()
        if len(set(raw)) != len(raw):
            self.problem(where, "languages", f"a language is listed twice: {raw}")
        return tuple(raw)

    def choices(self, raw: Any, where: str) -> dict[str, tuple[Choice, ...]]:
        if not isinstance(raw, Mapping):
            self.problem(where, "choices", "choices must map list names to options")
            return {}
        lists: dict[str, tuple[Choice, ...]] = {}
        for list_name, options in raw.items():
            path = f"choices.{list_name}"
            if not isinstance(options, list) or not options:
                self.problem(where, path, "a choice list needs at least one option")
                continue
            built: dict[str, Choice] = {}
            for index, option in enumerate(options):
                choice = self.choice(option, f"{path}[{index}]")
                if choice is None:
                    continue
                if choice.name in built:
                    option_where = self.where(option, f"{path}[{index}]")
                    self.problem(option_where, "name", f"duplicate {choice.name!r}")
                built[choice.name] = choice
            lists[str(list_name)] = tuple(built.values())
        return lists

    def choice(self, raw: Any, path: str) -> Choice | None:
        where = self.where(raw, path)
        if not isinstance(raw, Mapping):
            self.problem(where, "(option)", "an option must be a mapping")
            return None
        for key in sorted(set(raw) - {"name", "label", "data"}, key=str):
            self.problem(where, str(key), "unknown key")
        data = raw.get("data", {})
        if not isinstance(data, Mapping) or not all(
            isinstance(k, str)
            and NAME_PATTERN.fullmatch(k)
            and k not in ("name", "label")
            and isinstance(v, str)
            for k, v in data.items()
        ):
            self.problem(
                where,
                "data",
                f"must map column names (not name or label) to text, not {data!r}",
            )
            data = {}
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip() or name != name.strip():
            # YAML reads 1, 25_34 or yes as numbers and booleans: ask for quotes
            # rather than guess the text that was meant.
            self.problem(
                where,
                "name",
                f"an option name must be text without spaces at the ends, not "
                f'{name!r} (quote names such as "1" or "yes" in YAML)',
            )
            return None
        label = self.text(raw, "label", where, required=True)
        return Choice(name, label, {k: v for k, v in data.items() if v})

    def stored_length(self, text: str, limit: int, where: str, field: str) -> None:
        """Refuse a text longer than the database column that will hold it."""
        if len(text) > limit:
            self.problem(
                where,
                field,
                f"{text[:40]!r}… has {len(text)} characters, over the limit of "
                f"{limit} (the longest the database stores)",
            )

    def circle(self, steps: list[Step]) -> None:
        """Refuse logic that goes round, naming each step and where it is."""
        path = " → ".join([steps[0].name, *(step.needs for step in steps)])
        reasons = "; ".join(
            f"{step} ({self.question_names[step.name]})" for step in steps
        )
        self.problem(
            self.question_names[steps[0].name],
            steps[0].field,
            f"circular logic {path}: {reasons}; no order of the questions can "
            "work it out (ODK refuses it too)",
        )

    # --- questions and sections ---------------------------------------------

    def collect_names(
        self, raw_items: list[Any], path: str, parents: tuple[str, ...] = ()
    ) -> None:
        """Record every name first, so expressions may refer to later questions."""
        for index, raw in enumerate(raw_items):
            if not isinstance(raw, Mapping):
                continue
            name = raw.get("name")
            where = self.where(raw, f"{path}[{index}]")
            if isinstance(name, str) and name in self.question_names:
                # Answers are one flat record keyed by name, so the same name
                # in two groups (which ODK tells apart by path) cannot be held.
                self.problem(
                    where,
                    "name",
                    f"the name {name!r} is used twice (first at "
                    f"{self.question_names[name]}); answers are keyed by name "
                    "alone, so names must be unique across groups",
                )
            elif isinstance(name, str):
                self.question_names[name] = where
                self.parents[name] = parents
                if raw.get("type") == REPEAT:
                    self.repeats.add(name)
                if raw.get("type") == QuestionType.RATING or (
                    raw.get("type") in _SELECT_TYPES
                    and (
                        raw.get("choices") is not None
                        or raw.get("choices_file") is not None
                    )
                ):
                    self.labelled_choices.add(name)
            if raw.get("type") in _CONTAINERS and isinstance(
                raw.get("questions"), list
            ):
                self.collect_names(
                    raw["questions"],
                    f"{path}[{index}].questions",
                    (*parents, str(name)),
                )

    def repeat_of(self, name: str) -> str | None:
        """Name the (outermost) repeat around ``name``, if any."""
        return next((p for p in self.parents.get(name, ()) if p in self.repeats), None)

    def items(self, raw_items: list[Any], path: str) -> tuple[Question | Section, ...]:
        built = []
        for index, raw in enumerate(raw_items):
            item = self.item(raw, f"{path}[{index}]")
            if item is not None:
                built.append(item)
        return tuple(built)

    def item(self, raw: Any, path: str) -> Question | Section | None:
        if not isinstance(raw, Mapping):
            self.problem(self.where(raw, path), "(question)", "must be a mapping")
            return None
        name = raw.get("name")
        where = self.locations.get(id(raw)) or f"{path} ({name})"
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            self.problem(
                where,
                "name",
                f"{name!r} is not a valid name (a letter or _, then letters, "
                "digits, _, - or .)",
            )
            name = str(name)
        else:
            self.stored_length(name, MAX_NAME_LENGTH, where, "name")
        kind = raw.get("type")
        if kind in _CONTAINERS:
            return self.section(raw, name, where, path)
        if kind not in QuestionType.__members__.values():
            supported = ", ".join([*QuestionType, *_CONTAINERS])
            self.problem(
                where, "type", f"unknown type {kind!r} (supported: {supported})"
            )
            return None
        return self.question(raw, name, QuestionType(kind), where)

    def section(
        self, raw: Mapping[str, Any], name: str, where: str, path: str
    ) -> Section:
        repeat = raw.get("type") == REPEAT
        kind = "repeat" if repeat else "section"
        for key in sorted(set(raw) - (_REPEAT_KEYS if repeat else _SECTION_KEYS)):
            self.problem(where, str(key), f"not allowed on a {kind}")
        if repeat and self.repeat_of(name) is not None:
            # Rows within rows would need answers indexed twice; no shipped or
            # planned questionnaire asks for them.
            self.problem(
                where,
                "type",
                f"a repeat inside a repeat ({self.repeat_of(name)!r}) is not "
                "supported: nested repeats",
            )
        raw_items = raw.get("questions")
        if not isinstance(raw_items, list) or not raw_items:
            self.problem(where, "questions", f"a {kind} needs at least one question")
            raw_items = []
        fields = {
            "name": name,
            "items": self.items(raw_items, f"{path}.questions"),
            "label": self.text(raw, "label", where),
            "hint": self.text(raw, "hint", where),
            "relevant": self.expression(raw, "relevant", where, name),
            "appearance": self.string(raw, "appearance", where),
        }
        if not repeat:
            return Section(**fields)
        if not fields["label"]:
            self.problem(where, "label", "a repeat needs a label, shown on each row")
        count = raw.get("repeat_count")
        if isinstance(count, int) and not isinstance(count, bool):
            count = str(count)
        return Repeat(
            **fields,
            count=self.expression({"repeat_count": count}, "repeat_count", where, name),
        )

    def question(
        self, raw: Mapping[str, Any], name: str, kind: QuestionType, where: str
    ) -> Question:
        for key in sorted(set(raw) - _QUESTION_KEYS, key=str):
            self.problem(where, str(key), "unknown key")
        texts = {key: self.text(raw, key, where) for key in _TEXT_KEYS}
        unlabelled = kind is QuestionType.CALCULATE or kind.is_metadata
        if not unlabelled and not texts["label"]:
            self.problem(where, "label", "a question needs a label")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            self.problem(where, "required", f"must be true or false, not {required!r}")
            required = False
        question = Question(
            name=name,
            type=kind,
            required=required,
            relevant=self.expression(raw, "relevant", where, name),
            constraint=self.expression(raw, "constraint", where, name),
            default=self.default(raw, where),
            calculation=self.expression(raw, "calculation", where, name),
            choices=self.string(raw, "choices", where),
            choices_from=self.string(raw, "choices_from", where),
            choices_file=self.string(raw, "choices_file", where),
            value_column=self.string(raw, "value_column", where),
            label_column=self.string(raw, "label_column", where),
            choice_filter=self.expression(raw, "choice_filter", where, name),
            appearance=self.string(raw, "appearance", where),
            max_length=self.max_length(raw, where),
            **texts,
        )
        self.check_question(question, where)
        return question

    def check_question(self, question: Question, where: str) -> None:
        kind = question.type
        if (question.calculation is None) == (kind is QuestionType.CALCULATE):
            message = (
                "a calculate needs a calculation"
                if question.calculation is None
                else "a calculated value on a question that takes an answer is "
                "not supported; use a separate calculate"
            )
            self.problem(where, "calculation", message)
        if not kind.takes_answer:
            for key in ("required", "constraint", "default"):
                if getattr(question, key):
                    self.problem(where, key, f"a {kind} takes no answer")
        normalise = _LEXICAL.get(kind)
        if question.default is not None and normalise is not None:
            try:
                normalise(question.default)
            except LexicalError:
                self.problem(
                    where,
                    "default",
                    f"must be a {kind} as ODK writes it, not {question.default!r}",
                )
        if question.max_length is not None and kind is not QuestionType.TEXT:
            self.problem(where, "max_length", "only a text question has a length")
        self.check_choices(question, where)

    def check_choices(self, question: Question, where: str) -> None:
        if not question.type.is_select:
            for key in _CHOICE_KEYS:
                if getattr(question, key) is not None:
                    self.problem(where, key, f"a {question.type} has no choices")
            return
        sources = [key for key in _CHOICE_SOURCES if getattr(question, key)]
        if len(sources) != 1:
            self.problem(
                where, "choices", "give one of choices, choices_from or choices_file"
            )
        elif question.choices_file is not None:
            self.check_file_choices(question, where)
        elif question.choices is not None:
            if question.choices not in self.choice_lists:
                self.problem(where, "choices", f"no choice list {question.choices!r}")
            elif question.type is QuestionType.SELECT_MULTIPLE and any(
                " " in choice.name for choice in self.choice_lists[question.choices]
            ):
                self.problem(
                    where,
                    "choices",
                    f"list {question.choices!r} has a name with a space, which a "
                    "multiple choice answer cannot hold",
                )
            elif question.default is not None:
                names = question.default.split()
                known = {choice.name for choice in self.choice_lists[question.choices]}
                if not set(names) <= known:
                    self.problem(
                        where, "default", f"{question.default!r} is not a choice"
                    )
        elif question.choices_from not in RUNTIME_CHOICE_SOURCES:
            sources = ", ".join(sorted(RUNTIME_CHOICE_SOURCES))
            self.problem(
                where,
                "choices_from",
                f"unknown source {question.choices_from!r} (known: {sources})",
            )
        for key in ("value_column", "label_column"):
            if getattr(question, key) is not None and question.choices_file is None:
                self.problem(where, key, "only a select from a file has columns")
        self.check_choice_filter(question, where)

    def check_file_choices(self, question: Question, where: str) -> None:
        data_file = self.files.get(question.choices_file or "")
        if data_file is None:
            self.problem(
                where,
                "choices_file",
                f"the file {question.choices_file!r} was not uploaded with the form",
            )
            return
        for key, default in (
            ("value_column", FILE_VALUE_COLUMN),
            ("label_column", FILE_LABEL_COLUMN),
        ):
            column = getattr(question, key) or default
            if column not in data_file.columns:
                self.problem(
                    where,
                    key,
                    f"{question.choices_file!r} has no column {column!r} "
                    f"(its columns: {', '.join(data_file.columns)})",
                )
                return
        value = data_file.columns.index(question.value_column or FILE_VALUE_COLUMN)
        spaced = [row[value] for row in data_file.rows if " " in row[value]]
        if question.type is QuestionType.SELECT_MULTIPLE and spaced:
            self.problem(
                where,
                "choices_file",
                f"{question.choices_file!r} has a value with a space ({spaced[0]!r}), "
                "which a multiple choice answer cannot hold",
            )

    def check_choice_filter(self, question: Question, where: str) -> None:
        """Check that a filter reads columns its options have."""
        if question.choice_filter is None:
            return
        if question.choices_from is not None:
            self.problem(
                where,
                "choice_filter",
                f"the {question.choices_from} are filled in by the application "
                "and have no columns to filter on",
            )
            return
        columns = self.item_columns(question.choices_file, question.choices)
        if not columns:
            return  # the list or file is missing, which is reported already
        for name in sorted(question.choice_filter.bare_names - columns):
            self.problem(
                where,
                "choice_filter",
                f"the options have no column {name!r} "
                f"(they have: {', '.join(sorted(columns))})",
            )

    def item_columns(self, file_name: str | None, list_name: str | None) -> set[str]:
        """Name the columns the items of a choice list or a CSV file have."""
        if file_name is not None:
            data_file = self.files.get(file_name)
            return set(data_file.columns) if data_file else set()
        # A choice list's columns are those of the whole choices sheet.
        columns = {"name", "label"}
        for choices in self.choice_lists.values():
            for choice in choices:
                columns.update(choice.data)
        return columns if list_name in self.choice_lists else set()

    # --- field helpers -------------------------------------------------------

    def string(
        self, raw: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.problem(where, key, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(where, key, f"must be non-empty text, not {value!r}")
            return None
        return value

    def text(
        self, raw: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> Text:
        value = raw.get(key)
        if value is None:
            if required:
                self.problem(where, key, "missing")
            return Text()
        if not isinstance(value, Mapping) or not all(
            isinstance(text, str) for text in value.values()
        ):
            self.problem(where, key, "must map language codes to text")
            return Text()
        unknown = [lang for lang in value if lang not in self.languages]
        if unknown and self.languages:
            self.problem(
                where, key, f"language(s) {unknown} not in {list(self.languages)}"
            )
        return Text((lang, value[lang]) for lang in self.languages if value.get(lang))

    def expression(
        self, raw: Mapping[str, Any], key: str, where: str, context: str
    ) -> Expression | None:
        source = raw.get(key)
        if source is None:
            return None
        try:
            expression = parse(source)
        except ExpressionError as error:
            self.problem(where, key, f"{error} in {source!r}")
            return None
        for name in sorted(expression.references - self.question_names.keys()):
            self.problem(where, key, f"${{{name}}} names no question")
        if key != "choice_filter":
            for name in sorted(expression.bare_names):
                self.problem(
                    where,
                    key,
                    f"the bare name {name!r} is an XPath path, which is not "
                    f"supported here; refer to a question as ${{{name}}}",
                )
        self.check_lookups(expression, where, key)
        for name in sorted(expression.choice_name_questions - self.labelled_choices):
            if name in self.question_names:
                self.problem(
                    where,
                    key,
                    f"jr:choice-name() reads the choices of {name!r}, which is not "
                    "a select question with a choice list",
                )
        self.check_repeats(expression, key, where, context)
        return expression

    def check_repeats(
        self, expression: Expression, key: str, where: str, context: str
    ) -> None:
        """Check how an expression reads repeats, relative to where it sits.

        As pyxform writes it: ``${name}`` of the same repeat is the same row;
        from elsewhere a repeated question is all its rows, a node-set only the
        node-set functions take. ``../name`` is a child of the parent node, as
        in XPath; ``position(..)`` needs a repeat row up the path.
        """
        here = self.repeat_of(context)
        for name in sorted(expression.single_references & self.question_names.keys()):
            repeat = name if name in self.repeats else self.repeat_of(name)
            if repeat is not None and (repeat != here or name == repeat):
                self.problem(
                    where,
                    key,
                    f"${{{name}}} is repeated (in {repeat!r}): outside its rows "
                    f"only {', '.join(NODE_SET_FUNCTIONS)} take it",
                )
        for question, repeat in sorted(expression.indexed_repeats):
            if repeat not in self.repeats or self.repeat_of(question) != repeat:
                self.problem(
                    where,
                    key,
                    f"indexed-repeat(${{{question}}}, ${{{repeat}}}, n) needs a "
                    f"question of the repeat {repeat!r}",
                )
        chain = ("", *self.parents.get(context, ()))
        for path in sorted(expression.relative_paths, key=repr):
            self.check_relative(path, chain, key, where)

    def check_relative(
        self, path: Relative, chain: tuple[str, ...], key: str, where: str
    ) -> None:
        written = "/".join([".."] * path.steps + ([path.name] if path.name else []))
        if path.steps > len(chain):
            self.problem(where, key, f"{written} goes above the form's top")
            return
        node = chain[len(chain) - path.steps]
        if path.name is None:
            if node not in self.repeats:
                self.problem(
                    where, key, f"position({written}) is not the row of a repeat"
                )
        elif path.name not in self.question_names:
            return  # reported as naming no question
        elif ("", *self.parents.get(path.name, ())) != chain[
            : len(chain) - path.steps + 1
        ]:
            place = f"group {node!r}" if node else "the top of the form"
            self.problem(where, key, f"{written}: {path.name!r} is not in {place}")

    def check_lookups(self, expression: Expression, where: str, key: str) -> None:
        """Check that lookups and ``pulldata`` read lists, files and columns there are.

        A translated choice list's items carry their labels as itext in ODK,
        not as a ``label`` to read; ``jr:choice-name`` gives them instead.
        """
        for name in sorted(expression.pulled_files):
            if f"{name}.csv" not in self.files:
                self.problem(
                    where,
                    key,
                    f"pulldata() reads a CSV file uploaded with the form: "
                    f"{name}.csv was not uploaded with the form (upload {name}.csv)",
                )
        for name, read in sorted(expression.instance_columns.items()):
            self.instances_read.add(name)
            if name in expression.pulled_files and f"{name}.csv" not in self.files:
                continue
            in_list = name in self.choice_lists
            columns = self.item_columns(
                None if in_list else f"{name}.csv", name if in_list else None
            )
            if not columns:
                self.problem(
                    where,
                    key,
                    f"{name!r} is neither a choice list nor a CSV file uploaded "
                    f"with the form (upload {name}.csv)",
                )
                continue
            for column in sorted(read - columns):
                self.problem(
                    where,
                    key,
                    f"{name!r} has no column {column!r} "
                    f"(it has: {', '.join(sorted(columns))})",
                )
            translated = self.languages != (DEFAULT_LANGUAGE,)
            if in_list and "label" in read and translated:
                self.problem(
                    where,
                    key,
                    f"the labels of {name!r} are translated, so ODK keeps no "
                    "'label' column to read; use jr:choice-name(${question}, "
                    "'${question}') for the label of an answer",
                )

    def default(self, raw: Mapping[str, Any], where: str) -> str | None:
        value = raw.get("default")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _number_text(value)
        if value is not None and not isinstance(value, str):
            self.problem(where, "default", f"must be text or a number, not {value!r}")
            return None
        return value

    def max_length(self, raw: Mapping[str, Any], where: str) -> int | None:
        value = raw.get("max_length")
        if value is None:
            return None
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not (0 < value <= MAX_TEXT_LIMIT)
        ):
            self.problem(
                where, "max_length", f"must be 1 to {MAX_TEXT_LIMIT}, not {value!r}"
            )
            return None
        return value

    def scale(
        self, raw: Mapping[str, Any], key: str, where: str
    ) -> tuple[float, float]:
        value = raw.get(key)
        valid = (
            isinstance(value, list | tuple)
            and len(value) == 2
            and all(_is_number(v) for v in value)
            and value[0] < value[1]
        )
        if not valid:
            self.problem(
                where, key, f"must be [low, high] with low < high, not {value!r}"
            )
            return (0.0, 1.0)
        return (float(value[0]), float(value[1]))

    # --- scoring -------------------------------------------------------------

    def scoring(
        self, raw: Any, path: str, items: tuple[Question | Section, ...]
    ) -> Scoring | None:
        where = self.where(raw, path)
        if not isinstance(raw, Mapping):
            self.problem(where, "scoring", "scoring must be a mapping")
            return None
        allowed = {"aggregation", "item_scale", "dimension_scale", "satisfied_min"}
        for key in sorted(set(raw) - allowed - {"dimensions", "index"}, key=str):
            self.problem(where, str(key), "unknown key")
        aggregation = raw.get("aggregation")
        if aggregation not in AGGREGATIONS:
            self.problem(where, "aggregation", f"must be one of {AGGREGATIONS}")
        item_scale = self.scale(raw, "item_scale", where)
        satisfied_min = raw.get("satisfied_min")
        if aggregation == "percent_satisfied":
            if not _is_number(satisfied_min) or not (
                item_scale[0] < satisfied_min <= item_scale[1]
            ):
                self.problem(where, "satisfied_min", f"must lie within {item_scale}")
                satisfied_min = None
        elif satisfied_min is not None:
            self.problem(where, "satisfied_min", "only for percent_satisfied")
        questions = {q.name: q for q in walk(items) if isinstance(q, Question)}
        dimensions = self.dimensions(
            raw.get("dimensions"), f"{path}.dimensions", questions, item_scale
        )
        dimension_scale = self.scale(raw, "dimension_scale", where)
        index = self.index(raw.get("index"), f"{path}.index")
        low, high = dimension_scale
        expected = {
            "mean": dimension_scale,
            "sum": (low * len(dimensions), high * len(dimensions)),
        }.get(index.method)
        if expected is not None and index.scale != expected:
            self.problem(
                self.where(raw.get("index"), f"{path}.index"),
                "scale",
                f"the {index.method} of the dimensions ranges over {expected}",
            )
        return Scoring(
            aggregation=str(aggregation),
            item_scale=item_scale,
            dimension_scale=dimension_scale,
            dimensions=dimensions,
            index=index,
            satisfied_min=None if satisfied_min is None else float(satisfied_min),
        )

    def dimensions(
        self,
        raw: Any,
        path: str,
        questions: Mapping[str, Question],
        item_scale: tuple[float, float],
    ) -> tuple[Dimension, ...]:
        if not isinstance(raw, list) or not raw:
            where = self.where(raw, path)
            self.problem(
                where, "dimensions", "a non-empty list of dimensions is needed"
            )
            return ()
        built: list[Dimension] = []
        seen_items: set[str] = set()
        for index, entry in enumerate(raw):
            where = self.where(entry, f"{path}[{index}]")
            if not isinstance(entry, Mapping):
                self.problem(where, "(dimension)", "a dimension must be a mapping")
                continue
            for key in sorted(
                set(entry) - {"name", "label", "items", "reverse", "weight"}, key=str
            ):
                self.problem(where, str(key), "unknown key")
            name = self.string(entry, "name", where, required=True) or ""
            if any(d.name == name for d in built):
                self.problem(where, "name", f"dimension {name!r} defined twice")
            items = self.name_list(entry, "items", where)
            if not items:
                self.problem(where, "items", "a dimension needs items")
            for item in items:
                if item in seen_items:
                    self.problem(where, "items", f"{item!r} already scored elsewhere")
                seen_items.add(item)
                self.check_item(questions.get(item), item, item_scale, where)
            reverse = self.name_list(entry, "reverse", where)
            for item in sorted(set(reverse) - set(items)):
                self.problem(where, "reverse", f"{item!r} is not one of the items")
            weight = entry.get("weight", 1)
            if not _is_number(weight) or weight <= 0:
                self.problem(
                    where, "weight", f"must be a positive number, not {weight!r}"
                )
                weight = 1
            built.append(
                Dimension(
                    name=name,
                    label=self.text(entry, "label", where, required=True),
                    items=items,
                    reverse=reverse,
                    weight=float(weight),
                )
            )
        return tuple(built)

    def check_item(
        self,
        question: Question | None,
        name: str,
        item_scale: tuple[float, float],
        where: str,
    ) -> None:
        if question is None or question.type not in SCOREABLE_TYPES:
            self.problem(where, "items", f"{name!r} is no rating or number question")
            return
        if self.repeat_of(name) is not None:
            self.problem(
                where, "items", f"{name!r} is repeated: a score takes one answer"
            )
            return
        if question.type is QuestionType.RATING:
            values = [float(v) for v in range(RATING_SCALE[0], RATING_SCALE[1] + 1)]
        elif question.type is QuestionType.SELECT_ONE:
            names = [c.name for c in self.choice_lists.get(question.choices or "", ())]
            if not all(_is_numeric_text(n) for n in names):
                self.problem(
                    where, "items", f"{name!r} has choices that are not numbers"
                )
                return
            values = [float(n) for n in names]
        else:
            return
        if values and not item_scale[0] <= min(values) <= max(values) <= item_scale[1]:
            self.problem(
                where,
                "items",
                f"{name!r} has values outside the item scale {item_scale}",
            )

    def name_list(
        self, raw: Mapping[str, Any], key: str, where: str
    ) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(where, key, "must be a list of question names")
            return ()
        return tuple(value)

    def index(self, raw: Any, path: str) -> Index:
        where = self.where(raw, path)
        if not isinstance(raw, Mapping):
            self.problem(where, "index", "the index must be a mapping")
            raw = {}
        for key in sorted(set(raw) - {"name", "label", "method", "scale"}, key=str):
            self.problem(where, str(key), "unknown key")
        method = raw.get("method")
        if method not in INDEX_METHODS:
            self.problem(where, "method", f"must be one of {INDEX_METHODS}")
        return Index(
            name=self.string(raw, "name", where, required=True) or "",
            label=self.text(raw, "label", where, required=True),
            method=str(method),
            scale=self.scale(raw, "scale", where),
        )


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _is_numeric_text(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
