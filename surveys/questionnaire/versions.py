"""Stored questionnaire versions: immutable, numbered per key, known by checksum."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.models import Questionnaire as StoredQuestionnaire
from surveys.questionnaire import (
    DefinitionError,
    Problem,
    Questionnaire,
    load_definition,
)
from surveys.questionnaire.schema import build_questionnaire

#: The templates shipped with hailong, one YAML file per questionnaire key.
DEFINITIONS = Path(__file__).parents[1] / "definitions"


@dataclass(frozen=True)
class StoreResult:
    """The stored version, and whether this call created it."""

    stored: StoredQuestionnaire
    created: bool


def store_questionnaire(session: Session, questionnaire: Questionnaire) -> StoreResult:
    """Store ``questionnaire`` as the next version of its key, unless stored already.

    A definition whose canonical content was stored before (same checksum) is not
    stored again: importing the same file twice makes no new version.
    """
    existing = session.scalar(
        select(StoredQuestionnaire).where(
            StoredQuestionnaire.key == questionnaire.key,
            StoredQuestionnaire.checksum == questionnaire.checksum,
        )
    )
    if existing is not None:
        return StoreResult(existing, created=False)
    latest = session.scalar(
        select(func.max(StoredQuestionnaire.version)).where(
            StoredQuestionnaire.key == questionnaire.key
        )
    )
    stored = StoredQuestionnaire(
        key=questionnaire.key,
        version=(latest or 0) + 1,
        title=questionnaire.title.get("vi") or next(iter(questionnaire.title.values())),
        definition=questionnaire.to_dict(),
        checksum=questionnaire.checksum,
    )
    session.add(stored)
    session.flush()
    return StoreResult(stored, created=True)


def latest_versions(session: Session) -> list[StoredQuestionnaire]:
    """Return the newest stored version of every questionnaire key."""
    newest = (
        select(
            StoredQuestionnaire.key, func.max(StoredQuestionnaire.version).label("v")
        )
        .group_by(StoredQuestionnaire.key)
        .subquery()
    )
    return list(
        session.scalars(
            select(StoredQuestionnaire)
            .join(
                newest,
                (StoredQuestionnaire.key == newest.c.key)
                & (StoredQuestionnaire.version == newest.c.v),
            )
            .order_by(StoredQuestionnaire.key)
        )
    )


def versions_of(session: Session, key: str) -> list[StoredQuestionnaire]:
    """Return every stored version of ``key``, newest first."""
    return list(
        session.scalars(
            select(StoredQuestionnaire)
            .where(StoredQuestionnaire.key == key)
            .order_by(StoredQuestionnaire.version.desc())
        )
    )


def definition_of(stored: StoredQuestionnaire) -> Questionnaire:
    """Return the engine's model of a stored version, parsed once per process.

    The checksum names the content exactly, so it is a safe cache key.
    """
    parsed = _PARSED.get(stored.checksum)
    if parsed is None:
        source = f"{stored.key} v{stored.version} (stored)"
        parsed = _PARSED[stored.checksum] = build_questionnaire(
            stored.definition, source=source
        )
    return parsed


_PARSED: dict[str, Questionnaire] = {}


def shipped_template(key: str) -> Questionnaire:
    """Load one of the templates shipped in ``surveys/definitions/``."""
    return load_definition(DEFINITIONS / f"{key}.yaml")


def load_upload(
    filename: str,
    data: bytes,
    files: Mapping[str, bytes] | None = None,
    *,
    notices: list[Problem] | None = None,
) -> Questionnaire:
    """Load an uploaded definition; its extension picks YAML, JSON or XLSForm.

    ``files`` are the CSV files uploaded beside it, by file name. The loaders
    read files, so the upload goes to a private temporary folder that is
    removed at once. Raises ``DefinitionError`` listing every problem found;
    ``notices`` receives the rows dropped without changing what is asked.
    """
    suffix = PurePath(filename).suffix.lower()
    if not data:
        raise DefinitionError(
            filename, [Problem("file", "(file)", "the file is empty")]
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            return load_definition(path, files, notices=notices)
        except DefinitionError as error:
            raise DefinitionError(filename, error.problems) from None
