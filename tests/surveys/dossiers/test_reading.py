"""Reading exports row by row, in memory that does not grow with the file."""

from __future__ import annotations

import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from surveys.dossiers.calendar import WorkingCalendar
from surveys.dossiers.checking import RowChecker
from surveys.dossiers.columns import propose_mapping
from surveys.dossiers.reading import inspect_export, open_rows
from surveys.models import Base, Procedure, Unit

ROWS = 20_000
HEADER = (
    "Mã hồ sơ;Mã thủ tục;Tên thủ tục;Hình thức nộp;Ngày tiếp nhận;Ngày trả kết quả;"
    "Trạng thái;Người nộp;Địa chỉ\n"
)


def large_export(path: Path) -> Path:
    """Write an export of ``ROWS`` dossiers, each row some 600 bytes long."""
    address = "Số 1 đường Lê Lợi, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh; " * 7
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(HEADER)
        for n in range(ROWS):
            day = n % 28 + 1
            handle.write(
                f"HS-{n:06};1.001193;Đăng ký khai sinh;Trực tuyến;"
                f"{day:02}/03/2026 {n % 10 + 8:02}:{n % 60:02};"
                f"{day:02}/04/2026 10:00;Đã trả kết quả;Nguyễn Văn An;{address}\n"
            )
    return path


@pytest.mark.slow
def test_reading_and_checking_a_large_export_holds_little_memory(
    tmp_path: Path,
) -> None:
    # Memory, not a database, is under test: the models' tables in memory.
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    session = Session(engine)
    session.add(Procedure(code="1.001193", name="Khai sinh", processing_days=3))
    unit = Unit(code="p", name="Phường Thử", kind="ward")
    session.add(unit)
    session.flush()
    path = large_export(tmp_path / "lon.csv")
    size = path.stat().st_size
    assert size > 10_000_000
    layout = inspect_export(path)
    checker = RowChecker(
        session,
        unit=unit,
        headers=layout.headers,
        mapping=propose_mapping(layout.headers),
        calendar=WorkingCalendar(),
    )
    # The first working-day question loads the holidays package: before counting.
    assert not checker.calendar.is_working(date(2026, 1, 1))
    tracemalloc.start()
    try:
        good = 0
        with open_rows(path) as (_, rows):
            for _, cells in rows:
                values, problems = checker.check(cells)
                good += values is not None and not problems
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    session.close()
    engine.dispose()
    assert good == ROWS
    # The caches of days and names are bounded; no row is kept.
    assert peak < size / 5


def test_the_layout_says_the_delimiter_the_header_and_the_first_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "BÁO CÁO HỒ SƠ;;\n;;\n" + HEADER + "HS-1;1.001193;Khai sinh;Trực tuyến;"
        "02/03/2026;;Đang xử lý;An;Q1\n",
        encoding="utf-8",
    )
    layout = inspect_export(path)
    assert (layout.kind, layout.delimiter, layout.header_line) == ("csv", ";", 3)
    assert layout.headers[0] == "Mã hồ sơ"
    assert layout.samples == (
        ("HS-1", "1.001193", "Khai sinh", "Trực tuyến", "02/03/2026", "",
         "Đang xử lý", "An", "Q1"),
    )  # fmt: skip
