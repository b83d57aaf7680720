"""Paper questionnaires: numbered A4 forms of any questionnaire, in one PDF.

Each form has the administrative frame of the unit's documents
(``app.official_document``): the unit and the national name at the top, then
the campaign, the instructions, and every question numbered with boxes to tick
or write in, the option codes a clerk keys printed beside the boxes, and the
skip instructions in words (``surveys.questionnaire.skip_words``). Every page
carries the form's number, its QR code (the single-use code's address) and
"Trang x/y", so a sheet that comes loose still finds its form.

A batch prints hundreds of the same form: the wording, line wrapping and page
breaks are worked out once per questionnaire (``_Plan``), and each form only
draws them, with its own number and QR code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _, in_language, translated
from app.official_document import (
    BOTTOM,
    LEFT,
    PAGE_WIDTH,
    TEXT_WIDTH,
    TOP,
    Issuer,
    national_header,
    official_document,
)
from app.printing import PAGE_HEIGHT, draw_qr, set_font
from surveys.access.codes import format_token
from surveys.questionnaire.expressions import Literal
from surveys.questionnaire.model import (
    MAX_REPEAT_ROWS,
    Question,
    Questionnaire,
    QuestionType,
    Repeat,
    Section,
    walk,
)
from surveys.questionnaire.option_codes import largest_allowed, option_codes
from surveys.questionnaire.repeat_rows import largest_count
from surveys.questionnaire.skip_words import Words, skip_words
from surveys.translatable import Message, Text

if TYPE_CHECKING:
    from fpdf import FPDF

#: The footer band under the questions: number, page and QR code (mm).
QR_SIZE = 18.0
FOOTER_TOP = PAGE_HEIGHT - BOTTOM / 2 - QR_SIZE
CONTENT_BOTTOM = FOOTER_TOP - 4
#: Font sizes (pt) and line heights (mm).
TITLE_SIZE = 13.0
SIZE = 11.0
SMALL = 9.0
LINE = 5.0
SMALL_LINE = 4.0
#: Room for "Câu 12." before a question's label (mm).
NUMBER_WIDTH = 18.0
BOX = 4.0
DIGIT_BOX = (6.0, 7.0)
#: Rows of a repeat's table when its count is not a number.
DEFAULT_REPEAT_ROWS = 5
#: Rows a clerk may key of a roster counted by an answer whose largest value
#: the definition does not tell (the rows past the table are on the back).
UNBOUNDED_COUNT_ROWS = 30
ROW_HEIGHT = 8.0
#: Most options printed as boxes: a longer list (5,000 communes) is written in.
MAX_PRINTED_OPTIONS = 40
#: Digit boxes of a number question whose constraint sets no upper bound.
DEFAULT_DIGITS = 6
DECIMAL_PLACES = 2


@dataclass(frozen=True)
class PrintedForm:
    """One numbered form: its number, its single-use code and the code's address."""

    number: str
    token: str
    url: str


@dataclass(frozen=True)
class _Text:
    """A line of text, placed: ``y`` is its baseline."""

    x: float
    y: float
    text: str
    size: float
    style: str = ""


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class _Rule:
    x: float
    y: float
    length: float
    dotted: bool = False


_Mark = _Text | _Box | _Rule


@dataclass
class _Block:
    """Marks laid out from y = 0, kept together on one page."""

    marks: list[_Mark] = field(default_factory=list)
    height: float = 0.0

    def moved(self, dy: float) -> list[_Mark]:
        return [replace(mark, y=mark.y + dy) for mark in self.marks]


@dataclass(frozen=True)
class _Plan:
    """A form's pages, the same for every form of a batch."""

    pages: tuple[tuple[_Mark, ...], ...]


