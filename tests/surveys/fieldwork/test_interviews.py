"""Checking an interview before it is stored: what its content hash covers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from surveys.access.codes import SampleDesign
from surveys.fieldwork.enumerators import FieldForm
from surveys.fieldwork.instances import read_instance
from surveys.fieldwork.interviews import check_interview
from surveys.questionnaire.schema import build_questionnaire

CLOCKED = build_questionnaire(
    {
        "key": "clocked",
        "version": "1",
        "title": {"vi": "Giờ"},
        "languages": ["vi"],
        "questions": [
            {"name": "size", "type": "integer", "label": {"vi": "Số người"}},
            {"name": "today", "type": "today"},
            {"name": "stamp", "type": "calculate", "calculation": "once(now())"},
        ],
    }
)
FORM = FieldForm(
    "hailong-c1-u1", 1, "Khảo sát", "interviewer", date(2026, 1, 1), None, 1,
    "Phường", 1, 1, CLOCKED.checksum, SampleDesign(),
)  # fmt: skip
INSTANCE = read_instance(
    b'<data id="hailong-c1-u1" version="1"><size>4</size><today/><stamp/>'
    b"<meta><instanceID>uuid:7</instanceID></meta></data>"
)


def test_a_resend_hours_later_has_the_same_content() -> None:
    """The hash covers what the client sent: a resend the next day, whose
    ``once(now())`` and ``today`` the server would compute anew, is a replay,
    never a conflict."""
    sent = datetime(2026, 12, 6, 16, 59, tzinfo=UTC)
    first = check_interview(FORM, CLOCKED, INSTANCE, sent)
    again = check_interview(FORM, CLOCKED, INSTANCE, sent + timedelta(hours=2))
    assert first.values["stamp"] != again.values["stamp"]
    assert first.values["today"] == date(2026, 12, 6)  # 23:59 in Vietnam
    assert again.values["today"] == date(2026, 12, 7)
    assert first.digest == again.digest
