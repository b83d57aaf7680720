"""Bad questionnaire files through the staff upload page and ``questionnaires import``.

Each is refused with its sentence in Vietnamese (and the English detail), and
the database is left exactly as it was: every table counted before and after.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import session_factory
from app.staff.problems import SUMMARIES
from surveys.models import Base, Role
from surveys.questionnaire.xlsform_limits import DEFAULT_LIMITS
from tests.app.staff_client import log_in
from tests.app.test_manage import upload
from tests.builders import make_user
from tests.surveys.questionnaire.bad_workbooks import (
    chart_survey,
    encrypted_workbook,
    with_bomb,
    workbook,
)

CIRCLE = workbook(
    [("integer", "a", "A", "${b} > 1"), ("integer", "b", "B", "${a} > 1")],
    header=("type", "name", "label", "relevant"),
)
FORMULA = workbook([("integer", "age", "=UPPER(B2)")])
ALIAS_BOMB = (
    "key: k\ntitle: {vi: T}\nlanguages: [vi]\n"
    "q0: &q0 {name: a, type: text, label: {vi: A}}\n"
    + "".join(
        f"q{n}: &q{n} {{name: s, type: section, questions: [{refs}]}}\n"
        for n, refs in ((n, ", ".join([f"*q{n - 1}"] * 10)) for n in range(1, 8))
    )
    + "questions: [*q7]\n"
).encode()

#: (file name, content, category of the summary, words of the English detail).
BAD_FILES = {
    "not-a-zip": ("form.xlsx", b"type,name,label\n", "unreadable", "not a readable"),
    "empty": ("form.xlsx", b"", "unreadable", "the file is empty"),
    "csv": ("form.csv", b"type,name\n", "unreadable", "expected one of .yaml"),
    "chart": ("form.xlsx", workbook(edit=chart_survey), "unreadable", "is a chart"),
    "encrypted": ("form.xlsx", encrypted_workbook(), "protected", "password"),
    "formula": ("form.xlsx", FORMULA, "formula", "cell C2 holds the formula"),
    "circle": ("form.xlsx", CIRCLE, "circle", "circular logic a → b → a"),
    "alias-bomb": ("form.yaml", ALIAS_BOMB, "limit", "expands to more than"),
    "long-name": ("form.xlsx", workbook([("text", "n" * 65, "N")]), "limit", "64"),
}


def table_counts(session: Session) -> dict[str, int]:
    """Count the rows of every table: what 'nothing was stored' means."""
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


@pytest.fixture
def admin(client: FlaskClient, db_session: Session) -> FlaskClient:
    make_user(db_session, None, Role.ADMIN, username="admin")
    db_session.commit()
    assert log_in(client, "admin").status_code == 302
    return client


def assert_refused_on_the_page(
    admin: FlaskClient, db_session: Session, name: str, content: bytes, category: str
) -> str:
    before = table_counts(db_session)
    answer = upload(admin, "/staff/questionnaires", content, name)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "không có gì được lưu" in page
    assert escape(str(SUMMARIES[category])) in page, category
    db_session.expire_all()
    assert table_counts(db_session) == before
    return page


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_explained_in_vietnamese_and_stores_nothing(
    admin: FlaskClient, db_session: Session, case: str
) -> None:
    name, content, category, detail = BAD_FILES[case]
    page = assert_refused_on_the_page(admin, db_session, name, content, category)
    assert escape(detail) in page


def test_bombs_and_oversized_sheets_are_refused_at_the_default_limits(
    admin: FlaskClient, db_session: Session
) -> None:
    # The limits a real form never reaches, just passed: 50 MB inflated (from
    # a 50 kB upload), and a survey sheet one row longer than allowed.
    bomb = with_bomb(workbook(), DEFAULT_LIMITS.inflated_bytes)
    page = assert_refused_on_the_page(admin, db_session, "bomb.xlsx", bomb, "limit")
    assert "zip bomb" in page
    rows = [("integer", f"q{n}", "Q") for n in range(DEFAULT_LIMITS.survey_rows + 1)]
    long = workbook(rows)
    page = assert_refused_on_the_page(admin, db_session, "long.xlsx", long, "limit")
    assert "more than 10,000 rows with content, the limit" in page


def test_an_upload_over_the_request_limit_gets_the_vietnamese_413_page(
    app: Flask, admin: FlaskClient, db_session: Session
) -> None:
    before = table_counts(db_session)
    app.config["MAX_CONTENT_LENGTH"] = 4096
    answer = upload(admin, "/staff/questionnaires", bytes(8192), "big.xlsx")
    assert answer.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in answer.get_data(as_text=True)
    assert table_counts(db_session) == before


@pytest.mark.parametrize(
    "case", ["empty", "encrypted", "formula", "circle", "long-name", "chart"]
)
def test_the_import_command_refuses_the_same_files_and_stores_nothing(
    cli_app: Flask, tmp_path: Path, case: str
) -> None:
    name, content, _, detail = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(content)
    with cli_app.app_context(), session_factory()() as session:
        before = table_counts(session)
    result = cli_app.test_cli_runner().invoke(
        args=["questionnaires", "import", str(path)]
    )
    assert result.exit_code == 1
    assert detail in result.output
    with cli_app.app_context(), session_factory()() as session:
        assert table_counts(session) == before
