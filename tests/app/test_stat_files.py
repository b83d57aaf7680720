"""SPSS and Stata files of responses: read back, they say what the CSV says."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.reports.csv import BOM, responses_csv
from app.reports.stat_files import write_dataset
from surveys.access.code_state import load_code
from surveys.comments.moderation import hide_comment
from surveys.exchange.dataset import MAX_NAME, response_dataset, safe_names
from surveys.models import (
    PAPER_CHANNEL,
    AuditEvent,
    Campaign,
    Response,
    Role,
    Unit,
    UnitKind,
)
from surveys.questionnaire.messages import RATING_LABELS
from surveys.questionnaire.schema import build_questionnaire
from surveys.questionnaire.versions import DEFINITIONS, store_questionnaire
from surveys.storage.recording import Submission, record_response, record_through
from tests.app.test_dashboard import client_as
from tests.builders import make_campaign, make_code, make_unit, make_user, unique
from tests.pyreadstat_files import write_with_pyreadstat

#: 23:30 UTC: the next day in Vietnam (UTC+7).
LATE = datetime(2026, 4, 6, 23, 30, tzinfo=UTC)
PHONE = "0912345678"
READERS = {"sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}


@dataclass(frozen=True)
class Survey:
    campaign: Campaign
    ward: Unit
    other: Unit


@pytest.fixture
def survey(db_session: Session) -> Survey:
    """The counter questionnaire with a coded and a numbered select_one and a
    number, answered three times in a ward (one comment hidden; the third keyed
    in from a paper form), once elsewhere."""
    data = yaml.safe_load((DEFINITIONS / "counter.yaml").read_text(encoding="utf-8"))
    data["key"] = unique("counter_stat")
    data["questions"] += [
        {"name": "channel", "type": "select_one", "choices": "channels",
         "label": {"vi": "Ông/Bà nộp hồ sơ qua đâu?", "en": "How did you apply?"}},
        {"name": "visits", "type": "select_one", "choices": "counts",
         "label": {"vi": "Số lần đến", "en": "Visits"}},
        {"name": "household_size", "type": "integer",
         "label": {"vi": "Số người trong hộ", "en": "Household size"}},
    ]  # fmt: skip
    data["choices"]["channels"] = [
        {"name": "in_person", "label": {"vi": "Trực tiếp", "en": "In person"}},
        {"name": "online", "label": {"vi": "Trực tuyến", "en": "Online"}},
    ]
    data["choices"]["counts"] = [
        {"name": str(n), "label": {"vi": f"{n} lần", "en": f"{n} times"}}
        for n in (1, 2, 3)
    ]
    stored = store_questionnaire(db_session, build_questionnaire(data)).stored
    root = make_unit(db_session, name="Quận Thống Kê", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, parent=root, name="Phường Có Nhãn")
    other = make_unit(db_session, parent=root, name="Phường Khác")
    campaign = make_campaign(db_session, unit=root, questionnaire=stored)
    sampled = make_code(
        db_session, campaign, kind="standing", unit=ward,
        stratum="urban", cluster="c7", weight=12.5,
    )  # fmt: skip
    elsewhere = make_code(db_session, campaign, kind="standing", unit=other)
    answers: list[dict[str, str | list[str]]] = [
        {"overall": "1", "reasons": "waiting attitude", "channel": "online",
         "visits": "2", "household_size": "4", "comment": f"Gọi {PHONE} nhé"},
        {"overall": "5", "channel": "in_person", "visits": "3",
         "comment": "Một góp ý bị ẩn"},
        {"overall": "4"},
    ]  # fmt: skip
    for given in answers[:2]:
        submission = Submission(sampled.token, unique("s"), given)
        record_response(db_session, submission, LATE)
    keyed = Submission(sampled.token, unique("s"), answers[2])
    record_through(
        db_session, load_code(db_session, sampled.token), keyed, LATE, PAPER_CHANNEL
    )
    record_response(
        db_session, Submission(elsewhere.token, unique("s"), {"overall": "3"}), LATE
    )
    second = db_session.scalars(
        select(Response).where(Response.unit_id == ward.id).order_by(Response.id)
    ).all()[1]
    manager = make_user(db_session, root, Role.DISTRICT)
    hide_comment(db_session, second, "comment", manager, "Lời lẽ không phù hợp")
    db_session.commit()
    return Survey(campaign, ward, other)


@pytest.fixture
def _app_context(app: Flask) -> Iterator[None]:
    """The CSV is written with the app's catalogues, as a download writes it."""
    with app.app_context():
        yield


