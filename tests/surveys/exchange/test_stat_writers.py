"""Our SPSS and Stata writers: read back, their files are pyreadstat's own.

pyreadstat (a test dependency) writes the same rows from a whole DataFrame, as
the exports did before they were streamed; both files are read back with
pyreadstat and must give the same frame, variable labels and value labels.
pandas' own Stata reader, written apart from ReadStat, reads ours too.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import pyreadstat
import pytest

from surveys.exchange.dataset import DATE_VARIABLE, Dataset, Variable
from surveys.exchange.spss_file import LABEL_MAX, STRING_MAX, VALUE_LABEL_MAX, write_sav
from surveys.exchange.stata_file import LABEL_CHARACTERS, write_dta
from tests.pyreadstat_files import write_with_pyreadstat

WRITERS: dict[str, Callable[[Dataset, BinaryIO], None]] = {
    "sav": write_sav,
    "dta": write_dta,
}
READERS = {"sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}
KINDS = pytest.mark.parametrize("kind", ["sav", "dta"])
RATING = {1: "Rất không hài lòng", 3: "Bình thường", 5: "Rất hài lòng"}
VARIABLES = (
    Variable("response_id", "Mã phiếu trả lời", True),
    Variable(DATE_VARIABLE, "Ngày gửi (giờ Việt Nam)", True, kind="date"),
    Variable("unit_code", "Mã đơn vị", False),
    Variable("overall", "Ông/Bà có hài lòng không?", True, RATING),
    Variable("comment", "Góp ý của Ông/Bà", False),
    Variable("weight", "Trọng số", True),
)
ROWS = [
    [1, date(2026, 4, 7), "P-Bến Nghé", 5, "Cán bộ nhiệt tình, chu đáo", 12.5],
    [2, None, None, None, None, None],
    [3, date(1960, 1, 1), "P-Đa Kao", 1, "", Decimal("0.25")],
    [4, date(1582, 10, 15), "X", 3, "Phải chờ đợi lâu quá 😞", -3.0],
    [5, date(2099, 12, 31), "Y", None, "ngắn", 1e9],
]


def as_columns(rows: list[list[Any]], count: int) -> list[list[Any]]:
    """Lay rows out as a dataset's page: a list of values per variable."""
    return [[row[index] for row in rows] for index in range(count)]


def written(
    kind: str,
    variables: Sequence[Variable],
    rows: list[list[Any]],
    folder: Path,
    page: int = 2,
) -> tuple[pd.DataFrame, Any, Path]:
    """Write the rows with our writer, in pages, and read the file back."""
    pages = iter(
        [
            as_columns(rows[at : at + page], len(variables))
            for at in range(0, len(rows), page)
        ]
    )
    path = folder / f"ours.{kind}"
    with open(path, "wb") as out:
        WRITERS[kind](Dataset(tuple(variables), pages), out)
    frame, meta = READERS[kind](str(path))
    return frame, meta, path


def reference(
    kind: str, variables: Sequence[Variable], rows: list[list[Any]], folder: Path
) -> tuple[pd.DataFrame, Any]:
    """Write the rows with pyreadstat from a whole frame, and read it back."""
    path = folder / f"theirs.{kind}"
    page = as_columns(rows, len(variables))
    write_with_pyreadstat(Dataset(tuple(variables), iter([page])), kind, str(path))
    return READERS[kind](str(path))


def assert_as_pyreadstat(
    kind: str, variables: Sequence[Variable], rows: list[list[Any]], folder: Path
) -> pd.DataFrame:
    """Check our file reads back as pyreadstat's of the same rows."""
    got, meta, _ = written(kind, variables, rows, folder)
    want, want_meta = reference(kind, variables, rows, folder)
    # With no row, pyreadstat cannot tell the date is a date: only the names.
    pd.testing.assert_frame_equal(got, want, check_dtype=bool(rows))
    assert meta.column_names == want_meta.column_names
    assert meta.column_names_to_labels == want_meta.column_names_to_labels
    assert meta.variable_value_labels == want_meta.variable_value_labels
    assert meta.number_rows in (len(rows), None)
    return got


