"""``flask dossiers issue-codes`` on a database it commits to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from app.db import session_factory
from surveys.access.privacy import dossier_hash, dossier_key
from surveys.models import AccessCode, AuditEvent, Dossier
from tests.builders import make_campaign, make_dossier, make_unit

RECEIVED = datetime.now(UTC) - timedelta(days=3)


def invoke(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_issue_codes_gives_the_units_dossiers_theirs_once(cli_app: Flask) -> None:
    with cli_app.app_context(), session_factory().begin() as session:
        district = make_unit(session, code="q", name="Quận Thử", kind="district")
        ward = make_unit(session, parent=district, code="p", name="Phường Đa Kao")
        make_campaign(session, unit=district, key="hoso", mode="dossier")
        for code in ("HS-001", "HS-002"):
            make_dossier(session, ward, RECEIVED, code=code)

    first = invoke(cli_app, "dossiers", "issue-codes", "--unit", "q")
    again = invoke(cli_app, "dossiers", "issue-codes", "--unit", "p")

    assert first.exit_code == 0, first.output
    assert "Issued rating codes for 2 dossiers of Quận Thử (q) (hoso: 2)." in (
        first.output
    )
    assert "Issued rating codes for 0 dossiers of Phường Đa Kao (p)." in again.output
    with cli_app.app_context(), session_factory()() as session:
        linked = session.execute(
            select(Dossier.code, AccessCode.dossier_hash).join(
                AccessCode, AccessCode.id == Dossier.access_code_id
            )
        ).all()
        events = session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "codes_issued", AuditEvent.user_id.is_(None)
            )
        )
    key = dossier_key(cli_app.secret_key)
    assert sorted(linked) == [(c, dossier_hash(key, c)) for c in ("HS-001", "HS-002")]
    assert events == 1


def test_issue_codes_refuses_an_unknown_unit_or_a_unit_without_campaign(
    cli_app: Flask,
) -> None:
    with cli_app.app_context(), session_factory().begin() as session:
        ward = make_unit(session, code="p")
        make_dossier(session, ward, RECEIVED, code="HS-001")

    unknown = invoke(cli_app, "dossiers", "issue-codes", "--unit", "x")
    lacking = invoke(cli_app, "dossiers", "issue-codes", "--unit", "p")

    assert unknown.exit_code == 1 and "no unit has the code 'x'" in unknown.output
    assert lacking.exit_code == 1
    assert (
        "no dossier campaign runs on" in lacking.output and "unit p" in lacking.output
    )
