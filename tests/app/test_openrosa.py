"""The OpenRosa server, end to end, as ODK Collect speaks to it.

Every submission is built the way the OpenRosa Form Submission API shows it: a
multipart/form-data body whose ``xml_submission_file`` part is the instance,
and the instance is made from the primary ``<instance>`` of the XForm the
server sent (``fill``), so these tests break when our XForm and our reading of
instances disagree. Both databases (the ``backend`` fixture).
"""

from __future__ import annotations

import io
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from surveys.access.codes import SampleDesign
from surveys.fieldwork.enumerators import assign, create_enumerator, revoke_enumerator
from surveys.models import (
    Answer,
    AuditEvent,
    Campaign,
    CampaignMode,
    Response,
    Unit,
    UnitKind,
)
from surveys.questionnaire import Questionnaire
from surveys.questionnaire.model import DataFile
from surveys.questionnaire.schema import build_questionnaire
from surveys.questionnaire.versions import store_questionnaire
from tests.builders import make_unit

XF = "{http://www.w3.org/2002/xforms}"
LIST = "{http://openrosa.org/xforms/xformsList}"
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"
RESPONSE = "{http://openrosa.org/http/response}"
WARDS = DataFile(("name", "label"), (("p1", "Phường Bến Nghé"), ("p2", "Đa Kao")))


def household() -> Questionnaire:
    """A small household questionnaire with a group, a CSV, and every answer kind."""
    return build_questionnaire(
        {
            "key": f"hh-{uuid.uuid4().hex[:6]}",
            "version": "1",
            "title": {"vi": "Khảo sát hộ gia đình"},
            "languages": ["vi"],
            "questions": [
                {
                    "name": "household",
                    "type": "section",
                    "label": {"vi": "Hộ"},
                    "questions": [
                        {"name": "trust", "type": "rating", "required": True,
                         "label": {"vi": "Tin tưởng"}},
                        {"name": "services", "type": "select_multiple",
                         "choices": "services", "label": {"vi": "Dịch vụ"}},
                        {"name": "size", "type": "integer", "constraint": ". <= 30",
                         "label": {"vi": "Số người"}},
                    ],
                },
                {"name": "comment", "type": "text", "label": {"vi": "Ý kiến"}},
            ],
            "choices": {
                "services": [
                    {"name": "school", "label": {"vi": "Trường"}},
                    {"name": "clinic", "label": {"vi": "Trạm y tế"}},
                ]
            },
            "files": {
                "wards.csv": {
                    "columns": list(WARDS.columns),
                    "rows": [list(row) for row in WARDS.rows],
                }
            },
        }
    )  # fmt: skip


@dataclass
class Field:
    district: Unit
    ward: Unit
    other_ward: Unit
    campaign: Campaign
    other_campaign: Campaign
    key: str
    form_id: str


@pytest.fixture
def field(db_session: Session) -> Field:
    district = make_unit(db_session, name="Quận Thực Địa", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, name="Phường Một")
    other_ward = make_unit(db_session, district, name="Phường Hai")
    stored = store_questionnaire(db_session, household()).stored
    campaigns = [
        Campaign(
            key=f"papi-{uuid.uuid4().hex[:6]}",
            name=name,
            questionnaire=stored,
            unit=district,
            mode=CampaignMode.INTERVIEWER,
            starts_on=date(2026, 1, 1),
        )
        for name in ("Khảo sát hộ 2026", "Khảo sát khác")
    ]
    db_session.add_all(campaigns)
    db_session.flush()
    enumerator, key = create_enumerator(db_session, None, district, "Nguyễn Văn Đếm")
    design = SampleDesign(stratum="urban", cluster="kp3", weight=125.5)
    assign(db_session, None, enumerator, campaigns[0], ward, design)
    db_session.commit()
    form_id = f"hailong-c{campaigns[0].id}-u{ward.id}"
    return Field(district, ward, other_ward, *campaigns, key, form_id)


def base(field: Field) -> str:
    return f"/openrosa/key/{field.key}"


def xml(answer: TestResponse) -> ET.Element:
    return ET.fromstring(answer.get_data())


def openrosa_headers(answer: TestResponse) -> None:
    assert answer.headers["X-OpenRosa-Version"] == "1.0"
    assert answer.headers["Date"].endswith("GMT")


def download(client: FlaskClient, field: Field) -> bytes:
    answer = client.get(f"{base(field)}/forms/{field.form_id}/form.xml")
    assert answer.status_code == 200
    return answer.get_data()


