"""Keys for outside systems (``/api/v1``, Open311): made, listed, revoked by managers.

A manager makes keys for the units in their scope (an admin or the district for
any unit, a unit manager for their unit and the units below it). The key itself
is shown once, on the answer to the form that made it, and never stored: that
page is not redirected to (the key would have to sit in the session cookie) and
is not cached. Making and revoking are audited by ``surveys.cases.integration_keys``.
"""

from __future__ import annotations

from flask import make_response, render_template
from flask.typing import ResponseReturnValue
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from app.auth import current_scope, current_staff, permission_required
from app.db import get_session
from app.i18n import _, lazy_gettext, translated
from app.staff.blueprint import bp
from app.staff.forms import MaxLength, Required, StaffForm
from app.staff.manage import done_redirect, refused_redirect
from surveys.access.scope import Permission, get_in_scope, units_in_scope
from surveys.cases.integration_keys import (
    DEFAULT_LIFETIME,
    DEFAULT_RATE_LIMIT,
    LIFETIMES,
    KeyRefused,
    create_key,
    keys_in_scope,
    revoke_key,
)
from surveys.models import IntegrationKey, Unit

#: What a key may do, as the form offers it: (may read, may write).
RIGHTS = {
    "read": (True, False),
    "write": (False, True),
    "read_write": (True, True),
}


class IntegrationKeyForm(StaffForm):
    name = StringField(validators=[Required(), MaxLength(200)])
    unit = SelectField(choices=[])
    rights = SelectField(
        choices=[
            SelectChoice("read", lazy_gettext("Chỉ đọc dữ liệu")),
            SelectChoice("write", lazy_gettext("Chỉ ghi (gửi phản ánh)")),
            SelectChoice("read_write", lazy_gettext("Đọc và ghi")),
        ],
        default="write",
    )
    lifetime = SelectField(
        choices=[
            SelectChoice(str(days), lazy_gettext("%(days)s ngày", days=days))
            for days in LIFETIMES
        ],
        default=str(DEFAULT_LIFETIME),
    )
    rate_limit = StringField(
        validators=[Required(), MaxLength(100)], default=DEFAULT_RATE_LIMIT
    )
    contact_consent = BooleanField()
    read_officials = BooleanField()


def _key_form(units: dict[str, Unit], **options: object) -> IntegrationKeyForm:
    """The form, offering the units in scope."""
    form = IntegrationKeyForm(**options)
    form.unit.choices = [SelectChoice(code, u.name) for code, u in units.items()]
    return form


class RevokeKeyForm(StaffForm):
    key_id = IntegerField(validators=[Required()])


@bp.route("/integration-keys", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def integration_keys() -> ResponseReturnValue:
    """List the keys of the units in scope; make one and show its secret once."""
    db = get_session()
    scope = current_scope()
    units = {unit.code: unit for unit in units_in_scope(db, scope)}
    form = _key_form(units)
    secret = None
    if form.validate_on_submit():
        read, write = RIGHTS[form.rights.data]
        try:
            _key, secret = create_key(
                db,
                current_staff(),
                units[form.unit.data],
                form.name.data,
                can_read=read,
                can_write=write,
                rate_limit=form.rate_limit.data,
                contact_consent=form.contact_consent.data,
                lifetime_days=int(form.lifetime.data),
                can_read_officials=form.read_officials.data,
            )
        except KeyRefused as refusal:
            db.rollback()
            form.name.errors.append(translated(refusal.message))
        else:
            db.commit()
            form = _key_form(units, formdata=None)
    page = render_template(
        "staff/integration_keys.html",
        form=form,
        revoke=RevokeKeyForm(formdata=None),
        keys=keys_in_scope(db, scope),
        secret=secret,
    )
    answer = make_response(page)
    answer.headers["Cache-Control"] = "no-store"
    return answer


@bp.post("/integration-keys/revoke")
@permission_required(Permission.MANAGE)
def revoke_integration_key() -> ResponseReturnValue:
    """Revoke a key of a unit in scope, for good."""
    form = RevokeKeyForm()
    if not form.validate_on_submit():
        return refused_redirect(
            _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."),
            ".integration_keys",
        )
    db = get_session()
    key = get_in_scope(db, current_scope(), IntegrationKey, form.key_id.data)
    if key is None:
        return refused_redirect(_("Không tìm thấy khóa này."), ".integration_keys")
    if not revoke_key(db, current_staff(), key):
        return refused_redirect(_("Khóa này đã bị thu hồi."), ".integration_keys")
    return done_redirect(
        _("Đã thu hồi khóa “%(name)s”.", name=key.name), ".integration_keys"
    )
