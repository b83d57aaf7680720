"""A change of the calendar or of the rules moves open cases' computed due
dates, with one event each, and never an imported one or an answered one."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from surveys.cases.events import history
from surveys.cases.workflow import Action, Step, apply
from surveys.dossiers.deadline_settings import set_rules, set_working_day
from surveys.dossiers.timing import DeadlineRules, local_instant
from surveys.models import Role, UnitKind
from tests.builders import make_case, make_unit, make_user

#: Monday 09/03/2026 at 9:00; ten working days end Monday 23/03 at 17:00.
RECEIVED = local_instant(date(2026, 3, 9), 9 * 60)
DUE = local_instant(date(2026, 3, 23), 17 * 60)


def test_a_day_off_announced_late_moves_open_computed_due_dates(
    db_session: Session,
) -> None:
    district = make_unit(db_session, kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district)
    admin = make_user(db_session, None, Role.ADMIN)
    manager = make_user(db_session, ward, Role.UNIT_MANAGER)
    computed = make_case(db_session, ward, received=RECEIVED)
    imported = make_case(db_session, ward, received=RECEIVED, due_at=DUE)
    answered = make_case(db_session, ward, received=RECEIVED)
    apply(db_session, answered, Action.REJECT, manager, Step(text="Trùng đơn"))
    assert computed.due_at == DUE and not imported.due_computed
    set_working_day(db_session, admin, date(2026, 3, 16), False, "Nghỉ đột xuất")
    moved = local_instant(date(2026, 3, 24), 17 * 60)
    assert computed.due_at == moved
    assert imported.due_at == DUE
    assert answered.due_at == DUE
    event = history(db_session, computed.id)[-1]
    assert (event.kind, event.actor) == ("due_changed", "system")
    assert event.detail == {"from": DUE.isoformat(), "to": moved.isoformat()}
    assert [e.kind for e in history(db_session, imported.id)] == ["created"]
    # The same change again moves nothing and writes nothing.
    set_working_day(db_session, admin, date(2026, 3, 16), False, "Nghỉ đột xuất")
    assert len(history(db_session, computed.id)) == 2


def test_a_unit_s_new_due_time_moves_its_open_cases(db_session: Session) -> None:
    ward = make_unit(db_session)
    manager = make_user(db_session, ward, Role.UNIT_MANAGER)
    case = make_case(db_session, ward, received=RECEIVED)
    set_rules(db_session, manager, ward, DeadlineRules(due_minute=16 * 60 + 30))
    assert case.due_at == local_instant(date(2026, 3, 23), 16 * 60 + 30)
