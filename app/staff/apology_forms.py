"""The apology letters' forms: drafting a letter, and recording that it was sent."""

from __future__ import annotations

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app.i18n import lazy_gettext, translated
from app.labels import DELIVERIES, choices
from app.staff.forms import MaxLength, Required, StaffForm, _stripped
from surveys.dossiers.letters import REASONS

#: The reason option that leaves the written reason to stand alone.
WRITTEN = ""


def reason_choices() -> list[SelectChoice]:
    """Return the listed reasons in the reader's language, then "written below"."""
    listed = [
        SelectChoice(code, translated(reason)) for code, reason in REASONS.items()
    ]
    return [*listed, SelectChoice(WRITTEN, lazy_gettext("Lý do khác (ghi bên dưới)"))]


class LetterForm(StaffForm):
    reason = SelectField(choices=[])
    reason_text = TextAreaField(validators=[MaxLength(1000)], filters=[_stripped])
    new_return_on = DateField(validators=[Required()])
    signer_title = StringField(
        validators=[Required(), MaxLength(200)], filters=[_stripped]
    )
    signer_name = StringField(validators=[MaxLength(200)], filters=[_stripped])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.reason.choices = reason_choices()


class SentForm(StaffForm):
    via = SelectField(choices=choices(DELIVERIES))
    sent_on = DateField(validators=[Required()])
