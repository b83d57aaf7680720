"""A provincial dossier system's export for the demo district, and its import.

``export_rows`` draws a year of dossiers as the "Hệ thống thông tin giải quyết
thủ tục hành chính" of the province exports them: Vietnamese headers, one row
per dossier, dates as ``dd/mm/yyyy``. Each unit has its own share of online
filing (70–85%) and of late returns; dossiers received near the export are
still open, and some of those are overdue. ``seed_dossiers`` writes the demo
district's year to a file and imports it through the real import service.

The procedures are real ones with their legal processing times; their codes
are shaped like the national database's (``1.001193``) but not checked one by
one against it.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys.demo.district import (
    DISTRICT,
    FAMILY_NAMES,
    GIVEN_NAMES,
    MIDDLE_NAMES,
    WARDS,
)
from surveys.dossiers.calendar import WorkingCalendar
from surveys.dossiers.columns import confirm_mapping, propose_mapping
from surveys.dossiers.importing import (
    apply_import,
    discard_staged_rows,
    read_import,
    start_import,
)
from surveys.dossiers.reading import file_checksum, inspect_export
from surveys.dossiers.timing import due_at, local_instant
from surveys.local_time import local_date
from surveys.models import Dossier, Procedure, ServicePoint, Unit

#: The generator's seed (the demo's responses have a stream of their own).
SEED = 20241105 + 2
#: The moment the demo's export was taken (Vietnam time): the year so far.
EXPORTED_AT = datetime(2026, 12, 4, 17, 30)
YEAR = 2026
#: Dossiers of the demo district's year.
DEMO_ROWS = 6000

HEADERS = (
    "STT", "Mã hồ sơ", "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Đơn vị", "Quầy",
    "Cán bộ tiếp nhận", "Người nộp", "Số điện thoại", "Email", "Địa chỉ",
    "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả",
    "Trạng thái", "Thanh toán trực tuyến", "Số hóa",
)  # fmt: skip
TITLE = "DANH SÁCH HỒ SƠ TIẾP NHẬN NĂM 2026"


@dataclass(frozen=True)
class DemoProcedure:
    code: str
    name: str
    field: str
    #: Legal processing time in working days.
    days: int


HO_TICH = "Hộ tịch"
CHUNG_THUC = "Chứng thực"
DAT_DAI = "Đất đai"
XAY_DUNG = "Xây dựng"
KINH_DOANH = "Thành lập và hoạt động của hộ kinh doanh"
BAO_TRO = "Bảo trợ xã hội"
NGUOI_CO_CONG = "Người có công"

#: The procedures each kind of counter receives, by the counter's number.
WARD_DESK_PROCEDURES = (
    (
        DemoProcedure("1.001193", "Đăng ký khai sinh", HO_TICH, 1),
        DemoProcedure("1.000894", "Đăng ký kết hôn", HO_TICH, 1),
        DemoProcedure("1.000656", "Đăng ký khai tử", HO_TICH, 1),
        DemoProcedure("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", HO_TICH, 3),
        DemoProcedure("2.000815", "Chứng thực bản sao từ bản chính", CHUNG_THUC, 1),
        DemoProcedure("2.000884", "Chứng thực chữ ký", CHUNG_THUC, 1),
    ),
    (
        DemoProcedure("1.003554", "Hòa giải tranh chấp đất đai", DAT_DAI, 45),
        DemoProcedure(
            "1.009794", "Thông báo khởi công xây dựng công trình", XAY_DUNG, 5
        ),
    ),
    (
        DemoProcedure(
            "1.001776", "Trợ cấp xã hội hằng tháng đối với người cao tuổi", BAO_TRO, 12
        ),
        DemoProcedure(
            "1.010801", "Xác nhận thông tin hộ gia đình cận nghèo", BAO_TRO, 7
        ),
    ),
)
OFFICE_DESK_PROCEDURES = {
    "q1-vp-ubnd": (
        (
            DemoProcedure("2.000720", "Đăng ký thành lập hộ kinh doanh", KINH_DOANH, 3),
            DemoProcedure(
                "2.000575",
                "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
                KINH_DOANH,
                3,
            ),
        ),
        (
            DemoProcedure(
                "1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", XAY_DUNG, 15
            ),
            DemoProcedure(
                "1.009995",
                "Cấp giấy phép sửa chữa, cải tạo nhà ở riêng lẻ",
                XAY_DUNG,
                15,
            ),
        ),
        (
            DemoProcedure(
                "1.004227", "Đăng ký biến động quyền sử dụng đất", DAT_DAI, 10
            ),
            DemoProcedure(
                "1.003003",
                "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
                DAT_DAI,
                30,
            ),
        ),
        (
            DemoProcedure(
                "1.001022",
                "Đăng ký khai sinh có yếu tố nước ngoài",
                HO_TICH,
                15,
            ),
            DemoProcedure(
                "2.000748",
                "Thay đổi, cải chính, bổ sung thông tin hộ tịch",
                HO_TICH,
                3,
            ),
        ),
    ),
    "q1-tu-phap": (
        (
            DemoProcedure("2.001035", "Chứng thực hợp đồng, giao dịch", CHUNG_THUC, 2),
            DemoProcedure(
                "2.000908",
                "Chứng thực bản sao từ bản chính giấy tờ do cơ quan nước ngoài cấp",
                CHUNG_THUC,
                2,
            ),
        ),
    ),
    "q1-ld-tbxh": (
        (
            DemoProcedure(
                "1.001653",
                "Xác định mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
                BAO_TRO,
                25,
            ),
            DemoProcedure(
                "1.002519",
                "Giải quyết chế độ trợ cấp thờ cúng liệt sĩ",
                NGUOI_CO_CONG,
                20,
            ),
        ),
    ),
}
#: How busy each unit's one-stop section is, against a ward's 1.
OFFICE_WEIGHTS = {"q1-vp-ubnd": 4.0, "q1-tu-phap": 1.2, "q1-ld-tbxh": 0.6}
STREETS = (
    "Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Pasteur", "Đồng Khởi", "Lý Tự Trọng",
    "Nguyễn Thị Minh Khai", "Trần Hưng Đạo", "Cống Quỳnh", "Đinh Tiên Hoàng",
)  # fmt: skip
OPEN_STATUSES = ("Đang xử lý", "Chờ bổ sung", "Đã tiếp nhận")
OPEN_SHARES = (0.8, 0.15, 0.05)
CHANNEL_NAMES = ("Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính công ích")
#: A day's office hours, in minutes after midnight.
OFFICE_HOURS = (7 * 60 + 30, 17 * 60)
POST_SHARE = 0.03
WITHDRAWN_SHARE = 0.01
#: Rows whose export leaves the due date for hailong to compute.
NO_DUE_SHARE = 0.1


def all_procedures() -> list[DemoProcedure]:
    """Return every procedure the demo's exports name, once each."""
    found: dict[str, DemoProcedure] = {}
    for desks in (WARD_DESK_PROCEDURES, *OFFICE_DESK_PROCEDURES.values()):
        for desk in desks:
            found.update((procedure.code, procedure) for procedure in desk)
    return list(found.values())


