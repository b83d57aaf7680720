"""Issue 16's new paths against bare baselines: OpenRosa interviews, the XForm,
cascading selects over the largest CSV a form may carry.

1. Interviews: N household interviews of the PAPI template (a household roster,
   a repeat of four rows) posted through the real OpenRosa endpoint
   (``POST /openrosa/key/<key>/submission``, multipart with
   ``xml_submission_file``) with Flask's test client, each committed; against a
   bare baseline doing the minimum the same work needs: parse the same XML with
   defusedxml and insert the same response and answer rows with SQLAlchemy Core
   in one transaction per interview. Then the same N instances resent (the
   replay path: each must store nothing), per second. The per-address
   request ceiling is off (one device sends everything). On SQLite (a file) and on
   PostgreSQL (a throw-away database on ``--pg-url``).
2. The XForm: a first build (our XLSForm export converted by pyxform,
   ``surveys.fieldwork.xforms.build_xform``) and a cached ``formList`` plus
   form download, against pyxform's bare ``convert`` of the same workbook.
3. Cascading selects: ``validate_answers`` and ``relevance`` of a form whose
   ``select_one_from_file`` over a 20,000-row CSV (``csv_files.MAX_ROWS``) is
   filtered by ``choice_filter``, against a bare list comprehension filtering
   the same rows.

Speed is reported, never asserted. Run from the repository root::

    python bench/bench_openrosa.py                      # both databases
    python bench/bench_openrosa.py --n 1000 --database sqlite
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from defusedxml import ElementTree as SafeTree  # noqa: E402
from harness import DEFAULT_PG_URL, postgresql_databases, sqlalchemy_url  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import create_app  # noqa: E402
from app.db import bind_of  # noqa: E402
from surveys import load_definition  # noqa: E402
from surveys.db import make_engine  # noqa: E402
from surveys.migrate import upgrade_to_head  # noqa: E402
from surveys.models import Answer, Response  # noqa: E402
from surveys.questionnaire import (  # noqa: E402
    Questionnaire,
    build_questionnaire,
    relevance,
    validate_answers,
)
from surveys.questionnaire.csv_files import MAX_ROWS  # noqa: E402
from tests.app.openrosa_field import (  # noqa: E402
    Field,
    base,
    download,
    fill,
    make_field,
    submit,
)

PAPI = ROOT / "surveys" / "definitions" / "papi.yaml"
AGREE = [
    "part_decide_works",
    "part_real_choice",
    "part_contributions",
    "tr_poor_list",
    "tr_budget",
    "tr_land_plan",
    "acc_contact",
    "acc_proposals",
    "acc_inspection",
    "cor_public_funds",
    "cor_land_certificate",
    "cor_connections",
    "env_air",
    "env_water",
    "env_waste",
    "eg_portal_easy",
    "eg_information",
]
RATED = "proc_time proc_staff proc_fees svc_hospital svc_school svc_security"
#: A household that used a procedure, has a pupil and uses the internet (every
#: section asked), of four members.
PAPI_ANSWERS = (
    dict.fromkeys(AGREE, "4")
    | dict.fromkeys(RATED.split(), "3")
    | {"eg_satisfied": "5", "used_procedure": "yes", "proc_which": "land"}
    | {"has_pupil": "yes", "uses_internet": "yes", "sex": "female"}
    | {"birth_year": "1978", "household_size": "4", "area": "rural"}
)
MEMBERS = [
    {"member_sex": sex, "member_age": age}
    for sex, age in (("female", "47"), ("male", "50"), ("female", "19"), ("male", "12"))
]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.1f}/s"


# --- 1. interviews ----------------------------------------------------------------


@contextmanager
def database(kind: str, server: str) -> Iterator[str]:
    """Yield a migrated empty database's URL, removed at the end."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'openrosa.sqlite3'}"
            upgrade_to_head(url)
            yield url
        return
    with postgresql_databases(server, [""]) as (libpq,):
        url = sqlalchemy_url(libpq)
        upgrade_to_head(url)
        yield url


def bench_app(url: str, instance: str) -> Any:
    """The app on ``url``, its per-address ceiling off: the load is one device."""
    return create_app(
        {"SECRET_KEY": "bench-" + uuid.uuid4().hex, "DATABASE_URL": url}
        | {"INSTANCE_PATH": instance, "RATELIMIT_ENABLED": False}
    )


