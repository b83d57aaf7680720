"""The dashboard: a unit's (or the district's) results for a campaign and period."""

from __future__ import annotations

from flask import render_template

from app.auth import current_scope, now
from app.db import get_session
from app.reports.selection import selected
from app.staff.blueprint import bp
from surveys.dossiers.letters import letter_counts
from surveys.questionnaire.versions import definition_of


@bp.get("/dashboard")
@bp.get("/units/<unit_code>/dashboard")
def dashboard(unit_code: str | None = None) -> str:
    """Show the selected unit's results, with charts drawn by matplotlib."""
    # The dashboard brings pandas, SciPy and matplotlib: a process loads them for
    # its first dashboard, not when it starts (a restarted worker serves at once).
    from app.reports.cases_layout import build_case_summary
    from app.reports.dashboard import build_dashboard
    from app.reports.dossier_page import build_dossier_summary

    selection = selected(unit_code)
    board = None
    if selection.campaign is not None:
        board = build_dashboard(
            get_session(), selection, show_officials=current_scope().can_manage
        )
    moment = now()
    dossiers = build_dossier_summary(get_session(), selection.unit, now=moment)
    return render_template(
        "staff/dashboard.html",
        selection=selection,
        board=board,
        dossiers=dossiers,
        cases=build_case_summary(get_session(), selection.unit, now=moment),
        letter_counts=letter_counts(get_session(), selection.unit, moment),
        repeats=definition_of(selection.campaign.questionnaire).repeats
        if selection.campaign is not None
        else (),
    )
