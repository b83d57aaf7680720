"""The OpenRosa server, end to end, as ODK Collect speaks to it.

Every submission is built the way the OpenRosa Form Submission API shows it
(``tests.app.openrosa_field.submit``), and the instance is made from the
primary ``<instance>`` of the XForm the server sent (``fill``), so these tests
break when our XForm and our reading of instances disagree. A real client's
instances (JavaRosa's) are ``test_openrosa_javarosa``. Both databases.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import xml.etree.ElementTree as ET

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from surveys.fieldwork.enumerators import revoke_enumerator
from surveys.local_time import local_date
from surveys.models import Answer, AuditEvent, Enumerator
from tests.app.openrosa_field import (
    GOOD,
    LIST,
    MANIFEST,
    RESPONSE,
    WARDS,
    XF,
    Field,
    base,
    download,
    fill,
    make_field,
    message,
    openrosa_headers,
    post_parts,
    responses,
    submit,
    xml,
)


@pytest.fixture
def field(db_session: Session) -> Field:
    return make_field(db_session)


def md5(content: bytes) -> str:
    return hashlib.md5(content, usedforsecurity=False).hexdigest()


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
    assert form.findtext(f"{LIST}hash") == f"md5:{md5(xform)}"
    data = ET.fromstring(xform).find(f".//{XF}instance/{XF}data")
    assert data is not None
    assert (data.get("id"), data.get("version")) == (field.form_id, "1")
    assert client.get(f"{base(field)}/formList?formID=other").status_code == 200
    assert not xml(client.get(f"{base(field)}/formList?formID=x")).findall(
        f"{LIST}xform"
    )


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
    assert media.findtext(f"{MANIFEST}hash") == f"md5:{md5(content)}"


def test_head_answers_204_with_the_headers(client: FlaskClient, field: Field) -> None:
    answer = client.head(f"{base(field)}/submission")
    assert answer.status_code == 204
    openrosa_headers(answer)
    assert answer.headers["X-OpenRosa-Accept-Content-Length"] == str(1024 * 1024)


def test_an_interview_is_stored_once_with_its_design_fields(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    sent = GOOD | {"start": "2026-12-06T08:00:00.000+07:00"}
    instance = fill(download(client, field), sent, f"uuid:{uuid.uuid4()}")
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
    # ODK's start is the client's; today, never sent here, the server's date.
    assert answers["start"] == (None, "2026-12-06T08:00:00.000+07:00")
    assert answers["today"][1] == local_date(stored.submitted_at).isoformat()
    assert answers["stamp"][1]


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


def test_an_instance_nested_past_pythons_recursion_limit_is_400(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    instance = fill(download(client, field), GOOD, f"uuid:{uuid.uuid4()}")
    deep = b"<g>" * 2000 + b"<g/>" * 2 + b"</g>" * 2000
    answer = submit(client, field, instance.replace(b"</data>", deep + b"</data>"))
    assert answer.status_code == 400
    assert "lặp lại" in message(answer)
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
    missing = post_parts(client, field, {"other": FileStorage(io.BytesIO(b"<x/>"))})
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


def test_a_closed_campaign_leaves_the_list_and_refuses_new_interviews(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    xform = download(client, field)
    sent = fill(xform, GOOD, f"uuid:{uuid.uuid4()}")
    assert submit(client, field, sent).status_code == 201
    field.campaign.ends_on = field.campaign.starts_on
    db_session.commit()
    assert not xml(client.get(f"{base(field)}/formList")).findall(f"{LIST}xform")
    late = submit(client, field, fill(xform, GOOD, f"uuid:{uuid.uuid4()}"))
    assert late.status_code == 409
    assert "không nhận phiếu" in message(late)
    assert submit(client, field, sent).status_code == 201  # a resend still succeeds
    assert len(responses(db_session, field.campaign)) == 1


def test_an_instance_of_another_form_version_is_refused(
    client: FlaskClient, db_session: Session, field: Field
) -> None:
    instance = fill(download(client, field), GOOD, f"uuid:{uuid.uuid4()}")
    answer = submit(client, field, instance.replace(b'version="1"', b'version="0"'))
    assert answer.status_code == 409
    assert "phiên bản" in message(answer)
    assert not responses(db_session, field.campaign)
