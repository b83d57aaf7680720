"""``flask questionnaires validate | import | list | export`` on a real database."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from pyxform.xls2xform import convert
from sqlalchemy import select

from app.db import session_factory
from surveys.models import AuditEvent
from surveys.questionnaire import load_definition
from surveys.questionnaire.versions import DEFINITIONS
from surveys.questionnaire.xlsform_writer import write_data_files, write_xlsform

COUNTER = DEFINITIONS / "counter.yaml"

BROKEN = """\
key: broken
version: "1"
title: {vi: Hỏng, en: Broken}
languages: [vi, en]
questions:
  - name: q1
    type: rating
    label: {vi: Câu 1, en: Question 1}
    relevant: "${nowhere} > 2"
  - name: q2
    type: teleport
    label: {vi: Câu 2, en: Question 2}
"""


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["questionnaires", *args])


def test_validate_accepts_a_good_definition(cli_app: Flask) -> None:
    result = run(cli_app, "validate", str(COUNTER))
    assert result.exit_code == 0
    assert "valid questionnaire 'counter'" in result.output


def test_validate_lists_every_problem_and_exits_1(
    cli_app: Flask, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    result = run(cli_app, "validate", str(broken))
    assert result.exit_code == 1
    assert "nowhere" in result.output
    assert "teleport" in result.output


def test_import_twice_stores_one_version_and_a_change_makes_another(
    cli_app: Flask, tmp_path: Path
) -> None:
    first = run(cli_app, "import", str(COUNTER))
    again = run(cli_app, "import", str(COUNTER))
    assert "as version 1" in first.output
    assert "stored already as version 1" in again.output
    changed = tmp_path / "counter.yaml"
    changed.write_text(
        COUNTER.read_text(encoding="utf-8").replace("Góp ý thêm", "Ý kiến khác", 1),
        encoding="utf-8",
    )
    assert "as version 2" in run(cli_app, "import", str(changed)).output
    listing = run(cli_app, "list").output
    assert "counter\tv2" in listing
    with cli_app.app_context(), session_factory()() as session:
        events = session.execute(
            select(AuditEvent.user_id, AuditEvent.object_id, AuditEvent.detail)
            .where(AuditEvent.action == "questionnaire_imported")
            .order_by(AuditEvent.id)
        )
        # One per new version, by an operator (no staff user).
        assert [(user, key, d["version"]) for user, key, d in events] == [
            (None, "counter", 1),
            (None, "counter", 2),
        ]


def test_export_writes_an_xlsform_that_loads_back_equal_and_odk_converts(
    cli_app: Flask, tmp_path: Path
) -> None:
    run(cli_app, "import", str(COUNTER))
    output = tmp_path / "counter.xlsx"
    result = run(cli_app, "export", "counter", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert load_definition(output) == load_definition(COUNTER)
    assert convert(xlsform=output).warnings == []  # ODK's converter, pyxform


def test_export_of_an_unknown_key_fails_clearly(cli_app: Flask, tmp_path: Path) -> None:
    result = run(cli_app, "export", "nothing", "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 1
    assert "no stored questionnaire 'nothing'" in result.output


def test_list_says_when_nothing_is_stored(cli_app: Flask) -> None:
    assert "No questionnaire is stored yet." in run(cli_app, "list").output


def test_import_and_export_carry_the_csv_files_beside_the_form(
    cli_app: Flask, tmp_path: Path
) -> None:
    template = load_definition(DEFINITIONS / "open_rating.yaml")
    write_xlsform(template, tmp_path / "form.xlsx")
    [counters] = write_data_files(template, tmp_path)
    refused = run(cli_app, "validate", str(tmp_path / "form.xlsx"))
    assert refused.exit_code == 1
    assert "'counters.csv' was not uploaded" in refused.output
    imported = run(
        cli_app, "import", str(tmp_path / "form.xlsx"), "--file", str(counters)
    )
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "out"
    out.mkdir()
    exported = run(cli_app, "export", "open_rating", "-o", str(out / "back.xlsx"))
    assert "Wrote its file counters.csv beside it." in exported.output
    assert (out / "counters.csv").read_bytes() == counters.read_bytes()
