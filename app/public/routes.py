"""The landing page, the units' public pages and the health check."""

from __future__ import annotations

import shutil

from flask import abort, current_app, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import get_session
from app.public.blueprint import bp
from surveys.db import sqlite_folder
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
    """Tell a monitor whether ratings can be read and written.

    On SQLite the write path needs room on the database's disk: the WAL grows
    by tens of megabytes between checkpoints, and a full disk refuses every
    rating while reads still work, so the free space is reported too.
    """
    session = get_session()
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return {"status": "error", "database": "unreachable"}, 503
    checks = {"status": "ok", "database": "ok"}
    folder = sqlite_folder(session.get_bind().engine.url)
    if folder is None:
        return checks, 200
    if shutil.disk_usage(folder).free < current_app.config["HEALTH_MIN_FREE_BYTES"]:
        return checks | {"status": "error", "disk": "low"}, 503
    return checks | {"disk": "ok"}, 200
