"""A citizen's comment as officials read it: personal data masked, in their language.

Every page and report that shows a comment shows it through ``masked_comment``;
the stored answer stays as typed (``surveys.comments.personal_data``).
"""

from __future__ import annotations

from app.i18n import _
from surveys.comments.personal_data import Personal, mask_personal_data


def masked_comment(text: str) -> str:
    """Return a comment with phone numbers, ID numbers and emails masked."""
    masks = {
        Personal.PHONE: _("[đã ẩn số điện thoại]"),
        Personal.ID_NUMBER: _("[đã ẩn số giấy tờ]"),
        Personal.EMAIL: _("[đã ẩn email]"),
    }
    return mask_personal_data(text, masks)