def csv_rows(db_session: Session, survey: Survey, labels_in: str | None) -> list:
    """Read the CSV of the ward's responses by column name."""
    content = b"".join(
        responses_csv(db_session, survey.campaign, [survey.ward.id], None,
                      labels_in=labels_in)
    ).decode("utf-8").removeprefix(BOM)  # fmt: skip
    return list(csv.DictReader(io.StringIO(content)))


def written(
    db_session: Session, survey: Survey, kind: str, folder: Path, **asked: object
) -> tuple[pd.DataFrame, pyreadstat.metadata_container]:
    """Write the ward's responses as ``kind`` and read the file back."""
    dataset = response_dataset(
        db_session, survey.campaign, [survey.ward.id], None, page_size=2, **asked
    )
    path = folder / f"responses.{kind}"
    write_dataset(dataset, kind, str(path))
    return READERS[kind](str(path))


@pytest.mark.usefixtures("_app_context")
@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_the_file_reads_back_as_the_csv_with_its_labels(
    db_session: Session, survey: Survey, kind: str, tmp_path: Path
) -> None:
    frame, meta = written(db_session, survey, kind, tmp_path, with_officials=True)
    codes = csv_rows(db_session, survey, None)
    labels = csv_rows(db_session, survey, "vi")
    assert list(frame["response_id"].astype(int)) == [
        int(row["response_id"]) for row in codes
    ]
    labelled = meta.variable_value_labels
    names = meta.column_names_to_labels
    assert names["overall"].startswith("Ông/Bà có hài lòng")
    assert labelled["overall"] == {
        n: text["vi"] for n, text in enumerate(RATING_LABELS, 1)
    }
    # Text codes numbered in the questionnaire's order; numeric ones kept.
    assert labelled["channel"] == {1: "Trực tiếp", 2: "Trực tuyến"}
    assert labelled["visits"] == {1: "1 lần", 2: "2 lần", 3: "3 lần"}
    assert names["reasons__waiting"] == "Điều gì khiến Ông/Bà chưa hài lòng?: " + (
        "Phải chờ đợi lâu"
    )
    for (_, got), code, label in zip(frame.iterrows(), codes, labels, strict=True):
        for name in ("overall", "visits", "household_size"):
            assert _number(got[name]) == _number(code[name])
        for name in ("overall", "channel", "visits"):
            shown = labelled[name].get(got[name]) if pd.notna(got[name]) else None
            assert (shown or "") == label[name]
        assert got["comment"] == code["comment"]
        assert got["unit_code"] == code["unit_code"] == survey.ward.code
        chosen = set(code["reasons"].split())
        for option in ("waiting", "attitude", "fees"):
            value = got[f"reasons__{option}"]
            assert (pd.isna(value) and not chosen) or value == (option in chosen)
    first, second, third = (row for _, row in frame.iterrows())
    assert PHONE not in first["comment"] and first["comment"]
    assert second["comment"] == ""  # hidden from reports
    assert (first["channel"], first["visits"], first["reasons__late"]) == (2, 2, 0)
    assert pd.isna(third["reasons__waiting"]) and pd.isna(third["channel"])
    assert {pd.Timestamp(d).date() for d in frame["submitted_on"]} == {date(2026, 4, 7)}
    assert (first["stratum"], first["cluster"], first["weight"]) == (
        "urban",
        "c7",
        12.5,
    )
    assert set(frame["questionnaire_version"]) == {1}
    # The channel: numbered, labelled; the CSV's codes and labels say the same.
    assert list(frame["response_channel"]) == [1, 1, 6]
    assert labelled["response_channel"][6] == "Phiếu giấy"
    assert names["response_channel"] == "Kênh thu thập phiếu"
    assert [row["response_channel"] for row in codes] == ["counter"] * 2 + ["paper"]
    assert [row["response_channel"] for row in labels][1:] == ["Tại quầy", "Phiếu giấy"]
    assert "official_rating" in frame.columns