def bare_interview(engine: Any, field: Field, xml: bytes) -> None:
    """Parse the instance and insert its rows, the least the same work needs."""
    root = SafeTree.fromstring(xml)
    answers: list[dict[str, object]] = []
    position: dict[str, int] = {}
    instance_id = ""
    for element in root.iter():
        if len(element):
            if element.tag == "members":
                position["members"] = position.get("members", 0) + 1
            continue
        if element.tag == "instanceID":
            instance_id = element.text or ""
        elif element.text:
            in_row = element.tag.startswith("member_")
            text = element.text
            number = float(text) if text.lstrip("-").isdigit() else None
            answers.append(
                {
                    "question": element.tag,
                    "position": position["members"] if in_row else 0,
                    "value_text": None if number is not None else text,
                    "value_num": number,
                }
            )
    row = {
        "campaign_id": field.other_campaign.id,
        "questionnaire_id": field.other_campaign.questionnaire_id,
        "unit_id": field.ward.id,
        "channel": "interviewer",
        "language": "vi",
        "submission_id": instance_id,
        "content_hash": "0" * 64,
        "submitted_at": datetime.now(UTC),
        "verified": True,
    }
    with engine.begin() as connection:
        response_id = connection.execute(
            insert(Response.__table__).values(row).returning(Response.id)
        ).scalar_one()
        connection.execute(
            insert(Answer.__table__),
            [a | {"response_id": response_id} for a in answers],
        )


def stored(engine: Any, campaign_id: int) -> int:
    with engine.connect() as connection:
        ids = select(Response.id).where(Response.campaign_id == campaign_id)
        return len(connection.execute(ids).all())


def bench_interviews(kind: str, server: str, count: int) -> None:
    with database(kind, server) as url, tempfile.TemporaryDirectory() as instance:
        app = bench_app(url, instance)
        engine = make_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                field = make_field(session, load_definition(PAPI))
            client = app.test_client()
            xform = download(client, field)
            instances = [
                fill(xform, PAPI_ANSWERS, f"uuid:{uuid.uuid4()}", {"members": MEMBERS})
                for _ in range(count)
            ]
            first = submit(client, field, instances[0])
            assert first.status_code == 201, first.get_data(as_text=True)
            started = time.perf_counter()
            for xml in instances[1:]:
                answer = submit(client, field, xml)
                assert answer.status_code == 201, answer.get_data(as_text=True)
            ours = time.perf_counter() - started
            kept = stored(engine, field.campaign.id)
            started = time.perf_counter()
            for xml in instances[1:]:
                assert submit(client, field, xml).status_code in (200, 201, 202)
            replay = time.perf_counter() - started
            assert stored(engine, field.campaign.id) == kept == count, kept
            bare_interview(engine, field, instances[0])
            started = time.perf_counter()
            for xml in instances[1:]:
                bare_interview(engine, field, xml)
            bare = time.perf_counter() - started
        finally:
            engine.dispose()
            bind_of(app).dispose()
    timed = count - 1
    print(
        f"\n{kind}: {timed} PAPI interviews (4 roster rows each)"
        " via POST /openrosa/key/<key>/submission"
    )
    print(f"  bare (defusedxml + Core insert)  {rate(timed, bare)}")
    print(f"  ours (OpenRosa submission)       {rate(timed, ours)}"
          f"   ours / bare = {ours / bare:.2f}")  # fmt: skip
    print(f"  replay (same instance resent)    {rate(timed, replay)}"
          f"   stored nothing more")  # fmt: skip


# --- 2. the XForm -----------------------------------------------------------------


