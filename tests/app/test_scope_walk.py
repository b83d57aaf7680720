"""Every staff route, walked as ward A's staff with ward B's objects: never found.

The walk reads the routes from ``app.url_map``, so a route added later is walked
without anybody remembering to. Its URL parameters are filled from ``PARAMETERS``;
a route whose parameter is not there fails the walk until the mapping learns it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Map, Rule
from werkzeug.test import TestResponse

from surveys.cases.attachments import FOLDER, Upload, check_uploads, stage
from surveys.models import (
    Answer,
    ApologyLetter,
    Campaign,
    CaseAttachment,
    Dossier,
    DossierImport,
    FeedbackCase,
    ImportStatus,
    Official,
    PaperBatch,
    Response,
    Role,
    ServicePoint,
    Unit,
    UnitKind,
)
from surveys.paper.batches import create_batch
from surveys.paper.form_numbers import format_number
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from tests.app.staff_client import csrf_token, log_in
from tests.builders import (
    make_campaign,
    make_case,
    make_procedure,
    make_unit,
    make_user,
    new_response,
)
from tests.surveys.cases.files import pdf
from tests.surveys.dossiers.late import letter_for, returned


@dataclass
class Side:
    """One ward and an object of each kind that belongs to it."""

    unit: Unit
    service_point: ServicePoint
    official: Official
    campaign: Campaign
    #: A late dossier and its apology letter.
    dossier: Dossier
    letter: ApologyLetter
    dossier_import: DossierImport
    #: A feedback case with one attached file, and a rating with a comment.
    case: FeedbackCase
    attachment: CaseAttachment
    response: Response
    #: A batch of paper forms of the ward's campaign.
    batch: PaperBatch

    def markers(self) -> list[str]:
        """Texts that only a page showing this ward's data would contain."""
        return [
            self.unit.name,
            self.unit.code,
            self.service_point.name,
            self.official.name,
            self.campaign.key,
            self.dossier_import.filename,
            self.case.tracking_code,
            f"Góp ý Riêng {self.unit.name[-1]}",
        ]


#: How each URL parameter of a staff route is filled from a side's objects.
PARAMETERS: dict[str, Callable[[Side], object]] = {
    "unit_code": lambda side: side.unit.code,
    "unit_id": lambda side: side.unit.id,
    "service_point_id": lambda side: side.service_point.id,
    "service_point_code": lambda side: side.service_point.code,
    "official_id": lambda side: side.official.id,
    "official_code": lambda side: side.official.code,
    "campaign_id": lambda side: side.campaign.id,
    "campaign_key": lambda side: side.campaign.key,
    "dossier_id": lambda side: side.dossier.id,
    "letter_id": lambda side: side.letter.id,
    "questionnaire_key": lambda side: side.campaign.questionnaire.key,
    "version": lambda side: side.campaign.questionnaire.version,
    # The calendar is the whole country's: its pages need a role the walk never has.
    "day": lambda side: "2026-03-10",
    "import_id": lambda side: side.dossier_import.id,
    "case_id": lambda side: side.case.id,
    "attachment_id": lambda side: side.attachment.id,
    "response_id": lambda side: side.response.id,
    # The name of the comment question of the side's rating (counter template).
    "question": lambda side: "comment",
    # No user belongs to a side; user pages need a role the walk never has.
    "username": lambda side: f"user-{side.unit.code}",
    # Categories and their rules are the district's: a role the walk never has.
    "category_id": lambda side: side.case.category_id,
    "rule_id": lambda side: 1,
    "number": lambda side: format_number(side.batch.forms[0].number),
    "batch_id": lambda side: side.batch.id,
}
#: Statuses that hide an object: not found, or not allowed for the role at all.
HIDDEN = {403, 404}


def make_side(session: Session, district: Unit, letter: str, files: Path) -> Side:
    unit = make_unit(session, district, name=f"Phường Bí Mật {letter}")
    point = ServicePoint(code=f"sp-{unit.code}", name=f"Quầy Riêng {letter}", unit=unit)
    # One code in both wards (codes are unique within a unit): only the unit
    # tells the two officials apart.
    official = Official(code="cb-01", name=f"Cán bộ Riêng {letter}", unit=unit)
    point.officials = [official]
    session.add(point)
    # A real questionnaire: the dashboard and the reports read its definition.
    stored = store_questionnaire(session, shipped_template("counter")).stored
    campaign = make_campaign(session, unit=unit, questionnaire=stored)
    late = returned(session, unit, make_procedure(session), date(2026, 3, 9))
    dossier_import = DossierImport(
        unit_id=unit.id,
        filename=f"ho-so-bi-mat-{letter}.csv",
        checksum=letter * 64,
        status=ImportStatus.CHECKED,
    )
    session.add(dossier_import)
    session.flush()
    case = make_case(session, unit)
    staged = stage(session, case, check_uploads([Upload("a.pdf", pdf())]), files)
    staged.keep()
    attachment = session.scalar(
        select(CaseAttachment).where(CaseAttachment.case_id == case.id)
    )
    response = new_response(campaign, unit_id=unit.id)
    response.answers = [Answer(question="comment", value_text=f"Góp ý Riêng {letter}")]
    session.add(response)
    session.flush()
    batch = create_batch(session, None, campaign, unit, 2)
    return Side(
        unit,
        point,
        official,
        campaign,
        late,
        letter_for(session, late),
        dossier_import,
        case,
        attachment,
        response,
        batch,
    )


