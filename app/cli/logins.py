"""``flask --app wsgi users unlock NAME``: for when no admin can log in to do it."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import account_pseudonym
from app.db import session_factory
from surveys.access.login_throttle import unlock_logins
from surveys.access.users import normalise_username
from surveys.models import User

users = AppGroup("users", help="Staff logins.")


@users.command("unlock")
@click.argument("username")
def unlock_command(username: str) -> None:
    """Clear the failed-login delays of USERNAME's account, from every client.

    The users page does the same; this is for when the only admin is held up.
    """
    name = normalise_username(username)
    with session_factory().begin() as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            raise click.ClickException(f"no user {name!r}")
        cleared = unlock_logins(session, user, account_pseudonym(name), None)
    click.echo(f"User {name!r} unlocked ({cleared} client(s) were held up).")
