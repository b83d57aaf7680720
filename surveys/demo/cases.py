"""A year of feedback cases (phản ánh, kiến nghị) for the demo district's wards.

The district's categories and deadline rules, then a few hundred cases over
2026 by every channel, each driven through ``create_case`` and the workflow's
``apply`` at the moments it happened (``now=``), so their history, deadlines
and quarterly figures are the real ones: most answered in time, some late,
some rejected, referred out or merged, some still open and overdue, some
overdue at a quarter's end and answered in the next. The answered ones are
sometimes rated, less well when late. Each ward gets a case officer
(``pakn-<ward>``, a unit manager) who takes every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.cases.events import Actor
from surveys.cases.intake import NewCase, create_case
from surveys.cases.workflow import Action, Step, apply
from surveys.demo.district import WARDS
from surveys.demo.ward_logins import DemoPassword, ensure_ward_managers
from surveys.dossiers.calendar import WorkingCalendar, load_calendar
from surveys.dossiers.timing import local_instant
from surveys.local_time import local_date
from surveys.models import (
    CaseCategory,
    CaseChannel,
    CaseDeadlineRule,
    CaseRating,
    FeedbackCase,
    Unit,
    User,
)

#: Cases of the demo year.
DEMO_CASES = 260
#: The moment the demo year stops (Vietnam time), as the dossiers' export does.
UNTIL = local_instant(date(2026, 12, 4), 17 * 60 + 30)

#: Code, Vietnamese name, English name, share of the cases.
CATEGORIES = (
    ("thai-do", "Thái độ phục vụ", "Staff attitude", 0.2),
    ("thu-tuc", "Thủ tục hành chính", "Administrative procedures", 0.25),
    ("ha-tang", "Hạ tầng đô thị", "Urban infrastructure", 0.2),
    ("moi-truong", "Môi trường", "Environment", 0.15),
    ("an-ninh", "An ninh trật tự", "Public order and security", 0.1),
    ("khac", "Khác", "Other", 0.1),
)
#: Channels and their shares.
CHANNELS = (
    (CaseChannel.WEB, 0.3),
    (CaseChannel.PORTAL_1022, 0.3),
    (CaseChannel.NATIONAL_PORTAL, 0.1),
    (CaseChannel.HOTLINE, 0.15),
    (CaseChannel.LETTER, 0.1),
    (CaseChannel.MEETING, 0.05),
)
#: What happens to a case: its fate and share (open ones stay as they are).
FATES = (
    ("answered", 0.62),
    ("late", 0.1),
    ("rejected", 0.07),
    ("referred_out", 0.04),
    ("merged", 0.04),
    ("received", 0.04),
    ("assigned", 0.04),
    ("in_progress", 0.05),
)
TEXTS = (
    "Cán bộ hẹn trả kết quả nhiều lần nhưng không trả đúng hẹn.",
    "Đèn chiếu sáng trên tuyến đường bị hỏng nhiều ngày chưa sửa.",
    "Rác thải tập kết sai nơi quy định, gây mùi hôi.",
    "Đề nghị hướng dẫn rõ thành phần hồ sơ đăng ký kinh doanh.",
    "Tụ tập gây mất trật tự vào ban đêm trong hẻm.",
    "Vỉa hè bị lấn chiếm để kinh doanh, người đi bộ phải xuống lòng đường.",
    "Thái độ tiếp công dân chưa đúng mực tại bộ phận một cửa.",
    "Nắp cống bị vỡ, nguy hiểm cho người đi đường.",
)
ANSWER = "Đơn vị đã kiểm tra, xử lý và thông tin kết quả đến người dân."


@dataclass(frozen=True)
class Plan:
    """One demo case drawn: where, what, when, and what becomes of it."""

    ward: str
    category: str
    channel: CaseChannel
    text: str
    received_at: datetime
    fate: str
    #: Working days (on time) or days past due (late) before the answer.
    delay: int
    score: int | None


def ensure_categories(session: Session) -> dict[str, CaseCategory]:
    """Create the district's categories and deadline rules if missing."""
    found = {
        category.code: category
        for category in session.scalars(
            select(CaseCategory).where(
                CaseCategory.code.in_([code for code, *_ in CATEGORIES])
            )
        )
    }
    for code, name_vi, name_en, _share in CATEGORIES:
        if code not in found:
            found[code] = CaseCategory(code=code, name_vi=name_vi, name_en=name_en)
            session.add(found[code])
    session.flush()
    rules = {
        (rule.category_id, rule.channel)
        for rule in session.scalars(select(CaseDeadlineRule))
    }
    wanted = (
        (None, None, 10, 2, "Mặc định: kiểm tra lại theo quy định hiện hành."),
        (found["an-ninh"].id, CaseChannel.HOTLINE.value, 5, 1, "Đường dây nóng."),
    )
    for category_id, channel, days, warn, note in wanted:
        if (category_id, channel) not in rules:
            session.add(
                CaseDeadlineRule(
                    category_id=category_id,
                    channel=channel,
                    working_days=days,
                    warn_days=warn,
                    note=note,
                )
            )
    session.flush()
    return found


