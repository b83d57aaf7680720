"""Rating codes for a big import's dossiers, against a bare INSERT of as many tokens.

A unit's dossiers (20,000, then 200,000 by default) are stored with hailong's
schema, then given their rating codes by ``issue_rating_codes`` (draw the
tokens, hash each dossier code, insert the codes, link each dossier to its
code, commit). The baseline is the database's own floor for the same rows: a
DB-API ``executemany`` INSERT of as many tokens drawn beforehand into
``access_codes`` of an identical, empty database, then a commit. Both run on
SQLite (a file, WAL, as hailong runs it) and on PostgreSQL (throw-away
databases, see ``harness.postgresql_databases``). Target: ours within 10x the
bare insert, and seconds, not minutes, for 200,000. Run from the repository
root::

    python bench/bench_rating_codes.py
    python bench/bench_rating_codes.py --dossiers 200000 --pg-url ''   # SQLite only
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import (  # noqa: E402
    DEFAULT_PG_URL,
    postgresql_databases,
    sqlalchemy_url,
)
from sqlalchemy import Engine, func, insert, select  # noqa: E402

from surveys.access.codes import new_token  # noqa: E402
from surveys.access.privacy import dossier_key  # noqa: E402
from surveys.db import make_engine, make_session_factory  # noqa: E402
from surveys.dossiers.rating_codes import issue_rating_codes  # noqa: E402
from surveys.migrate import upgrade_to_head  # noqa: E402
from surveys.models import (  # noqa: E402
    AccessCode,
    Campaign,
    Dossier,
    Procedure,
    Questionnaire,
    Unit,
)

TODAY = date(2026, 6, 1)
RECEIVED = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)
KEY = dossier_key("bench secret")
#: Dossiers written per statement while building the database (not timed).
LOAD_BATCH = 10_000


def prepare(url: str, dossiers: int) -> tuple[Engine, int, int]:
    """Migrate, add a district, a ward, a dossier campaign and ``dossiers`` dossiers.

    Returns the engine, the campaign's id and the ward's id.
    """
    upgrade_to_head(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        district = Unit(code="q", name="Quận", kind="district")
        ward = Unit(code="p", name="Phường", kind="ward", parent=district)
        questionnaire = Questionnaire(
            key="dossier", version=1, title="Hồ sơ", definition={}, checksum="0" * 64
        )
        procedure = Procedure(code="tt", name="Đăng ký khai sinh", processing_days=3)
        campaign = Campaign(
            key="hoso", name="Đánh giá hồ sơ", questionnaire=questionnaire,
            unit=district, mode="dossier", starts_on=date(2026, 1, 1),
        )  # fmt: skip
        session.add_all([ward, procedure, campaign])
        session.flush()
        ids = campaign.id, ward.id, procedure.id
    campaign_id, ward_id, procedure_id = ids
    with engine.begin() as connection:
        for start in range(0, dossiers, LOAD_BATCH):
            connection.execute(
                insert(Dossier),
                [
                    {
                        "unit_id": ward_id, "code": f"000.00.19.H29-260504-{n:06d}",
                        "procedure_id": procedure_id, "channel": "online",
                        "status": "returned", "received_at": RECEIVED,
                        "due_at": RECEIVED + timedelta(days=3),
                        "returned_at": RECEIVED + timedelta(days=2),
                        "working_days_late": -1, "received_month": "2026-05",
                        "returned_month": "2026-05", "row_hash": "0" * 64,
                    }
                    for n in range(start, min(start + LOAD_BATCH, dossiers))
                ],
            )  # fmt: skip
    return engine, campaign_id, ward_id


def ours(engine: Engine, ward_id: int, dossiers: int) -> float:
    """Issue every dossier's rating code and commit; return the seconds taken."""
    started = time.perf_counter()
    with make_session_factory(engine).begin() as session:
        issued = issue_rating_codes(session, KEY, [ward_id], today=TODAY)
    seconds = time.perf_counter() - started
    with engine.connect() as connection:
        linked = connection.scalar(
            select(func.count()).where(Dossier.access_code_id.is_not(None))
        )
    if issued.issued != dossiers or linked != dossiers:
        raise AssertionError(f"{issued.issued} issued, {linked} linked of {dossiers}")
    return seconds


def bare(engine: Engine, campaign_id: int, ward_id: int, count: int) -> float:
    """Insert ``count`` tokens drawn beforehand with the driver's executemany."""
    tokens = [new_token() for _ in range(count)]
    marker = "?" if engine.dialect.name == "sqlite" else "%s"
    statement = (
        "INSERT INTO access_codes (token, campaign_id, unit_id, kind, created_at)"
        f" VALUES ({', '.join([marker] * 5)})"
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [(token, campaign_id, ward_id, "single_use", now) for token in tokens]
    connection = engine.raw_connection()
    try:
        started = time.perf_counter()
        cursor = connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(statement, rows)
        connection.commit()
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    with engine.connect() as check:
        assert check.scalar(select(func.count(AccessCode.id))) == count
    return seconds


@contextlib.contextmanager
def databases(backend: str, pg_url: str, folder: Path) -> Iterator[tuple[str, str]]:
    """Yield the URLs of two empty databases: one for ours, one for the baseline."""
    if backend == "sqlite":
        yield (
            f"sqlite:///{folder / 'ours.sqlite3'}",
            f"sqlite:///{folder / 'bare.sqlite3'}",
        )
        return
    with postgresql_databases(pg_url, ["_ours", "_bare"]) as urls:
        yield sqlalchemy_url(urls[0]), sqlalchemy_url(urls[1])


def measure(backend: str, pg_url: str, dossiers: int) -> tuple[float, float]:
    """Return (ours, bare) seconds for ``dossiers`` on fresh databases."""
    with (
        tempfile.TemporaryDirectory() as folder,
        databases(backend, pg_url, Path(folder)) as (ours_url, bare_url),
    ):
        engine, _, ward_id = prepare(ours_url, dossiers)
        baseline_engine, campaign_id, bare_ward = prepare(bare_url, 0)
        try:
            ours_seconds = ours(engine, ward_id, dossiers)
            bare_seconds = bare(baseline_engine, campaign_id, bare_ward, dossiers)
        finally:
            engine.dispose()
            baseline_engine.dispose()
    return ours_seconds, bare_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG_URL, help="'' to measure SQLite only"
    )
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.pg_url else [])
    print(f"{'database':11} {'dossiers':>9} {'ours s':>8} {'bare s':>8} {'ratio':>6}")
    worst = 0.0
    for backend in backends:
        for count in args.dossiers:
            ours_seconds, bare_seconds = measure(backend, args.pg_url, count)
            ratio = ours_seconds / bare_seconds
            worst = max(worst, ratio)
            print(
                f"{backend:11} {count:9,} {ours_seconds:8.2f} {bare_seconds:8.2f}"
                f" {ratio:6.1f}",
                flush=True,
            )
    verdict = "met" if worst <= 10 else "MISSED"
    print(f"target (ours at most 10x the bare executemany INSERT): {verdict}")


if __name__ == "__main__":
    main()
