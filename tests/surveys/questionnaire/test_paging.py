"""Pages: one per top-level section, loose questions together, skipped pages hidden."""

from __future__ import annotations

from surveys.questionnaire.paging import pages, shown_pages
from surveys.questionnaire.versions import shipped_template


def test_a_questionnaire_without_sections_is_one_page() -> None:
    counter = shipped_template("counter")
    assert len(pages(counter)) == 1
    assert pages(counter)[0].question_names == {q.name for q in counter.questions}


def test_each_section_is_a_page_and_loose_questions_share_one() -> None:
    sipas = shipped_template("sipas")
    layout = [[item.name for item in page.items] for page in pages(sipas)]
    assert layout[:5] == [
        ["service"],
        ["access"],
        ["procedures"],
        ["officials"],
        ["results"],
    ]
    assert ["gave_feedback"] in layout
    assert ["overall", "improve"] in layout
    assert pages(sipas)[1].title["vi"]


def test_a_page_whose_items_are_all_skipped_is_not_shown() -> None:
    sipas = shipped_template("sipas")
    feedback = next(
        index
        for index, page in enumerate(pages(sipas))
        if [item.name for item in page.items] == ["feedback"]
    )
    gave, did_not = (
        shown_pages(sipas, {"gave_feedback": answer}) for answer in ("yes", "no")
    )
    assert feedback in gave
    assert feedback not in did_not
    assert len(gave) == len(did_not) + 1
