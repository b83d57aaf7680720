"""The CLI: init-db, seed-demo and create-user, against a database they commit to."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.db import session_factory
from surveys.models import AuditEvent, Unit, User
from tests.app.staff_client import log_in


def invoke(app: Flask, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def count(app: Flask, model: type) -> int:
    with app.app_context(), session_factory()() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_init_db_reports_the_schema_version(cli_app: Flask) -> None:
    result = invoke(cli_app, "init-db")
    assert result.exit_code == 0, result.output
    assert "newest migration" in result.output


def test_seed_demo_twice_changes_nothing_the_second_time(cli_app: Flask) -> None:
    first = invoke(cli_app, "seed-demo")
    units = count(cli_app, Unit)
    second = invoke(cli_app, "seed-demo")
    assert first.exit_code == second.exit_code == 0
    assert "21 units" in first.output and "0 units" in second.output
    assert "Campaign q1-mot-cua-2026: 3000 responses created." in first.output
    assert "Campaign q1-mot-cua-2026: 0 responses created." in second.output
    assert units == count(cli_app, Unit) == 21
    login_file = Path(cli_app.instance_path) / "demo-login.txt"
    assert login_file.read_text().startswith("Demo logins")
    assert login_file.stat().st_mode & 0o077 == 0


def test_seed_demo_if_empty_leaves_a_used_database_alone(cli_app: Flask) -> None:
    invoke(cli_app, "create-user", "root", "--role", "admin", input="long password 1\n")
    empty = invoke(cli_app, "seed-demo", "--if-empty", "--without-responses")
    assert "21 units" in empty.output
    again = invoke(cli_app, "seed-demo", "--if-empty")
    assert again.exit_code == 0
    assert "not seeded" in again.output


def test_create_user_reads_the_password_from_stdin(cli_app: Flask) -> None:
    invoke(cli_app, "seed-demo", "--without-responses")
    result = invoke(
        cli_app,
        "create-user", "chutich", "--role", "unit_manager", "--unit", "q1-co-giang",
        input="a long enough password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "chutich" in result.output and "q1-co-giang" in result.output
    assert "a long enough password" not in result.output
    assert count(cli_app, User) == 5
    with cli_app.app_context(), session_factory()() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "user_created")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert (event.user_id, event.detail) == (
        None,
        {"username": "chutich", "role": "unit_manager", "unit": "q1-co-giang"},
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "viewer", "--unit", "nowhere"], "no unit has the code 'nowhere'"),
        (["--role", "emperor", "--unit", "q1"], "role 'emperor' is not one of"),
        (["--role", "viewer"], "needs a unit"),
    ],
)
def test_create_user_fails_clearly_and_changes_nothing(
    cli_app: Flask, args: list[str], message: str
) -> None:
    invoke(cli_app, "seed-demo", "--without-responses")
    result = invoke(cli_app, "create-user", "someone", *args, input="long password 1\n")
    assert result.exit_code == 1
    assert message in result.output
    assert count(cli_app, User) == 4


def test_create_user_without_a_password_fails(cli_app: Flask) -> None:
    result = invoke(cli_app, "create-user", "root", "--role", "admin", input="")
    assert result.exit_code == 1
    assert "no password" in result.output


def test_users_unlock_clears_an_accounts_waits_when_no_admin_can_log_in(
    cli_app: Flask,
) -> None:
    invoke(cli_app, "create-user", "root", "--role", "admin", input="long password 1\n")
    cli_app.config["LOGIN_FREE_FAILURES"] = 1
    client = cli_app.test_client()
    for _ in range(2):
        log_in(client, "root", "a guess")
    assert log_in(client, "root", "long password 1").status_code == 429
    result = invoke(cli_app, "users", "unlock", "Root")
    assert result.exit_code == 0, result.output
    assert "User 'root' unlocked (1 client(s) were held up)." in result.output
    assert log_in(client, "root", "long password 1").status_code == 302
    with cli_app.app_context(), session_factory()() as session:
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.action == "logins_unlocked")
        )
    assert event is not None and event.user_id is None


def test_users_unlock_names_an_unknown_user(cli_app: Flask) -> None:
    result = invoke(cli_app, "users", "unlock", "nobody")
    assert result.exit_code == 1
    assert "no user 'nobody'" in result.output
