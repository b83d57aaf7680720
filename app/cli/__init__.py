"""Command-line tasks, ``flask --app wsgi COMMAND``: one module per domain."""

from __future__ import annotations

from flask import Flask

from app.cli.cases import cases
from app.cli.codes import codes, qr
from app.cli.database import (
    create_user_command,
    init_db_command,
    purge_contacts_command,
    seed_demo_command,
)
from app.cli.dossiers import dossiers
from app.cli.logins import users
from app.cli.questionnaires import questionnaires


def init_app(app: Flask) -> None:
    """Register every command on the app's CLI."""
    for command in (
        init_db_command,
        seed_demo_command,
        create_user_command,
        purge_contacts_command,
        questionnaires,
        codes,
        qr,
        users,
        dossiers,
        cases,
    ):
        app.cli.add_command(command)
