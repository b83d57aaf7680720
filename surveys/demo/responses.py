"""A year of synthetic responses in which units, counters and officials differ.

Each unit has a lasting "mood" (how well it serves), each official a smaller one, and
the district improves a little each quarter after the directive. Answers are drawn as
raw strings, the way a browser sends them, and go through the questionnaire engine's
own validation, so every demo response is one the real forms would have accepted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from surveys.access.codes import new_token
from surveys.demo.district import DISTRICT
from surveys.models import (
    AccessCode,
    Answer,
    Campaign,
    CampaignMode,
    CodeKind,
    Official,
    Response,
    ServicePoint,
    Unit,
    UnitKind,
)
from surveys.questionnaire import (
    InvalidAnswers,
    Question,
    Questionnaire,
    QuestionType,
    validate_answers,
)
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from surveys.storage.answers import answer_records, content_hash, rated_official

#: Demo responses fall on working days of this period (local time, UTC+7).
PERIOD = (date(2026, 1, 5), date(2026, 11, 20))
LOCAL_OFFSET = timedelta(hours=7)
OPENING_HOURS = (time(7, 30), time(17, 0))

#: Average rating of the district at the start of the year, and its rise a quarter.
BASE_MOOD = 3.7
QUARTERLY_GAIN = 0.08

COMMENTS_GOOD = (
    "Cán bộ hướng dẫn tận tình, chu đáo.",
    "Thủ tục nhanh gọn, trả kết quả đúng hẹn.",
    "Nơi chờ sạch sẽ, thoáng mát.",
)
COMMENTS_BAD = (
    "Phải chờ quá lâu mới đến lượt.",
    "Hướng dẫn chưa rõ, phải bổ sung hồ sơ nhiều lần.",
    "Trả kết quả trễ hẹn mà không có thư xin lỗi.",
)

#: Business sizes, their share of the district's businesses, and of the sample.
BUSINESS_STRATA = (("sieu-nho", 0.70, 0.40), ("nho", 0.22, 0.35), ("vua", 0.08, 0.25))
BUSINESSES_IN_DISTRICT = 42_000
HOUSEHOLDS_PER_WARD = 5_000
NEIGHBOURHOODS_PER_WARD = 6
#: Where integer answers are drawn from: counts first, then birth years, then sizes.
INTEGER_POOLS = ((1, 5), (1950, 2005), (1, 100))


@dataclass(frozen=True)
class DemoCampaign:
    """One campaign of the demo and how many respond to it."""

    key: str
    name: str
    template: str
    mode: CampaignMode
    responses: int


DEMO_CAMPAIGNS = (
    DemoCampaign(
        "q1-mot-cua-2026", "Đánh giá tại Bộ phận một cửa năm 2026", "counter",
        CampaignMode.COUNTER, 3000,
    ),
    DemoCampaign(
        "q1-sipas-2026", "Khảo sát SIPAS theo hồ sơ năm 2026", "sipas",
        CampaignMode.DOSSIER, 600,
    ),
    DemoCampaign(
        "q1-ddci-2026", "Khảo sát doanh nghiệp (DDCI) năm 2026", "ddci",
        CampaignMode.INVITATION, 240,
    ),
    DemoCampaign(
        "q1-papi-2026", "Khảo sát hộ gia đình (kiểu PAPI) năm 2026", "papi",
        CampaignMode.INTERVIEWER, 300,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Respondent:
    """Where one synthetic response comes from, and the codes and design it carries."""

    unit: Unit
    point: ServicePoint | None = None
    code: AccessCode | None = None
    stratum: str | None = None
    cluster: str | None = None
    weight: float | None = None


class Moods:
    """The lasting quality of each unit and official, drawn once per run."""

    def __init__(self, rng: np.random.Generator, units: Sequence[Unit]) -> None:
        self.unit = {unit.id: rng.normal(0, 0.35) for unit in units}
        self.official = {
            official.id: rng.normal(0, 0.3)
            for unit in units
            for official in sorted(unit.officials, key=lambda o: o.code)
        }


def ensure_campaigns(session: Session, rng: np.random.Generator) -> dict[str, int]:
    """Create the demo campaigns and their responses, unless they exist already."""
    district = session.scalar(select(Unit).where(Unit.code == DISTRICT[0]))
    units = list(
        session.scalars(
            select(Unit)
            .where(Unit.parent_id == district.id)
            .order_by(Unit.code)
            .options(
                selectinload(Unit.officials),
                selectinload(Unit.service_points).selectinload(ServicePoint.officials),
            )
        )
    )
    moods = Moods(rng, units)
    created: dict[str, int] = {}
    for spec in DEMO_CAMPAIGNS:
        campaign = session.scalar(select(Campaign).where(Campaign.key == spec.key))
        if campaign is not None:
            created[spec.key] = 0
            continue
        questionnaire = shipped_template(spec.template)
        stored = store_questionnaire(session, questionnaire).stored
        campaign = Campaign(
            key=spec.key,
            name=spec.name,
            questionnaire_id=stored.id,
            unit_id=district.id,
            mode=spec.mode,
            starts_on=date(PERIOD[0].year, 1, 1),
            ends_on=date(PERIOD[0].year, 12, 31),
            min_interval_seconds=120 if spec.mode is CampaignMode.COUNTER else 0,
        )
        session.add(campaign)
        session.flush()
        respondents = _respondents(session, rng, spec, campaign, units)
        created[spec.key] = _insert_responses(
            session, rng, campaign, questionnaire, respondents, moods
        )
    return created


def _respondents(
    session: Session,
    rng: np.random.Generator,
    spec: DemoCampaign,
    campaign: Campaign,
    units: Sequence[Unit],
) -> list[Respondent]:
    with_counters = [unit for unit in units if unit.service_points]
    wards = [unit for unit in units if unit.kind == UnitKind.WARD]
    if spec.mode is CampaignMode.COUNTER:
        points = [point for unit in with_counters for point in unit.service_points]
        codes = {
            point.id: _code(session, campaign, point.unit, point) for point in points
        }
        busy = rng.gamma(4.0, 1.0, len(points))
        picks = rng.choice(len(points), spec.responses, p=busy / busy.sum())
        return [
            Respondent(points[i].unit, points[i], codes[points[i].id]) for i in picks
        ]
    if spec.mode is CampaignMode.DOSSIER:
        picks = rng.choice(len(with_counters), spec.responses)
        return [
            Respondent(unit, code=_code(session, campaign, unit, single_use=True))
            for unit in (with_counters[i] for i in picks)
        ]
    if spec.mode is CampaignMode.INVITATION:
        return _invited_businesses(session, rng, spec, campaign, units)
    per_ward = spec.responses // len(wards)
    weight = HOUSEHOLDS_PER_WARD / per_ward
    return [
        Respondent(
            ward,
            stratum=ward.code,
            cluster=f"{ward.code}-kp{rng.integers(1, NEIGHBOURHOODS_PER_WARD + 1)}",
            weight=weight,
        )
        for ward in wards
        for _ in range(per_ward)
    ]


def _invited_businesses(
    session: Session,
    rng: np.random.Generator,
    spec: DemoCampaign,
    campaign: Campaign,
    units: Sequence[Unit],
) -> list[Respondent]:
    """Invite a stratified sample of businesses; four in five answer."""
    invited = round(spec.responses / 0.8)
    respondents = []
    for stratum, population_share, sample_share in BUSINESS_STRATA:
        size = round(invited * sample_share)
        weight = BUSINESSES_IN_DISTRICT * population_share / size
        for _ in range(size):
            unit = units[rng.integers(len(units))]
            code = _code(
                session, campaign, unit, single_use=True, stratum=stratum, weight=weight
            )
            respondents.append(
                Respondent(unit, code=code, stratum=stratum, weight=weight)
            )
    answering = rng.choice(len(respondents), spec.responses, replace=False)
    return [respondents[i] for i in sorted(answering)]


def _code(
    session: Session,
    campaign: Campaign,
    unit: Unit,
    point: ServicePoint | None = None,
    *,
    single_use: bool = False,
    stratum: str | None = None,
    weight: float | None = None,
) -> AccessCode:
    code = AccessCode(
        token=new_token(),
        campaign_id=campaign.id,
        unit_id=unit.id,
        service_point_id=point.id if point else None,
        kind=CodeKind.SINGLE_USE if single_use else CodeKind.STANDING,
        stratum=stratum,
        weight=weight,
    )
    session.add(code)
    return code


def _insert_responses(
    session: Session,
    rng: np.random.Generator,
    campaign: Campaign,
    questionnaire: Questionnaire,
    respondents: Sequence[Respondent],
    moods: Moods,
) -> int:
    session.flush()  # the codes need their ids
    item_effect = {q.name: rng.normal(0, 0.25) for q in questionnaire.questions}
    start = datetime.combine(PERIOD[0], OPENING_HOURS[0])
    days = (PERIOD[1] - PERIOD[0]).days
    rows, answers = [], []
    for number, who in enumerate(respondents):
        moment = _working_moment(rng, start, days)
        officials = _officials(who)
        official = officials[rng.integers(len(officials))] if officials else None
        mood = (
            BASE_MOOD
            + moods.unit[who.unit.id]
            + QUARTERLY_GAIN * ((moment.month - 1) // 3)
            + (moods.official[official.id] if official else 0.0)
        )
        values = draw_answers(
            rng, questionnaire, mood, item_effect, official, [o.code for o in officials]
        )
        single_use = who.code is not None and who.code.kind == CodeKind.SINGLE_USE
        rows.append(
            {
                "campaign_id": campaign.id,
                "questionnaire_id": campaign.questionnaire_id,
                "unit_id": who.unit.id,
                "service_point_id": who.point.id if who.point else None,
                "official_id": (
                    official.id
                    if official
                    and rated_official(questionnaire, values) == official.code
                    else None
                ),
                "access_code_id": who.code.id if who.code else None,
                "redeemed_code_id": who.code.id if single_use else None,
                "channel": campaign.mode,
                "language": "vi" if rng.random() < 0.93 else "en",
                "submission_id": f"demo-{campaign.key}-{number:05d}",
                "content_hash": content_hash({k: str(v) for k, v in values.items()}),
                "started_at": moment - timedelta(seconds=int(rng.integers(15, 600))),
                "submitted_at": moment,
                "verified": single_use,
                "device_hash": rng.bytes(16).hex(),
                "flag_too_fast": bool(rng.random() < 0.02),
                "stratum": who.stratum,
                "cluster": who.cluster,
                "weight": who.weight,
            }
        )
        answers.append(answer_records(values))
    ids = session.scalars(
        insert(Response).returning(Response.id, sort_by_parameter_order=True), rows
    ).all()
    records = [
        {"response_id": response_id, **record}
        for response_id, response_answers in zip(ids, answers, strict=True)
        for record in response_answers
    ]
    if records:
        session.execute(insert(Answer), records)
    return len(ids)


def _officials(who: Respondent) -> list[Official]:
    if who.point is None:
        return []
    return sorted(who.point.officials, key=lambda official: official.code)


def _working_moment(rng: np.random.Generator, start: datetime, days: int) -> datetime:
    """Draw a moment in opening hours on a weekday, returned in UTC."""
    while True:
        day = start + timedelta(days=int(rng.integers(days + 1)))
        if day.weekday() < 5:
            break
    open_minutes = (OPENING_HOURS[1].hour - OPENING_HOURS[0].hour) * 60
    local = day + timedelta(minutes=int(rng.integers(open_minutes)))
    return (local - LOCAL_OFFSET).replace(tzinfo=UTC)


def draw_answers(
    rng: np.random.Generator,
    questionnaire: Questionnaire,
    mood: float,
    item_effect: Mapping[str, float],
    official: Official | None,
    official_codes: list[str],
) -> dict[str, object]:
    """Draw raw answers and let the engine type them; redraw what it refuses.

    ``mood`` is the respondent's expected rating, shifted per question by
    ``item_effect``. The demo's paper forms are filled in with these answers too.
    """
    runtime = {"officials": official_codes}
    raw = {
        q.name: _raw_answer(rng, questionnaire, q, mood + item_effect[q.name], official)
        for q in questionnaire.questions
        if q.type.takes_answer
    }
    _match_comments(rng, questionnaire, raw)
    for attempt in range(1, 3 * len(INTEGER_POOLS) + 1):
        try:
            return validate_answers(
                questionnaire, raw, runtime_choices=runtime, today=PERIOD[1]
            )
        except InvalidAnswers as invalid:
            for name in invalid.errors:
                question = questionnaire.question(name)
                raw[name] = _raw_answer(
                    rng, questionnaire, question, mood, official, attempt
                )
    raise RuntimeError(f"demo answers for {questionnaire.key} keep failing: {raw}")


def _match_comments(
    rng: np.random.Generator, questionnaire: Questionnaire, raw: dict[str, object]
) -> None:
    """Make a drawn comment agree with the respondent's own ratings."""
    ratings = [
        int(str(raw[q.name]))
        for q in questionnaire.questions
        if q.type is QuestionType.RATING and raw.get(q.name)
    ]
    if not ratings:
        return
    pool = COMMENTS_GOOD if sum(ratings) / len(ratings) >= 3.5 else COMMENTS_BAD
    for question in questionnaire.questions:
        if question.type is QuestionType.TEXT and raw.get(question.name):
            raw[question.name] = str(rng.choice(pool))


