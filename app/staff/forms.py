"""The staff side's forms: logging in, passwords, and the management pages."""

from __future__ import annotations

from typing import ClassVar

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    Field,
    IntegerField,
    MultipleFileField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, StopValidation, ValidationError

from app.i18n import _, lazy_gettext, ngettext, translated
from app.labels import (
    AUDIT_ACTIONS,
    CAMPAIGN_MODES,
    GRAINS,
    ROLES,
    UNIT_KINDS,
    choices,
)
from app.translated_form import TranslatedForm
from surveys.access.codes import MAX_CODES
from surveys.access.passwords import password_problem
from surveys.units.tree import CODE_SHAPE, is_code


class Required:
    """Refuse an empty field, in the visitor's language (WTForms' text is English)."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not field.data:
            raise StopValidation(_("Vui lòng nhập mục này."))


class LoginForm(TranslatedForm):
    username = StringField(validators=[Required()])
    password = PasswordField(validators=[Required()])


class PasswordForm(TranslatedForm):
    current_password = PasswordField(validators=[Required()])
    new_password = PasswordField(validators=[Required()])
    new_password_again = PasswordField(validators=[Required()])

    def validate_new_password(self, field: PasswordField) -> None:
        """Refuse a weak password before anything is changed."""
        problem = password_problem(field.data)
        if problem:
            raise ValidationError(translated(problem))

    def validate_new_password_again(self, field: PasswordField) -> None:
        """Catch a typing slip in the new password, which would lock the user out."""
        if field.data != self.new_password.data:
            raise ValidationError(_("Hai lần nhập mật khẩu mới không giống nhau."))


class StaffForm(TranslatedForm):
    """A staff page's form: its built-in messages translated, a CSRF token."""


class MaxLength:
    """Refuse text longer than the database column holds."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and len(field.data) > self.limit:
            raise StopValidation(
                ngettext("Dài quá %(num)s ký tự.", "Dài quá %(num)s ký tự.", self.limit)
            )


class CodeShape:
    """Refuse a code that would not survive a URL or a file name."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and not is_code(field.data):
            raise StopValidation(translated(CODE_SHAPE))


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ConfirmForm(StaffForm):
    """A button that changes state: only the CSRF token is posted."""


class CounterForm(StaffForm):
    code = StringField(validators=[Required(), CodeShape()], filters=[_stripped])
    name = StringField(validators=[Required(), MaxLength(200)], filters=[_stripped])


class RenameForm(StaffForm):
    name = StringField(validators=[Required(), MaxLength(200)], filters=[_stripped])


class AssignForm(StaffForm):
    officials = SelectMultipleField(choices=[])


class OfficialForm(StaffForm):
    code = StringField(validators=[Required(), CodeShape()], filters=[_stripped])
    name = StringField(validators=[Required(), MaxLength(200)], filters=[_stripped])
    title = StringField(validators=[MaxLength(200)], filters=[_stripped])


class UploadForm(StaffForm):
    file = FileField(validators=[Required()])


class QuestionnaireUploadForm(UploadForm):
    #: CSV files beside an XLSForm (``select_one_from_file``, ``pulldata``).
    data_files = MultipleFileField()


class IssueCodesForm(StaffForm):
    campaign = SelectField(choices=[], validators=[Required()])
    count = IntegerField(validators=[Required(), NumberRange(1, MAX_CODES)])
    service_point = SelectField(choices=[])
    expires_on = DateField(validators=[Optional()])


class PosterForm(StaffForm):
    campaign = SelectField(choices=[], validators=[Required()])


class RevokeForm(StaffForm):
    token = StringField(validators=[Required(), MaxLength(40)])


class CampaignForm(StaffForm):
    key = StringField(validators=[Required(), MaxLength(64)], filters=[_stripped])
    name = StringField(validators=[Required(), MaxLength(300)], filters=[_stripped])
    questionnaire = SelectField(choices=[], validators=[Required()])
    unit = SelectField(choices=[], validators=[Required()])
    mode = SelectField(choices=choices(CAMPAIGN_MODES))
    starts_on = DateField(validators=[Required()])
    ends_on = DateField(validators=[Optional()])
    min_interval_seconds = IntegerField(default=0, validators=[NumberRange(0, 86400)])

    def validate_ends_on(self, field: DateField) -> None:
        """Refuse a period that ends before it starts."""
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."))


class StrongPassword:
    """Refuse a weak password before anything is stored, saying why."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(translated(problem))


class UserForm(StaffForm):
    username = StringField(validators=[Required(), MaxLength(64)], filters=[_stripped])
    password = PasswordField(validators=[Required(), StrongPassword()])
    role = SelectField(choices=choices(ROLES))
    unit = SelectField(choices=[])


class ResetPasswordForm(StaffForm):
    password = PasswordField(validators=[Required(), StrongPassword()])


class UnitForm(StaffForm):
    code = StringField(validators=[Required(), CodeShape()], filters=[_stripped])
    name = StringField(validators=[Required(), MaxLength(200)], filters=[_stripped])
    kind = SelectField(choices=choices(UNIT_KINDS))


class AuditFilterForm(StaffForm):
    """The audit page's filters, read from the query string of a GET."""

    class Meta:
        csrf = False  # a GET that changes nothing, and its links must keep working

    action = SelectField(
        default="",
        choices=[
            SelectChoice("", lazy_gettext("Tất cả thao tác")),
            *choices(AUDIT_ACTIONS),
        ],
    )
    #: The users' ids; the view offers them, since they are the database's.
    user = SelectField(choices=[], default="")


#: Dossiers due within this many working days are listed as due soon, unless
#: the reader chooses otherwise.
DEFAULT_DUE_DAYS = 2


class DossierFilterForm(StaffForm):
    """The dossier page's choices, read from the query string of a GET.

    The years, quarters and breakdowns offered depend on the register and on
    the reader's role: the view sets them.
    """

    class Meta:
        csrf = False  # a GET that changes nothing, and its links must keep working

    #: "" for every year, else one year of returns.
    year = SelectField(default="")
    grain = SelectField(choices=choices(GRAINS), default="quarter")
    breakdown = SelectField(default="unit")
    #: The quarter of the service indicators.
    quarter = SelectField()
    #: Dossiers due within this many working days are listed as due soon.
    days = IntegerField(
        default=DEFAULT_DUE_DAYS, validators=[Optional(), NumberRange(0, 30)]
    )


class WorkingDayForm(StaffForm):
    """A day the government moved: a day off, or a (Saturday) worked in exchange."""

    day = DateField(validators=[Required()])
    working = SelectField(
        choices=[
            SelectChoice("0", lazy_gettext("Ngày nghỉ")),
            SelectChoice("1", lazy_gettext("Ngày làm việc (làm bù)")),
        ]
    )
    note = StringField(validators=[MaxLength(200)], filters=[_stripped])


class DeadlineRulesForm(StaffForm):
    """When a unit's late-in-the-day receipts start counting, and when a day ends."""

    cutoff = TimeField(validators=[Optional()])
    due = TimeField(validators=[Required()])
