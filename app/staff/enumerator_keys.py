"""Enumerators for fieldwork: keys made, shown once and revoked; units assigned.

A manager makes an enumerator of a unit in their scope; the key is shown once,
inside the server address the enumerator types into ODK Collect (the answer
to the form, never redirected to nor cached, as integration keys are). Each
assignment gives the enumerator one unit of an interviewer campaign, with the
sample-design fields their interviews carry. Everything is audited by
``surveys.fieldwork.enumerators``.
"""

from __future__ import annotations

import math

from flask import make_response, render_template, url_for
from flask.typing import ResponseReturnValue
from wtforms import IntegerField, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice

from app.auth import current_scope, current_staff, permission_required
from app.db import get_session
from app.i18n import _, translated
from app.staff.blueprint import bp
from app.staff.forms import MaxLength, Required, StaffForm
from app.staff.manage import done_redirect, refused_redirect
from surveys.access.codes import SampleDesign
from surveys.access.scope import Permission, get_in_scope, units_in_scope
from surveys.fieldwork.enumerators import (
    EnumeratorRefused,
    assign,
    create_enumerator,
    enumerators_in_scope,
    interviewer_campaigns,
    revoke_enumerator,
    unassign,
)
from surveys.models import Campaign, Enumerator, EnumeratorAssignment, Unit

PAGE = ".enumerators"


def _stripped(value: str | None) -> str | None:
    """Strip a text; an empty one is None (the design field left out)."""
    if isinstance(value, str):
        return value.strip() or None
    return value


class EnumeratorForm(StaffForm):
    name = StringField(validators=[Required(), MaxLength(200)])
    unit = SelectField(choices=[])


class AssignmentForm(StaffForm):
    enumerator_id = SelectField(choices=[], coerce=int)
    campaign = SelectField(choices=[])
    unit = SelectField(choices=[])
    stratum = StringField(validators=[MaxLength(64)], filters=[_stripped])
    cluster = StringField(validators=[MaxLength(64)], filters=[_stripped])
    weight = StringField(validators=[MaxLength(30)], filters=[_stripped])

    def validate_weight(self, field: StringField) -> None:
        """Refuse a weight that is not a positive number (none is allowed)."""
        if field.data is None:
            return
        try:
            weight = float(field.data.replace(",", "."))
        except ValueError:
            weight = math.nan
        if not (math.isfinite(weight) and weight > 0):
            raise ValidationError(_("Trọng số phải là một số dương."))


class EnumeratorIdForm(StaffForm):
    enumerator_id = IntegerField(validators=[Required()])


class AssignmentIdForm(StaffForm):
    assignment_id = IntegerField(validators=[Required()])


def _forms(
    units: dict[str, Unit],
    campaigns: dict[str, Campaign],
    enumerators: list[Enumerator],
    *,
    fresh: bool = False,
) -> tuple[EnumeratorForm, AssignmentForm]:
    """The two forms, offering what lies in the user's scope (empty if ``fresh``)."""
    options = {"formdata": None} if fresh else {}
    making = EnumeratorForm(**options)
    giving = AssignmentForm(**options)
    unit_choices = [SelectChoice(code, unit.name) for code, unit in units.items()]
    making.unit.choices = giving.unit.choices = unit_choices
    giving.campaign.choices = [SelectChoice(k, c.name) for k, c in campaigns.items()]
    giving.enumerator_id.choices = [
        SelectChoice(e.id, f"{e.name} ({e.prefix}…)")
        for e in enumerators
        if e.revoked_at is None
    ]
    return making, giving


def _in_scope() -> tuple[dict[str, Unit], dict[str, Campaign], list[Enumerator]]:
    db = get_session()
    scope = current_scope()
    units = {unit.code: unit for unit in units_in_scope(db, scope)}
    campaigns = {c.key: c for c in interviewer_campaigns(db, scope)}
    return units, campaigns, enumerators_in_scope(db, scope)