@dataclass(frozen=True)
class ExportDesk:
    """A counter as the export names it, its officials, and what it receives."""

    name: str
    officials: tuple[str, ...]
    procedures: tuple[DemoProcedure, ...]


@dataclass(frozen=True)
class ExportUnit:
    """A unit that receives dossiers, as the export names it."""

    name: str
    #: The agency part of its dossier codes.
    agency: str
    weight: float
    desks: tuple[ExportDesk, ...]


def export_units(session: Session) -> list[ExportUnit]:
    """Return the demo district's units that receive dossiers at counters."""
    district = session.scalar(select(Unit).where(Unit.code == DISTRICT[0]))
    assert district is not None, "the demo district is built first"
    units = session.scalars(
        select(Unit)
        .where(Unit.parent_id == district.id)
        .order_by(Unit.code)
        .options(selectinload(Unit.service_points).selectinload(ServicePoint.officials))
    )
    found = []
    for number, unit in enumerate(units, start=1):
        desks = (
            WARD_DESK_PROCEDURES
            if unit.kind == "ward"
            else OFFICE_DESK_PROCEDURES.get(unit.code, ())
        )
        points = sorted(unit.service_points, key=lambda point: point.code)
        if not desks or not points:
            continue
        found.append(
            ExportUnit(
                name=unit.name,
                agency=f"000.{number:02d}.21.H29",
                weight=OFFICE_WEIGHTS.get(unit.code, 1.0),
                desks=tuple(
                    ExportDesk(
                        point.name,
                        tuple(o.name for o in sorted(point.officials, key=_code)),
                        procedures,
                    )
                    for point, procedures in zip(points, desks, strict=False)
                ),
            )
        )
    return found


def _code(official: object) -> str:
    return str(official.code)  # type: ignore[attr-defined]


