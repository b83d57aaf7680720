"""The staff side's forms: logging in, passwords, and the management pages."""

from __future__ import annotations

import math
from datetime import date
from typing import ClassVar

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FloatField,
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
    CODE_STATUSES,
    GRAINS,
    ROLES,
    UNIT_KINDS,
    choices,
)
from app.translated_form import TranslatedForm
from surveys.access.codes import MAX_CODES, MAX_LABEL
from surveys.access.passwords import password_problem
from surveys.comments.moderation import REASON_MAX_LENGTH
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
    #: An invitation's place in the sample design, carried by its responses.
    stratum = StringField(validators=[MaxLength(MAX_LABEL)], filters=[_stripped])
    cluster = StringField(validators=[MaxLength(MAX_LABEL)], filters=[_stripped])
    weight = FloatField(validators=[Optional()])

    def validate_weight(self, field: FloatField) -> None:
        """Refuse a weight that is not a positive number (an inverse probability)."""
        weight = field.data
        if weight is not None and not (math.isfinite(weight) and weight > 0):
            raise ValidationError(_("Trọng số phải là số dương."))


class PosterForm(StaffForm):
    campaign = SelectField(choices=[], validators=[Required()])


class RevokeForm(StaffForm):
    token = StringField(validators=[Required(), MaxLength(40)])


class CampaignEditForm(StaffForm):
    """What an existing campaign may change (questionnaire and mode until answered)."""

    name = StringField(validators=[Required(), MaxLength(300)], filters=[_stripped])
    questionnaire = SelectField(choices=[], validators=[Required()])
    mode = SelectField(choices=choices(CAMPAIGN_MODES))
    starts_on = DateField(validators=[Required()])
    ends_on = DateField(validators=[Optional()])
    min_interval_seconds = IntegerField(default=0, validators=[NumberRange(0, 86400)])

    def validate_ends_on(self, field: DateField) -> None:
        """Refuse a period that ends before it starts."""
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."))


class CampaignForm(CampaignEditForm):
    key = StringField(validators=[Required(), MaxLength(64)], filters=[_stripped])
    unit = SelectField(choices=[], validators=[Required()])


class CloseCampaignForm(StaffForm):
    """Closing is for good: the box must be ticked."""

    confirm = BooleanField(validators=[Required()])


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


class FilterForm(StaffForm):
    """Filters read from a GET's query string: no CSRF token, since the GET
    changes nothing and its links must keep working when shared or bookmarked."""

    class Meta:
        csrf = False


class CodeFilterForm(FilterForm):
    """An invitation campaign's code list filters, read from a GET's query string."""

    status = SelectField(
        default="",
        choices=[
            SelectChoice("", lazy_gettext("Mọi trạng thái")),
            *choices(CODE_STATUSES),
        ],
    )
    #: The campaign's strata; the view offers them, since they are its codes'.
    stratum = SelectField(choices=[], default="")


class AuditFilterForm(FilterForm):
    """The audit page's filters, read from the query string of a GET."""

    action = SelectField(
        default="",
        choices=[
            SelectChoice("", lazy_gettext("Tất cả thao tác")),
            *choices(AUDIT_ACTIONS),
        ],
    )
    #: The users' ids; the view offers them, since they are the database's.
    user = SelectField(choices=[], default="")


class CommentFilterForm(FilterForm):
    """The comment list's filters, read from the query string of a GET.

    The campaigns, units and counters offered are the reader's: the view sets them.
    """

    campaign = SelectField()
    #: "" for every unit in scope, else a unit's code (its units below included).
    unit = SelectField(default="")
    #: "" for every counter, else a counter's id.
    counter = SelectField(default="")
    rating = SelectField(
        default="",
        choices=[
            SelectChoice("", lazy_gettext("Mọi mức")),
            *(SelectChoice(str(points), str(points)) for points in range(1, 6)),
        ],
    )
    since = DateField(validators=[Optional()])
    until = DateField(validators=[Optional()])
    q = StringField(validators=[Optional(), MaxLength(100)], filters=[_stripped])

    #: The days a range may name: no comment is older or newer, and the
    #: calendar's ends ("0001-01-01") cannot be turned into UTC instants.
    FIRST_DAY: ClassVar[date] = date(2000, 1, 1)
    LAST_DAY: ClassVar[date] = date(2099, 12, 31)

    def validate_since(self, field: DateField) -> None:
        """Refuse a day outside the years comments can have."""
        self._within_years(field)

    def validate_until(self, field: DateField) -> None:
        """Refuse a day outside those years, or a range that ends before it starts."""
        self._within_years(field)
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))

    def _within_years(self, field: DateField) -> None:
        if field.data and not self.FIRST_DAY <= field.data <= self.LAST_DAY:
            raise ValidationError(
                _(
                    "Hãy chọn một ngày từ năm %(first)d đến năm %(last)d.",
                    first=self.FIRST_DAY.year,
                    last=self.LAST_DAY.year,
                )
            )


class HideCommentForm(StaffForm):
    """Why a comment is hidden from reports: required, and kept in the audit trail."""

    reason = StringField(
        validators=[Required(), MaxLength(REASON_MAX_LENGTH)], filters=[_stripped]
    )
    #: The list (with its filters) to go back to; only a path on this site.
    back = StringField()


#: Dossiers due within this many working days are listed as due soon, unless
#: the reader chooses otherwise.
DEFAULT_DUE_DAYS = 2


class DossierFilterForm(FilterForm):
    """The dossier page's choices, read from the query string of a GET.

    The years, quarters and breakdowns offered depend on the register and on
    the reader's role: the view sets them.
    """

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
