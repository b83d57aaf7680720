"""What several commands ask alike: an object named by its code, and whether to
use the column mapping proposed for an export layout seen for the first time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import translated
from surveys.models import CaseCategory, ServicePoint, Unit
from surveys.translatable import Message

Found = TypeVar("Found", Unit, ServicePoint, CaseCategory)


def one_by_code(session: Session, model: type[Found], code: str, noun: str) -> Found:
    """Return the ``model`` with this code; refuse the command when there is none."""
    found = session.scalar(select(model).where(model.code == code))
    if found is None:
        raise click.ClickException(f"no {noun} has the code {code!r}")
    return found


def agree_to_mapping(
    mapping: Mapping[str, str],
    labels: Mapping[str, str],
    problems: Sequence[Message],
    yes: bool,
) -> None:
    """Show the mapping proposed for a new layout (``labels``: each field's msgid,
    in order); refuse one that cannot be read, else ask (``yes``: agreed)."""
    click.echo("A new export layout. Proposed mapping (field: column):", err=True)
    for field, label in labels.items():
        click.echo(
            f"  {translated(Message(label))}: {mapping.get(field, '-')}", err=True
        )
    if problems:
        reasons = "; ".join(translated(problem) for problem in problems)
        raise click.ClickException(
            f"the columns cannot be mapped: {reasons} Rename the headers, or import"
            " the file once from the staff pages to choose its columns."
        )
    if not yes and not click.confirm("Use and remember this mapping?"):
        raise click.Abort()