def draw_plans(rng: np.random.Generator, count: int = DEMO_CASES) -> list[Plan]:
    """Draw the demo's cases in order of receipt, on working hours of weekdays."""
    start = date(2026, 1, 5)
    span = (UNTIL.date() - start).days - 2
    plans = []
    for _ in range(count):
        day = start + timedelta(days=int(rng.integers(0, span)))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        minute = int(rng.integers(7 * 60 + 30, 16 * 60 + 30))
        fate = _pick(rng, FATES)
        late = fate == "late"
        plans.append(
            Plan(
                ward=WARDS[int(rng.integers(0, len(WARDS)))][0],
                category=_pick(rng, CATEGORIES),
                channel=_pick(rng, CHANNELS),
                text=TEXTS[int(rng.integers(0, len(TEXTS)))],
                received_at=local_instant(day, minute),
                fate=fate,
                delay=int(rng.integers(1, 15) if late else rng.integers(0, 10)),
                score=_score(rng, late) if rng.random() < 0.45 else None,
            )
        )
    return sorted(plans, key=lambda plan: plan.received_at)


def _pick(rng: np.random.Generator, choices: tuple[tuple[object, ...], ...]) -> object:
    shares = np.array([choice[-1] for choice in choices], dtype=float)
    return choices[int(rng.choice(len(choices), p=shares / shares.sum()))][0]


def _score(rng: np.random.Generator, late: bool) -> int:
    shares = [0.15, 0.2, 0.25, 0.25, 0.15] if late else [0.03, 0.05, 0.12, 0.4, 0.4]
    return int(rng.choice(5, p=shares)) + 1


def seed_cases(
    session: Session, rng: np.random.Generator, password: DemoPassword
) -> int:
    """Create the categories, rules, ward officers and cases if there are no
    cases yet; return how many cases were created. Flush, never commit."""
    categories = ensure_categories(session)
    if session.scalar(select(FeedbackCase.id).limit(1)) is not None:
        return 0
    officers = _ward_officers(session, password)
    calendar = load_calendar(session)
    latest: dict[str, FeedbackCase] = {}
    for plan in draw_plans(rng):
        officer = officers[plan.ward]
        case = create_case(
            session,
            NewCase(
                text=plan.text,
                category_id=categories[plan.category].id,
                channel=plan.channel,
                unit_id=officer.unit_id,
                received_at=plan.received_at,
            ),
            Actor.CITIZEN,
        )
        _play(session, case, plan, officer, latest.get(plan.ward), calendar)
        if case.state != "merged":
            latest[plan.ward] = case
    session.flush()
    return DEMO_CASES


def _play(
    session: Session,
    case: FeedbackCase,
    plan: Plan,
    officer: User,
    earlier: FeedbackCase | None,
    calendar: WorkingCalendar,
) -> None:
    """Take the steps of ``plan.fate`` at the moments they happened."""
    step_at = case.received_at + timedelta(hours=1)
    fate = plan.fate
    if fate == "received":
        return
    if fate == "merged" and earlier is not None:
        apply(session, case, Action.MERGE, officer, Step(target=earlier), now=step_at)
        return
    if fate == "rejected":
        why = Step(text="Nội dung không thuộc thẩm quyền giải quyết của phường.")
        apply(session, case, Action.REJECT, officer, why, now=step_at)
        return
    if fate == "referred_out":
        to = Step(body="Công ty TNHH MTV Cấp nước Sài Gòn")
        apply(session, case, Action.REFER_OUT, officer, to, now=step_at)
        return
    apply(session, case, Action.ASSIGN, officer, Step(handler=officer), now=step_at)
    if fate == "assigned":
        return
    apply(session, case, Action.START, officer, now=step_at + timedelta(hours=1))
    answer_at = _answer_time(case, plan, calendar)
    if fate == "in_progress" or answer_at >= UNTIL:
        return
    step = Step(text=ANSWER)
    apply(
        session, case, Action.SUBMIT_ANSWER, officer, step, review=False, now=answer_at
    )
    if plan.score is not None:
        session.add(CaseRating(case_id=case.id, score=plan.score, rated_at=answer_at))
    _maybe_close(session, case, officer, answer_at)


def _answer_time(case: FeedbackCase, plan: Plan, calendar: WorkingCalendar) -> datetime:
    """When the answer is published: within the deadline, or ``delay`` days past it."""
    if plan.fate == "late":
        return case.due_at + timedelta(days=plan.delay)
    day = calendar.add_working_days(local_date(case.received_at), plan.delay)
    return min(local_instant(day, 15 * 60), case.due_at)


def _maybe_close(
    session: Session, case: FeedbackCase, officer: User, resolved_at: datetime
) -> None:
    """Close the answers of the first half-year a month after them."""
    closed_at = resolved_at + timedelta(days=30)
    if closed_at < local_instant(date(2026, 7, 1), 0):
        apply(session, case, Action.CLOSE, officer, now=closed_at)


def _ward_officers(session: Session, password: DemoPassword) -> dict[str, User]:
    """Return each ward's case officer, created with ``password`` if missing."""
    wards = dict(
        session.execute(
            select(Unit.code, Unit).where(Unit.code.in_([code for code, _ in WARDS]))
        ).all()
    )
    usernames = {code: "pakn-" + code.removeprefix("q1-") for code in wards}
    officers, _created = ensure_ward_managers(
        session, password, {usernames[code]: ward for code, ward in wards.items()}
    )
    return {code: officers[username] for code, username in usernames.items()}
