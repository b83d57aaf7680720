"""hailong with two extra routes that show where a rating's time goes (``--floor``).

``bench_survey.py --floor`` serves this app beside the real one and loads

- ``POST /floor/<token>/nothing``: everything the real send does before it stores
  (rate limits, CSRF, the form, the cached code, relevance and validation by the
  engine) and the same 303, then stores nothing;
- ``POST /floor/<token>/one-row``: the same, plus one write transaction through
  the request's session that inserts a single row (the submission id and the
  answers as text) into a table of its own, ``floor_sends``;
- ``POST /floor/<token>/raw-row``: the same row, written as the bare baseline
  writes its own: ``BEGIN IMMEDIATE``, ``INSERT``, ``COMMIT`` on a pooled
  ``sqlite3`` connection, without SQLAlchemy's execution layers.

No design that keeps this front half and stores each accepted send durably before
answering can be faster than the last two routes. The routes exist only here; the
application's own code has no switch for them.
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from sqlalchemy import text
from werkzeug.wrappers import Response

from app import create_app
from app.db import get_session
from app.public.forms import SurveyForm, raw_answers
from app.public.survey import SEND_CEILINGS, Survey, _open
from app.security import checks_own_ceilings, over_ceiling
from surveys.db import begin_writing
from surveys.models import utcnow
from surveys.submissions import check_open

app = create_app()

INSERT = "INSERT INTO floor_sends (submission_id, answers) VALUES (:id, :a)"
CREATE = (
    "CREATE TABLE IF NOT EXISTS floor_sends"
    " (id INTEGER PRIMARY KEY, submission_id TEXT UNIQUE NOT NULL, answers TEXT)"
)


@app.post("/floor/<token>/<any(nothing, 'one-row', 'raw-row'):mode>")
@checks_own_ceilings
def floor(token: str, mode: str) -> Response:
    if over_ceiling(SEND_CEILINGS):
        abort(429)
    found = _open(token, cached=True, check=False)
    if not isinstance(found, Survey):
        abort(404)
    form = SurveyForm()
    form.validate()
    answers = raw_answers(found.questionnaire, request.form)
    check_open(get_session(), found.code, utcnow())
    found.shown(answers)
    values, errors = found.validate(answers)
    if errors or form.errors:
        abort(422)
    row = {"id": form.submission_id.data, "a": repr(values)}
    if mode == "one-row":
        session = get_session()
        begin_writing(session)
        session.connection().execute(text(INSERT), row)
        session.commit()
    elif mode == "raw-row":
        raw = get_session().get_bind().raw_connection()
        try:
            raw.execute("BEGIN IMMEDIATE")
            try:
                raw.execute(
                    INSERT.replace(":id", "?").replace(":a", "?"), tuple(row.values())
                )
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
        finally:
            raw.close()
    return redirect(url_for("public.thanks", token=found.code.token), code=303)
