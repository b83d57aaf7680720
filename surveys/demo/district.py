"""The demo district's structure: Quận 1, its wards, offices, counters and officials."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Official, ServicePoint, Unit, UnitKind

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


@dataclass
class DistrictReport:
    """What one run created of the district's structure."""

    units: int = 0
    service_points: int = 0
    officials: int = 0


def district_id(session: Session) -> int:
    """Return the id of the demo district (built first)."""
    found = session.scalar(select(Unit.id).where(Unit.code == DISTRICT[0]))
    assert found is not None, "the demo district is built first"
    return found


def ensure_district(session: Session, rng: np.random.Generator) -> DistrictReport:
    """Create whatever part of the district is missing; flush, never commit."""
    report = DistrictReport()
    district = _ensure_unit(session, report, *DISTRICT, UnitKind.DISTRICT, None)
    for code, name in WARDS:
        ward = _ensure_unit(session, report, code, name, UnitKind.WARD, district)
        _ensure_counters(session, report, rng, ward, WARD_COUNTERS)
    for code, name, kind in OFFICES:
        office = _ensure_unit(session, report, code, name, kind, district)
        _ensure_counters(session, report, rng, office, OFFICE_COUNTERS.get(code, ()))
    session.flush()
    return report


def _ensure_unit(
    session: Session,
    report: DistrictReport,
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
    report: DistrictReport,
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