def export_rows(
    rng: np.random.Generator,
    units: Sequence[ExportUnit],
    count: int,
    exported_at: datetime = EXPORTED_AT,
    calendar: WorkingCalendar | None = None,
) -> Iterator[tuple[object, ...]]:
    """Yield ``count`` dossiers of the year up to ``exported_at``, as export rows.

    Rows follow ``HEADERS``; dates are naive datetimes in Vietnam time (None:
    empty), which the writers lay out. Received dates run in order.
    """
    calendar = calendar or WorkingCalendar()
    days = _days(YEAR, exported_at)
    working = np.array([calendar.is_working(day) for day in days])
    weights = np.array([unit.weight for unit in units])
    per_unit = rng.multinomial(count, weights / weights.sum())
    online = rng.uniform(0.70, 0.85, len(units))
    late = rng.uniform(0.03, 0.10, len(units))
    draws = []
    for index, unit in enumerate(units):
        for row in _unit_rows(
            rng, unit, int(per_unit[index]), online[index], late[index], days, working
        ):
            draws.append(row)
    draws.sort(key=lambda row: (row.received, row.sequence))
    for number, draw in enumerate(draws, start=1):
        yield draw.row(number, calendar, exported_at)


@dataclass
class _Draw:
    """One dossier's draws, turned into its row once every date is known."""

    unit: ExportUnit
    desk: ExportDesk
    procedure: DemoProcedure
    official: str
    received: datetime
    sequence: int
    channel: int
    late_days: int
    #: Share of the legal time used by a dossier returned in time.
    speed: float
    return_minute: int
    withdrawn: bool
    no_due: bool
    open_status: int
    paid: bool
    digitised: bool
    applicant: str
    phone: str
    house: int
    street: str
    #: The ward the applicant lives in.
    ward: str
    with_email: bool

    def row(
        self, number: int, calendar: WorkingCalendar, exported_at: datetime
    ) -> tuple[object, ...]:
        received = local_instant(
            self.received.date(), self.received.hour * 60 + self.received.minute
        )
        due = local_date(due_at(received, self.procedure.days, calendar))
        if self.late_days:
            back = calendar.add_working_days(due, self.late_days)
        else:
            start = calendar.first_working_day(self.received.date())
            back = calendar.add_working_days(
                start, round(self.speed * self.procedure.days)
            )
        returned = datetime.combine(back, time()) + timedelta(
            minutes=self.return_minute
        )
        returned = max(returned, self.received + timedelta(hours=1))
        if self.withdrawn or returned > exported_at:
            returned_cell = None
            state = "Rút hồ sơ" if self.withdrawn else OPEN_STATUSES[self.open_status]
        else:
            returned_cell, state = returned, "Đã trả kết quả"
        online = self.channel == 1
        return (
            number,
            f"{self.unit.agency}-{self.received:%y%m%d}-{self.sequence:04d}",
            self.procedure.code,
            self.procedure.name,
            self.procedure.field,
            self.unit.name,
            self.desk.name,
            self.official,
            self.applicant,
            self.phone,
            _email(self.applicant, self.phone) if self.with_email and online else "",
            f"{self.house} {self.street}, {self.ward}, Quận 1",
            CHANNEL_NAMES[self.channel],
            self.received,
            None if self.no_due else due,
            returned_cell,
            state,
            "Có" if online and self.paid else "Không",
            "Có" if self.digitised else "Không",
        )


def _days(year: int, exported_at: datetime) -> list[date]:
    first = date(year, 1, 1)
    return [
        first + timedelta(days=offset)
        for offset in range((exported_at.date() - first).days + 1)
    ]


