"""The forms of the batch register: a new batch, and each change of a batch."""

from __future__ import annotations

from wtforms import DateField, IntegerField, SelectField, StringField, ValidationError
from wtforms.validators import NumberRange, Optional

from app.auth import now
from app.i18n import _, lazy_gettext
from app.staff.forms import (
    IssueCodesForm,
    MaxLength,
    Required,
    StaffForm,
    _stripped,
)
from surveys.local_time import local_date
from surveys.paper.batches import MAX_RECIPIENT

#: The most forms one batch numbers: a ward's household survey is a few
#: hundred; more is a mistyped count, and a thousand forms print in twenty parts.
MAX_FORMS = 1000


class PaperBatchForm(IssueCodesForm):
    """A new batch: the campaign, the unit and counter, how many, the design."""

    unit = SelectField(choices=[], validators=[Required()])
    count = IntegerField(
        validators=[
            NumberRange(
                1,
                MAX_FORMS,
                message=lazy_gettext("Số phiếu phải từ %(min)s đến %(max)s."),
            )
        ]
    )


class HandOutForm(StaffForm):
    """To whom, and on which day, the batch's forms went."""

    recipient = StringField(
        validators=[Required(), MaxLength(MAX_RECIPIENT)],
        filters=[_stripped],
    )
    handed_on = DateField(validators=[Optional()])

    def validate_handed_on(self, field: DateField) -> None:
        """Refuse a day still to come: the register says what happened."""
        if field.data is not None and field.data > local_date(now()):
            raise ValidationError(_("Ngày giao phiếu không được sau hôm nay."))


class ReturnedForm(StaffForm):
    """How many filled-in forms have come back so far."""

    returned = IntegerField(
        validators=[
            NumberRange(
                0, message=lazy_gettext("Số phiếu nhận lại phải là số từ 0 trở lên.")
            )
        ]
    )


class VoidForm(StaffForm):
    """The number printed on a spoiled or lost form."""

    number = StringField(validators=[Required(), MaxLength(30)])
