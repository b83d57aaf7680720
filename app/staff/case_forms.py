"""The forms of the case pages: the lists' filters, one form per workflow step,
and the district's categories and deadline rules."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from app.i18n import lazy_gettext
from app.labels import CASE_CHANNELS, CASE_STATES, choices
from app.staff.forms import CodeShape, MaxLength, Required, StaffForm, _stripped
from surveys.cases.intake import MAX_TEXT
from surveys.cases.workflow import Action


class CaseFilterForm(StaffForm):
    """The ``all`` list's filters, read from the query string of a GET; the
    view offers the categories and quarters, which are the database's."""

    class Meta:
        csrf = False  # a GET that changes nothing, and its links must keep working

    state = SelectField(
        default="",
        choices=[
            SelectChoice("", lazy_gettext("Mọi trạng thái")),
            *choices(CASE_STATES),
        ],
    )
    category = SelectField(default="", choices=[])
    channel = SelectField(
        default="",
        choices=[SelectChoice("", lazy_gettext("Mọi kênh")), *choices(CASE_CHANNELS)],
    )
    quarter = SelectField(default="", choices=[])


class CaseStepForm(StaffForm):
    """One workflow step: which, and the fields it takes (the others are empty).

    The pickers are checked by the view against what it offered, and the
    workflow refuses what is missing with its own message.
    """

    action = HiddenField(validators=[Required()])
    handler = SelectField(choices=[], validate_choice=False)
    unit = SelectField(choices=[], validate_choice=False)
    text = TextAreaField(validators=[MaxLength(MAX_TEXT)])
    body = StringField(validators=[MaxLength(300)], filters=[_stripped])
    target = StringField(validators=[MaxLength(40)], filters=[_stripped])

    def validate_action(self, field: HiddenField) -> None:
        """Refuse a step the workflow does not know (a forged form)."""
        if field.data not in set(Action):
            raise ValidationError(lazy_gettext("Lựa chọn không hợp lệ."))


class CategoryForm(StaffForm):
    code = StringField(validators=[Required(), CodeShape()], filters=[_stripped])
    name_vi = StringField(validators=[Required(), MaxLength(200)], filters=[_stripped])
    name_en = StringField(validators=[MaxLength(200)], filters=[_stripped])
    group = StringField(validators=[MaxLength(100)], filters=[_stripped])
    description = TextAreaField(validators=[MaxLength(2000)], filters=[_stripped])
    public = BooleanField(default=True)
    #: "" for none, else a unit's id; the view offers the units.
    default_unit = SelectField(choices=[], default="")


class DeadlineRuleForm(StaffForm):
    #: "" for any category, else its id; the view offers the categories.
    category = SelectField(choices=[], default="")
    channel = SelectField(
        default="",
        choices=[SelectChoice("", lazy_gettext("Mọi kênh")), *choices(CASE_CHANNELS)],
    )
    working_days = IntegerField(validators=[Required(), NumberRange(1, 365)])
    warn_days = IntegerField(default=2, validators=[Optional(), NumberRange(0, 364)])
    note = StringField(validators=[MaxLength(300)], filters=[_stripped])