def _page(
    making: EnumeratorForm, giving: AssignmentForm, server: str | None = None
) -> ResponseReturnValue:
    _units, _campaigns, enumerators = _in_scope()
    page = render_template(
        "staff/enumerators.html",
        making=making,
        giving=giving,
        revoke=EnumeratorIdForm(formdata=None),
        withdraw=AssignmentIdForm(formdata=None),
        enumerators=enumerators,
        server=server,
    )
    answer = make_response(page)
    answer.headers["Cache-Control"] = "no-store"
    return answer


@bp.route("/enumerators", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def enumerators() -> ResponseReturnValue:
    """List the enumerators in scope; make one and show its server address once."""
    units, campaigns, listed = _in_scope()
    making, giving = _forms(units, campaigns, listed)
    server = None
    if making.validate_on_submit():
        db = get_session()
        try:
            _enumerator, secret = create_enumerator(
                db, current_staff(), units[making.unit.data], making.name.data
            )
        except EnumeratorRefused as refusal:
            db.rollback()
            making.name.errors.append(translated(refusal.message))
        else:
            db.commit()
            address = url_for("openrosa.form_list_view", key=secret, _external=True)
            server = address.removesuffix("/formList")
            making, giving = _forms(*_in_scope(), fresh=True)
    return _page(making, giving, server)


@bp.post("/enumerators/assign")
@permission_required(Permission.MANAGE)
def assign_enumerator() -> ResponseReturnValue:
    """Give an enumerator in scope one unit in scope of an interviewer campaign."""
    units, campaigns, listed = _in_scope()
    _making, giving = _forms(units, campaigns, listed)
    if not giving.validate_on_submit():
        return _page(EnumeratorForm(formdata=None), giving)
    db = get_session()
    enumerator = get_in_scope(
        db, current_scope(), Enumerator, giving.enumerator_id.data
    )
    if enumerator is None:
        return refused_redirect(_("Không tìm thấy điều tra viên này."), PAGE)
    weight = giving.weight.data
    design = SampleDesign(
        giving.stratum.data,
        giving.cluster.data,
        float(weight.replace(",", ".")) if weight else None,
    )
    try:
        assign(
            db,
            current_staff(),
            enumerator,
            campaigns[giving.campaign.data],
            units[giving.unit.data],
            design,
        )
    except EnumeratorRefused as refusal:
        return refused_redirect(translated(refusal.message), PAGE)
    return done_redirect(_("Đã giao địa bàn cho %(name)s.", name=enumerator.name), PAGE)


@bp.post("/enumerators/revoke")
@permission_required(Permission.MANAGE)
def revoke_enumerator_key() -> ResponseReturnValue:
    """Revoke an enumerator's key for good: their tablet can no longer send."""
    form = EnumeratorIdForm()
    if not form.validate_on_submit():
        return refused_redirect(
            _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."), PAGE
        )
    db = get_session()
    enumerator = get_in_scope(db, current_scope(), Enumerator, form.enumerator_id.data)
    if enumerator is None:
        return refused_redirect(_("Không tìm thấy điều tra viên này."), PAGE)
    if not revoke_enumerator(db, current_staff(), enumerator):
        return refused_redirect(_("Khóa này đã bị thu hồi."), PAGE)
    return done_redirect(_("Đã thu hồi khóa của %(name)s.", name=enumerator.name), PAGE)


@bp.post("/enumerators/unassign")
@permission_required(Permission.MANAGE)
def unassign_enumerator() -> ResponseReturnValue:
    """Take an assignment back; the interviews already stored stay."""
    form = AssignmentIdForm()
    if not form.validate_on_submit():
        return refused_redirect(
            _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."), PAGE
        )
    db = get_session()
    assignment = get_in_scope(
        db, current_scope(), EnumeratorAssignment, form.assignment_id.data
    )
    if assignment is None:
        return refused_redirect(_("Không tìm thấy địa bàn được giao này."), PAGE)
    unassign(db, current_staff(), assignment)
    return done_redirect(_("Đã rút địa bàn."), PAGE)