def _raw_answer(
    rng: np.random.Generator,
    questionnaire: Questionnaire,
    question: Question,
    mood: float,
    official: Official | None,
    attempt: int = 0,
) -> str | list[str]:
    """Draw one raw answer; a redraw after a refused integer tries a wider pool."""
    kind = question.type
    if kind is QuestionType.RATING:
        return str(int(np.clip(round(mood + rng.normal(0, 0.9)), 1, 5)))
    if question.choices_from == "officials":
        return official.code if official and rng.random() < 0.6 else ""
    choices = [choice.name for choice in questionnaire.choices_of(question)]
    if kind is QuestionType.SELECT_ONE:
        return str(rng.choice(choices)) if choices else ""
    if kind is QuestionType.SELECT_MULTIPLE:
        count = int(rng.integers(1, min(3, len(choices)) + 1))
        return [str(name) for name in rng.choice(choices, count, replace=False)]
    if kind is QuestionType.INTEGER:
        low, high = INTEGER_POOLS[attempt % len(INTEGER_POOLS)]
        return str(int(rng.integers(low, high + 1)))
    if kind is QuestionType.DECIMAL:
        return f"{rng.uniform(0, 10):.1f}"
    if kind is QuestionType.DATE:
        return (PERIOD[0] + timedelta(days=int(rng.integers(300)))).isoformat()
    if kind is QuestionType.TEXT and rng.random() < 0.15:
        pool = COMMENTS_GOOD if mood >= 3.5 else COMMENTS_BAD
        return str(rng.choice(pool))
    return ""
