"""The landing page, the units' public pages and the health check."""

from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import get_session
from app.public.blueprint import bp
from surveys.units.tree import children_by_kind, root_units, unit_by_code


@bp.get("/")
def index() -> str:
    districts = [
        (district, children_by_kind(district)) for district in root_units(get_session())
    ]
    return render_template("public/index.html", districts=districts)


@bp.get("/units/<code>")
def unit(code: str) -> str:
    found = unit_by_code(get_session(), code)
    if found is None:
        abort(404)
    return render_template("public/unit.html", unit=found)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
