"""Paper forms by the batch: seconds and memory for N numbered forms in one PDF.

Two questionnaires: the shipped definition with the most printed questions,
and a synthetic 40-question form (ratings, single and multiple choices with
skips, numbers, dates, text). For each, ``paper_forms_pdf`` prints one form
(the layout is worked out then: its wording, wrapping and page breaks) and
``--forms`` forms (the layout reused, each form drawn with its number and QR
code). The bare baseline draws, with fpdf2 alone, as many pages holding only
what differs between forms (the footer's number and QR code): the least any
batch costs. Peak memory by tracemalloc, in a run of its own.

Run from the repository root::

    python bench/bench_paper_forms.py --forms 200
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import surveys  # noqa: E402
from app import create_app  # noqa: E402
from app.official_document import Issuer, official_document  # noqa: E402
from app.paper_form_pdf import PrintedForm, paper_forms_pdf  # noqa: E402
from app.printing import draw_qr  # noqa: E402
from surveys.models import UnitKind  # noqa: E402
from surveys.questionnaire import Questionnaire, build_questionnaire  # noqa: E402
from surveys.questionnaire.skip_words import printed_numbers  # noqa: E402

ISSUER = Issuer("Phường Bến Nghé", UnitKind.WARD, "Quận 1", "BN", "Quận 1", "district")
MIB = 1024 * 1024
PAGE = re.compile(rb"/Type /Page\b(?!s)")


def forty_questions() -> Questionnaire:
    """Build a 40-question form with the kinds of question paper forms ask."""
    kinds = (
        ["rating"] * 12
        + ["select_one:agree"] * 10
        + ["select_one:yes_no"] * 6
        + ["select_multiple:channels"] * 3
        + ["integer"] * 4
        + ["date"] * 2
        + ["text"] * 3
    )
    questions = []
    for number, kind in enumerate(kinds, 1):
        question = {
            "name": f"q{number}",
            "type": kind.split(":")[0],
            "label": {"vi": f"Nội dung câu hỏi số {number} về dịch vụ hành chính công"},
        }
        if ":" in kind:
            question["choices"] = kind.split(":")[1]
        if kind == "integer":
            question["constraint"] = ". >= 0 and . <= 999"
        previous = kinds[number - 2] if number > 1 else ""
        if previous == "select_one:yes_no":
            question["relevant"] = f"${{q{number - 1}}} = 'yes'"
        questions.append(question)
    labels = ["Rất không đồng ý", "Không đồng ý", "Phân vân", "Đồng ý", "Rất đồng ý"]
    return build_questionnaire(
        {
            "key": "forty",
            "version": "1",
            "title": {"vi": "Phiếu 40 câu hỏi"},
            "languages": ["vi"],
            "questions": questions,
            "choices": {
                "agree": [
                    {"name": str(n), "label": {"vi": label}}
                    for n, label in enumerate(labels, 1)
                ],
                "yes_no": [
                    {"name": "yes", "label": {"vi": "Có"}},
                    {"name": "no", "label": {"vi": "Không"}},
                ],
                "channels": [
                    {"name": name, "label": {"vi": label}}
                    for name, label in (
                        ("counter", "Tại quầy"),
                        ("online", "Trực tuyến"),
                        ("post", "Bưu chính"),
                        ("phone", "Điện thoại"),
                    )
                ],
            },
        }
    )


def longest_shipped() -> Questionnaire:
    """Return the shipped definition with the most printed questions."""
    loaded = [
        surveys.load_definition(path)
        for path in sorted((ROOT / "surveys" / "definitions").glob("*.yaml"))
    ]
    return max(loaded, key=lambda q: len(printed_numbers(q)))


def forms(count: int) -> list[PrintedForm]:
    return [
        PrintedForm(f"{n:06d}", f"ABCDE{n:05d}", f"https://hailong.test/s/ABCDE{n:05d}")
        for n in range(1, count + 1)
    ]


def ours(questionnaire: Questionnaire, count: int) -> bytes:
    return paper_forms_pdf(
        questionnaire,
        ISSUER,
        "Khảo sát 2026",
        forms(count),
        "vi",
        printed_on=date.today(),
    )


def bare(count: int, pages_per_form: int) -> bytes:
    """Draw only what differs between forms: a number and a QR code a page."""
    pdf = official_document("bare")
    pdf.set_auto_page_break(False)
    for form in forms(count):
        for page in range(pages_per_form):
            pdf.add_page()
            pdf.set_font("DejaVu", "", 11)
            pdf.text(30, 280, f"{form.number} {page + 1}/{pages_per_form}")
            draw_qr(pdf, form.url, 177, 269, 18)
    return bytes(pdf.output())


def measure(run: Callable[[], bytes]) -> tuple[float, float, float]:
    """Return seconds, MiB written and peak MiB (tracemalloc, a second run)."""
    start = time.perf_counter()
    output = run()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, len(output) / MIB, peak / MIB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=200)
    arguments = parser.parse_args()
    count = arguments.forms
    folder = Path(tempfile.mkdtemp(prefix="bench-paper-"))
    app = create_app(  # for the catalogues: printing reads no database
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder / 'unused.db'}",
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    print(
        f"{'questionnaire':<28} {'what':<16} {'pages':>6} {'s':>7} {'MiB':>6}"
        f" {'peak MiB':>9} {'x bare':>7}"
    )
    with app.app_context():
        for questionnaire in (longest_shipped(), forty_questions()):
            name = f"{questionnaire.key} ({len(printed_numbers(questionnaire))} q)"
            pages_per_form = len(PAGE.findall(ours(questionnaire, 1)))
            rows = [
                ("1 form", lambda q=questionnaire: ours(q, 1), pages_per_form),
                (
                    f"{count} forms",
                    lambda q=questionnaire: ours(q, count),
                    pages_per_form * count,
                ),
                (
                    "bare",
                    lambda p=pages_per_form: bare(count, p),
                    pages_per_form * count,
                ),
            ]
            bare_seconds = None
            results = []
            for what, run, page_count in rows:
                seconds, written, peak = measure(run)
                results.append((what, page_count, seconds, written, peak))
                if what == "bare":
                    bare_seconds = seconds
            for what, page_count, seconds, written, peak in results:
                ratio = seconds / bare_seconds if bare_seconds else float("nan")
                print(
                    f"{name:<28} {what:<16} {page_count:>6} {seconds:>7.2f}"
                    f" {written:>6.2f} {peak:>9.1f} {ratio:>7.2f}"
                )


if __name__ == "__main__":
    main()
