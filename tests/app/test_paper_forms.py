"""Paper forms of a questionnaire, read back from the PDF: numbers, codes, skips."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask

import surveys
from app import create_app
from app.official_document import Issuer
from app.paper_form_pdf import PrintedForm, paper_forms_pdf
from app.printing import qr_png
from surveys.models import UnitKind
from surveys.questionnaire import Questionnaire, build_questionnaire
from tests.app.pdf_reading import Page, read_pages
from tests.app.test_printing import pdf_modules, png_modules
from tests.builders import household
from tests.conftest import SHARED_DATA
from tests.surveys.questionnaire.test_real_xlsforms import LOADS
from tests.visual import assert_matches_reference, pdf_page_images

ROOT = Path(__file__).resolve().parents[2]
#: Every definition the app ships, and the fixtures the tests load.
DEFINITIONS = [
    *sorted((ROOT / "surveys" / "definitions").glob("*.yaml")),
    ROOT / "tests" / "data" / "household.yaml",
    *sorted((ROOT / "tests" / "surveys" / "questionnaire" / "data").glob("*.*")),
]
WORKBOOKS = [SHARED_DATA / "xlsform" / name for name in sorted(LOADS)]
ISSUER = Issuer(
    name="Phường Bến Nghé",
    kind=UnitKind.WARD,
    place="Quận 1",
    code="BN",
    parent_name="Quận 1",
    parent_kind=UnitKind.DISTRICT,
)
DAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The app for its catalogues only: printing reads no database."""
    folder = tmp_path_factory.mktemp("paper")
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"sqlite:///{folder / 'unused.db'}",
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )


def forms(count: int) -> list[PrintedForm]:
    return [
        PrintedForm(f"{n:06d}", f"ABCDE{n:05d}", f"https://hailong.test/s/ABCDE{n:05d}")
        for n in range(1, count + 1)
    ]


def printed(
    app: Flask, questionnaire: Questionnaire, count: int = 2, language: str = "vi"
) -> list[Page]:
    with app.app_context():
        pdf = paper_forms_pdf(
            questionnaire,
            ISSUER,
            "Khảo sát 2026",
            forms(count),
            language,
            printed_on=DAY,
        )
    return read_pages(pdf)


def by_form(pages: list[Page], count: int) -> list[list[Page]]:
    """Split the pages by the form number their footer shows."""
    return [
        [page for page in pages if f"Phiếu số: {n:06d}" in page.strings]
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("path", [*DEFINITIONS, *WORKBOOKS], ids=lambda p: p.name)
def test_every_form_prints_numbered_and_paged(app: Flask, path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not here (shared data)")
    questionnaire = surveys.load_definition(path)
    pages = printed(app, questionnaire)
    first, second = by_form(pages, 2)
    assert len(first) == len(second) >= 1
    assert len(first) + len(second) == len(pages)
    for form in (first, second):
        for index, page in enumerate(form, 1):
            assert f"Trang {index}/{len(form)}" in page.strings
    text = " ".join(page.text for page in first)
    assert "Câu 1." in text


def test_questions_codes_and_skips_are_on_the_papi_form(app: Flask) -> None:
    papi = surveys.load_definition(ROOT / "surveys" / "definitions" / "papi.yaml")
    pages = printed(app, papi, count=1)
    text = " ".join(page.text for page in pages)
    assert "Câu 13. Trong 12 tháng qua" in text
    assert "Câu 34." in text and "Câu 35." not in text
    assert "→ Nếu chọn “Không”, chuyển sang câu 18." in text
    assert "Chỉ trả lời nếu câu 13 chọn “Có”." in text
    # Each option's code beside its box, then its label.
    strings = [s for page in pages for s in page.strings]
    yes = strings.index("Có")
    assert strings[yes - 1] == "1" and strings[yes + 1 : yes + 3] == ["2", "Không"]
    # The household roster: a table of five rows with its codes' legend.
    assert "1 = Nam; 2 = Nữ; 3 = Khác" in text
    roster = strings[strings.index("STT") :]
    assert [s for s in roster if s.isdigit()][:5] == ["1", "2", "3", "4", "5"]
    # A household may have up to 30 members: the rest go on the back.
    continued = "Nếu có hơn 5 dòng, ghi tiếp ở mặt sau tờ phiếu, đánh số dòng 6, 7, …"
    assert continued in text
    assert text.index("Câu 34.") < text.index(continued)


def test_a_roster_with_no_count_prints_no_continuation(app: Flask) -> None:
    free = printed(app, household(counted=False), count=1)
    counted = printed(app, household(), count=1)
    assert "ghi tiếp ở mặt sau" not in " ".join(page.text for page in free)
    assert "ghi tiếp ở mặt sau" in " ".join(page.text for page in counted)


def test_each_page_carries_its_forms_qr_code(app: Flask) -> None:
    counter = surveys.load_definition(ROOT / "surveys" / "definitions" / "sipas.yaml")
    pages = printed(app, counter, count=2)
    first, second = by_form(pages, 2)
    for form, url in zip((first, second), (f.url for f in forms(2)), strict=True):
        for page in form:
            assert pdf_modules(page.rects) == png_modules(qr_png(url))
            assert any(s.startswith("Mã phiếu: ABCDE-") for s in page.strings)


def test_a_form_prints_in_english(app: Flask) -> None:
    papi = surveys.load_definition(ROOT / "surveys" / "definitions" / "papi.yaml")
    pages = printed(app, papi, count=1, language="en")
    text = " ".join(page.text for page in pages)
    assert "Form no.: 000001" in text and "Q13. In the past 12 months" in text
    assert "→ If “No”, go to question 18." in text
    assert "Answer only if question 13 is “Yes”." in text
    assert (
        "If there are more than 5 rows, continue on the back of the sheet,"
        " numbering the rows 6, 7, …" in text
    )


def test_a_long_option_list_is_written_in(app: Flask) -> None:
    many = [{"name": f"c{n}", "label": {"vi": f"Xã {n}"}} for n in range(1, 42)]
    few = many[:3]
    questionnaire = build_questionnaire(
        {
            "key": "long_list",
            "version": "1",
            "title": {"vi": "Phiếu"},
            "languages": ["vi"],
            "questions": [
                {"name": n, "type": "select_one", "choices": n, "label": {"vi": n}}
                for n in ("many", "few")
            ],
            "choices": {"many": many, "few": few},
        }
    )
    text = " ".join(page.text for page in printed(app, questionnaire, count=1))
    assert text.count("Nhiều phương án: ghi câu trả lời") == 1
    assert "Xã 3" in text and "Xã 4" not in text


def test_an_empty_batch_is_refused(app: Flask) -> None:
    counter = surveys.load_definition(ROOT / "surveys" / "definitions" / "counter.yaml")
    with app.app_context(), pytest.raises(ValueError, match="at least one form"):
        paper_forms_pdf(counter, ISSUER, "Khảo sát", [], "vi")


def test_the_first_page_of_a_small_form_looks_as_checked(app: Flask) -> None:
    counter = surveys.load_definition(ROOT / "surveys" / "definitions" / "counter.yaml")
    with app.app_context():
        pdf = paper_forms_pdf(
            counter, ISSUER, "Khảo sát 2026", forms(1), "vi", printed_on=DAY
        )
    assert_matches_reference(pdf_page_images(pdf)[0], "paper-form-counter")
