"""The staff side's forms: logging in and changing one's password."""

from __future__ import annotations

from typing import ClassVar

from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, StringField
from wtforms.validators import StopValidation, ValidationError

from app.i18n import tr, translate
from surveys.passwords import password_problem


class Required:
    """Refuse an empty field, in the visitor's language (WTForms' text is English)."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not field.data:
            raise StopValidation(translate("field_required"))


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
            raise ValidationError(tr(problem))

    def validate_new_password_again(self, field: PasswordField) -> None:
        """Catch a typing slip in the new password, which would lock the user out."""
        if field.data != self.new_password.data:
            raise ValidationError(translate("passwords_differ"))
