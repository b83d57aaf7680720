"""The feedback case figures of a district's year against a bare SQL ``GROUP BY``.

Issue 14: a district's feedback cases (phản ánh, kiến nghị) and what is read
from them: the quarterly figures of the reports, the staff lists, and the
Open311 list, on SQLite and on PostgreSQL, as ratios to a bare ``SELECT
unit_id, received_quarter, count(*) FROM feedback_cases GROUP BY unit_id,
received_quarter`` over the same table.

For each database and size (10k, 100k and 1M cases by default) it migrates a
fresh database, adds a district of 30 wards (a manager each), 12 case
categories (10 public), three deadline rules and a district Open311 key, then
bulk-loads synthetic cases received over 2026 straight into ``feedback_cases``
(``executemany`` on SQLite, ``COPY`` on PostgreSQL; it is a benchmark, not the
intake), the published answers of the cases answered in hailong
(``case_answers``) and the ratings of 20% of the answered cases
(``case_ratings``), runs ``ANALYZE``, then times, each from an open session to
the finished result (median of ``--repeat`` after a warm-up):

1. bare: the ``GROUP BY`` above, rows fetched (the baseline);
2. ``case_section`` (``app.reports.cases``: ``quarter_rollup`` per quarter,
   the table) of the district and its wards, for 2026-Q4 and for 2026, as a
   report calls it (no ``now``: as the cases stood at the period's end);
3. the staff lists (``surveys.cases.case_lists``): page 1 of "overdue" and of
   "due soon", and the navigation's ``overdue_count``, for one ward and for the
   district; and the list page's quarter choices (``app.staff.cases._quarters``);
4. Open311 GET requests for the district's key: ``verify_key``,
   ``parse_query`` with no argument (the last 90 days, 1,000 a page),
   ``find_requests`` and ``requests_list`` (the dicts the view serialises).

The figures are read as of 2026-12-31 10:00 Vietnam time. Each case's derived
columns are consistent with its fate: received and resolved quarters in
Vietnam time, the outcome kept once closed, working days taken approximated as
5/7 of the calendar days (the figures only count them), on time when resolved
by the due date. About 5% of the cases are open at the end (the recent ones
and 2% left behind, most of those overdue).

``--import-rows N`` also times the portal import (``check_export`` then
``apply_export``, as the staff page does) of an N-row CSV into a fresh
database of the same district, against a bare ``executemany`` of the CSV's
rows into a table of texts; 0 (the default) skips it.

Speed is reported, not asserted. Run from the repository root::

    python bench/bench_case_figures.py                     # both, 10k-1M
    python bench/bench_case_figures.py --database sqlite --sizes 10000,100000
    python bench/bench_case_figures.py --sizes 10000 --import-rows 10000
    python bench/bench_case_figures.py --pg-url postgresql+psycopg://u@host:5432/

On PostgreSQL it creates throw-away databases ``hailong_bench_<hex>_<size>`` on
the server of ``--pg-url`` (see ``harness.postgresql_databases``) and drops them
at the end, also on failure.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_analysis import timed  # noqa: E402
from harness import (  # noqa: E402
    DEFAULT_PG_URL,
    Timing,
    print_timings,
    sized_databases,
)
from sqlalchemy import select, text  # noqa: E402

from app.reports.cases import case_section  # noqa: E402
from app.staff.cases import _quarters  # noqa: E402
from surveys.cases import open311  # noqa: E402
from surveys.cases.case_lists import CaseList, list_cases, overdue_count  # noqa: E402
from surveys.cases.integration_keys import hash_key, verify_key  # noqa: E402
from surveys.cases.portal_columns import propose_case_mapping  # noqa: E402
from surveys.cases.portal_import import Choices, apply_export, check_export  # noqa: E402
from surveys.cases.tracking import ALPHABET, format_code  # noqa: E402
from surveys.db import make_engine, make_session_factory  # noqa: E402
from surveys.dossiers.calendar import load_calendar  # noqa: E402
from surveys.dossiers.reading import inspect_export  # noqa: E402
from surveys.local_time import LOCAL_OFFSET  # noqa: E402
from surveys.migrate import upgrade_to_head  # noqa: E402
from surveys.models import (  # noqa: E402
    CaseCategory,
    CaseChannel,
    CaseDeadlineRule,
    IntegrationKey,
    Role,
    Unit,
    User,
)
from surveys.storage.tallies import period_of  # noqa: E402
from surveys.units.tree import subtree_ids  # noqa: E402

WARDS = 30
#: (code, name, public, working days of its rule or None for the default)
CATEGORIES = (
    ("moi-truong", "Môi trường", True, None),
    ("trat-tu-do-thi", "Trật tự đô thị", True, None),
    ("giao-thong", "Giao thông", True, None),
    ("chieu-sang", "Chiếu sáng công cộng", True, None),
    ("cap-thoat-nuoc", "Cấp thoát nước", True, None),
    ("dat-dai", "Đất đai", True, 15),
    ("xay-dung", "Xây dựng", True, 15),
    ("an-ninh", "An ninh trật tự", True, None),
    ("y-te", "Y tế", True, None),
    ("giao-duc", "Giáo dục", True, None),
    ("thai-do-can-bo", "Thái độ cán bộ", False, None),
    ("thu-tuc-hanh-chinh", "Thủ tục hành chính", False, None),
)
CATEGORY_SHARES = (0.2, 0.15, 0.1, 0.08, 0.08, 0.1, 0.08, 0.06, 0.04, 0.03, 0.04, 0.04)
CHANNELS = (
    "web", "portal_1022", "rating", "hotline", "national_portal", "letter", "api",
)  # fmt: skip
CHANNEL_SHARES = (0.3, 0.25, 0.15, 0.1, 0.1, 0.05, 0.05)
PORTALS = ("portal_1022", "national_portal")
#: Working days of the default rule, of the hotline's, and warnings.
DEFAULT_DAYS, HOTLINE_DAYS = 10, 5
TEXTS = (
    "Rác thải tập kết sai nơi quy định ở đầu hẻm, bốc mùi hôi nhiều ngày nay,"
    " đề nghị phường cho thu gom và nhắc nhở các hộ dân.",
    "Đèn đường trên tuyến phố bị hỏng hơn một tuần, buổi tối rất tối và nguy"
    " hiểm cho người đi đường, đề nghị sửa chữa.",
    "Vỉa hè bị lấn chiếm để buôn bán, người đi bộ phải đi xuống lòng đường.",
    "Công trình xây dựng không che chắn, bụi và tiếng ồn cả ngày lẫn đêm, đề"
    " nghị kiểm tra giấy phép và giờ thi công.",
    "Cống thoát nước bị tắc, mỗi lần mưa nước ngập vào nhà dân, đề nghị nạo vét.",
    "Hồ sơ nộp đã quá hạn hẹn trả nhưng chưa nhận được kết quả, cũng không được"
    " thông báo lý do chậm.",
)
ANSWER = (
    "Ủy ban nhân dân phường đã tiếp nhận, kiểm tra thực tế và chỉ đạo bộ phận"
    " chuyên môn xử lý dứt điểm. Cảm ơn ông/bà đã phản ánh."
)
#: Vietnam's offset: quarters are counted in local time.
YEAR_START = datetime(2026, 1, 1) - LOCAL_OFFSET
#: Where the figures are read: 2026-12-31 10:00 in Vietnam (naive UTC).
AS_OF_NAIVE = datetime(2026, 12, 31, 3, 0)
AS_OF = AS_OF_NAIVE.replace(tzinfo=UTC)
CASE_COLUMNS = (
    "id", "tracking_code", "channel", "source_ref", "unit_id", "handler_id",
    "category_id", "text", "address_text", "state", "outcome", "received_at",
    "due_at", "due_computed", "waiting_since", "answered_at", "resolved_at",
    "closed_at", "received_quarter", "resolved_quarter", "working_days_to_resolve",
    "on_time", "merged_into_id", "reject_reason", "referred_to", "updated_at",
)  # fmt: skip
ANSWER_COLUMNS = (
    "case_id", "text", "state", "drafted_by", "drafted_at", "submitted_at",
    "reviewed_by", "reviewed_at", "review_note", "published_at",
)  # fmt: skip
RATING_COLUMNS = ("case_id", "score", "rated_at")
BARE = (
    "SELECT unit_id, received_quarter, count(*) FROM feedback_cases"
    " GROUP BY unit_id, received_quarter"
)
KEY = "bench-open311-district-key-0123456789"


@dataclass(frozen=True)
class District:
    """The ids a benchmark database was set up with."""

    district_id: int
    ward_ids: np.ndarray
    #: The manager of each ward, in ``ward_ids``' order.
    manager_ids: np.ndarray
    category_ids: np.ndarray
    #: Working days of each category's rule (``category_ids``' order).
    category_days: np.ndarray
    key_id: int


def set_up(url: str) -> District:
    """Migrate; add the district, its wards and managers, categories, rules, a key."""
    upgrade_to_head(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        district = Unit(code="q-bench", name="Quận", kind="district")
        wards = [
            Unit(code=f"p{i:02d}", name=f"Phường {i}", kind="ward", parent=district)
            for i in range(WARDS)
        ]
        session.add_all([district, *wards])
        session.flush()
        managers = [
            User(
                username=f"ql-{ward.code}",
                password_hash="!",
                role=Role.UNIT_MANAGER.value,
                unit_id=ward.id,
            )
            for ward in wards
        ]
        categories = [
            CaseCategory(
                code=code, name_vi=name, name_en="", public=public,
                default_unit_id=district.id,
            )
            for code, name, public, _days in CATEGORIES
        ]  # fmt: skip
        session.add_all([*managers, *categories])
        session.flush()
        session.add(CaseDeadlineRule(working_days=DEFAULT_DAYS, warn_days=2))
        session.add(
            CaseDeadlineRule(
                channel=CaseChannel.HOTLINE.value,
                working_days=HOTLINE_DAYS,
                warn_days=1,
            )
        )
        session.add_all(
            CaseDeadlineRule(category_id=category.id, working_days=days, warn_days=3)
            for category, (*_, days) in zip(categories, CATEGORIES, strict=True)
            if days
        )
        key = IntegrationKey(
            name="Trung tâm điều hành đô thị",
            unit_id=district.id,
            key_hash=hash_key(KEY),
            prefix=KEY[:8],
            can_read=True,
            # Used a minute ago: no request of the benchmark notes its use.
            last_used_at=datetime(2100, 1, 1, tzinfo=UTC),
        )
        session.add(key)
        session.flush()
        found = District(
            district.id,
            np.asarray([ward.id for ward in wards]),
            np.asarray([manager.id for manager in managers]),
            np.asarray([category.id for category in categories]),
            np.asarray([days or DEFAULT_DAYS for *_, days in CATEGORIES]),
            key.id,
        )
    engine.dispose()
    return found


def _code(i: int) -> str:
    """A distinct tracking code per row, scattered like the random ones."""
    number = (i * 0x9E3779B97F4A7) % (32**10)
    return "".join(ALPHABET[(number >> (5 * k)) & 31] for k in range(10))


@dataclass
class Loaded:
    """The rows to load: cases, answers, ratings (iterators of tuples)."""

    cases: list[tuple[object, ...]]
    answers: list[tuple[object, ...]]
    ratings: list[tuple[object, ...]]


def case_rows(count: int, district: District, rng: np.random.Generator) -> Loaded:
    """Make ``count`` synthetic cases received in 2026, ids 1.., in received order.

    97% go to a ward, 3% are held by the district. Each case takes a number of
    working days drawn around two thirds of its rule's (about 84% on time); a
    case whose reply would come after ``AS_OF`` is still open, and so are 2% of
    the others, left behind. Of the resolved: 85% answered, 6% rejected, 5%
    referred out, 4% merged into the unit's previous case; half of those
    resolved over a month before ``AS_OF`` are closed. 20% of the answered are
    rated, mostly 4 or 5.
    """
    year = int((AS_OF_NAIVE - YEAR_START).total_seconds())
    received_s = np.sort(rng.integers(0, year - 3600, count))
    at_district = rng.random(count) < 0.03
    which_ward = rng.integers(0, WARDS, count)
    which = rng.choice(len(district.category_ids), count, p=CATEGORY_SHARES)
    channels = rng.choice(len(CHANNELS), count, p=CHANNEL_SHARES)
    hotline = CHANNELS.index("hotline")
    days = np.where(
        district.category_days[which] != DEFAULT_DAYS,
        district.category_days[which],
        np.where(channels == hotline, HOTLINE_DAYS, DEFAULT_DAYS),
    )
    # YEAR_START is midnight in Vietnam: these days are local ones.
    local_day = received_s // 86400
    # Due at 17:00 local, the rule's working days as 7/5 calendar days later.
    due_s = (local_day + np.ceil(days * 7 / 5)).astype(int) * 86400 + 17 * 3600
    taken = np.floor(days * rng.lognormal(-0.5, 0.5, count)).astype(int)
    resolved_day = (local_day + np.round(taken * 7 / 5)).astype(int)
    resolved_s = resolved_day * 86400 + rng.integers(8, 18, count) * 3600
    resolved_s = np.maximum(resolved_s, received_s + 1800)
    fate = rng.random(count)
    stuck = rng.random(count) < 0.02
    open_ = stuck | (resolved_s >= year)
    outcome = np.select(
        [fate < 0.85, fate < 0.91, fate < 0.96], [0, 1, 2], 3
    )  # answered, rejected, referred_out, merged
    open_state = rng.choice(3, count, p=[0.3, 0.3, 0.4])
    waiting = rng.random(count) < 0.1
    closes = rng.random(count) < 0.5
    rated = rng.random(count) < 0.2
    scores = rng.choice(np.arange(1, 6), count, p=[0.05, 0.07, 0.13, 0.35, 0.4])
    outcomes = ("answered", "rejected", "referred_out", "merged")
    opens = ("received", "assigned", "in_progress")
    last_of_unit: dict[int, int] = {}
    cases, answers, ratings = [], [], []
    for i in range(count):
        case_id = i + 1
        ward = which_ward[i]
        unit = district.district_id if at_district[i] else int(district.ward_ids[ward])
        manager = None if at_district[i] else int(district.manager_ids[ward])
        channel = CHANNELS[channels[i]]
        received = YEAR_START + timedelta(seconds=int(received_s[i]))
        due = YEAR_START + timedelta(seconds=int(due_s[i]))
        state = outcome_of = resolved = answered = closed = waiting_since = None
        working = on_time = merged_into = None
        reject_reason = referred_to = ""
        handler = manager
        if open_[i]:
            state = opens[open_state[i]]
            if state == "received":
                handler = None
            elif state == "in_progress" and waiting[i]:
                waiting_since = min(received + timedelta(days=1), AS_OF_NAIVE)
        else:
            outcome_of = outcomes[outcome[i]]
            if outcome_of == "merged" and unit not in last_of_unit:
                outcome_of = "answered"
            resolved = YEAR_START + timedelta(seconds=int(resolved_s[i]))
            if outcome_of == "merged":
                resolved = received + timedelta(minutes=30)
                merged_into = last_of_unit[unit]
            else:
                working = int(taken[i])
                on_time = resolved <= due
            state = outcome_of
            if outcome_of == "answered":
                answered = resolved
                if channel not in PORTALS:
                    answers.append(
                        (case_id, ANSWER, "published", manager, resolved, resolved,
                         manager, resolved, "", resolved)
                    )  # fmt: skip
                if rated[i]:
                    ratings.append(
                        (case_id, int(scores[i]), resolved + timedelta(days=2))
                    )
            elif outcome_of == "rejected":
                reject_reason = "Nội dung không thuộc thẩm quyền giải quyết của phường."
            elif outcome_of == "referred_out":
                referred_to = "Công ty Cấp nước thành phố"
            if (
                outcome_of != "merged"
                and closes[i]
                and resolved < AS_OF_NAIVE - timedelta(days=30)
            ):
                state = "closed"
                closed = resolved + timedelta(days=3)
        last_of_unit[unit] = case_id
        cases.append(
            (
                case_id, format_code(_code(i)), channel,
                f"{channel}-{i:07d}" if channel in PORTALS else None,
                unit, handler, int(district.category_ids[which[i]]),
                TEXTS[i % len(TEXTS)], f"Số {i % 300} đường {i % 97}", state,
                outcome_of, received, due, True, waiting_since, answered, resolved,
                closed, period_of(received),
                period_of(resolved) if resolved else None,
                working, on_time, merged_into, reject_reason, referred_to,
                closed or resolved or received,
            )
        )  # fmt: skip
    return Loaded(cases, answers, ratings)


def _sqlite_value(value: object) -> object:
    return value.isoformat(" ") if isinstance(value, datetime) else value


def load_sqlite(path: Path, loaded: Loaded) -> None:
    """Insert the rows with one prepared statement a table, committed once."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    for table, columns, rows in _tables(loaded):
        marks = ", ".join("?" * len(columns))
        connection.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            (tuple(_sqlite_value(v) for v in row) for row in rows),
        )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def load_postgresql(libpq: str, loaded: Loaded) -> None:
    """Stream the rows in with ``COPY``; move the case ids' sequence past them."""
    import psycopg

    with psycopg.connect(libpq) as connection:
        with connection.cursor() as cursor:
            for table, columns, rows in _tables(loaded):
                statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('feedback_cases', 'id'),"
                " (SELECT coalesce(max(id), 1) FROM feedback_cases))"
            )
        connection.commit()
        # As autovacuum would soon after: index-only scans need the visibility map.
        connection.autocommit = True
        for table in ("feedback_cases", "case_answers", "case_ratings"):
            connection.execute(f"VACUUM ANALYZE {table}")


