"""``flask --app wsgi dossiers issue-codes``: rating codes for a unit's dossiers.

The import gives codes to what it brings in; this command catches up a unit's
dossiers without one (an import before the dossier campaign began, say).
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.db import session_factory
from surveys.access.privacy import dossier_key
from surveys.dossiers.rating_codes import RatingCodeError, issue_unit_rating_codes
from surveys.local_time import local_date
from surveys.models import Unit, utcnow

dossiers = AppGroup("dossiers", help="Dossiers and their rating codes.")


@dossiers.command("issue-codes")
@click.option(
    "--unit",
    "unit_code",
    required=True,
    help="code of the unit: its dossiers and those of the units below it",
)
def issue_codes_command(unit_code: str) -> None:
    """Give each dossier without a rating code one, in its dossier campaign."""
    today = local_date(utcnow())
    with session_factory().begin() as session:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise click.ClickException(f"no unit has the code {unit_code!r}")
        try:
            issued = issue_unit_rating_codes(
                session, None, dossier_key(current_app.secret_key), unit, today=today
            )
        except RatingCodeError as error:
            raise click.ClickException(str(error)) from error
    campaigns = ", ".join(f"{k}: {n}" for k, n in sorted(issued.by_campaign.items()))
    click.echo(
        f"Issued rating codes for {issued.issued} dossiers of {unit.name}"
        f" ({unit.code}){f' ({campaigns})' if campaigns else ''}."
    )
