"""The demo district: Quận 1 of Ho Chi Minh City, with a year of synthetic responses.

Everything is drawn from a seeded generator, so two runs build the same district,
and every step looks up what exists first, so running it twice changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.users import create_user
from surveys.demo.apologies import ensure_letters
from surveys.demo.cases import seed_cases
from surveys.demo.district import (
    DISTRICT,
    WARDS,
    DistrictReport,
    district_id,
    ensure_district,
)
from surveys.demo.dossiers import seed_dossiers
from surveys.demo.paper_forms import ensure_clerks, ensure_paper_batch
from surveys.demo.rated_dossiers import tie_ratings
from surveys.demo.responses import PERIOD, ensure_campaigns
from surveys.demo.ward_logins import DemoPassword
from surveys.models import Role, User, utcnow

#: Demo logins: one per role level, so each view of the staff side can be tried.
DEMO_USERS = (
    ("admin", Role.ADMIN, None),
    ("quan1", Role.DISTRICT, "q1"),
    ("bennghe", Role.UNIT_MANAGER, "q1-ben-nghe"),
    ("xem", Role.VIEWER, "q1-noi-vu"),
)

SEED = 20241105  # the date of directive 3815/UBND-NV


@dataclass
class DemoReport:
    """What one run of the demo seed created (nothing on a second run)."""

    district: DistrictReport
    #: Responses created per campaign key.
    responses: dict[str, int] = field(default_factory=dict)
    #: Dossiers created by importing the district's sample year.
    dossiers: int = 0
    #: Ratings of the dossier campaign tied to a returned dossier.
    rated_dossiers: int = 0
    users: list[str] = field(default_factory=list)
    #: Feedback cases created, in every state.
    cases: int = 0
    #: Apology letters drafted for the district's late dossiers.
    letters: int = 0
    #: Paper forms numbered in the demo's batch (handed out, most keyed in).
    paper_forms: int = 0
    #: The password given to ``users``; empty when no login was created.
    password: str = field(default="", repr=False)


def seed_demo(
    session: Session,
    demo_password: str | None = None,
    *,
    responses: bool = True,
    dossier_key: bytes | None = None,
) -> DemoReport:
    """Create whatever part of the demo is missing; flush, never commit.

    ``demo_password`` is given to the demo logins created by this run; without one,
    a random password is drawn (and reported) so none is written in the code.
    ``responses=False`` builds the district and logins only (quicker, for tests):
    no responses, and no year of dossiers imported. With ``dossier_key`` (the
    app's, ``surveys.access.privacy.dossier_key``) the dossier campaign's ratings
    are tied to dossiers and every other dossier gets its rating code.
    """
    rng = np.random.default_rng(SEED)
    report = DemoReport(district=ensure_district(session, rng))
    if responses:
        report.responses = ensure_campaigns(session, np.random.default_rng(SEED + 1))
        report.dossiers = seed_dossiers(session)
        if dossier_key is not None:
            report.rated_dossiers = tie_ratings(
                session,
                np.random.default_rng(SEED + 4),
                dossier_key,
                district_id(session),
                PERIOD[1],
            )
    # After the dossiers: without late ones (none imported), no letter is drafted.
    report.letters = ensure_letters(
        session, np.random.default_rng(SEED + 3), utcnow(), DISTRICT[0]
    )
    password = demo_password or secrets.token_urlsafe(12)
    for username, role, unit_code in DEMO_USERS:
        exists = session.scalar(select(User.id).where(User.username == username))
        if exists is None:
            create_user(session, username, password, role, unit_code)
            report.users.append(username)
    if responses:
        # After the logins: the wards' case officers and Bến Nghé's clerks get
        # the same password (hashed once for all), and the clerks key in the
        # paper forms.
        shared = DemoPassword(password)
        report.cases = seed_cases(session, np.random.default_rng(SEED + 5), shared)
        report.users += ensure_clerks(session, shared)
        report.paper_forms = ensure_paper_batch(
            session, np.random.default_rng(SEED + 6)
        )
    if report.users:
        report.password = password
    session.flush()
    return report


__all__ = ["DEMO_USERS", "WARDS", "DemoReport", "seed_demo"]