def fill(xform: bytes, values: dict[str, str], instance_id: str) -> bytes:
    """Fill the XForm's primary instance as a client does, and serialise it."""
    model = ET.fromstring(xform).find(f".//{XF}model")
    assert model is not None
    instance = model.find(f"{XF}instance")
    assert instance is not None
    root = instance[0]
    for element in root.iter():
        name = element.tag.removeprefix(XF)
        element.tag = name
        if name in values:
            element.text = values[name]
        if name == "instanceID":
            element.text = instance_id
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def submit(
    client: FlaskClient, field: Field, instance: bytes, **parts: bytes
) -> TestResponse:
    """POST the multipart body the Form Submission API shows: the instance in
    ``xml_submission_file`` (text/xml), then any other parts."""
    files = {
        "xml_submission_file": FileStorage(
            io.BytesIO(instance), "interview.xml", content_type="text/xml"
        )
    }
    for name, content in parts.items():
        files[name] = FileStorage(io.BytesIO(content), name)
    boundary, body = encode_multipart(files)
    return client.post(
        f"{base(field)}/submission",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def message(answer: TestResponse) -> str:
    found = xml(answer).find(f"{RESPONSE}message")
    assert found is not None and found.text
    return found.text


def responses(session: Session, campaign: Campaign) -> list[Response]:
    session.expire_all()
    return list(
        session.scalars(select(Response).where(Response.campaign_id == campaign.id))
    )


GOOD = {"trust": "4", "services": "school clinic", "size": "5", "comment": "Tốt"}


def test_the_form_list_shows_only_the_enumerators_assignments(
    client: FlaskClient, field: Field
) -> None:
    answer = client.get(f"{base(field)}/formList")
    assert answer.status_code == 200
    assert answer.content_type == "text/xml; charset=utf-8"
    openrosa_headers(answer)
    forms = xml(answer).findall(f"{LIST}xform")
    assert [form.findtext(f"{LIST}formID") for form in forms] == [field.form_id]
    (form,) = forms
    assert form.findtext(f"{LIST}name") == "Khảo sát hộ 2026 — Phường Một"
    assert form.findtext(f"{LIST}version") == "1"
    xform = client.get(form.findtext(f"{LIST}downloadUrl") or "").get_data()
    assert form.findtext(f"{LIST}hash") == f"md5:{hashlib_md5(xform)}"
    data = ET.fromstring(xform).find(f".//{XF}instance/{XF}data")
    assert data is not None
    assert (data.get("id"), data.get("version")) == (field.form_id, "1")
    assert client.get(f"{base(field)}/formList?formID=other").status_code == 200
    assert not xml(client.get(f"{base(field)}/formList?formID=x")).findall(
        f"{LIST}xform"
    )


def hashlib_md5(content: bytes) -> str:
    import hashlib

    return hashlib.md5(content, usedforsecurity=False).hexdigest()


def test_the_manifest_lists_the_csv_with_the_md5_of_its_bytes(
    client: FlaskClient, field: Field
) -> None:
    listed = xml(client.get(f"{base(field)}/formList")).find(f"{LIST}xform")
    assert listed is not None
    answer = client.get(listed.findtext(f"{LIST}manifestUrl") or "")
    assert answer.status_code == 200
    openrosa_headers(answer)
    (media,) = xml(answer).findall(f"{MANIFEST}mediaFile")
    assert media.findtext(f"{MANIFEST}filename") == "wards.csv"
    content = client.get(media.findtext(f"{MANIFEST}downloadUrl") or "").get_data()
    assert content == WARDS.csv_bytes()
    assert media.findtext(f"{MANIFEST}hash") == f"md5:{hashlib_md5(content)}"


def test_head_answers_204_with_the_headers(client: FlaskClient, field: Field) -> None:
    answer = client.head(f"{base(field)}/submission")
    assert answer.status_code == 204
    openrosa_headers(answer)
    assert answer.headers["X-OpenRosa-Accept-Content-Length"] == str(1024 * 1024)


def test_an_interview_is_stored_once_with_its_design_fields(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    instance = fill(download(client, field), GOOD, f"uuid:{uuid.uuid4()}")
    first = submit(client, field, instance)
    assert first.status_code == 201, first.get_data(as_text=True)
    openrosa_headers(first)
    assert xml(first).find(f"{RESPONSE}message").get("nature") == "submit_success"
    again = submit(client, field, instance)
    assert again.status_code == 201
    (stored,) = responses(db_session, field.campaign)
    assert (stored.unit_id, stored.channel) == (field.ward.id, "interviewer")
    assert (stored.stratum, stored.cluster, stored.weight) == ("urban", "kp3", 125.5)
    answers = {
        a.question: (a.value_num, a.value_text)
        for a in db_session.scalars(
            select(Answer).where(Answer.response_id == stored.id)
        )
    }
    assert answers["trust"] == (4.0, None)
    assert answers["size"] == (5.0, None)
    assert answers["comment"] == (None, "Tốt")
    assert "school" in (answers["services"][1] or "")


def test_the_same_instance_id_with_other_content_is_409(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    xform = download(client, field)
    instance_id = f"uuid:{uuid.uuid4()}"
    assert submit(client, field, fill(xform, GOOD, instance_id)).status_code == 201
    other = fill(xform, GOOD | {"trust": "1"}, instance_id)
    answer = submit(client, field, other)
    assert answer.status_code == 409
    assert "instanceID" in message(answer)
    assert len(responses(db_session, field.campaign)) == 1


def instance_for(xform: bytes, field: Field, form_id: str) -> bytes:
    instance = fill(xform, GOOD, f"uuid:{uuid.uuid4()}")
    return instance.replace(field.form_id.encode(), form_id.encode())


def test_another_unit_or_campaign_is_403_and_stores_nothing(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    xform = download(client, field)
    other_unit = f"hailong-c{field.campaign.id}-u{field.other_ward.id}"
    other_campaign = f"hailong-c{field.other_campaign.id}-u{field.ward.id}"
    for form_id in (other_unit, other_campaign):
        answer = submit(client, field, instance_for(xform, field, form_id))
        assert answer.status_code == 403
        assert message(answer)
    assert client.get(f"{base(field)}/forms/{other_unit}/form.xml").status_code == 404
    assert not responses(db_session, field.campaign)
    assert not responses(db_session, field.other_campaign)


@pytest.mark.parametrize("key", ["wrong-key", "x" * 300])
def test_a_bad_key_is_401(client: FlaskClient, field: Field, key: str) -> None:
    for answer in (
        client.get(f"/openrosa/key/{key}/formList"),
        client.head(f"/openrosa/key/{key}/submission"),
    ):
        assert answer.status_code == 401
        openrosa_headers(answer)


def test_a_revoked_key_is_401(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    xform = download(client, field)
    enumerator = field.campaign  # noqa: F841 (readability: the campaign stays)
    from surveys.models import Enumerator

    revoke_enumerator(db_session, None, db_session.scalars(select(Enumerator)).one())
    db_session.commit()
    answer = submit(client, field, fill(xform, GOOD, f"uuid:{uuid.uuid4()}"))
    assert answer.status_code == 401
    assert not responses(db_session, field.campaign)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<data", "XML"),
        (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><data id="x"/>', "XML"),
        (b'<data id="f" version="1"><meta/></data>', "instanceID"),
    ],
)
def test_malformed_instances_are_400_and_store_nothing(
    client: FlaskClient, db_session: Session, field: Field, body: bytes, words: str
) -> None:
    answer = submit(client, field, body)
    assert answer.status_code == 400
    assert words in message(answer)
    assert not responses(db_session, field.campaign)


def test_edits_encrypted_and_attachments_are_refused_by_name(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    xform = download(client, field)
    instance = fill(xform, GOOD, f"uuid:{uuid.uuid4()}")
    edited = instance.replace(b"<meta>", b"<meta><deprecatedID>uuid:1</deprecatedID>")
    assert "deprecatedID" in message(submit(client, field, edited))
    encrypted = instance.replace(
        b"<meta>", b"<base64EncryptedKey>a</base64EncryptedKey><meta>"
    )
    assert submit(client, field, encrypted).status_code == 400
    with_photo = submit(client, field, instance, **{"photo.jpg": b"\xff\xd8"})
    assert with_photo.status_code == 400
    assert "photo.jpg" in message(with_photo)
    assert not responses(db_session, field.campaign)


def test_a_missing_instance_part_and_an_oversized_body_are_refused(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    missing = client.post(
        f"{base(field)}/submission",
        data={"other": (io.BytesIO(b"<x/>"), "x.xml")},
        content_type="multipart/form-data",
    )
    assert missing.status_code == 400
    assert "xml_submission_file" in message(missing)
    huge = fill(
        download(client, field), GOOD | {"comment": "x" * (1024 * 1024)}, "uuid:big"
    )
    answer = submit(client, field, huge)
    assert answer.status_code == 413
    openrosa_headers(answer)
    assert not responses(db_session, field.campaign)


def test_answers_that_fail_validation_are_refused_with_the_question(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    xform = download(client, field)
    for values in (
        GOOD | {"size": "31"},
        GOOD | {"trust": ""},
        GOOD | {"services": "nope"},
    ):
        answer = submit(client, field, fill(xform, values, f"uuid:{uuid.uuid4()}"))
        assert answer.status_code == 400
        assert re.search(r"size|trust|services", message(answer))
    assert not responses(db_session, field.campaign)


def test_making_and_assigning_an_enumerator_is_audited(
    db_session: Session, field: Field
) -> None:
    actions = set(
        db_session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "enumerator")
        )
    )
    assert actions == {"enumerator_created", "enumerator_assigned"}
    assert db_session.scalar(select(func.count()).select_from(Response)) is not None