def _tables(loaded: Loaded) -> list[tuple[str, tuple[str, ...], list]]:
    return [
        ("feedback_cases", CASE_COLUMNS, loaded.cases),
        ("case_answers", ANSWER_COLUMNS, loaded.answers),
        ("case_ratings", RATING_COLUMNS, loaded.ratings),
    ]


def measure(url: str, district: District, repeat: int) -> list[Timing]:
    """Time the baseline and each figure from an open session."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        names = {
            unit_id: name
            for unit_id, name in session.execute(
                select(Unit.id, Unit.name).where(
                    Unit.id.in_(subtree_ids(district.district_id))
                )
            )
        }
        manager = session.get_one(User, int(district.manager_ids[0]))
        session.expunge(manager)
    ward = int(district.ward_ids[0])

    def in_session(work: Callable[..., object]) -> Callable[[], object]:
        def run() -> object:
            with factory() as session:
                return work(session)

        return run

    def staff_list(which: CaseList, unit_id: int) -> Callable[..., object]:
        return lambda s: list_cases(s, which, unit_id, manager, AS_OF, load_calendar(s))

    def open311_list(session: object) -> object:
        key = verify_key(session, KEY)  # type: ignore[arg-type]
        assert key is not None
        query = open311.parse_query({}, now=AS_OF)
        cases = open311.find_requests(session, key, query)  # type: ignore[arg-type]
        return open311.requests_list(session, cases, "vi", str)  # type: ignore[arg-type]

    district_id = district.district_id
    cases = [
        ("bare SQL GROUP BY unit_id, received_quarter", lambda s: s.execute(
            text(BARE)).all()),
        ("case_section (report): 2026-Q4", lambda s: case_section(
            s, names, "2026-Q4")),
        ("case_section (report): the year 2026", lambda s: case_section(
            s, names, "2026")),
        ("overdue list, page 1: a ward", staff_list(CaseList.OVERDUE, ward)),
        ("overdue list, page 1: the district", staff_list(
            CaseList.OVERDUE, district_id)),
        ("due soon list, page 1: a ward", staff_list(CaseList.DUE_SOON, ward)),
        ("due soon list, page 1: the district", staff_list(
            CaseList.DUE_SOON, district_id)),
        ("overdue_count (nav): a ward", lambda s: overdue_count(s, ward, AS_OF)),
        ("overdue_count (nav): the district", lambda s: overdue_count(
            s, district_id, AS_OF)),
        ("list page's quarter choices: the district", lambda s: _quarters(
            s, district_id)),
        ("Open311 GET requests: district key, 90 days", open311_list),
    ]  # fmt: skip
    timings = [Timing(what, timed(in_session(work), repeat)) for what, work in cases]
    engine.dispose()
    return timings


def run(kind: str, size: int, url: str, repeat: int) -> tuple[float, list[Timing]]:
    """Fill one database with ``size`` cases; return the load time and timings."""
    district = set_up(url)
    started = time.perf_counter()
    loaded = case_rows(size, district, np.random.default_rng(20261206))
    if kind == "sqlite":
        load_sqlite(Path(url.removeprefix("sqlite:///")), loaded)
    else:
        load_postgresql(url.replace("postgresql+psycopg://", "postgresql://"), loaded)
    seconds = time.perf_counter() - started
    return seconds, measure(url, district, repeat)


# -- the portal import ---------------------------------------------------------

IMPORT_HEADERS = (
    "STT", "Mã phản ánh", "Ngày tiếp nhận", "Lĩnh vực", "Đơn vị xử lý",
    "Nội dung phản ánh", "Hạn xử lý", "Trạng thái", "Ngày trả lời",
)  # fmt: skip


def write_export(path: Path, rows: int, rng: np.random.Generator) -> None:
    """A 1022 portal's export of ``rows`` cases of the district's wards in 2026."""
    days = rng.integers(0, 360, rows)
    answered = rng.random(rows) < 0.8
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(IMPORT_HEADERS)
        for i in range(rows):
            received = datetime(2026, 1, 1) + timedelta(days=int(days[i]), hours=9)
            due = received + timedelta(days=14)
            back = received + timedelta(days=int(days[i]) % 20, hours=5)
            name = CATEGORIES[i % len(CATEGORIES)][1]
            out.writerow(
                [i + 1, f"1022-{i:07d}", received.strftime("%d/%m/%Y %H:%M"), name,
                 f"p{i % WARDS:02d}", TEXTS[i % len(TEXTS)], due.strftime("%d/%m/%Y"),
                 "Đã trả lời" if answered[i] else "Đang xử lý",
                 back.strftime("%d/%m/%Y %H:%M") if answered[i] else ""]
            )  # fmt: skip


def bare_import(kind: str, url: str, path: Path) -> float:
    """Parse the CSV and insert its rows as texts with the driver's executemany."""
    columns = ", ".join(f"c{i} text" for i in range(len(IMPORT_HEADERS)))
    marks = ", ".join(["%s" if kind == "postgresql" else "?"] * len(IMPORT_HEADERS))
    started = time.perf_counter()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    if kind == "sqlite":
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.execute(f"CREATE TABLE bare_import ({columns})")
        connection.executemany(f"INSERT INTO bare_import VALUES ({marks})", rows)
        connection.commit()
        connection.close()
    else:
        import psycopg

        libpq = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(libpq) as connection:
            connection.execute(f"CREATE TABLE bare_import ({columns})")
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO bare_import VALUES ({marks})", rows)
            connection.commit()
    return time.perf_counter() - started