@pytest.fixture
def wards(app: Flask, db_session: Session) -> tuple[Side, Side]:
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    files = Path(app.instance_path) / FOLDER
    sides = (
        make_side(db_session, district, "A", files),
        make_side(db_session, district, "B", files),
    )
    db_session.commit()
    return sides


#: Blueprints behind the staff login whose every route is walked.
WALKED = ("staff.", "reports.")


def staff_routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Yield each staff or report route with each method it answers."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(WALKED):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule, method


def url_of(app: Flask, rule: Rule, side: Side) -> str:
    """Build the rule's URL with ``side``'s objects, or fail naming what is missing."""
    unknown = sorted(rule.arguments - PARAMETERS.keys())
    if unknown:
        pytest.fail(
            f"{rule.endpoint} ({rule.rule}) takes {unknown}: add them to PARAMETERS"
            " in tests/app/test_scope_walk.py so that the route is walked too"
        )
    values = {name: PARAMETERS[name](side) for name in rule.arguments}
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def request(client: FlaskClient, method: str, url: str, token: str) -> TestResponse:
    """Send an empty form (with the session's CSRF token) or a plain GET."""
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token})


class Walker:
    """A logged-in browser that walks routes, logging in again when a route logs out.

    One login per walk, not per request: each login hashes a password with argon2
    and each token costs a page, which made the walk minutes long. A request that
    meets the login page (the walk passed through the logout) is sent again after
    a new login, so no route is judged on a logged-out session.
    """

    def __init__(self, app: Flask, username: str) -> None:
        self.client = app.test_client()
        self.username = username
        self.token = self.log_in()

    def log_in(self) -> str:
        assert log_in(self.client, self.username).status_code == 302
        return csrf_token(self.client, "/staff/")

    def send(self, method: str, url: str) -> TestResponse:
        answer = request(self.client, method, url, self.token)
        if answer.status_code == 302 and answer.location.startswith("/staff/login"):
            self.token = self.log_in()
            answer = request(self.client, method, url, self.token)
        return answer


@pytest.mark.parametrize("role", [Role.UNIT_MANAGER, Role.VIEWER])
def test_ward_a_staff_never_reach_ward_b_through_any_staff_route(
    app: Flask, db_session: Session, wards: tuple[Side, Side], role: Role
) -> None:
    own, other = wards
    user = make_user(db_session, own.unit, role)
    db_session.commit()
    walker = Walker(app, user.username)
    problems = []
    walked = 0
    for rule, method in staff_routes(app):
        walked += 1
        for side in (own, other):
            answer = walker.send(method, url_of(app, rule, side))
            # Downloads are binary; a marker could only show in their text parts.
            body = answer.get_data().decode("utf-8", "replace")
            where = f"{method} {rule.rule} with ward {side.unit.name[-1]}"
            if answer.status_code >= 500:
                problems.append(f"{where}: {answer.status_code}")
            elif side is own and answer.status_code == 404:
                problems.append(f"{where}: 404 for the user's own ward")
            elif side is other and rule.arguments and answer.status_code not in HIDDEN:
                problems.append(f"{where}: {answer.status_code}, expected 403/404")
            elif side is other and any(text in body for text in other.markers()):
                problems.append(f"{where}: shows ward B's data")
    assert walked >= 6
    assert problems == []


def test_every_staff_route_but_the_login_page_needs_a_login(
    app: Flask, wards: tuple[Side, Side]
) -> None:
    own, _ = wards
    for rule, method in staff_routes(app):
        if rule.endpoint == "staff.login":
            continue
        client = app.test_client()
        answer = request(client, method, url_of(app, rule, own), csrf_token(client))
        assert answer.status_code == 302, f"{method} {rule.rule}"
        assert answer.location.startswith("/staff/login"), f"{method} {rule.rule}"


def test_the_walk_fails_on_a_parameter_it_cannot_fill(
    app: Flask, wards: tuple[Side, Side]
) -> None:
    rule = Rule("/staff/widgets/<widget_id>", endpoint="staff.widget")
    Map([rule])
    with pytest.raises(pytest.fail.Exception, match=r"\['widget_id'\]"):
        url_of(app, rule, wards[0])
