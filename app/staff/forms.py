"""The staff side's forms: logging in, passwords, and the management pages."""

from __future__ import annotations

import math
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


class LoginForm(FlaskForm):
    username = StringField(validators=[Required()])
    password = PasswordField(validators=[Required()])


class PasswordForm(FlaskForm):
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


#: WTForms' own English messages for unreadable input, in our words.
WTFORMS_MESSAGES = {
    "Not a valid integer value.": lazy_gettext("Hãy nhập một số nguyên."),
    "Not a valid date value.": lazy_gettext("Hãy nhập ngày theo dạng năm-tháng-ngày."),
    "Not a valid choice.": lazy_gettext("Lựa chọn không hợp lệ."),
    "Invalid Choice: could not coerce.": lazy_gettext("Lựa chọn không hợp lệ."),
    "'%(value)s' is not a valid choice for this field.": lazy_gettext(
        "Lựa chọn không hợp lệ."
    ),
    "Number must be between %(min)s and %(max)s.": lazy_gettext(
        "Số phải nằm trong khoảng cho phép."
    ),
}


class _Translations:
    """Hand WTForms the visitor's language for the few messages it writes itself."""

    def gettext(self, string: str) -> str:
        ours = WTFORMS_MESSAGES.get(string)
        return str(ours) if ours is not None else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class StaffForm(FlaskForm):
    """A form whose built-in messages are translated too."""

    class Meta:
        def get_translations(self, form: FlaskForm) -> _Translations:
            return _Translations()


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


class CodeFilterForm(StaffForm):
    """An invitation campaign's code list filters, read from a GET's query string."""

    class Meta:
        csrf = False  # a GET that changes nothing, and its links must keep working

    status = SelectField(
        default="",
        choices=[
            SelectChoice("", lazy_gettext("Mọi trạng thái")),
            *choices(CODE_STATUSES),
        ],
    )
    #: The campaign's strata; the view offers them, since they are its codes'.
    stratum = SelectField(choices=[], default="")


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


class CommentFilterForm(StaffForm):
    """The comment list's filters, read from the query string of a GET.

    The campaigns, units and counters offered are the reader's: the view sets them.
    """

    class Meta:
        csrf = False  # a GET that changes nothing, and its links must keep working

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

    def validate_until(self, field: DateField) -> None:
        """Refuse a range that ends before it starts."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))


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
