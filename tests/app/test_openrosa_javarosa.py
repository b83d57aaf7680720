"""A real OpenRosa client against the server: JavaRosa, the engine of ODK Collect.

pyxform ships ODK Validate, a jar that bundles JavaRosa; with the machine's
Java, ``javarosa/FillForm.java`` is a minimal client on it. The XForm comes
from the server's form list, ODK Validate accepts it, JavaRosa fills it in
(its own instance id, its own serialisation, non-relevant groups left out,
a roster's rows made from its count) and refuses what our constraints refuse,
and the instance it writes is stored once. Skipped where there is no Java.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import pytest
import pyxform
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Answer
from tests.app.openrosa_field import (
    GOOD,
    LIST,
    Field,
    base,
    make_field,
    responses,
    roster,
    submit,
)

JAR = Path(pyxform.__file__).parent / "validators/odk_validate/bin/ODK_Validate.jar"
SOURCE = Path(__file__).parent / "javarosa" / "FillForm.java"

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None or shutil.which("javac") is None,
    reason="no Java here to run JavaRosa",
)


@pytest.fixture(scope="module")
def client_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    classes = tmp_path_factory.mktemp("javarosa")
    subprocess.run(
        ["javac", "-nowarn", "-cp", str(JAR), "-d", str(classes), str(SOURCE)],
        check=True,
        capture_output=True,
    )
    return classes


@pytest.fixture
def field(db_session: Session) -> Field:
    return make_field(db_session)


@pytest.fixture
def roster_field(db_session: Session) -> Field:
    return make_field(db_session, roster())


#: A household of three: the child's work group is not relevant.
ROSTER = {
    "size": "3",
    "members[1]/member_name": "Lan",
    "members[1]/age": "40",
    "members[1]/job": "Giáo viên",
    "members[2]/member_name": "Minh",
    "members[2]/age": "7",
    "members[3]/member_name": "Hoa",
    "members[3]/age": "15",
    "members[3]/job": "Học nghề",
    "comment": "Tốt",
}


def listed_xform(client: FlaskClient, field: Field) -> bytes:
    """Download the form as Collect does: the form list, then its downloadUrl."""
    listing = ET.fromstring(client.get(f"{base(field)}/formList").get_data())
    url = listing.findtext(f"{LIST}xform/{LIST}downloadUrl")
    assert url
    return client.get(url).get_data()


def javarosa_fill(
    classes: Path, xform: bytes, answers: Mapping[str, str], folder: Path
) -> subprocess.CompletedProcess[str]:
    (folder / "form.xml").write_bytes(xform)
    pairs = [f"{name}={value}" for name, value in answers.items()]
    return subprocess.run(
        [
            "java",
            "-cp",
            os.pathsep.join([str(JAR), str(classes)]),
            "FillForm",
            str(folder / "form.xml"),
            str(folder / "instance.xml"),
            *pairs,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("served", ["field", "roster_field"])
def test_odk_validate_accepts_the_served_xform(
    client: FlaskClient, request: pytest.FixtureRequest, served: str, tmp_path: Path
) -> None:
    form = tmp_path / "form.xml"
    form.write_bytes(listed_xform(client, request.getfixturevalue(served)))
    checked = subprocess.run(
        ["java", "-jar", str(JAR), str(form)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_interview_javarosa_fills_is_stored_once(
    client: FlaskClient,
    db_session: Session,
    field: Field,
    client_classes: Path,
    tmp_path: Path,
) -> None:
    filled = javarosa_fill(client_classes, listed_xform(client, field), GOOD, tmp_path)
    assert filled.returncode == 0, filled.stdout + filled.stderr
    instance = (tmp_path / "instance.xml").read_bytes()
    assert b"<instanceID>uuid:" in instance
    for _ in range(2):
        answer = submit(client, field, instance)
        assert answer.status_code == 201, answer.get_data(as_text=True)
    (stored,) = responses(db_session, field.campaign)
    assert (stored.stratum, stored.cluster, stored.weight) == ("urban", "kp3", 125.5)
    assert stored.submission_id.startswith("uuid:")


def test_javarosa_refuses_what_our_constraint_refuses(
    client: FlaskClient, field: Field, client_classes: Path, tmp_path: Path
) -> None:
    xform = listed_xform(client, field)
    filled = javarosa_fill(client_classes, xform, GOOD | {"size": "31"}, tmp_path)
    assert filled.returncode == 3
    assert filled.stdout.startswith("refused size")


def test_a_roster_javarosa_fills_is_stored_with_its_rows_once(
    client: FlaskClient,
    db_session: Session,
    roster_field: Field,
    client_classes: Path,
    tmp_path: Path,
) -> None:
    xform = listed_xform(client, roster_field)
    filled = javarosa_fill(client_classes, xform, ROSTER, tmp_path)
    assert filled.returncode == 0, filled.stdout + filled.stderr
    instance = (tmp_path / "instance.xml").read_bytes()
    # JavaRosa writes one element per row, no template, and leaves the child's
    # work group out.
    assert instance.count(b"<members>") == 3 and b"template" not in instance
    assert instance.count(b"<work>") == 2
    for _ in range(2):
        answer = submit(client, roster_field, instance)
        assert answer.status_code == 201, answer.get_data(as_text=True)
    (stored,) = responses(db_session, roster_field.campaign)
    rows = {
        (a.question, a.position): a.value_text or a.value_num
        for a in db_session.scalars(
            select(Answer).where(Answer.response_id == stored.id)
        )
    }
    assert rows[("member_name", 2)] == "Minh"
    assert rows[("age", 3)] == 15.0
    assert rows[("job", 1)] == "Giáo viên"
    assert ("job", 2) not in rows
    assert rows[("oldest", 0)] == 40.0


def test_javarosa_refuses_what_our_constraint_refuses_in_a_row(
    client: FlaskClient, roster_field: Field, client_classes: Path, tmp_path: Path
) -> None:
    xform = listed_xform(client, roster_field)
    answers = ROSTER | {"members[2]/age": "130"}
    filled = javarosa_fill(client_classes, xform, answers, tmp_path)
    assert filled.returncode == 3
    assert filled.stdout.startswith("refused members[2]/age")