def portal_import(url: str, district: District, path: Path) -> tuple[float, float]:
    """Check then apply the export as the staff page does; the two times."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    units = frozenset([district.district_id, *map(int, district.ward_ids)])
    choices = Choices(CaseChannel.PORTAL_1022, units)
    mapping = propose_case_mapping(inspect_export(path).headers)
    with factory() as session:
        started = time.perf_counter()
        checked = check_export(session, path, mapping, choices)
        read = time.perf_counter() - started
        assert not checked.problems, checked.problems[:3]
        started = time.perf_counter()
        apply_export(session, checked, choices, None, filename=path.name)
        session.commit()
        applied = time.perf_counter() - started
    engine.dispose()
    return read, applied


def import_benchmark(kinds: list[str], rows: int, pg_url: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "phan-anh-1022.csv"
        write_export(path, rows, np.random.default_rng(14))
        print(f"\n{'database':10} {'rows':>9} {'bare s':>7} {'check s':>8}"
              f" {'apply s':>8} {'ours s':>7} {'ratio':>6}")  # fmt: skip
        for kind in kinds:
            with sized_databases(kind, [rows], pg_url, "i") as (url,):
                district = set_up(url)
                bare = bare_import(kind, url, path)
                read, applied = portal_import(url, district, path)
                print(f"{kind:10} {rows:9,} {bare:7.2f} {read:8.2f} {applied:8.2f}"
                      f" {read + applied:7.2f} {(read + applied) / bare:6.1f}",
                      flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both"
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--import-rows", type=int, default=0)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size]
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print(f"{'database':10} {'cases':>9} {'what':44} {'seconds':>8} {'ratio':>7}")
    for kind in kinds:
        with sized_databases(kind, sizes, args.pg_url, "c") as urls:
            for size, url in zip(sizes, urls, strict=True):
                loaded, timings = run(kind, size, url, args.repeat)
                print_timings(kind, size, 44, loaded, timings)
    if args.import_rows:
        import_benchmark(kinds, args.import_rows, args.pg_url)


if __name__ == "__main__":
    main()
