"""ODK Validate, the check ODK Central runs on a form, accepts every export.

pyxform ships ODK Validate (a jar bundling JavaRosa, the engine of ODK
Collect); with the machine's Java it parses each XForm converted from our
export, with the CSV files beside it, and evaluates its expressions, so an
export that Collect would refuse to open fails here. Skipped where there is
no Java.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import pyxform
from pyxform.xls2xform import convert

from surveys.questionnaire import load_definition
from surveys.questionnaire.versions import shipped_template
from surveys.questionnaire.xlsform_writer import write_data_files, write_xlsform
from tests.builders import FIELD_VISIT

JAR = Path(pyxform.__file__).parent / "validators/odk_validate/bin/ODK_Validate.jar"

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None, reason="no Java here to run ODK Validate"
)


def _odk_validate(name: str, folder: Path) -> subprocess.CompletedProcess[str]:
    if name == FIELD_VISIT.stem:
        questionnaire = load_definition(FIELD_VISIT)
    else:
        questionnaire = shipped_template(name)
    workbook = io.BytesIO()
    write_xlsform(questionnaire, workbook)
    form = folder / f"{name}.xml"
    form.write_text(convert(xlsform=workbook.getvalue(), file_type=".xlsx").xform)
    write_data_files(questionnaire, folder)
    return subprocess.run(
        ["java", "-jar", str(JAR), str(form)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_odk_validate_accepts_the_export(template_name: str, tmp_path: Path) -> None:
    checked = _odk_validate(template_name, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Xform is valid" in checked.stdout + checked.stderr


def test_odk_validate_accepts_times_locations_and_metadata(tmp_path: Path) -> None:
    test_odk_validate_accepts_the_export(FIELD_VISIT.stem, tmp_path)
