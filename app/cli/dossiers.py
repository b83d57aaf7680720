"""``flask --app wsgi dossiers``: ``import FILE`` brings a provincial export into
the register; ``issue-codes`` gives a unit's dossiers their rating codes.

The same service as the staff pages: the file is read and every row checked
first (progress on standard error), the problems are listed, and only then is
it applied, at once; with bad rows nothing is applied unless
``--skip-bad-rows`` lets the good ones in. A layout seen before is read with
the mapping confirmed for it; a new one is shown first, and remembered once
confirmed (``--yes`` confirms it, and the import, without asking).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from app.cli.lookups import agree_to_mapping, one_by_code
from app.db import session_factory
from app.i18n import in_language, translated
from surveys.access.privacy import dossier_key
from surveys.dossiers.columns import (
    LABELS,
    Field,
    confirm_mapping,
    mapping_problems,
    propose_mapping,
    remembered_source,
)
from surveys.dossiers.importing import (
    ImportRefused,
    ShownProblem,
    all_problems,
    apply_import,
    cancel_import,
    discard_staged_rows,
    earlier_import,
    end_stale_imports,
    problems_page,
    read_import,
    start_import,
)
from surveys.dossiers.rating_codes import (
    IssuedCodes,
    RatingCodeError,
    issue_imported_codes,
    issue_unit_rating_codes,
)
from surveys.dossiers.reading import UnreadableExport, file_checksum, inspect_export
from surveys.local_time import local_date
from surveys.models import DossierImport, ImportSource, ImportStatus, Unit, utcnow

dossiers = AppGroup("dossiers", help="The dossier register and its imports.")

#: Problems listed on the terminal; the rest are counted.
LISTED_PROBLEMS = 100


@dossiers.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--unit",
    "unit_code",
    help="code of the importing unit: rows must be its own or its subunits'"
    " (rows of a file without a unit column are its own)",
)
@click.option(
    "--skip-bad-rows", is_flag=True, help="import the good rows, list the bad ones"
)
@click.option("--yes", is_flag=True, help="confirm the mapping and the import")
def import_command(
    file: Path, unit_code: str | None, skip_bad_rows: bool, yes: bool
) -> None:
    """Import a dossier system's export (CSV or XLSX)."""
    with in_language("en"), session_factory()() as session:
        end_stale_imports(session, utcnow())
        session.commit()
        unit = _unit(session, unit_code)
        checksum = file_checksum(file)
        earlier = earlier_import(session, unit, checksum)
        if earlier is not None:
            click.echo(
                f"This file was imported already (import {earlier.id},"
                f" {earlier.finished_at:%Y-%m-%d %H:%M} UTC): nothing to do."
            )
            return
        try:
            layout = inspect_export(file)
        except UnreadableExport as unreadable:
            raise click.ClickException(translated(unreadable.message)) from None
        source = remembered_source(session, layout.headers) or _confirmed_mapping(
            session, layout.headers, yes
        )
        try:
            dossier_import = start_import(
                session,
                unit=unit,
                user_id=None,
                source=source,
                filename=file.name,
                checksum=checksum,
            )
        except ImportRefused as refused:
            raise click.ClickException(translated(refused.message)) from None
        session.commit()
        dossier_import = read_import(
            session, dossier_import, file, on_progress=_show_progress
        )
        click.echo(err=True)
        _report_reading(session, dossier_import)
        if dossier_import.rows_bad and not skip_bad_rows:
            _cancel(session, dossier_import)
            raise click.ClickException(
                f"{dossier_import.rows_bad} bad row(s): nothing was imported."
                " Correct the file, or import the good rows with --skip-bad-rows."
            )
        if not yes and not click.confirm("Apply the import?"):
            _cancel(session, dossier_import)
            raise click.Abort()
        try:
            apply_import(
                session, dossier_import, skip_bad_rows=skip_bad_rows, user_id=None
            )
        except ImportRefused as refused:
            raise click.ClickException(translated(refused.message)) from None
        session.commit()
        discard_staged_rows(session, dossier_import.id)
        session.commit()
        try:
            issued = issue_imported_codes(
                session,
                dossier_key(current_app.secret_key),
                dossier_import,
                local_date(utcnow()),
            )
        except RatingCodeError as error:
            session.rollback()
            click.echo(f"Rating codes not issued: {error}", err=True)
            issued = IssuedCodes(0, {})
        session.commit()
    click.echo(
        f"Imported: {dossier_import.created} created, {dossier_import.updated}"
        f" updated, {dossier_import.unchanged} unchanged"
        + (f", {dossier_import.rows_bad} bad row(s) skipped." if skip_bad_rows else ".")
    )
    click.echo(f"Rating codes issued: {issued.issued}.")


def _unit(session: Session, code: str | None) -> Unit | None:
    return None if code is None else one_by_code(session, Unit, code, "unit")


def _confirmed_mapping(
    session: Session, headers: tuple[str, ...], yes: bool
) -> ImportSource:
    """Show the mapping proposed for a new layout; remember it once confirmed."""
    mapping = propose_mapping(headers)
    labels = {field.value: LABELS[field] for field in Field}
    agree_to_mapping(mapping, labels, mapping_problems(headers, mapping), yes)
    source = confirm_mapping(session, headers, mapping, None)
    session.commit()
    return source


def _show_progress(rows_read: int, rows_total: int | None) -> None:
    total = f" of about {rows_total:,}" if rows_total else ""
    click.echo(f"\rread {rows_read:,}{total} rows", nl=False, err=True)


def _report_reading(session: Session, dossier_import: DossierImport) -> None:
    """Say what the reading found: the file's problem, or the rows' ones."""
    if dossier_import.status == ImportStatus.FAILED:
        reason = next(all_problems(session, dossier_import))
        raise click.ClickException(translated(reason.message))
    click.echo(
        f"Read {dossier_import.rows_read} row(s): {dossier_import.rows_bad} bad;"
        f" the good ones would create {dossier_import.created}, update"
        f" {dossier_import.updated} and leave {dossier_import.unchanged} unchanged."
    )
    if dossier_import.rows_bad:
        click.echo("Problems (row, column: reason):", err=True)
        for number, problem in enumerate(all_problems(session, dossier_import)):
            if number == LISTED_PROBLEMS:
                total = problems_page(session, dossier_import, 1)[1]
                click.echo(f"  … and {total - number} more.", err=True)
                break
            click.echo(f"  {_line(problem)}", err=True)


def _line(problem: ShownProblem) -> str:
    column = f", {problem.column}" if problem.column else ""
    return f"row {problem.line}{column}: {translated(problem.message)}"


def _cancel(session: Session, dossier_import: DossierImport) -> None:
    cancel_import(session, dossier_import)
    session.commit()


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
        unit = _unit(session, unit_code)
        assert unit is not None, "--unit is required"
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
