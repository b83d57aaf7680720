"""``flask cases import`` on a database it commits to."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from app.db import session_factory
from surveys.models import AuditEvent, FeedbackCase, ImportSource
from tests.builders import make_category, make_unit
from tests.surveys.cases.test_portal_import import rows, write_csv


@pytest.fixture
def district(cli_app: Flask) -> Flask:
    """A district, a ward, and the environment category."""
    with cli_app.app_context(), session_factory().begin() as session:
        top = make_unit(session, code="qx", name="Quận X", kind="district")
        make_unit(session, parent=top, code="px-ben", name="Phường Bến")
        make_unit(session, parent=top, code="px-xa", name="Phường Xa")
        make_category(
            session, code="moi-truong", name_vi="Môi trường", name_en="Environment"
        )
    return cli_app


def invoke(app: Flask, *args: str, answers: str = "") -> Result:
    return app.test_cli_runner().invoke(args=["cases", "import", *args], input=answers)


def counted(app: Flask, model: type[object]) -> int:
    with app.app_context(), session_factory()() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_then_the_same_file_again(district: Flask, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "pakn.csv", rows("Phường Bến"))
    args = (str(path), "--channel", "portal_1022", "--unit", "px-ben")
    done = invoke(district, *args, answers="y\ny\n")
    assert done.exit_code == 0, done.output
    assert "Proposed mapping" in done.output
    assert "Imported: 3 created, 0 updated, 1 answered, 0 unchanged." in done.stdout
    again = invoke(district, *args, "--yes")
    assert again.exit_code == 0, again.output
    assert "Proposed mapping" not in again.output  # the layout is remembered
    assert "0 created, 0 updated, 0 answered, 3 unchanged" in again.stdout
    assert counted(district, FeedbackCase) == 3
    assert counted(district, ImportSource) == 1
    with district.app_context(), session_factory()() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("cases_imported") == 2


def test_bad_rows_stop_the_import_unless_skipped(
    district: Flask, tmp_path: Path
) -> None:
    body = [*rows("Phường Bến"), [4, "1022-004", "05/03/2026", "Môi trường",
                                 "Phường Xa", "Nội dung.", "", "", ""]]  # fmt: skip
    path = write_csv(tmp_path / "pakn.csv", body)
    args = (str(path), "--channel", "portal_1022", "--unit", "px-ben", "--yes")
    refused = invoke(district, *args)
    assert refused.exit_code == 1
    assert "row 7, " in refused.output and "nothing was imported" in refused.output
    assert counted(district, FeedbackCase) == 0
    done = invoke(district, *args, "--skip-bad-rows")
    assert done.exit_code == 0, done.output
    assert "3 created" in done.stdout and "1 bad row(s) skipped" in done.stdout
