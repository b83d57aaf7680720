"""Error pages in the visitor's language, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

#: Statuses with a page of their own; others fall back to the generic error page.
PAGES = {
    403: "error_403",
    404: "error_404",
    410: "error_404",
    413: "error_413",
    429: "error_429",
}


def init_app(app: Flask) -> None:
    """Render HTTP errors with the site's layout."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        key = PAGES.get(status, "error_500")
        return render_template("error.html", key=key), status

    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError) -> tuple[str, int]:
        # Mostly a page left open past its session: say so, in plain words.
        return render_template("error.html", key="session_expired"), 400

    @app.errorhandler(InternalServerError)
    def _server_error(_error: InternalServerError) -> tuple[str, int]:
        return render_template("error.html", key="error_500"), 500
