"""The web application: the only package that knows HTTP."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from app import (
    api,
    auth,
    browser_defences,
    chores,
    cli,
    db,
    errors,
    formatting,
    i18n,
    labels,
    openrosa,
    security,
    serving,
)
from app.config import load_config
from app.public import bp as public_bp
from app.reports import bp as reports_bp
from app.serving import Hailong
from app.sessions import SessionWhenSent
from app.staff import bp as staff_bp


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, then each subsystem's ``init_app``.

    The instance folder (database file, generated secret key) is ``instance/`` at
    the project root unless ``HAILONG_INSTANCE_PATH`` or ``INSTANCE_PATH`` in
    ``test_config`` says otherwise.
    """
    overrides = dict(test_config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or os.environ.get(
        "HAILONG_INSTANCE_PATH"
    )
    app = Hailong(__name__, instance_path=instance_path, instance_relative_config=True)
    load_config(app, overrides)
    # Templates are indented for people; pages are trimmed for cheap phones.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.session_interface = SessionWhenSent()

    db.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    labels.init_app(app)
    errors.init_app(app)
    browser_defences.init_app(app)
    chores.init_app(app)
    cli.init_app(app)
    serving.init_app(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(reports_bp)
    api.init_app(app)
    openrosa.init_app(app)
    security.trust_proxies(app)
    return app
