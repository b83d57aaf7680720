"""An OpenRosa fieldwork set-up for the tests, and a client's moves against it.

Submissions are built the way the OpenRosa Form Submission API shows them: a
multipart/form-data body whose ``xml_submission_file`` part is the instance.
"""

from __future__ import annotations

import copy
import io
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from surveys.access.codes import SampleDesign
from surveys.fieldwork.enumerators import assign, create_enumerator
from surveys.local_time import local_date
from surveys.models import (
    Campaign,
    CampaignMode,
    Response,
    Unit,
    UnitKind,
    utcnow,
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
TEMPLATE = "{http://openrosa.org/javarosa}template"
WARDS = DataFile(("name", "label"), (("p1", "Phường Bến Nghé"), ("p2", "Đa Kao")))


def household() -> Questionnaire:
    """A small household questionnaire with a group, a CSV, every answer kind,
    ODK's start and today, and a calculation on the clock."""
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
                {"name": "start", "type": "start"},
                {"name": "today", "type": "today"},
                {"name": "stamp", "type": "calculate", "calculation": "once(now())"},
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


def roster() -> Questionnaire:
    """A household roster inside a group, counted by the household's size, with
    a group inside each row asked of members aged 15 and over."""
    return build_questionnaire(
        {
            "key": f"roster-{uuid.uuid4().hex[:6]}",
            "version": "1",
            "title": {"vi": "Nhân khẩu"},
            "languages": ["vi"],
            "questions": [
                {"name": "household", "type": "section", "label": {"vi": "Hộ"},
                 "questions": [
                    {"name": "size", "type": "integer", "required": True,
                     "constraint": ". >= 1 and . <= 10", "label": {"vi": "Số người"}},
                    {"name": "members", "type": "repeat", "repeat_count": "${size}",
                     "label": {"vi": "Thành viên"}, "questions": [
                        {"name": "member_name", "type": "text", "required": True,
                         "label": {"vi": "Tên"}},
                        {"name": "age", "type": "integer", "required": True,
                         "constraint": ". >= 0 and . <= 120", "label": {"vi": "Tuổi"}},
                        {"name": "work", "type": "section", "label": {"vi": "Việc làm"},
                         "relevant": "${age} >= 15", "questions": [
                            {"name": "job", "type": "text", "required": True,
                             "label": {"vi": "Nghề"}},
                         ]},
                    ]},
                 ]},
                {"name": "oldest", "type": "calculate", "calculation": "max(${age})"},
                {"name": "comment", "type": "text", "label": {"vi": "Ý kiến"}},
            ],
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


def make_field(
    db_session: Session, questionnaire: Questionnaire | None = None
) -> Field:
    """Two wards of a district, two interviewer campaigns of one questionnaire
    (``household()`` unless given), and an enumerator assigned one ward of the
    first, with its design."""
    district = make_unit(db_session, name="Quận Thực Địa", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, name="Phường Một")
    other_ward = make_unit(db_session, district, name="Phường Hai")
    definition = household() if questionnaire is None else questionnaire
    stored = store_questionnaire(db_session, definition).stored
    campaigns = [
        Campaign(
            key=f"papi-{uuid.uuid4().hex[:6]}",
            name=name,
            questionnaire=stored,
            unit=district,
            mode=CampaignMode.INTERVIEWER,
            # Running today, whatever day the tests run.
            starts_on=local_date(utcnow()) - timedelta(days=30),
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


def fill(
    xform: bytes,
    values: dict[str, str],
    instance_id: str,
    rows: Mapping[str, Sequence[Mapping[str, str | None]]] | None = None,
) -> bytes:
    """Fill the XForm's primary instance as a client does, and serialise it.

    ``rows`` gives each repeat's rows: each is a copy of the repeat's
    ``jr:template`` element with its values, in place of the template and of
    the row the form starts with (a client sends no template). A row's
    ``None`` value leaves its element out, as a client leaves out what is
    not relevant.
    """
    model = ET.fromstring(xform).find(f".//{XF}model")
    assert model is not None
    instance = model.find(f"{XF}instance")
    assert instance is not None
    root = instance[0]
    for parent in list(root.iter()):
        for template in [child for child in parent if child.get(TEMPLATE) is not None]:
            name = template.tag
            place = list(parent).index(template)
            for child in [c for c in parent if c.tag == name]:
                parent.remove(child)
            for offset, row in enumerate((rows or {}).get(name.removeprefix(XF), [])):
                made = copy.deepcopy(template)
                del made.attrib[TEMPLATE]
                _set(made, row)
                parent.insert(place + offset, made)
    _set(root, values)
    for element in root.iter():
        element.tag = element.tag.removeprefix(XF)
        if element.tag == "instanceID":
            element.text = instance_id
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _set(element: ET.Element, values: Mapping[str, str | None]) -> None:
    """Give the elements named in ``values`` their text; None removes them."""
    for parent in list(element.iter()):
        for child in list(parent):
            name = child.tag.removeprefix(XF)
            if name in values and values[name] is None:
                parent.remove(child)
            elif name in values:
                child.text = values[name]


def submit(
    client: FlaskClient, field: Field, instance: bytes, **parts: bytes
) -> TestResponse:
    """POST an interview: the instance in ``xml_submission_file`` (text/xml),
    then any other parts."""
    files = {
        "xml_submission_file": FileStorage(
            io.BytesIO(instance), "interview.xml", content_type="text/xml"
        )
    }
    for name, content in parts.items():
        files[name] = FileStorage(io.BytesIO(content), name)
    return post_parts(client, field, files)


def post_parts(
    client: FlaskClient, field: Field, parts: dict[str, FileStorage]
) -> TestResponse:
    """POST a multipart/form-data body of ``parts`` to the submission URL."""
    boundary, body = encode_multipart(parts)
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
