"""Every message exists in Vietnamese and English, and templates use only known keys."""

from __future__ import annotations

import re
from pathlib import Path

from app.i18n import catalogue
from surveys.models import UnitKind

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def test_every_message_has_every_language() -> None:
    for key, message in catalogue().items():
        assert message.vi.strip() and message.en.strip(), key
        assert message.vi != message.en or key == "app_name_short", key


def test_templates_ask_only_for_known_messages() -> None:
    used = {
        match
        for template in TEMPLATES.rglob("*.html")
        for match in re.findall(r'_\("([a-z0-9_]+)"[,)]', template.read_text())
    }
    assert used, "the pattern should find the templates' messages"
    assert used <= set(catalogue())


def test_every_unit_kind_has_a_name() -> None:
    # Templates build these keys as "kind_" ~ unit.kind.
    assert {f"kind_{kind.value}" for kind in UnitKind} <= set(catalogue())
