"""``flask codes issue`` and ``flask qr poster`` on a database they commit to."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.cli.codes import LOCAL_TIME
from app.db import session_factory
from surveys.models import AccessCode, AuditEvent, CodeKind, ServicePoint, Unit
from tests.app.pdf_reading import read_pages
from tests.builders import make_campaign, make_unit

BASE = "https://hailong.example"
#: A unit name that a spreadsheet would run as a formula.
FORMULA = '=HYPERLINK("https://evil.example", "Xem")'
#: Read when the tests are collected, which may be minutes before one runs: the
#: campaigns run a day past it, so a test crossing Vietnam's midnight still finds them.
TODAY = datetime.now(LOCAL_TIME).date()


def invoke(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def stored(app: Flask, *conditions: object) -> list[AccessCode]:
    with app.app_context(), session_factory()() as session:
        query = select(AccessCode).options(joinedload(AccessCode.service_point))
        return list(session.scalars(query.where(*conditions)))


@pytest.fixture
def district(cli_app: Flask) -> Flask:
    """A district with a ward and its counter, a counter and a dossier campaign."""
    cli_app.config["PUBLIC_BASE_URL"] = BASE + "/"
    period = {"starts_on": TODAY - timedelta(days=30), "ends_on": TODAY + timedelta(1)}
    with cli_app.app_context(), session_factory().begin() as session:
        top = make_unit(session, code="d", name="Quận Thử", kind="district")
        ward = make_unit(session, parent=top, code="w", name="Phường Đa Kao")
        make_unit(session, parent=top, code="f", name=FORMULA)
        make_unit(session, code="x", name="Quận Khác", kind="district")
        session.add(ServicePoint(code="w-q1", name="Quầy Hộ tịch (quầy 1)", unit=ward))
        make_campaign(session, unit=top, key="quay", mode="counter", **period)
        make_campaign(session, unit=top, key="hoso", mode="dossier", **period)
    return cli_app


def unit(session: Session, code: str) -> Unit:
    return session.scalar(select(Unit).where(Unit.code == code))


def read_csv(path: Path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_issue_writes_a_csv_and_a_receipt_sheet(
    district: Flask, tmp_path: Path
) -> None:
    prefix = tmp_path / "phieu"
    last_day = TODAY + timedelta(days=60)
    result = invoke(
        district,
        "codes", "issue", "--campaign", "hoso", "--unit", "w", "--count", "30",
        "--expires", last_day.isoformat(), "-o", str(prefix),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Issued 30 single_use codes for Phường Đa Kao (w)" in result.output
    header, *rows = read_csv(tmp_path / "phieu.csv")
    assert len(header) == 6 and len(rows) == 30
    codes = {code.token: code for code in stored(district)}
    assert set(codes) == {row[0] for row in rows}
    token, short, url, unit, counter, expiry = rows[0]
    assert short == f"{token[:5]}-{token[5:]}"
    assert url == f"{BASE}/s/{token}"
    assert (unit, counter, expiry) == ("Phường Đa Kao", "", last_day.isoformat())
    assert codes[token].expires_at.astimezone(LOCAL_TIME).date() == last_day + (
        timedelta(days=1)
    )
    pages = read_pages((tmp_path / "phieu.pdf").read_bytes())
    assert len(pages) == 2
    assert short in pages[0].strings and url in pages[0].strings
    with district.app_context(), session_factory()() as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "codes_issued")
        )
    assert (event.user_id, event.object_id) == (None, "w")
    assert (event.detail["count"], event.detail["kind"]) == (30, "single_use")


def test_issue_standing_codes_for_a_counter_and_neutralise_formulas(
    district: Flask, tmp_path: Path
) -> None:
    result = invoke(
        district,
        "codes", "issue", "--campaign", "quay", "--unit", "w", "--count", "2",
        "--kind", "standing", "--service-point", "w-q1", "-o", str(tmp_path / "a"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert {row[4] for row in read_csv(tmp_path / "a.csv")[1:]} == {
        "Quầy Hộ tịch (quầy 1)"
    }
    assert len(stored(district, AccessCode.kind == CodeKind.STANDING)) == 2
    invoke(
        district,
        "codes", "issue", "--campaign", "hoso", "--unit", "f", "--count", "1",
        "-o", str(tmp_path / "b"),
    )  # fmt: skip
    assert read_csv(tmp_path / "b.csv")[1][3] == f"'{FORMULA}"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--campaign", "nope"], "no campaign has the key 'nope'"),
        (["--unit", "nowhere"], "no unit has the code 'nowhere'"),
        (["--service-point", "q9"], "no counter has the code 'q9'"),
        (["--count", "0"], "count 0 is not between 1 and 10000"),
        (["--count", "10001"], "count 10001 is not between 1 and 10000"),
        (["--unit", "x"], "unit 'x' is outside the scope of campaign 'hoso'"),
        (["--unit", "d", "--service-point", "w-q1"], "does not belong to unit 'd'"),
        (["--expires", "2000-01-01"], "expiry 2000-01-01 is in the past"),
    ],
)
def test_issue_refuses_bad_input_and_changes_nothing(
    district: Flask, tmp_path: Path, arguments: list[str], message: str
) -> None:
    defaults = {"--campaign": "hoso", "--unit": "w", "--count": "3"}
    given = dict(zip(arguments[::2], arguments[1::2], strict=True))
    options = [item for pair in (defaults | given).items() for item in pair]
    folder = tmp_path / "printed"
    folder.mkdir()
    result = invoke(district, "codes", "issue", *options, "-o", str(folder / "out"))
    assert result.exit_code == 1
    assert message in result.output
    assert stored(district) == []
    assert list(folder.iterdir()) == []


def test_issue_never_overwrites_a_file(district: Flask, tmp_path: Path) -> None:
    (tmp_path / "out.pdf").write_bytes(b"printed yesterday")
    result = invoke(
        district,
        "codes", "issue", "--campaign", "hoso", "--unit", "w", "--count", "3",
        "-o", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.exit_code == 1
    assert "exists already" in result.output
    assert stored(district) == []


def test_a_poster_creates_the_standing_code_once(
    district: Flask, tmp_path: Path
) -> None:
    poster = ("qr", "poster", "--service-point", "w-q1", "-o", str(tmp_path / "1.pdf"))
    first = invoke(district, *poster)
    again = invoke(district, *poster)  # a reprint overwrites the file
    assert first.exit_code == again.exit_code == 0, again.output
    (code,) = stored(district)
    assert (code.kind, code.service_point.code) == (CodeKind.STANDING, "w-q1")
    short = f"{code.token[:5]}-{code.token[5:]}"
    assert short in first.output and "campaign 'quay'" in first.output
    (page,) = read_pages((tmp_path / "1.pdf").read_bytes())
    for text in ("Phường Đa Kao", "Quầy Hộ tịch (quầy 1)", "Quét mã để đánh giá"):
        assert text in page.strings
    assert short in page.strings and f"{BASE}/s/{code.token}" in page.strings


def test_a_poster_needs_one_running_counter_campaign(
    district: Flask, tmp_path: Path
) -> None:
    output = str(tmp_path / "p.pdf")
    poster = ("qr", "poster", "--service-point", "w-q1", "-o", output)
    with district.app_context(), session_factory().begin() as session:
        make_campaign(session, unit=unit(session, "w"), key="quay-2", starts_on=TODAY)
    several = invoke(district, *poster)
    assert several.exit_code == 1
    assert "(quay, quay-2): choose one with --campaign KEY" in several.output
    wrong = invoke(district, *poster, "--campaign", "hoso")
    assert "'hoso' is not a counter campaign running today" in wrong.output
    assert stored(district) == []
    chosen = invoke(district, *poster, "--campaign", "quay-2")
    assert chosen.exit_code == 0, chosen.output
    assert "campaign 'quay-2'" in chosen.output


def test_a_poster_without_a_running_campaign_or_counter_fails_clearly(
    district: Flask, tmp_path: Path
) -> None:
    output = str(tmp_path / "p.pdf")
    with district.app_context(), session_factory().begin() as session:
        session.add(ServicePoint(code="x-q1", name="Quầy", unit=unit(session, "x")))
    none = invoke(district, "qr", "poster", "--service-point", "x-q1", "-o", output)
    assert none.exit_code == 1
    assert "no counter campaign is running today at counter 'x-q1'" in none.output
    unknown = invoke(district, "qr", "poster", "--service-point", "q9", "-o", output)
    assert "no counter has the code 'q9'" in unknown.output
    not_pdf = invoke(district, "qr", "poster", "--service-point", "w-q1", "-o", "a.png")
    assert not_pdf.exit_code == 2 and ".pdf" in not_pdf.output
    assert stored(district) == [] and not (tmp_path / "p.pdf").exists()


def test_invitations_are_issued_with_their_sample_design(
    district: Flask, tmp_path: Path
) -> None:
    result = invoke(
        district,
        "codes", "issue", "--campaign", "hoso", "--unit", "w", "--count", "2",
        "--stratum", "nho", "--cluster", "kp1", "--weight", "40",
        "-o", str(tmp_path / "moi"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    codes = stored(district)
    assert [(c.stratum, c.cluster, c.weight) for c in codes] == [
        ("nho", "kp1", 40.0)
    ] * 2
    refused = invoke(
        district,
        "codes", "issue", "--campaign", "hoso", "--unit", "w", "--count", "2",
        "--weight", "0", "-o", str(tmp_path / "sai"),
    )  # fmt: skip
    assert refused.exit_code != 0 and "weight" in refused.output
    assert len(stored(district)) == 2
