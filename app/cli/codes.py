"""``flask --app wsgi codes issue`` and ``qr poster``: codes to print and hand out."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli.lookups import one_by_code
from app.code_sheets import LOCAL_TIME, code_rows, codes_csv, end_of_day, receipts_pdf
from app.db import session_factory
from app.printing import counter_poster_pdf, survey_url
from surveys.access.codes import (
    MAX_CODES,
    CodeError,
    SampleDesign,
    counter_campaigns,
    format_token,
)
from surveys.models import AccessCode, Campaign, CodeKind, ServicePoint, Unit
from surveys.units.management import issue_batch, poster_code

codes = AppGroup("codes", help="Access codes for receipts and invitations.")
qr = AppGroup("qr", help="Printable QR codes.")


@codes.command("issue")
@click.option("--campaign", "campaign_key", required=True, help="campaign key")
@click.option("--unit", "unit_code", required=True, help="code of the unit")
@click.option("--count", required=True, type=int, help=f"1 to {MAX_CODES}")
@click.option(
    "--kind",
    type=click.Choice([kind.value for kind in CodeKind]),
    default=CodeKind.SINGLE_USE.value,
    show_default=True,
)
@click.option(
    "--service-point", "point_code", help="code of one of the unit's counters"
)
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="last day the codes work (YYYY-MM-DD, Vietnam time)",
)
@click.option("--stratum", help="the invited units' stratum (sample design)")
@click.option("--cluster", help="their cluster (sample design)")
@click.option("--weight", type=float, help="their weight: 1 / inclusion probability")
@click.option(
    "-o",
    "--output",
    "prefix",
    type=click.Path(path_type=Path),
    help="where to write PREFIX.csv and PREFIX.pdf (default: campaign-unit-time)",
)
def issue_command(
    campaign_key: str,
    unit_code: str,
    count: int,
    kind: str,
    point_code: str | None,
    expires: datetime | None,
    stratum: str | None,
    cluster: str | None,
    weight: float | None,
    prefix: Path | None,
) -> None:
    """Issue codes; write them as a CSV and as a sheet of receipts to cut out."""
    now = datetime.now(LOCAL_TIME)
    prefix = prefix or Path(f"{campaign_key}-{unit_code}-{now:%Y%m%d-%H%M%S}")
    csv_path = prefix.with_name(f"{prefix.name}.csv")
    pdf_path = prefix.with_name(f"{prefix.name}.pdf")
    _check_writable(csv_path, pdf_path)
    expires_at = _end_of_day(expires.date(), now.date()) if expires else None
    with session_factory().begin() as session:
        campaign = _campaign(session, campaign_key)
        unit = one_by_code(session, Unit, unit_code, "unit")
        point = (
            one_by_code(session, ServicePoint, point_code, "counter")
            if point_code
            else None
        )
        try:
            issued = issue_batch(
                session,
                None,
                campaign,
                unit,
                count,
                point,
                expires_at,
                kind=CodeKind(kind),
                design=_design(stratum, cluster, weight),
            )
        except CodeError as error:
            raise click.ClickException(str(error)) from error
        _write_codes(issued, csv_path, pdf_path)
    click.echo(
        f"Issued {count} {kind} codes for {unit.name} ({unit.code})"
        f" in campaign {campaign.key!r}."
    )
    click.echo(f"Wrote {csv_path} and {pdf_path}.")


@qr.command("poster")
@click.option("--service-point", "point_code", required=True, help="counter code")
@click.option("--campaign", "campaign_key", help="needed when several campaigns run")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
def poster_command(point_code: str, campaign_key: str | None, output: Path) -> None:
    """Print a counter's A4 poster, creating its standing code the first time."""
    if output.suffix.lower() != ".pdf":
        raise click.BadParameter("the output must be a .pdf file", param_hint="-o")
    # A poster shows the same standing code each time: reprinting loses nothing.
    _check_writable(output, overwrite=True)
    today = datetime.now(LOCAL_TIME).date()
    with session_factory().begin() as session:
        point = one_by_code(session, ServicePoint, point_code, "counter")
        campaign = _poster_campaign(session, point, campaign_key, today)
        try:
            code = poster_code(session, None, campaign, point)
        except CodeError as error:
            raise click.ClickException(str(error)) from error
        url = _url(code.token)
        output.write_bytes(
            counter_poster_pdf(point.unit.name, point.name, url, code.token)
        )
    click.echo(
        f"Poster for {point.name} ({point.code}), campaign {campaign.key!r},"
        f" code {format_token(code.token)}: {output}"
    )


def _design(
    stratum: str | None, cluster: str | None, weight: float | None
) -> SampleDesign | None:
    """Return the invitations' sample design, or None when no part was given."""
    if stratum is None and cluster is None and weight is None:
        return None
    return SampleDesign(stratum, cluster, weight)


def _poster_campaign(
    session: Session, point: ServicePoint, key: str | None, today: date
) -> Campaign:
    """Pick the one counter campaign running at ``point``, or the one named."""
    running = counter_campaigns(session, point, today)
    if key is not None:
        campaign = _campaign(session, key)
        if campaign not in running:
            raise click.ClickException(
                f"campaign {key!r} is not a counter campaign running today"
                f" at counter {point.code!r}"
            )
        return campaign
    if not running:
        raise click.ClickException(
            f"no counter campaign is running today at counter {point.code!r}"
        )
    if len(running) > 1:
        keys = ", ".join(campaign.key for campaign in running)
        raise click.ClickException(
            f"several counter campaigns run at counter {point.code!r} ({keys}):"
            " choose one with --campaign KEY"
        )
    return running[0]


def _campaign(session: Session, key: str) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.key == key))
    if campaign is None:
        raise click.ClickException(f"no campaign has the key {key!r}")
    return campaign


def _check_writable(*paths: Path, overwrite: bool = False) -> None:
    """Refuse before anything changes: no folder, or a file that would be lost."""
    for path in paths:
        if not path.parent.is_dir():
            raise click.ClickException(f"folder {str(path.parent)!r} does not exist")
        if path.exists() and not overwrite:
            raise click.ClickException(f"{str(path)!r} exists already")


def _end_of_day(last_day: date, today: date) -> datetime:
    if last_day < today:
        raise click.ClickException(f"expiry {last_day.isoformat()} is in the past")
    return end_of_day(last_day)


def _url(token: str) -> str:
    return survey_url(current_app.config["PUBLIC_BASE_URL"], token)


def _write_codes(issued: list[AccessCode], csv_path: Path, pdf_path: Path) -> None:
    """Write the CSV and the receipt sheet of codes just issued (before commit)."""
    rows = code_rows(issued, current_app.config["PUBLIC_BASE_URL"])
    try:
        csv_path.write_bytes(codes_csv(rows))
        pdf_path.write_bytes(receipts_pdf(rows))
    except BaseException:
        # The codes are rolled back: leave no file listing codes that do not exist.
        csv_path.unlink(missing_ok=True)
        pdf_path.unlink(missing_ok=True)
        raise
