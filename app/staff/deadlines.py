"""Deadline settings: the working-day calendar (admins) and a unit's rules for
counting its dossiers' deadlines (its managers).

Both change which dossiers are late, so each change says how many dossiers it
counted again.
"""

from __future__ import annotations

from datetime import date, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.auth import current_staff, permission_required
from app.db import get_session
from app.i18n import _, current_language, ngettext
from app.staff.blueprint import bp
from app.staff.forms import ConfirmForm, DeadlineRulesForm, WorkingDayForm
from app.staff.manage import found_in_scope
from surveys.access.scope import Permission
from surveys.dossiers.deadline_settings import (
    clear_working_day,
    set_rules,
    set_working_day,
    special_days,
)
from surveys.dossiers.timing import MINUTES_A_DAY, DeadlineRules, rules_for
from surveys.local_time import local_date
from surveys.models import Unit, utcnow


def _recounted(count: int) -> str:
    return ngettext(
        "Đã tính lại hạn của %(num)d hồ sơ.",
        "Đã tính lại hạn của %(num)d hồ sơ.",
        count,
    )


@bp.route("/calendar", methods=["GET", "POST"])
@permission_required(Permission.CALENDAR)
def calendar() -> ResponseReturnValue:
    """Show a year's days off and make-up days; record one the government moved."""
    db = get_session()
    form = WorkingDayForm()
    if form.validate_on_submit():
        day: date = form.day.data
        count = set_working_day(
            db, current_staff(), day, form.working.data == "1", form.note.data or ""
        )
        db.commit()
        flash(_recounted(count))
        return redirect(url_for(".calendar", year=day.year))
    year = request.args.get("year", type=int) or local_date(utcnow()).year
    return render_template(
        "staff/calendar.html",
        form=form,
        confirm=ConfirmForm(),
        year=year,
        days=special_days(db, year, current_language()),
    )


@bp.post("/calendar/<day>/clear")
@permission_required(Permission.CALENDAR)
def clear_working_day_view(day: str) -> ResponseReturnValue:
    """Forget a recorded change; the package's calendar applies again."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        flash(_("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."))
        return redirect(url_for(".calendar", year=parsed.year))
    db = get_session()
    count = clear_working_day(db, current_staff(), parsed)
    db.commit()
    flash(_recounted(count))
    return redirect(url_for(".calendar", year=parsed.year))


def _clock(minute: int) -> time | None:
    return None if minute >= MINUTES_A_DAY else time(minute // 60, minute % 60)


def _minute(clock: time | None) -> int:
    return MINUTES_A_DAY if clock is None else clock.hour * 60 + clock.minute


@bp.route("/units/<unit_code>/deadline-rules", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def deadline_rules(unit_code: str) -> ResponseReturnValue:
    """Set the unit's cutoff and due time; units below without their own follow."""
    db = get_session()
    unit = found_in_scope(Unit, unit_code)
    current = rules_for(db, unit)
    form = DeadlineRulesForm(
        data={
            "cutoff": _clock(current.cutoff_minute),
            "due": _clock(current.due_minute),
        }
    )
    if form.validate_on_submit():
        rules = DeadlineRules(_minute(form.cutoff.data), _minute(form.due.data))
        count = set_rules(db, current_staff(), unit, rules)
        db.commit()
        flash(_recounted(count))
        return redirect(url_for(".deadline_rules", unit_code=unit.code))
    return render_template("staff/deadline_rules.html", form=form, unit=unit)
