"""Forms whose built-in messages are in the reader's language too.

WTForms writes a few messages itself (a number that is not one, a choice not
offered) and ships no Vietnamese for them: ``TranslatedForm`` hands it ours, each
a Vietnamese msgid of the app's catalogue, whose English is WTForms' own text.
"""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.i18n import lazy_gettext

#: WTForms' own messages for the fields and validators the app uses, in our words.
WTFORMS_MESSAGES = {
    "This field is required.": lazy_gettext("Vui lòng nhập mục này."),
    "Invalid input.": lazy_gettext("Giá trị không hợp lệ."),
    "Not a valid integer value.": lazy_gettext("Hãy nhập một số nguyên."),
    "Not a valid decimal value.": lazy_gettext("Hãy nhập một số."),
    "Not a valid float value.": lazy_gettext("Hãy nhập một số."),
    "Not a valid date value.": lazy_gettext("Hãy nhập ngày theo dạng năm-tháng-ngày."),
    "Not a valid time value.": lazy_gettext("Hãy nhập giờ theo dạng giờ:phút."),
    "Not a valid datetime value.": lazy_gettext(
        "Hãy nhập ngày giờ theo dạng năm-tháng-ngày giờ:phút."
    ),
    "Not a valid choice.": lazy_gettext("Lựa chọn không hợp lệ."),
    "Invalid Choice: could not coerce.": lazy_gettext("Lựa chọn không hợp lệ."),
    "Invalid choice(s): one or more data inputs could not be coerced.": lazy_gettext(
        "Lựa chọn không hợp lệ."
    ),
    "'%(value)s' is not a valid choice for this field.": lazy_gettext(
        "Lựa chọn không hợp lệ."
    ),
    "'%(value)s' are not valid choices for this field.": lazy_gettext(
        "Lựa chọn không hợp lệ."
    ),
    "Number must be at least %(min)s.": lazy_gettext("Số phải từ %(min)s trở lên."),
    "Number must be at most %(max)s.": lazy_gettext("Số không được quá %(max)s."),
    "Number must be between %(min)s and %(max)s.": lazy_gettext(
        "Số phải từ %(min)s đến %(max)s."
    ),
}


class _Translations:
    """Hand WTForms the visitor's language for the messages it writes itself.

    A message not listed stays as WTForms wrote it: the page test
    (``tests/app/test_page_languages.py``) finds it in a Vietnamese page.
    """

    def gettext(self, string: str) -> str:
        ours = WTFORMS_MESSAGES.get(string)
        return str(ours) if ours is not None else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class TranslatedForm(FlaskForm):
    """A form whose built-in messages are translated too."""

    class Meta:
        def get_translations(self, form: FlaskForm) -> _Translations:
            return _Translations()
