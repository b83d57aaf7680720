"""Keying the 40-question paper form by keyboard alone, in a real Chromium.

Shared by the browser test (``test_paper_entry.py``) and the benchmark
(``bench/bench_paper_entry.py``): the desk (a ward, a campaign, a batch of
numbered forms, clerks who may key), the answers of one form as a clerk
types them, and the keystrokes themselves, counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

import surveys
from surveys.models import Role
from surveys.paper.batches import create_batch
from surveys.paper.form_numbers import format_number
from surveys.questionnaire import Questionnaire
from surveys.questionnaire.versions import store_questionnaire
from tests.builders import make_campaign, make_unit, make_user
from tests.e2e.conftest import screenshot

FORTY = Path(__file__).resolve().parents[1] / "data" / "paper_forty.yaml"

#: One form's answers as typed, by question; a question left out is skipped
#: by the form's own logic (q28 "Không" skips q29) and never reached.
TYPED = {
    **{f"q{n}": str(1 + n % 5) for n in range(1, 13)},
    **{f"q{n}": str(1 + (n * 2) % 5) for n in range(13, 23)},
    **{f"q{n}": "1" for n in range(23, 28)},
    "q28": "2",
    "q30": "1 3",
    "q31": "2",
    "q32": "35",
    "q33": "120",
    "q34": "7",
    "q35": "0",
    "q36": "01062026",
    "q37": "15112026",
    "q38": "tot",
    "q39": "",
    "q40": "nhanh",
}


@dataclass(frozen=True)
class Desk:
    """A batch of forms to key and the usernames of the users who key them."""

    numbers: tuple[str, ...]
    clerks: tuple[str, ...]


def make_desk(
    session: Session,
    forms: int = 1,
    clerks: int = 3,
    questionnaire: Questionnaire | None = None,
) -> Desk:
    """Store a campaign of ``questionnaire`` (the 40-question form unless
    given), a batch and its clerks (unit managers: the role that keys); commits."""
    definition = questionnaire or surveys.load_definition(FORTY)
    stored = store_questionnaire(session, definition).stored
    unit = make_unit(session, name="Phường Nhập Liệu")
    campaign = make_campaign(
        session, unit=unit, questionnaire=stored, mode="invitation", ends_on=None
    )
    users = [make_user(session, unit, role=Role.UNIT_MANAGER) for _ in range(clerks)]
    batch = create_batch(session, users[-1], campaign, unit, forms)
    session.commit()
    numbers = tuple(format_number(form.number) for form in batch.forms)
    return Desk(numbers, tuple(user.username for user in users))


def box(page: Page, key: str) -> Locator:
    """The box of a question (``age[7]`` in a roster's seventh row)."""
    return page.locator(f"[id='q-{key}']")


def key_form(
    page: Page, number: str, typed: dict[str, str] = TYPED, *, wait: bool = True
) -> int:
    """Key one form from the number box, by keyboard only; return the keystrokes.

    Each answer is typed then left with Tab, the last with Enter (which
    saves). With ``wait`` the box that should have the cursor next is awaited
    before typing into it; without, the keys go as fast as the browser takes
    them, and the page must keep those typed while it asks the server.
    """
    keys = 0
    expect(page.locator("#number")).to_be_focused()
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    keys += len(number) + 1
    names = list(typed)
    expect(box(page, names[0])).to_be_focused()
    for position, name in enumerate(names):
        if wait:
            expect(box(page, name)).to_be_focused()
        page.keyboard.type(typed[name])
        last = position == len(names) - 1
        page.keyboard.press("Enter" if last else "Tab")
        keys += len(typed[name]) + 1
    expect(page.get_by_text(f"Đã lưu phiếu {number}.")).to_be_visible()
    expect(page.locator("#number")).to_be_focused()
    return keys


def settle_with_first(
    page: Page, number: str, first: str, second: str, shot: str | None = None
) -> None:
    """On a form's reconciling page, see its one difference (the first entry
    showing ``first``, the second ``second``), take entry 1 and confirm; with
    ``shot``, keep a screenshot of the page so chosen under that name."""
    differs = page.locator(".differs")
    expect(differs).to_have_count(1)
    expect(differs).to_contain_text(first)
    expect(differs).to_contain_text(second)
    differs.get_by_label("Lần nhập 1", exact=False).check()
    if shot is not None:
        screenshot(page, shot)
    page.get_by_role("button", name="Xác nhận và ghi nhận phiếu").click()
    expect(
        page.get_by_text(f"Đã ghi nhận phiếu {number} thành câu trả lời.")
    ).to_be_visible()