def paper_forms_pdf(
    questionnaire: Questionnaire,
    issuer: Issuer,
    campaign: str,
    forms: Sequence[PrintedForm],
    language: str,
    *,
    printed_on: date | None = None,
) -> bytes:
    """Lay out numbered paper forms of ``questionnaire``, each from a new page.

    ``issuer`` is the unit handing them out (``official_document.issuer_of``),
    ``campaign`` the campaign's name; ``printed_on`` dates the header (today).
    """
    if not forms:
        raise ValueError("a batch of paper forms needs at least one form")
    with in_language(language):
        title = questionnaire.title.get(language)
        pdf = official_document(f"{campaign} – {title}")
        # The plan breaks the pages; the footer is drawn in the bottom margin.
        pdf.set_auto_page_break(False)
        plan: _Plan | None = None
        for form in forms:
            number = _("Phiếu số: %(number)s", number=form.number)
            national_header(pdf, issuer, number, printed_on or date.today())
            if plan is None:
                plan = _plan(pdf, questionnaire, campaign, language, pdf.get_y())
            _draw_form(pdf, plan, form, number)
        return bytes(pdf.output())


def spoken(words: Words, language: str) -> str:
    """Word skip instructions in ``language``: messages, labels and phrases."""
    if isinstance(words, Message):
        params = {key: spoken(value, language) for key, value in words.params.items()}
        return translated(replace(words, params=params))
    if isinstance(words, Text):
        return words.get(language)
    if isinstance(words, tuple):
        return "".join(spoken(part, language) for part in words)
    return words


# --- drawing ---------------------------------------------------------------------


def _draw_form(pdf: FPDF, plan: _Plan, form: PrintedForm, number: str) -> None:
    """Draw the planned pages of one form; ``number`` is its "Phiếu số" line."""
    pages = len(plan.pages)
    for index, marks in enumerate(plan.pages):
        if index:
            pdf.add_page()
        for mark in marks:
            _draw(pdf, mark)
        _footer(pdf, form, number, index + 1, pages)


def _draw(pdf: FPDF, mark: _Mark) -> None:
    if isinstance(mark, _Text):
        set_font(pdf, mark.size, bold="B" in mark.style, italic="I" in mark.style)
        pdf.text(mark.x, mark.y, mark.text)
    elif isinstance(mark, _Box):
        pdf.rect(mark.x, mark.y, mark.width, mark.height)
    elif mark.dotted:
        with pdf.local_context(line_width=0.2):
            pdf.set_dash_pattern(dash=0.6, gap=0.8)
            pdf.line(mark.x, mark.y, mark.x + mark.length, mark.y)
            pdf.set_dash_pattern()
    else:
        pdf.line(mark.x, mark.y, mark.x + mark.length, mark.y)


def _footer(pdf: FPDF, form: PrintedForm, number: str, page: int, pages: int) -> None:
    """Print the form's number, its code, the page and the QR code at the bottom."""
    qr_x = PAGE_WIDTH - 15.0 - QR_SIZE
    draw_qr(pdf, form.url, qr_x, FOOTER_TOP, QR_SIZE)
    with pdf.local_context(line_width=0.2):
        pdf.line(LEFT, FOOTER_TOP, qr_x - 2, FOOTER_TOP)
    width = qr_x - 2 - LEFT
    pdf.set_xy(LEFT, FOOTER_TOP + 2)
    set_font(pdf, SIZE, bold=True)
    pdf.cell(width / 2, LINE, number)
    set_font(pdf, SIZE)
    page_words = _("Trang %(page)s/%(pages)s", page=page, pages=pages)
    pdf.cell(width / 2, LINE, page_words, align="R")
    pdf.set_xy(LEFT, FOOTER_TOP + 2 + LINE)
    set_font(pdf, SMALL)
    code = _("Mã phiếu: %(code)s", code=format_token(form.token))
    pdf.cell(width, SMALL_LINE, code)


# --- the plan ----------------------------------------------------------------------


