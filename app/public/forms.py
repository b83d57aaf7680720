"""The fixed part of every survey form; the questions come from the definition."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from app.i18n import translate


class SurveyForm(FlaskForm):
    """Carries the client submission id, the page and the consent.

    The CSRF token travels with it but is checked by ``CSRFProtect`` before any
    view runs (every POST of the app); checking it again here would only cost.
    """

    class Meta:
        csrf = False

    #: Chosen when the form is first shown; a resent form reuses it (idempotency).
    submission_id = HiddenField(
        validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{8,64}$")]
    )
    #: When the respondent opened the survey (seconds since the epoch, UTC).
    started = IntegerField(validators=[Optional()])
    page = IntegerField(validators=[Optional()])
    phone = StringField(validators=[Optional(), Regexp(r"^\+?[0-9 .-]{8,20}$")])
    consent = BooleanField()

    def validate_phone(self, field: StringField) -> None:
        """Refuse a phone number left without ticking the consent box."""
        if field.data and not self.consent.data:
            raise ValidationError(translate("phone_needs_consent"))
