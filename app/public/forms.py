"""The fixed part of every survey form; the questions come from the definition."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from app.i18n import _
from surveys.questionnaire import Questionnaire, QuestionType
from surveys.questionnaire.validation import RawAnswers

#: A client submission id: chosen when the form is first shown, kept on resend.
SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class SurveyForm(FlaskForm):
    """Carries the client submission id, the page and the consent.

    No CSRF token: the survey's page token protects it (``app.public.page_token``).
    """

    class Meta:
        csrf = False

    #: Chosen when the form is first shown; a resent form reuses it (idempotency).
    submission_id = HiddenField(validators=[DataRequired(), Regexp(SUBMISSION_ID)])
    page = IntegerField(validators=[Optional()])
    phone = StringField(validators=[Optional(), Regexp(r"^\+?[0-9 .-]{8,20}$")])
    consent = BooleanField()

    def validate_phone(self, field: StringField) -> None:
        """Refuse a phone number left without ticking the consent box."""
        if field.data and not self.consent.data:
            raise ValidationError(
                _("Vui lòng đánh dấu ô đồng ý nếu muốn để lại số điện thoại.")
            )


def raw_answers(questionnaire: Questionnaire, form: MultiDict[str, str]) -> RawAnswers:
    """Read the questionnaire's answers from a submitted form, as the engine wants."""
    answers: dict[str, str | list[str] | None] = {}
    for question in questionnaire.questions:
        if not question.type.takes_answer or question.name not in form:
            continue
        if question.type is QuestionType.SELECT_MULTIPLE:
            answers[question.name] = [v for v in form.getlist(question.name) if v]
        else:
            answers[question.name] = form.get(question.name)
    return answers
