"""``flask --app wsgi questionnaires validate | import | list | export``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.db import session_factory
from surveys.models import Questionnaire as StoredQuestionnaire
from surveys.questionnaire import DefinitionError, Questionnaire, load_definition
from surveys.questionnaire.versions import (
    definition_of,
    latest_versions,
)
from surveys.units.management import import_questionnaire

questionnaires = AppGroup("questionnaires", help="Questionnaire definitions.")

PATH = click.Path(exists=True, dir_okay=False, path_type=Path)
#: ``--file wards.csv``, as often as needed: CSV files beside the form.
DATA_FILES = click.option(
    "--file",
    "data_files",
    multiple=True,
    type=PATH,
    help="a CSV file the form uses (select_one_from_file, pulldata); repeatable",
)


def _load(path: Path, data_files: tuple[Path, ...] = ()) -> Questionnaire:
    """Load a definition and its CSV files, or exit 1 with every problem listed."""
    try:
        return load_definition(path, {f.name: f.read_bytes() for f in data_files})
    except DefinitionError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error


@questionnaires.command("validate")
@click.argument("path", type=PATH)
@DATA_FILES
def validate_command(path: Path, data_files: tuple[Path, ...]) -> None:
    """Check a YAML, JSON or XLSForm definition; list every problem found."""
    questionnaire = _load(path, data_files)
    click.echo(
        f"{path}: valid questionnaire {questionnaire.key!r}"
        f" ({len(questionnaire.questions)} questions)."
    )


@questionnaires.command("import")
@click.argument("path", type=PATH)
@DATA_FILES
def import_command(path: Path, data_files: tuple[Path, ...]) -> None:
    """Store a definition as a new immutable version (unless stored already)."""
    questionnaire = _load(path, data_files)
    with session_factory().begin() as session:
        result = import_questionnaire(session, None, questionnaire)
        version = result.stored.version
    if result.created:
        click.echo(f"Stored {questionnaire.key!r} as version {version}.")
    else:
        click.echo(f"{questionnaire.key!r} is stored already as version {version}.")


@questionnaires.command("list")
def list_command() -> None:
    """List the newest stored version of every questionnaire."""
    with session_factory()() as session:
        rows = latest_versions(session)
        for stored in rows:
            click.echo(f"{stored.key}\tv{stored.version}\t{stored.title}")
    if not rows:
        click.echo("No questionnaire is stored yet.")


@questionnaires.command("export")
@click.argument("key")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@click.option("--version", type=int, help="a stored version (default: the newest)")
def export_command(key: str, output: Path, version: int | None) -> None:
    """Write a stored questionnaire as an XLSForm workbook (.xlsx), its CSVs beside."""
    # openpyxl (and numpy through it) loads for this command only, not with the
    # web app that imports this module.
    from surveys.questionnaire.xlsform_writer import write_data_files, write_xlsform

    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter("the output must be an .xlsx file", param_hint="-o")
    with session_factory()() as session:
        query = select(StoredQuestionnaire).where(StoredQuestionnaire.key == key)
        if version is not None:
            query = query.where(StoredQuestionnaire.version == version)
        stored = session.scalar(query.order_by(StoredQuestionnaire.version.desc()))
        if stored is None:
            raise click.ClickException(
                f"no stored questionnaire {key!r}"
                + (f" version {version}" if version is not None else "")
            )
        questionnaire = definition_of(stored)
        write_xlsform(questionnaire, output)
        click.echo(f"Wrote {key!r} version {stored.version} to {output}.")
        for path in write_data_files(questionnaire, output.parent):
            click.echo(f"Wrote its file {path.name} beside it.")