@KINDS
def test_vietnamese_values_labels_and_missing_read_as_pyreadstats(
    kind: str, tmp_path: Path
) -> None:
    got = assert_as_pyreadstat(kind, VARIABLES, ROWS, tmp_path)
    assert got["comment"][3] == "Phải chờ đợi lâu quá 😞"
    assert got["unit_code"][1] == "" and pd.isna(got["overall"][1])
    assert list(got[DATE_VARIABLE][[0, 2, 3]]) == [
        date(2026, 4, 7),
        date(1960, 1, 1),
        date(1582, 10, 15),
    ]
    assert pd.isna(got[DATE_VARIABLE][1])


@KINDS
def test_an_empty_export_has_its_variables_and_labels(
    kind: str, tmp_path: Path
) -> None:
    got = assert_as_pyreadstat(kind, VARIABLES, [], tmp_path)
    assert list(got.columns) == [v.name for v in VARIABLES] and got.empty


@KINDS
def test_long_texts_are_whole(kind: str, tmp_path: Path) -> None:
    """Past 255 bytes (SPSS segments) and 2,045 (a Stata strL), nothing is cut."""
    variables = (
        Variable("id", "id", True),
        Variable("comment", "Góp ý", False),
        Variable("address", "Địa chỉ", False),
    )
    rows = [
        [1, "ộ" * 800, "a" * 300],  # 2,400 bytes
        [2, "", "b" * 2046],
        [3, "x" * 252 + "ạ", ""],  # a character across a segment's end
        [4, None, "c" * 504],
    ]
    got = assert_as_pyreadstat(kind, variables, rows, tmp_path)
    assert list(got["comment"]) == ["ộ" * 800, "", "x" * 252 + "ạ", ""]
    assert list(got["address"]) == ["a" * 300, "b" * 2046, "", "c" * 504]


@KINDS
def test_a_date_questions_answers_stay_text(kind: str, tmp_path: Path) -> None:
    """A date question's column is kind "date" too, but its answers are text:
    only the date sent is written as days."""
    variables = (*VARIABLES, Variable("visit", "Ngày đến", False, kind="date"))
    rows = [
        [*row, text]
        for row, text in zip(
            ROWS, ["2026-04-01", None, "", "01/04/2026", "x"], strict=True
        )
    ]
    got = assert_as_pyreadstat(kind, variables, rows, tmp_path)
    assert list(got["visit"]) == ["2026-04-01", "", "", "01/04/2026", "x"]
    assert got[DATE_VARIABLE][0] == date(2026, 4, 7)


@KINDS
def test_a_variable_all_missing(kind: str, tmp_path: Path) -> None:
    variables = (*VARIABLES, Variable("never", "Không ai trả lời", True, RATING),
                 Variable("blank", "Trống", False))  # fmt: skip
    rows = [[*row, None, None] for row in ROWS]
    got = assert_as_pyreadstat(kind, variables, rows, tmp_path)
    assert got["never"].isna().all() and set(got["blank"]) == {""}


@KINDS
def test_many_value_labels(kind: str, tmp_path: Path) -> None:
    labels = {n: f"Phường số {n} của quận Hải Châu" for n in range(-5, 995)}
    variables = (Variable("ward", "Phường", True, labels),)
    rows = [[n] for n in (-5, 0, 994, 12, None)]
    assert_as_pyreadstat(kind, variables, rows, tmp_path)


@KINDS
def test_long_names_alike_in_their_first_eight_characters(
    kind: str, tmp_path: Path
) -> None:
    names = [
        "satisfaction_staff",
        "satisfaction_waiting",
        "SATISFACTION_w",
        "satisfac",
        "by",
        "to_be_long_" + "x" * 21,
    ]
    variables = [Variable(name, f"Câu {name}", True) for name in names]
    variables += [Variable("reasons__waiting_for_the_counter", "Lý do", False)]
    rows = [[float(n), n * 2, n * 3, None, 1, -n, "ờ" * n] for n in range(1, 8)]
    got = assert_as_pyreadstat(kind, variables, rows, tmp_path)
    assert list(got.columns) == [v.name for v in variables]


