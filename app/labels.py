"""The names of the domain's kinds, roles and modes, in the reader's language.

Each value has its own literal msgid here, so ``pybabel extract`` finds every
name; templates show them with ``kind_name``, ``role_name`` and ``mode_name``,
and forms use the same names for their options.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from flask_babel.speaklater import LazyString
from wtforms.fields.choices import SelectChoice

from app.i18n import lazy_gettext
from surveys.models import CampaignMode, Role, UnitKind

UNIT_KINDS = {
    UnitKind.DISTRICT: lazy_gettext("Quận"),
    UnitKind.WARD: lazy_gettext("Phường"),
    UnitKind.DEPARTMENT: lazy_gettext("Phòng, ban"),
    UnitKind.SCHOOL: lazy_gettext("Trường học"),
    UnitKind.SERVICE_UNIT: lazy_gettext("Đơn vị sự nghiệp"),
}
ROLES = {
    Role.ADMIN: lazy_gettext("Quản trị hệ thống"),
    Role.DISTRICT: lazy_gettext("Cán bộ cấp quận"),
    Role.UNIT_MANAGER: lazy_gettext("Quản lý đơn vị"),
    Role.VIEWER: lazy_gettext("Chỉ xem"),
}
CAMPAIGN_MODES = {
    CampaignMode.COUNTER: lazy_gettext("Tại quầy"),
    CampaignMode.DOSSIER: lazy_gettext("Theo hồ sơ"),
    CampaignMode.INVITATION: lazy_gettext("Thư mời"),
    CampaignMode.INTERVIEWER: lazy_gettext("Điều tra viên"),
    CampaignMode.OPEN_LINK: lazy_gettext("Đường dẫn công khai"),
}


def kind_name(kind: str) -> str:
    """Return the name of a unit kind (``ward`` -> "Phường")."""
    return str(UNIT_KINDS[UnitKind(kind)])


def role_name(role: str) -> str:
    """Return the name of a user's role."""
    return str(ROLES[Role(role)])


def mode_name(mode: str) -> str:
    """Return the name of a campaign's mode."""
    return str(CAMPAIGN_MODES[CampaignMode(mode)])


def choices(names: Mapping[str, LazyString]) -> list[SelectChoice]:
    """Return a select field's options, each named when the form is shown."""
    return [SelectChoice(value, name) for value, name in names.items()]


def init_app(app: Flask) -> None:
    """Offer the names to templates."""
    app.jinja_env.globals.update(
        kind_name=kind_name, role_name=role_name, mode_name=mode_name
    )
