"""A unit's dossiers: on time or late, the deadlines lists, the service indicators.

A GET page with no JavaScript: the reader's choices are a form's query string,
and the lists' pages are links that keep them. Officials' figures are offered
only to those who may see officials' results.
"""

from __future__ import annotations

from flask import abort, render_template, request
from wtforms.fields.choices import SelectChoice

from app.auth import current_scope, now
from app.db import get_session
from app.i18n import _
from app.labels import BREAKDOWNS
from app.staff.blueprint import bp
from app.staff.forms import DEFAULT_DUE_DAYS, DossierFilterForm
from surveys.access.scope import get_in_scope
from surveys.dossiers.figures import Breakdown, Grain
from surveys.models import Unit


@bp.get("/units/<unit_code>/dossiers")
def dossiers(unit_code: str) -> str:
    """Show the unit's dossier figures, deadlines and indicators, as chosen."""
    # The figures bring pandas, SciPy and matplotlib: loaded with the first
    # such page, not when a worker starts.
    from app.reports.dossier_page import Choices, build_dossier_page, register_periods

    session, scope, moment = get_session(), current_scope(), now()
    unit = get_in_scope(session, scope, Unit, unit_code)
    if unit is None:
        abort(404)
    periods = register_periods(session, unit, moment)
    form = DossierFilterForm(request.args, year=periods.year, quarter=periods.quarter)
    form.year.choices = [SelectChoice("", _("Tất cả các năm")), *periods.years]
    form.quarter.choices = periods.quarters
    form.breakdown.choices = [
        SelectChoice(key.value, name)
        for key, name in BREAKDOWNS.items()
        if key is not Breakdown.OFFICIAL or scope.can_manage
    ]
    if not form.validate():
        abort(404)
    # An emptied field means the default.
    days = DEFAULT_DUE_DAYS if form.days.data is None else form.days.data
    choices = Choices(
        breakdown=Breakdown(form.breakdown.data),
        grain=Grain(form.grain.data),
        year=form.year.data or None,
        quarter=form.quarter.data,
        days=days,
        overdue_page=request.args.get("overdue_page", 1, type=int),
        soon_page=request.args.get("soon_page", 1, type=int),
    )
    page = build_dossier_page(session, unit, choices, now=moment)
    # The lists' page links keep every choice.
    query = {name: value for name, value in form.data.items() if value is not None}
    return render_template(
        "staff/dossiers.html", unit=unit, form=form, page=page, query=query, days=days
    )