def test_spss_labels_are_cut_on_a_character(tmp_path: Path) -> None:
    """SPSS holds 256 bytes of a variable label, 120 of a value label."""
    label, value_label = "Ông/Bà " * 60, "Rất hài lòng " * 20
    variables = (Variable("overall", label, True, {5: value_label}),)
    _, meta, _ = written("sav", variables, [[5]], tmp_path)
    got = meta.column_names_to_labels["overall"]
    assert label.startswith(got) and len(got.encode()) <= LABEL_MAX
    assert len((label[: len(got) + 1]).encode()) > LABEL_MAX
    shown = meta.variable_value_labels["overall"][5]
    assert value_label.startswith(shown) and len(shown.encode()) <= VALUE_LABEL_MAX
    assert len((value_label[: len(shown) + 1]).encode()) > VALUE_LABEL_MAX


def test_spss_text_past_its_limit_is_cut_on_a_character(tmp_path: Path) -> None:
    text = "ộ" * 12000  # 36,000 bytes
    variables = (Variable("comment", "Góp ý", False),)
    frame, _, _ = written("sav", variables, [[text], ["ngắn"]], tmp_path)
    assert frame["comment"][0] == "ộ" * (STRING_MAX // 3)
    assert frame["comment"][1] == "ngắn"


def test_stata_labels_are_cut_to_80_characters(tmp_path: Path) -> None:
    label = "Ông/Bà có hài lòng với cách cán bộ hướng dẫn hồ sơ hay không? " * 3
    variables = (Variable("overall", label, True, RATING),)
    _, meta, _ = written("dta", variables, [[5]], tmp_path)
    assert meta.column_names_to_labels["overall"] == label[:LABEL_CHARACTERS]


def test_pandas_reads_our_stata_file_as_pyreadstat_does(tmp_path: Path) -> None:
    """pandas' Stata reader is not ReadStat: a second, independent reading."""
    variables = (*VARIABLES, Variable("long", "Dài", False))
    rows = [[*row, "ư" * (700 + n)] for n, row in enumerate(ROWS)]
    got, _, path = written("dta", variables, rows, tmp_path)
    with pd.io.stata.StataReader(path) as reader:
        frame = reader.read(convert_categoricals=False, convert_missing=False)
        labels, value_labels = reader.variable_labels(), reader.value_labels()
    assert labels == {v.name: v.label for v in variables}
    assert value_labels == {"overall": RATING}
    for variable in variables:
        ours, theirs = got[variable.name], frame[variable.name]
        if variable.holds_days:
            theirs = [None if pd.isna(day) else day.date() for day in theirs]
            ours = [None if pd.isna(day) else day for day in ours]
            assert ours == theirs
        elif variable.numeric:
            pd.testing.assert_series_equal(ours, theirs, check_dtype=False)
        else:
            assert list(ours) == list(theirs)


@KINDS
def test_memory_stays_flat_as_the_rows_grow(kind: str, tmp_path: Path) -> None:
    """Ten times the rows, read a page at a time, do not take ten times the memory."""

    def peak(count: int) -> int:
        def pages() -> Iterator[list[list[Any]]]:
            for start in range(0, count, 500):
                rows = [
                    [n, date(2026, 4, 7), f"P{n % 300}", n % 5 + 1, "Góp ý " * 3, 1.5]
                    for n in range(start, min(start + 500, count))
                ]
                yield as_columns(rows, len(VARIABLES))

        tracemalloc.start()
        try:
            with open(tmp_path / f"{count}.{kind}", "wb") as out:
                WRITERS[kind](Dataset(VARIABLES, pages()), out)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(2_000), peak(20_000)
    assert large < 1.5 * small, (small, large)
