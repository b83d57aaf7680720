"""``flask --app wsgi cases import FILE``: bring a portal's export of feedback
cases (1022, the national portal, others) in.

The same service as the staff page: every row is read and checked first, the
problems are listed, and only then are the good rows stored, at once; with
bad rows nothing is stored unless ``--skip-bad-rows`` lets the good ones in.
A layout seen before is read with the mapping confirmed for it; a new one is
shown first and remembered once confirmed (``--yes`` confirms it, and the
import, without asking). Importing the same file again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli.lookups import agree_to_mapping, one_by_code
from app.db import session_factory
from app.i18n import in_language, translated
from surveys.cases.portal_columns import (
    CASE_LABELS,
    CaseField,
    case_mapping_problems,
    confirm_case_mapping,
    propose_case_mapping,
    remembered_case_source,
)
from surveys.cases.portal_import import (
    PORTAL_CHANNELS,
    CheckedExport,
    Choices,
    ImportRefused,
    apply_export,
    check_export,
)
from surveys.dossiers.reading import UnreadableExport, inspect_export
from surveys.models import CaseCategory, CaseChannel, Unit
from surveys.translatable import Message
from surveys.units.tree import subtree_ids

cases = AppGroup("cases", help="Feedback cases (phản ánh, kiến nghị).")

#: Problems listed on the terminal; the rest are counted.
LISTED_PROBLEMS = 100


@cases.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--channel",
    type=click.Choice([channel.value for channel in PORTAL_CHANNELS]),
    required=True,
    help="where the export comes from",
)
@click.option(
    "--unit",
    "unit_code",
    help="code of the importing unit: rows must be its own or its subunits'"
    " (rows without a unit are its own)",
)
@click.option(
    "--fallback-category",
    "category_code",
    help="code of the category given to rows whose category is unknown",
)
@click.option(
    "--skip-bad-rows", is_flag=True, help="import the good rows, list the bad ones"
)
@click.option("--yes", is_flag=True, help="confirm the mapping and the import")
def import_command(
    file: Path,
    channel: str,
    unit_code: str | None,
    category_code: str | None,
    skip_bad_rows: bool,
    yes: bool,
) -> None:
    """Import a portal's export of feedback cases (CSV or XLSX)."""
    with in_language("en"), session_factory()() as session:
        try:
            layout = inspect_export(file)
        except UnreadableExport as unreadable:
            raise click.ClickException(translated(unreadable.message)) from None
        source = remembered_case_source(session, layout.headers)
        mapping = source.mapping if source else _confirmed(session, layout.headers, yes)
        choices = _choices(session, CaseChannel(channel), unit_code, category_code)
        try:
            checked = check_export(session, file, mapping, choices)
        except UnreadableExport as unreadable:
            raise click.ClickException(translated(unreadable.message)) from None
        _report(checked)
        if checked.problems and not skip_bad_rows:
            raise click.ClickException(
                f"{checked.bad_rows} bad row(s): nothing was imported."
                " Correct the file, or import the good rows with --skip-bad-rows."
            )
        if not yes and not click.confirm("Apply the import?"):
            raise click.Abort()
        try:
            result = apply_export(
                session,
                checked,
                choices,
                None,
                good_rows_only=skip_bad_rows,
                filename=file.name,
            )
        except ImportRefused as refused:
            raise click.ClickException(translated(refused.message)) from None
        session.commit()
    click.echo(
        f"Imported: {result.created} created, {result.updated} updated,"
        f" {result.answered} answered, {result.unchanged} unchanged"
        + (f", {result.skipped} bad row(s) skipped." if skip_bad_rows else ".")
    )


def _choices(
    session: Session,
    channel: CaseChannel,
    unit_code: str | None,
    category_code: str | None,
) -> Choices:
    """Return the import's scope (the unit's subtree, or every unit) and fallbacks."""
    unit_id = None
    scope = select(Unit.id)
    if unit_code is not None:
        unit_id = one_by_code(session, Unit, unit_code, "unit").id
        scope = subtree_ids(unit_id)
    category_id = None
    if category_code is not None:
        category_id = one_by_code(session, CaseCategory, category_code, "category").id
    return Choices(channel, frozenset(session.scalars(scope)), unit_id, category_id)


def _confirmed(session: Session, headers: tuple[str, ...], yes: bool) -> dict[str, str]:
    """Show the mapping proposed for a new layout; remember it once confirmed."""
    mapping = propose_case_mapping(headers)
    labels = {field.value: CASE_LABELS[field] for field in CaseField}
    agree_to_mapping(mapping, labels, case_mapping_problems(headers, mapping), yes)
    confirm_case_mapping(session, headers, mapping, None)
    session.commit()
    return mapping


def _report(checked: CheckedExport) -> None:
    """Say what the reading found, and list the rows' problems."""
    click.echo(
        f"Read {checked.rows} row(s): {checked.bad_rows} bad, {len(checked.good)} good."
    )
    if not checked.problems:
        return
    click.echo("Problems (row, column: reason):", err=True)
    for problem in checked.problems[:LISTED_PROBLEMS]:
        column = f", {translated(Message(problem.column))}" if problem.column else ""
        click.echo(
            f"  row {problem.line}{column}: {translated(problem.message)}", err=True
        )
    if len(checked.problems) > LISTED_PROBLEMS:
        click.echo(f"  … and {len(checked.problems) - LISTED_PROBLEMS} more.", err=True)
