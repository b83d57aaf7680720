"""Logging in and out, changing one's password, and the home page of the staff side.

Every object a view shows is looked up through ``surveys.access.scope``: another unit's
object is not found (404), whatever id or code is put in the address.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from app.auth import (
    Attempt,
    StaffUser,
    current_scope,
    current_staff,
    login_wall,
    safe_next,
    start_staff_session,
    throttled,
    too_soon,
)
from app.db import get_session
from app.i18n import _
from app.security import current_device
from app.staff.blueprint import bp
from app.staff.dossier_ratings import ratings_panel
from app.staff.forms import LoginForm, PasswordForm
from surveys.access.scope import get_in_scope, units_in_scope
from surveys.access.users import WrongPassword, change_password, log_in, log_out
from surveys.models import ServicePoint, Unit
from surveys.units.tree import children_by_kind, unit_tree

bp.before_request(login_wall("staff.login"))


@bp.after_request
def _never_cache(response: Response) -> Response:
    # A shared office computer must not show a staff page again from its cache
    # after the official has logged out.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
@throttled
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm()
    refused = False
    if form.validate_on_submit():
        attempt = Attempt.on(form.username.data)
        wait = attempt.wait()
        if wait:
            return too_soon("staff/login.html", wait, form=form)
        db = get_session()
        user = log_in(db, form.username.data, form.password.data, current_device())
        if user is not None:
            attempt.succeeded()
            db.commit()
            start_staff_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for(".home"))
        attempt.failed()
        db.commit()
        refused = True
    return render_template("staff/login.html", form=form, refused=refused)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    db = get_session()
    log_out(db, current_staff())
    db.commit()
    logout_user()
    session.clear()
    flash(_("Ông/Bà đã đăng xuất."))
    return redirect(url_for(".login"))


@bp.route("/password", methods=["GET", "POST"])
@throttled
def password() -> ResponseReturnValue:
    form = PasswordForm()
    if form.validate_on_submit():
        db = get_session()
        user = current_staff()
        attempt = Attempt.on(user.username)
        wait = attempt.wait()
        if wait:
            return too_soon("staff/password.html", wait, form=form)
        try:
            change_password(
                db, user, form.current_password.data, form.new_password.data
            )
        except WrongPassword:
            attempt.failed()
            db.commit()
            form.current_password.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            attempt.succeeded()
            db.commit()
            # Every other session has ended; this browser carries on with a new one.
            login_user(StaffUser(user))
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."))
            return redirect(url_for(".home"))
    return render_template("staff/password.html", form=form)


@bp.get("/")
def home() -> str:
    tree = unit_tree(units_in_scope(get_session(), current_scope()))
    user = current_staff()
    return render_template("staff/home.html", user=user, unit=user.unit, tree=tree)


@bp.get("/units/<unit_code>")
def unit(unit_code: str) -> str:
    found = get_in_scope(
        get_session(),
        current_scope(),
        Unit,
        unit_code,
        options=[
            selectinload(Unit.children),
            selectinload(Unit.service_points).selectinload(ServicePoint.officials),
        ],
    )
    if found is None:
        abort(404)
    return render_template(
        "staff/unit.html",
        unit=found,
        groups=children_by_kind(found),
        dossier_ratings=ratings_panel(get_session(), found),
    )
