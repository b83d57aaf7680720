"""Reading submitted instances: the forms clients write, and what is refused."""

from __future__ import annotations

import pytest

from surveys.fieldwork.instances import (
    EDITED,
    ENCRYPTED,
    NO_FORM_ID,
    NO_INSTANCE_ID,
    NOT_XML,
    InstanceRefused,
    read_instance,
)
from surveys.questionnaire.schema import build_questionnaire

QUESTIONNAIRE = build_questionnaire(
    {
        "key": "k",
        "title": {"vi": "T"},
        "languages": ["vi"],
        "questions": [
            {"name": "g", "type": "section", "label": {"vi": "G"}, "questions": [
                {"name": "many", "type": "select_multiple", "choices": "c",
                 "label": {"vi": "M"}},
                {"name": "n", "type": "integer", "label": {"vi": "N"}},
            ]},
            {"name": "note", "type": "text", "label": {"vi": "T"}},
        ],
        "choices": {"c": [{"name": "a", "label": {"vi": "A"}},
                          {"name": "b", "label": {"vi": "B"}}]},
    }
)  # fmt: skip


def test_a_namespaced_instance_with_orx_meta_reads_as_raw_answers() -> None:
    # Enketo keeps the XForms namespace and writes the meta block as orx:meta.
    xml = (
        '<data xmlns="http://www.w3.org/2002/xforms" xmlns:orx="http://openrosa.org/xforms"'
        ' id="hailong-c1-u2" version="3"><g><many> a  b </many><n/></g><note>Xin chào'
        "</note><orx:meta><orx:instanceID>uuid:1</orx:instanceID></orx:meta></data>"
    ).encode()
    instance = read_instance(xml)
    assert (instance.form_id, instance.version, instance.instance_id) == (
        "hailong-c1-u2",
        "3",
        "uuid:1",
    )
    assert instance.answers(QUESTIONNAIRE) == {
        "many": ["a", "b"],
        "n": None,
        "note": "Xin chào",
    }


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (b"", NOT_XML),
        (b"<data id='f'><meta><instanceID>uuid:1</instanceID></meta>", NOT_XML),
        (
            b'<!DOCTYPE data [<!ENTITY a "aaaa">]><data id="f">&a;</data>',
            NOT_XML,
        ),
        (
            b"<data id='f'><meta><instanceID> </instanceID></meta></data>",
            NO_INSTANCE_ID,
        ),
        (b"<data><meta><instanceID>uuid:1</instanceID></meta></data>", NO_FORM_ID),
        (
            b"<data id='f' encrypted='yes'>"
            b"<meta><instanceID>u</instanceID></meta></data>",
            ENCRYPTED,
        ),
        (
            b"<data id='f'><meta><instanceID>u</instanceID>"
            b"<deprecatedID>v</deprecatedID></meta></data>",
            EDITED,
        ),
    ],
)
def test_what_cannot_be_an_interview_is_refused_by_name(
    xml: bytes, reason: object
) -> None:
    with pytest.raises(InstanceRefused) as refused:
        read_instance(xml)
    assert refused.value.message == reason


def test_an_element_twice_that_is_no_repeat_is_refused_naming_it() -> None:
    xml = (
        b"<data id='f'><g><n>1</n></g><g><n>2</n></g>"
        b"<meta><instanceID>u</instanceID></meta></data>"
    )
    with pytest.raises(InstanceRefused) as refused:
        read_instance(xml).answers(QUESTIONNAIRE)
    assert refused.value.message.params == {"name": "g"}


ROSTER = build_questionnaire(
    {
        "key": "r",
        "title": {"vi": "R"},
        "languages": ["vi"],
        "questions": [
            {"name": "hh", "type": "section", "label": {"vi": "Hộ"}, "questions": [
                {"name": "size", "type": "integer", "label": {"vi": "S"}},
                {"name": "members", "type": "repeat", "label": {"vi": "TV"},
                 "questions": [
                    {"name": "age", "type": "integer", "label": {"vi": "A"}},
                    {"name": "work", "type": "section", "label": {"vi": "W"},
                     "questions": [
                        {"name": "jobs", "type": "select_multiple",
                         "choices": "c", "label": {"vi": "J"}},
                     ]},
                 ]},
            ]},
            {"name": "note", "type": "text", "label": {"vi": "T"}},
        ],
        "choices": {"c": [{"name": "a", "label": {"vi": "A"}},
                          {"name": "b", "label": {"vi": "B"}}]},
    }
)  # fmt: skip


def test_a_repeats_elements_are_its_rows_in_order_at_their_group_path() -> None:
    # /data/hh/members[i]/work/jobs; a template row some clients keep is skipped,
    # a row's group left out (not relevant) is blank.
    xml = (
        b"<data xmlns:jr='http://openrosa.org/javarosa' id='f'><hh><size>3</size>"
        b"<members jr:template=''><age/><work><jobs/></work></members>"
        b"<members><age>34</age><work><jobs>a b</jobs></work></members>"
        b"<members><age>7</age></members>"
        b"<members><age/><work><jobs/></work></members>"
        b"</hh><note>x</note><meta><instanceID>u</instanceID></meta></data>"
    )
    assert read_instance(xml).answers(ROSTER) == {
        "size": "3",
        "members": [
            {"age": "34", "jobs": ["a", "b"]},
            {"age": "7", "jobs": []},
            {"age": None, "jobs": []},
        ],
        "note": "x",
    }


def test_a_repeat_left_out_has_no_rows() -> None:
    xml = b"<data id='f'><hh><size/></hh><meta><instanceID>u</instanceID></meta></data>"
    assert read_instance(xml).answers(ROSTER) == {
        "size": None,
        "members": [],
        "note": None,
    }
