"""The dashboard: a unit's (or the district's) results for a campaign and period."""

from __future__ import annotations

from collections.abc import Sequence

from flask import render_template

from app.auth import current_scope, now
from app.db import get_session
from app.i18n import label_language, language_name
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
    questionnaire = (
        definition_of(selection.campaign.questionnaire)
        if selection.campaign is not None
        else None
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
        repeats=questionnaire.repeats if questionnaire is not None else (),
        # The languages a download of responses may be labelled in, the
        # page's best first (``?lang`` chooses, as for any page).
        label_languages=_label_languages(questionnaire.languages)
        if questionnaire is not None
        else [],
    )


def _label_languages(languages: Sequence[str]) -> list[tuple[str, str]]:
    """Name the questionnaire's languages, the one labels are now in first."""
    shown = label_language(languages)
    named = [code for code in languages if code != "default"]
    ordered = dict.fromkeys([shown, *named])
    return [(code, language_name(code)) for code in ordered]