def _number(value: object) -> float | None:
    """Read a CSV cell or a file's value as a number, None when empty."""
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    return float(value)  # type: ignore[arg-type]


def test_labels_follow_the_language_asked(
    db_session: Session, survey: Survey, tmp_path: Path
) -> None:
    _, meta = written(
        db_session, survey, "sav", tmp_path, with_officials=False, language="en"
    )
    assert meta.column_names_to_labels["visits"] == "Visits"
    assert meta.variable_value_labels["overall"][5] == "Very satisfied"
    assert "official_rating" not in meta.column_names
    assert "official" not in meta.column_names


def test_names_are_safe_for_spss_and_stata_and_unique() -> None:
    names = safe_names(
        ["đánh_giá", "1st", "a-b", "A_B", "x" * 40, "x" * 40, "a.b", "__"]
    )
    assert names[:4] == ["danh_gia", "v1st", "a_b", "A_B_2"]
    assert names[4] == "x" * MAX_NAME and names[5] == "x" * 30 + "_2"
    assert names[6:] == ["a_b_3", "v"]
    assert all(len(name) <= MAX_NAME and name.isascii() for name in names)


@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_the_download_is_the_wards_own_and_audited(
    app: Flask, db_session: Session, survey: Survey, kind: str, tmp_path: Path
) -> None:
    base = f"/staff/reports/units/{survey.ward.code}/unit.{kind}"
    query = {"campaign": survey.campaign.key}
    assert app.test_client().get(base, query_string=query).status_code == 302
    outsider = client_as(app, db_session, survey.other, Role.UNIT_MANAGER)
    assert outsider.get(base, query_string=query).status_code == 404
    viewer = client_as(app, db_session, survey.ward, Role.VIEWER)
    answer = viewer.get(base, query_string=query)
    assert answer.status_code == 200
    assert f'.{kind}"' in answer.headers["Content-Disposition"]
    path = tmp_path / f"download.{kind}"
    path.write_bytes(answer.get_data())
    if kind == "dta":  # Stata 14 and later read format 118
        assert path.read_bytes().startswith(b"<stata_dta><header><release>118<")
    frame, meta = READERS[kind](str(path))
    assert len(frame) == 3 and set(frame["unit_code"]) == {survey.ward.code}
    assert "official_rating" not in meta.column_names
    event = db_session.scalars(
        select(AuditEvent).order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.detail["format"] == kind
    assert event.object_id == survey.ward.code


@pytest.mark.parametrize("kind", ["sav", "dta"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_file_is_pyreadstats_own_of_the_same_responses(
    db_session: Session, survey: Survey, kind: str, language: str, tmp_path: Path
) -> None:
    """Streamed a page at a time, the file reads back as pyreadstat's of the
    whole frame: values, variable labels and value labels."""
    frame, meta = written(
        db_session, survey, kind, tmp_path, with_officials=True, language=language
    )
    dataset = response_dataset(
        db_session, survey.campaign, [survey.ward.id], None,
        with_officials=True, language=language,
    )  # fmt: skip
    path = tmp_path / f"pyreadstat.{kind}"
    write_with_pyreadstat(dataset, kind, str(path))
    want, want_meta = READERS[kind](str(path))
    pd.testing.assert_frame_equal(frame, want)
    assert meta.column_names_to_labels == want_meta.column_names_to_labels
    assert meta.variable_value_labels == want_meta.variable_value_labels
