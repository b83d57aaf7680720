"""The demo district: Quận 1 of Ho Chi Minh City, its wards, offices and counters.

Everything is drawn from a seeded generator, so two runs build the same district,
and every step looks up what exists first, so running it twice changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Official, Role, ServicePoint, Unit, UnitKind, User
from surveys.users import create_user

DISTRICT = ("q1", "Quận 1")

#: The ten wards of Quận 1 (before the 2025 reorganisation of wards).
WARDS = (
    ("q1-ben-nghe", "Phường Bến Nghé"),
    ("q1-ben-thanh", "Phường Bến Thành"),
    ("q1-cau-kho", "Phường Cầu Kho"),
    ("q1-cau-ong-lanh", "Phường Cầu Ông Lãnh"),
    ("q1-co-giang", "Phường Cô Giang"),
    ("q1-da-kao", "Phường Đa Kao"),
    ("q1-nguyen-cu-trinh", "Phường Nguyễn Cư Trinh"),
    ("q1-nguyen-thai-binh", "Phường Nguyễn Thái Bình"),
    ("q1-pham-ngu-lao", "Phường Phạm Ngũ Lão"),
    ("q1-tan-dinh", "Phường Tân Định"),
)

OFFICES = (
    ("q1-vp-ubnd", "Văn phòng HĐND và UBND Quận 1", UnitKind.DEPARTMENT),
    ("q1-noi-vu", "Phòng Nội vụ", UnitKind.DEPARTMENT),
    ("q1-tu-phap", "Phòng Tư pháp", UnitKind.DEPARTMENT),
    ("q1-tc-kh", "Phòng Tài chính – Kế hoạch", UnitKind.DEPARTMENT),
    ("q1-qldt", "Phòng Quản lý đô thị", UnitKind.DEPARTMENT),
    ("q1-tn-mt", "Phòng Tài nguyên và Môi trường", UnitKind.DEPARTMENT),
    ("q1-ld-tbxh", "Phòng Lao động – Thương binh và Xã hội", UnitKind.DEPARTMENT),
    ("q1-kinh-te", "Phòng Kinh tế", UnitKind.DEPARTMENT),
    ("q1-gd-dt", "Phòng Giáo dục và Đào tạo", UnitKind.DEPARTMENT),
    ("q1-cntt", "Trung tâm Công nghệ Thông tin", UnitKind.SERVICE_UNIT),
)

#: Counters of a ward's one-stop section, and the title of who serves there.
WARD_COUNTERS = (
    ("Quầy Tư pháp – Hộ tịch", "Công chức Tư pháp – Hộ tịch"),
    ("Quầy Địa chính – Xây dựng", "Công chức Địa chính – Xây dựng"),
    ("Quầy Văn hóa – Xã hội", "Công chức Văn hóa – Xã hội"),
)

#: Offices that receive dossiers at counters of their own.
OFFICE_COUNTERS = {
    "q1-vp-ubnd": (
        ("Quầy Đăng ký kinh doanh", "Chuyên viên Bộ phận một cửa"),
        ("Quầy Xây dựng – Đô thị", "Chuyên viên Bộ phận một cửa"),
        ("Quầy Đất đai", "Chuyên viên Bộ phận một cửa"),
        ("Quầy Hộ tịch – Chứng thực", "Chuyên viên Bộ phận một cửa"),
    ),
    "q1-tu-phap": (("Quầy Chứng thực", "Chuyên viên Phòng Tư pháp"),),
    "q1-ld-tbxh": (("Quầy Chính sách xã hội", "Chuyên viên Phòng LĐ-TB&XH"),),
}

FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
)  # fmt: skip
MIDDLE_NAMES = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Đức", "Thu", "Quốc")
GIVEN_NAMES = (
    "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương",
    "Khoa", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Tâm",
    "Thảo", "Trang", "Tuấn", "Uyên", "Vy", "Yến",
)  # fmt: skip

OFFICIALS_PER_COUNTER = 2

#: Demo logins: one per role level, so each view of the staff side can be tried.
DEMO_USERS = (
    ("admin", Role.ADMIN, None),
    ("quan1", Role.DISTRICT, "q1"),
    ("bennghe", Role.UNIT_MANAGER, "q1-ben-nghe"),
    ("xem", Role.VIEWER, "q1-noi-vu"),
)

SEED = 20241105  # the date of directive 3815/UBND-NV


@dataclass
class DemoReport:
    """What one run of the demo seed created (all zero on a second run)."""

    units: int = 0
    service_points: int = 0
    officials: int = 0
    users: list[str] = field(default_factory=list)
    #: The password given to ``users``; empty when no login was created.
    password: str = field(default="", repr=False)


def seed_demo(session: Session, demo_password: str | None = None) -> DemoReport:
    """Create whatever part of the demo district is missing; flush, never commit.

    ``demo_password`` is given to the demo logins created by this run; without one,
    a random password is drawn (and reported) so none is written in the code.
    """
    rng = np.random.default_rng(SEED)
    report = DemoReport()
    district = _ensure_unit(session, report, *DISTRICT, UnitKind.DISTRICT, None)
    for code, name in WARDS:
        ward = _ensure_unit(session, report, code, name, UnitKind.WARD, district)
        _ensure_counters(session, report, rng, ward, WARD_COUNTERS)
    for code, name, kind in OFFICES:
        office = _ensure_unit(session, report, code, name, kind, district)
        _ensure_counters(session, report, rng, office, OFFICE_COUNTERS.get(code, ()))
    session.flush()
    password = demo_password or secrets.token_urlsafe(12)
    for username, role, unit_code in DEMO_USERS:
        exists = session.scalar(select(User.id).where(User.username == username))
        if exists is None:
            create_user(session, username, password, role, unit_code)
            report.users.append(username)
    if report.users:
        report.password = password
    session.flush()
    return report


def _ensure_unit(
    session: Session,
    report: DemoReport,
    code: str,
    name: str,
    kind: UnitKind,
    parent: Unit | None,
) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        unit = Unit(code=code, name=name, kind=kind, parent=parent)
        session.add(unit)
        report.units += 1
    return unit


def _ensure_counters(
    session: Session,
    report: DemoReport,
    rng: np.random.Generator,
    unit: Unit,
    counters: tuple[tuple[str, str], ...],
) -> None:
    for number, (name, title) in enumerate(counters, start=1):
        # Names are drawn whether or not the counter exists, so the sequence of
        # draws (and so every name) is the same on every run.
        names = [_official_name(rng) for _ in range(OFFICIALS_PER_COUNTER)]
        code = f"{unit.code}-q{number}"
        if session.scalar(select(ServicePoint.id).where(ServicePoint.code == code)):
            continue
        point = ServicePoint(code=code, name=f"{name} (quầy {number})", unit=unit)
        session.add(point)
        report.service_points += 1
        for index, person in enumerate(names, start=1):
            official = Official(
                code=f"{code}-cb{index}", name=person, title=title, unit=unit
            )
            point.officials.append(official)
            report.officials += 1


def _official_name(rng: np.random.Generator) -> str:
    return " ".join(
        str(rng.choice(part)) for part in (FAMILY_NAMES, MIDDLE_NAMES, GIVEN_NAMES)
    )