class _Planner:
    """Lays out one questionnaire's form once: words, wrapped lines, page breaks."""

    def __init__(
        self, pdf: FPDF, questionnaire: Questionnaire, language: str, top: float
    ) -> None:
        self.pdf = pdf
        self.questionnaire = questionnaire
        self.language = language
        self.words = skip_words(questionnaire)
        # fpdf is imported with the first document (app.printing.new_document).
        from fpdf.enums import MethodReturnValue

        self.lines_output = MethodReturnValue.LINES
        self.pages: list[list[_Mark]] = [[]]
        self.heading: _Block | None = None
        self.y = top

    def text(self, value: Text) -> str:
        return value.get(self.language)

    def lines(self, text: str, width: float, size: float, style: str = "") -> list[str]:
        """Wrap ``text`` into lines of ``width`` in the given face."""
        set_font(self.pdf, size, bold="B" in style, italic="I" in style)
        return self.pdf.multi_cell(
            width, LINE, text, dry_run=True, output=self.lines_output
        )

    def written(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        text: str,
        size: float,
        style: str = "",
        align: str = "L",
    ) -> _Text:
        """Place a line of text in a cell as ``FPDF.cell`` would, once.

        Forms draw it with ``FPDF.text``, several times quicker than a cell.
        """
        set_font(self.pdf, size, bold="B" in style, italic="I" in style)
        left = x + self.pdf.c_margin
        if align == "C":
            left = x + (width - self.pdf.get_string_width(text)) / 2
        baseline = y + height / 2 + 0.3 * self.pdf.font_size
        return _Text(left, baseline, text, size, style)

    def paragraph(
        self,
        block: _Block,
        text: str,
        x: float,
        width: float,
        *,
        size: float = SIZE,
        style: str = "",
        line: float = LINE,
        align: str = "L",
    ) -> None:
        """Add ``text`` wrapped at the bottom of ``block``."""
        for wrapped in self.lines(text, width, size, style):
            mark = self.written(
                x, block.height, width, line, wrapped, size, style, align
            )
            block.marks.append(mark)
            block.height += line

    def place(self, block: _Block, gap: float = 2.0) -> None:
        """Put a block under the last, on a new page when it does not fit whole.

        A section's heading waits for the block after it, so that it never
        ends a page alone.
        """
        if self.heading is not None:
            block, self.heading = _stacked(self.heading, block), None
        if self.y + block.height > CONTENT_BOTTOM and self.pages[-1]:
            self.pages.append([])
            self.y = TOP
        self.pages[-1].extend(block.moved(self.y))
        self.y += block.height + gap

    # -- the form's head

    def head(self, campaign: str) -> None:
        block = _Block()
        kind = _("PHIẾU KHẢO SÁT Ý KIẾN")
        self.paragraph(
            block, kind, LEFT, TEXT_WIDTH, size=TITLE_SIZE, style="B", line=6, align="C"
        )
        title = self.text(self.questionnaire.title)
        self.paragraph(block, title, LEFT, TEXT_WIDTH, style="B", align="C")
        self.paragraph(block, campaign, LEFT, TEXT_WIDTH, style="I", align="C")
        block.height += 3
        instructions = (
            _(
                "Hướng dẫn: Đánh dấu X vào ô vuông của phương án Ông/Bà chọn; "
                "viết chữ số vào các ô trống, mỗi ô một chữ số; viết câu trả lời "
                "lên dòng chấm. Mã số in cạnh mỗi ô dùng để nhập phiếu."
            ),
            _(
                "Phiếu không ghi tên người trả lời. Thông tin Ông/Bà cung cấp "
                "chỉ dùng để tổng hợp và được giữ bí mật."
            ),
        )
        for sentence in instructions:
            self.paragraph(
                block,
                sentence,
                LEFT,
                TEXT_WIDTH,
                size=SMALL,
                style="I",
                line=SMALL_LINE,
            )
        self.place(block, gap=4)

    # -- items

    def items(self, items: tuple[Question | Section, ...]) -> None:
        for item in items:
            if isinstance(item, Repeat):
                self.repeat(item)
            elif isinstance(item, Section):
                self.section(item)
                self.items(item.items)
            elif item.type.takes_answer or item.type is QuestionType.NOTE:
                self.place(self.question(item))

    def section(self, section: Section) -> None:
        block = _Block()
        block.height += 2
        label = self.text(section.label) or section.name
        self.paragraph(block, label.upper(), LEFT, TEXT_WIDTH, style="B")
        block.marks.append(_Rule(LEFT, block.height + 0.5, TEXT_WIDTH))
        block.height += 1.5
        self.notes(block, section, LEFT, TEXT_WIDTH)
        self.heading = block if self.heading is None else _stacked(self.heading, block)

    def notes(
        self, block: _Block, item: Question | Section, x: float, width: float
    ) -> None:
        """Add an item's hint and when it is to be answered, in small italics."""
        if item.hint:
            self.paragraph(
                block,
                self.text(item.hint),
                x,
                width,
                size=SMALL,
                style="I",
                line=SMALL_LINE,
            )
        condition = self.words.conditions.get(item.name)
        if condition is not None:
            words = spoken(condition, self.language)
            self.paragraph(
                block, words, x, width, size=SMALL, style="BI", line=SMALL_LINE
            )

    def question(self, question: Question) -> _Block:
        block = _Block()
        x, width = LEFT + NUMBER_WIDTH, TEXT_WIDTH - NUMBER_WIDTH
        number = self.words.numbers.get(question.name)
        label = self.text(question.label) or question.name
        if number is None:  # a note
            self.paragraph(block, label, LEFT, TEXT_WIDTH, style="I")
            self.notes(block, question, LEFT, TEXT_WIDTH)
            return block
        heading = _("Câu %(number)s.", number=number)
        block.marks.append(
            self.written(LEFT, 0, NUMBER_WIDTH, LINE, heading, SIZE, "B")
        )
        self.paragraph(block, label, x, width, style="B")
        if question.type is QuestionType.SELECT_MULTIPLE:
            several = _("(Có thể chọn nhiều phương án)")
            self.paragraph(
                block, several, x, width, size=SMALL, style="I", line=SMALL_LINE
            )
        self.notes(block, question, x, width)
        block.height += 1
        ANSWERS.get(question.type, _Planner.lines_answer)(
            self, block, question, x, width
        )
        jump = self.words.jumps.get(question.name)
        if jump is not None:
            words = "→ " + spoken(jump.words, self.language)
            self.paragraph(
                block, words, x, width, size=SMALL, style="BI", line=SMALL_LINE
            )
        return block

    # -- answer areas

    def options_answer(
        self, block: _Block, question: Question, x: float, width: float
    ) -> None:
        """Boxes with codes and labels, in as many columns as the labels allow."""
        options = self.questionnaire.choices_of(question)
        if len(options) > MAX_PRINTED_OPTIONS:
            written = _("(Nhiều phương án: ghi câu trả lời vào dòng dưới đây)")
            self.paragraph(
                block, written, x, width, size=SMALL, style="I", line=SMALL_LINE
            )
        if not options or len(options) > MAX_PRINTED_OPTIONS:
            self.lines_answer(block, question, x, width)
            return
        codes = option_codes(options)
        labels = [self.text(option.label) or option.name for option in options]
        set_font(self.pdf, SIZE)
        longest = max(self.pdf.get_string_width(label) for label in labels)
        columns = max(1, min(3, int(width // (longest + BOX + 14))))
        column_width = width / columns
        rows = math.ceil(len(options) / columns)
        top = block.height
        bottoms = [top] * columns
        for index, (option, label) in enumerate(zip(options, labels, strict=True)):
            column = index // rows
            left = x + column * column_width
            y = bottoms[column]
            block.marks.append(_Box(left, y + 0.5, BOX, BOX))
            code = codes[option.name]
            block.marks.append(
                self.written(left + BOX + 0.5, y, 8, LINE, code, SMALL, "B")
            )
            text_x, text_width = left + BOX + 9, column_width - BOX - 10
            for wrapped in self.lines(label, text_width, SIZE):
                block.marks.append(
                    self.written(text_x, y, text_width, LINE, wrapped, SIZE)
                )
                y += LINE
            bottoms[column] = y + 0.5
        block.height = max(bottoms)

    def rating_answer(
        self, block: _Block, question: Question, x: float, width: float
    ) -> None:
        """A row of boxes, each with its code and its label under it."""
        options = self.questionnaire.choices_of(question)
        codes = option_codes(options)
        cell = width / len(options)
        top = block.height
        bottom = top
        for index, option in enumerate(options):
            left = x + index * cell
            box_x = left + (cell - BOX) / 2 - 3
            block.marks.append(_Box(box_x, top + 0.5, BOX, BOX))
            block.marks.append(
                self.written(
                    box_x + BOX + 0.5, top, 6, LINE, codes[option.name], SMALL, "B"
                )
            )
            y = top + LINE
            label = self.text(option.label) or option.name
            for wrapped in self.lines(label, cell - 1, SMALL):
                block.marks.append(
                    self.written(left, y, cell - 1, SMALL_LINE, wrapped, SMALL, "", "C")
                )
                y += SMALL_LINE
            bottom = max(bottom, y)
        block.height = bottom + 0.5

    def digits_answer(
        self, block: _Block, question: Question, x: float, width: float
    ) -> None:
        """One box per digit: as many as the constraint's upper bound needs."""
        largest = largest_allowed(question)
        digits = DEFAULT_DIGITS if largest is None else len(str(int(abs(largest))))
        self.boxes(
            block,
            x,
            [digits]
            + ([DECIMAL_PLACES] if question.type is QuestionType.DECIMAL else []),
            ",",
        )

    def date_answer(
        self, block: _Block, question: Question, x: float, width: float
    ) -> None:
        groups = {
            QuestionType.DATE: ([2, 2, 4], "/"),
            QuestionType.TIME: ([2, 2], ":"),
        }
        if question.type is QuestionType.DATETIME:
            self.boxes(block, x, [2, 2, 4], "/", keep=True)
            self.boxes(block, x + 60, [2, 2], ":")
            return
        sizes, separator = groups[question.type]
        self.boxes(block, x, sizes, separator)

    def boxes(
        self,
        block: _Block,
        x: float,
        groups: list[int],
        separator: str,
        *,
        keep: bool = False,
    ) -> None:
        box_width, box_height = DIGIT_BOX
        top = block.height
        for group, count in enumerate(groups):
            if group:
                block.marks.append(
                    self.written(x, top, 4, box_height, separator, SIZE, "B", "C")
                )
                x += 4
            for _digit in range(count):
                block.marks.append(_Box(x, top, box_width, box_height))
                x += box_width
        if not keep:
            block.height = top + box_height + 1

    def lines_answer(
        self, block: _Block, question: Question, x: float, width: float
    ) -> None:
        """Dotted lines to write on: more for long and multi-line answers."""
        long = question.appearance == "multiline" or (
            question.max_length is not None and question.max_length > 200
        )
        count = 3 if long else 1
        for _line in range(count):
            block.height += 6
            block.marks.append(_Rule(x, block.height, width, dotted=True))
        block.height += 1

    # -- repeats

    def repeat(self, repeat: Repeat) -> None:
        """A heading, then a table: a numbered column per question, a row each."""
        self.section(repeat)
        questions = [
            item
            for item in walk(repeat.items)
            if isinstance(item, Question) and item.type.takes_answer
        ]
        if not questions:
            return
        number_width = 10.0
        column = (TEXT_WIDTH - number_width) / len(questions)
        header = _Block()
        header.marks.append(
            self.written(LEFT, 0, number_width, LINE, _("STT"), SMALL, "B", "C")
        )
        bottom = 0.0
        for index, question in enumerate(questions):
            left = LEFT + number_width + index * column
            heading = _("Câu %(number)s.", number=self.words.numbers[question.name])
            text = f"{heading} {self.text(question.label) or question.name}"
            cell = _Block()
            self.paragraph(
                cell,
                text,
                left + 0.5,
                column - 1,
                size=SMALL,
                style="B",
                line=SMALL_LINE,
            )
            options = self.questionnaire.choices_of(question)
            if options:
                codes = option_codes(options)
                legend = "; ".join(
                    f"{codes[o.name]} = {self.text(o.label) or o.name}" for o in options
                )
                self.paragraph(
                    cell, legend, left + 0.5, column - 1, size=SMALL, line=SMALL_LINE
                )
            header.marks.extend(cell.marks)
            bottom = max(bottom, cell.height)
        header.height = bottom + 1
        self.table_grid(header, number_width, column, len(questions), 0, header.height)
        self.place(header, gap=0)
        for row in range(1, printed_rows(repeat) + 1):
            line = _Block(height=ROW_HEIGHT)
            line.marks.append(
                self.written(
                    LEFT, 0, number_width, ROW_HEIGHT, str(row), SMALL, "", "C"
                )
            )
            self.table_grid(line, number_width, column, len(questions), 0, ROW_HEIGHT)
            self.place(line, gap=0)
        self.y += 2
        self.continuation(repeat)

    def continuation(self, repeat: Repeat) -> None:
        """Under a table the count may outgrow, say where the next rows go."""
        rows = printed_rows(repeat)
        if keyed_rows(self.questionnaire, repeat) <= rows:
            return
        block = _Block()
        words = _(
            "Nếu có hơn %(rows)s dòng, ghi tiếp ở mặt sau tờ phiếu,"
            " đánh số dòng %(next)s, %(after)s, …",
            rows=rows,
            next=rows + 1,
            after=rows + 2,
        )
        self.paragraph(
            block, words, LEFT, TEXT_WIDTH, size=SMALL, style="I", line=SMALL_LINE
        )
        self.place(block)

    def table_grid(
        self,
        block: _Block,
        number_width: float,
        column: float,
        columns: int,
        top: float,
        height: float,
    ) -> None:
        block.marks.append(_Box(LEFT, top, number_width, height))
        for index in range(columns):
            left = LEFT + number_width + index * column
            block.marks.append(_Box(left, top, column, height))


ANSWERS: dict[
    QuestionType, Callable[[_Planner, _Block, Question, float, float], None]
] = {
    QuestionType.SELECT_ONE: _Planner.options_answer,
    QuestionType.SELECT_MULTIPLE: _Planner.options_answer,
    QuestionType.RATING: _Planner.rating_answer,
    QuestionType.INTEGER: _Planner.digits_answer,
    QuestionType.DECIMAL: _Planner.digits_answer,
    QuestionType.DATE: _Planner.date_answer,
    QuestionType.TIME: _Planner.date_answer,
    QuestionType.DATETIME: _Planner.date_answer,
}


def _stacked(top: _Block, bottom: _Block, gap: float = 2.0) -> _Block:
    """Return one block of ``top`` with ``bottom`` under it."""
    marks = [*top.marks, *bottom.moved(top.height + gap)]
    return _Block(marks, top.height + gap + bottom.height)


def printed_rows(repeat: Repeat) -> int:
    """Return the rows to print: the repeat's fixed count, else a default."""
    count = repeat.count
    if count is not None:
        tree = count.tree
        if isinstance(tree, Literal) and isinstance(tree.value, float):
            return max(1, min(MAX_REPEAT_ROWS, int(tree.value)))
    return DEFAULT_REPEAT_ROWS


def keyed_rows(questionnaire: Questionnaire, repeat: Repeat) -> int:
    """Return the rows a clerk may key: the printed ones, and for a roster
    counted by an answer as many as that answer allows (written on the back
    of the sheet past the printed table)."""
    rows = printed_rows(repeat)
    if repeat.count is None:
        return rows
    largest = largest_count(questionnaire, repeat)
    return max(rows, UNBOUNDED_COUNT_ROWS if largest is None else largest)


def _plan(
    pdf: FPDF, questionnaire: Questionnaire, campaign: str, language: str, top: float
) -> _Plan:
    planner = _Planner(pdf, questionnaire, language, top)
    planner.head(campaign)
    planner.items(questionnaire.items)
    if planner.heading is not None:  # a last section with nothing printed
        planner.place(_Block())
    return _Plan(tuple(tuple(page) for page in planner.pages))