def _unit_rows(
    rng: np.random.Generator,
    unit: ExportUnit,
    count: int,
    online_share: float,
    late_share: float,
    days: Sequence[date],
    working: np.ndarray,
) -> Iterator[_Draw]:
    """Draw a unit's dossiers: counter ones on working days in office hours."""
    channel = np.where(
        rng.random(count) < online_share,
        1,
        np.where(rng.random(count) < POST_SHARE / (1 - online_share), 2, 0),
    )
    working_days = np.flatnonzero(working)
    any_day = rng.integers(0, len(days), count)
    office_day = working_days[rng.integers(0, len(working_days), count)]
    day_index = np.where(channel == 1, any_day, office_day)
    office_minute = rng.integers(*OFFICE_HOURS, count)
    any_minute = rng.integers(6 * 60, 23 * 60, count)
    minute = np.where(channel == 1, any_minute, office_minute)
    desk = rng.integers(0, len(unit.desks), count)
    procedure_pick = rng.random(count)
    official_pick = rng.random(count)
    late = rng.random(count) < late_share
    late_days = np.where(late, rng.integers(1, 7, count), 0)
    speed = rng.beta(4, 2, count)
    return_minute = rng.integers(*OFFICE_HOURS, count)
    withdrawn = rng.random(count) < WITHDRAWN_SHARE
    no_due = rng.random(count) < NO_DUE_SHARE
    open_status = rng.choice(len(OPEN_STATUSES), count, p=OPEN_SHARES)
    paid = rng.random(count) < 0.65
    digitised = rng.random(count) < 0.85
    families = rng.integers(0, len(FAMILY_NAMES), count)
    middles = rng.integers(0, len(MIDDLE_NAMES), count)
    givens = rng.integers(0, len(GIVEN_NAMES), count)
    phones = rng.integers(0, 10**8, count)
    houses = rng.integers(1, 300, count)
    streets = rng.integers(0, len(STREETS), count)
    wards = rng.integers(0, len(WARDS), count)
    emails = rng.random(count) < 0.3
    sequences: dict[date, int] = {}
    order = np.lexsort((minute, day_index))
    for i in order:
        day = days[int(day_index[i])]
        sequences[day] = sequences.get(day, 0) + 1
        chosen = unit.desks[int(desk[i])]
        procedures = chosen.procedures
        yield _Draw(
            unit=unit,
            desk=chosen,
            procedure=procedures[int(procedure_pick[i] ** 2 * len(procedures))],
            official=chosen.officials[int(official_pick[i] * len(chosen.officials))],
            received=datetime.combine(day, time()) + timedelta(minutes=int(minute[i])),
            sequence=sequences[day],
            channel=int(channel[i]),
            late_days=int(late_days[i]),
            speed=float(speed[i]),
            return_minute=int(return_minute[i]),
            withdrawn=bool(withdrawn[i]),
            no_due=bool(no_due[i]),
            open_status=int(open_status[i]),
            paid=bool(paid[i]),
            digitised=bool(digitised[i]),
            applicant=" ".join(
                (
                    FAMILY_NAMES[families[i]],
                    MIDDLE_NAMES[middles[i]],
                    GIVEN_NAMES[givens[i]],
                )
            ),
            phone=f"09{int(phones[i]):08d}",
            house=int(houses[i]),
            street=STREETS[int(streets[i])],
            ward=WARDS[int(wards[i])][1],
            with_email=bool(emails[i]),
        )


def _email(name: str, phone: str) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"nguoinop.{digest}{phone[-3:]}@example.vn"


def write_csv(path: Path, rows: Iterable[Sequence[object]]) -> None:
    """Write rows as the provincial system's CSV: UTF-8 with BOM, dd/mm/yyyy."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows([_written(cell) for cell in row] for row in rows)


def _written(cell: object) -> object:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return f"{cell:%d/%m/%Y %H:%M:%S}"
    if isinstance(cell, date):
        return f"{cell:%d/%m/%Y}"
    return cell


def write_xlsx(path: Path, rows: Iterable[Sequence[object]]) -> None:
    """Write rows as the system's workbook: a title, then the table, real dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    # A fixed date: the same rows make the same file.
    workbook.properties.created = workbook.properties.modified = datetime(2026, 12, 4)
    sheet = workbook.create_sheet("Hồ sơ")
    sheet.append([TITLE])
    sheet.append([])
    sheet.append(HEADERS)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)


def demo_export(session: Session, count: int = DEMO_ROWS) -> list[tuple[object, ...]]:
    """Return the demo district's year of dossiers, the same on every run."""
    return list(export_rows(np.random.default_rng(SEED), export_units(session), count))


def ensure_procedures(session: Session) -> int:
    """Add the demo's procedures, with their legal times, to the catalogue."""
    known = set(session.scalars(select(Procedure.code)))
    new = [p for p in all_procedures() if p.code not in known]
    session.add_all(
        Procedure(code=p.code, name=p.name, field=p.field, processing_days=p.days)
        for p in new
    )
    session.flush()
    return len(new)


def seed_dossiers(session: Session) -> int:
    """Import the demo district's year through the import service; flush.

    Returns how many dossiers it created: none when the district has any.
    """
    district = session.scalar(select(Unit).where(Unit.code == DISTRICT[0]))
    assert district is not None, "the demo district is built first"
    ensure_procedures(session)
    if session.scalar(select(Dossier.id).limit(1)) is not None:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ho-so-2026.csv"
        write_csv(path, demo_export(session))
        layout = inspect_export(path)
        source = confirm_mapping(
            session, layout.headers, propose_mapping(layout.headers), None
        )
        dossier_import = start_import(
            session,
            unit=district,
            user_id=None,
            source=source,
            filename=path.name,
            checksum=file_checksum(path),
        )
        read_import(session, dossier_import, path, commit_each_batch=False)
    applied = apply_import(session, dossier_import, skip_bad_rows=False, user_id=None)
    discard_staged_rows(session, applied.id)
    return applied.created
