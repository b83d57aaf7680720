"""Database tasks: ``init-db`` (migrate), ``seed-demo``, ``create-user``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.db import session_factory
from app.i18n import in_language, translated
from surveys.access.privacy import dossier_key
from surveys.access.retention import purge_personal_data
from surveys.access.users import UserError, create_user
from surveys.migrate import heads, upgrade_to_head
from surveys.models import Unit, utcnow
from surveys.storage.tallies import catch_up

DEMO_LOGIN_FILE = "demo-login.txt"


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema to the newest migration."""
    upgrade_to_head(current_app.config["DATABASE_URL"])
    click.echo(f"Database schema is at the newest migration ({', '.join(heads())}).")


@click.command("seed-demo")
@click.option(
    "--if-empty", is_flag=True, help="do nothing when the database has any unit"
)
@click.option(
    "--without-responses",
    is_flag=True,
    help="build the district and logins only, no synthetic responses or dossiers",
)
@with_appcontext
def seed_demo_command(if_empty: bool, without_responses: bool) -> None:
    """Build the demo district (Quận 1); running it again changes nothing."""
    # The demo draws its responses with numpy, which the web app never loads at
    # start-up (this module is imported by every process that builds the app).
    from surveys.demo import seed_demo

    with session_factory().begin() as session:
        if if_empty and session.scalar(select(Unit.id).limit(1)) is not None:
            click.echo("The database has units already; demo not seeded.")
            return
        report = seed_demo(
            session,
            responses=not without_responses,
            dossier_key=dossier_key(current_app.secret_key),
        )
    with session_factory()() as session:
        catch_up(session)  # the tallies and flags of the responses just made
    built = report.district
    click.echo(
        f"Demo district: {built.units} units, {built.service_points} counters,"
        f" {built.officials} officials created."
    )
    for campaign, count in report.responses.items():
        click.echo(f"Campaign {campaign}: {count} responses created.")
    if not without_responses:
        click.echo(f"Dossiers: {report.dossiers} imported from the sample export.")
        click.echo(f"Dossier ratings: {report.rated_dossiers} tied to their dossiers.")
    if report.paper_forms:
        click.echo(
            f"Paper forms: a batch of {report.paper_forms} handed out, mostly keyed in."
        )
    if report.letters:
        click.echo(f"{report.letters} apology letters drafted for late dossiers.")
    if report.users:
        # The random password exists only in this run; keep it where `make run`
        # and the operator can find it, readable by the owner alone.
        login_file = Path(current_app.instance_path) / DEMO_LOGIN_FILE
        login_file.parent.mkdir(parents=True, exist_ok=True)
        login_file.touch(mode=0o600)
        login_file.write_text(_demo_login_text(report.users, report.password))
        click.echo(f"Demo logins written to {login_file}.")
    else:
        click.echo("Demo logins exist already.")


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, help="admin, district, unit_manager or viewer")
@click.option("--unit", "unit_code", help="code of the unit that scopes the user")
@with_appcontext
def create_user_command(username: str, role: str, unit_code: str | None) -> None:
    """Create a staff login; the password is read from a prompt or standard input."""
    password = _read_password()
    try:
        with session_factory().begin() as session:
            user = create_user(session, username, password, role, unit_code)
            scope = user.unit.code if user.unit else "all units"
    except UserError as error:
        with in_language("en"):  # the commands speak English
            reason = translated(error.message)
        raise click.ClickException(reason) from error
    click.echo(f"User {username!r} created with role {role!r} (scope: {scope}).")


@click.command("purge-contacts")
@with_appcontext
def purge_contacts_command() -> None:
    """Erase phone numbers, unsent drafts and dossier applicants past retention now.

    The app does it by itself about every ``PURGE_EVERY_SECONDS`` (app.chores);
    this is for an operator who wants it done at once.
    """
    with session_factory().begin() as session:
        report = purge_personal_data(
            session, utcnow(), current_app.config["CASE_CONTACT_DAYS"]
        )
    click.echo(f"{report.contacts} expired follow-up contact(s) erased.")
    click.echo(f"{report.drafts} unsent draft(s) older than 90 days erased.")
    click.echo(f"{report.applicants} dossier applicant(s) past retention erased.")
    click.echo(f"{report.case_contacts} feedback case contact(s) erased.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    if not line:
        raise click.ClickException("no password given on standard input")
    return line.rstrip("\r\n")


def _demo_login_text(usernames: list[str], password: str) -> str:
    lines = [f"{name} / {password}" for name in usernames]
    return "Demo logins (username / password):\n" + "\n".join(lines) + "\n"
