"""The sample export an official downloads beside the import page ("Tải file mẫu").

It is every ``SAMPLE_EVERY``-th dossier of the demo district's year
(``surveys.demo.dossiers``), as a CSV and as a workbook, so that importing it
into the demo changes nothing. Written by ``python -m surveys.demo.sample``;
the files are committed, and a test checks they are what this writes.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from surveys.dossiers.sample_export import SAMPLE_FILES, SAMPLE_FOLDER

SAMPLE_EVERY = 20


def sample_rows(session: Session) -> list[tuple[object, ...]]:
    """Return the sample's rows, numbered from 1, from a session on the demo."""
    from surveys.demo.dossiers import demo_export

    rows = demo_export(session)[::SAMPLE_EVERY]
    return [(number, *row[1:]) for number, row in enumerate(rows, start=1)]


def write_sample(folder: Path = SAMPLE_FOLDER) -> dict[str, Path]:
    """Build the demo district in memory and write the sample export into ``folder``."""
    import numpy as np

    from surveys.demo import SEED
    from surveys.demo.district import ensure_district
    from surveys.demo.dossiers import write_csv, write_xlsx
    from surveys.models import Base

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        ensure_district(session, np.random.default_rng(SEED))
        rows = sample_rows(session)
    engine.dispose()
    folder.mkdir(exist_ok=True)
    written = {kind: folder / path.name for kind, path in SAMPLE_FILES.items()}
    write_csv(written["csv"], rows)
    write_xlsx(written["xlsx"], rows)
    return written


if __name__ == "__main__":
    for path in write_sample().values():
        print(f"wrote {path}")