def best(task: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` runs of ``task``."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        task()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def bench_xform(repeat: int) -> None:
    from pyxform.xls2xform import convert

    from surveys.fieldwork.xforms import build_xform
    from surveys.questionnaire.xlsform_writer import write_xlsform

    papi = load_definition(PAPI)
    workbook = io.BytesIO()
    write_xlsform(papi, workbook)
    content = workbook.getvalue()

    bare = best(lambda: convert(xlsform=content, file_type=".xlsx"), repeat)
    build = best(lambda: build_xform(papi, "hailong-c1-u1", "1", "PAPI"), repeat)
    with database("sqlite", "") as url, tempfile.TemporaryDirectory() as instance:
        app = bench_app(url, instance)
        with Session(make_engine(url), expire_on_commit=False) as session:
            field = make_field(session, papi)
        client = app.test_client()
        download(client, field)  # builds and caches it

        def served() -> None:
            assert client.get(f"{base(field)}/formList").status_code == 200
            download(client, field)

        cached = best(served, repeat * 10)
        bind_of(app).dispose()
    print(f"\nThe PAPI XForm (median of {repeat}; cached: of {repeat * 10})")
    print(f"  bare pyxform convert             {bare * 1000:8.1f} ms")
    print(f"  first build (export + convert)   {build * 1000:8.1f} ms"
          f"   build / bare = {build / bare:.2f}")  # fmt: skip
    print(f"  cached formList + form download  {cached * 1000:8.1f} ms"
          f"   cached / bare = {cached / bare:.3f}")  # fmt: skip


# --- 3. cascading selects ---------------------------------------------------------


def cascade(
    rows: int, districts: int, choice_filter: str
) -> tuple[Questionnaire, list[dict[str, str]]]:
    """A district select, then a counter from a ``rows``-row CSV of its district."""
    records = [
        {"name": f"c{n}", "label": f"Quầy {n}", "district": f"d{n % districts}"}
        for n in range(rows)
    ]
    questionnaire = build_questionnaire(
        {
            "key": "cascade",
            "version": "1",
            "title": {"vi": "Quầy"},
            "languages": ["vi"],
            "questions": [
                {"name": "district", "type": "select_one", "choices": "districts",
                 "label": {"vi": "Quận"}},
                {"name": "counter", "type": "select_one",
                 "choices_file": "counters.csv",
                 "choice_filter": choice_filter, "label": {"vi": "Quầy"}},
            ],
            "choices": {
                "districts": [
                    {"name": f"d{n}", "label": {"vi": f"Quận {n}"}}
                    for n in range(districts)
                ]
            },
            "files": {
                "counters.csv": {
                    "columns": ["name", "label", "district"],
                    "rows": [list(r.values()) for r in records],
                }
            },
        }
    )  # fmt: skip
    return questionnaire, records


#: The same filter twice: the plain equality ``choice_index`` answers from an
#: index, and a spelling of it only the general evaluation takes.
FILTERS = {
    "indexed": "district = ${district}",
    "general": "district = ${district} and 1 = 1",
}


def bench_cascade(rows: int, repeat: int) -> None:
    answers = {"district": "d7", "counter": "c7"}
    timings: dict[str, float] = {}
    for path, choice_filter in FILTERS.items():
        questionnaire, records = cascade(rows, 24, choice_filter)
        started = time.perf_counter()
        shown = relevance(questionnaire, {"district": "d7"})
        timings[f"{path}: first relevance"] = time.perf_counter() - started
        wanted = [r["name"] for r in records if r["district"] == "d7"]
        assert list(shown.choices["counter"]) == wanted
        assert validate_answers(questionnaire, answers)["counter"] == "c7"
        timings[f"{path}: relevance"] = best(
            lambda q=questionnaire: relevance(q, answers), repeat
        )
        timings[f"{path}: validate_answers"] = best(
            lambda q=questionnaire: validate_answers(q, answers), repeat
        )

    def bare() -> list[str]:
        return [r["name"] for r in records if r["district"] == "d7"]

    floor = best(bare, repeat * 10)
    print(f"\nCascading select over a {rows:,}-row CSV ({len(wanted)} rows fit;"
          f" median of {repeat})")  # fmt: skip
    print(f"  {'bare list comprehension':32} {floor * 1000:8.3f} ms")
    for what, seconds in timings.items():
        print(f"  {what:32} {seconds * 1000:8.3f} ms"
              f"   / bare = {seconds / floor:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="interviews per database")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"),
                        default="both")  # fmt: skip
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--rows", type=int, default=MAX_ROWS, help="CSV rows")
    parser.add_argument("--repeat", type=int, default=5, help="median of N")
    arguments = parser.parse_args()
    kinds = ("sqlite", "postgresql") if arguments.database == "both" else (
        arguments.database,
    )  # fmt: skip
    for kind in kinds:
        bench_interviews(kind, arguments.pg_url, arguments.n)
    bench_xform(arguments.repeat)
    bench_cascade(arguments.rows, arguments.repeat)


if __name__ == "__main__":
    main()
