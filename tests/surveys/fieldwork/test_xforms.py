"""The XForm of a questionnaire: pyxform's, under the assignment's id and title."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from surveys.fieldwork.served_forms import NOT_CONVERTED, RUNTIME_CHOICES, FormNotServed
from surveys.fieldwork.xforms import build_xform
from surveys.questionnaire.schema import build_questionnaire
from surveys.questionnaire.versions import shipped_template

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"


def test_the_xform_carries_the_form_id_version_and_title() -> None:
    document = build_xform(shipped_template("papi"), "hailong-c1-u2", "3", "PAPI — P1")
    root = ET.fromstring(document.xml)
    data = root.find(f"{H}head/{XF}model/{XF}instance/{XF}data")
    assert data is not None
    assert (data.get("id"), data.get("version")) == ("hailong-c1-u2", "3")
    assert root.findtext(f"{H}head/{H}title") == "PAPI — P1"
    again = build_xform(shipped_template("papi"), "hailong-c1-u2", "3", "PAPI — P1")
    assert again.md5 == document.md5 and document.files == ()


def test_a_counter_form_with_run_time_choices_is_not_served() -> None:
    with pytest.raises(FormNotServed) as refused:
        build_xform(shipped_template("counter"), "hailong-c1-u2", "1", "Quầy")
    assert refused.value.message == RUNTIME_CHOICES


def test_a_form_pyxform_refuses_is_not_served_and_says_why() -> None:
    reserved = build_questionnaire(
        {
            "key": "reserved",
            "title": {"vi": "Tên dành riêng"},
            "languages": ["vi"],
            "questions": [{"name": "meta", "type": "text", "label": {"vi": "Meta"}}],
        }
    )
    with pytest.raises(FormNotServed) as refused:
        build_xform(reserved, "hailong-c1-u1", "1", "Thử")
    assert refused.value.message.msgid == NOT_CONVERTED
    assert "meta" in str(refused.value.message.params["reason"])


def test_the_papi_roster_is_served_as_a_repeat_counted_by_the_household_size() -> None:
    document = build_xform(shipped_template("papi"), "hailong-c1-u2", "3", "PAPI")
    root = ET.fromstring(document.xml)
    (repeat,) = root.iter(f"{XF}repeat")
    assert repeat.get("nodeset") == "/data/members"
    count = repeat.get("{http://openrosa.org/javarosa}count") or ""
    assert count.strip() == "/data/profile/household_size"
