"""Translations: complete catalogues, no raw keys on pages, the reader's numbers.

The catalogues are checked against the sources with Babel's own extraction, so
a string added to a template or a view without a translation fails here, and so
does a page that shows an identifier (``dashboard_axis_pct``) instead of text.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy.orm import Session, sessionmaker

from app import create_app
from app.db import EXTENSION
from app.formatting import (
    excel_datetime_format,
    format_date,
    format_number,
    format_percent,
)
from app.i18n import (
    TRANSLATIONS,
    catalogue_languages,
    compile_catalogues,
    in_language,
    label_language,
    translated,
)
from surveys.models import Role, UnitKind
from surveys.questionnaire import Message, Text
from surveys.questionnaire.versions import store_questionnaire
from surveys.questionnaire.xlsform_reader import load_xlsform
from surveys.questionnaire.xlsform_writer import write_xlsform
from surveys.storage.recording import Submission, record_response
from tests.app.staff_client import log_in
from tests.builders import (
    make_code,
    make_counter_campaign,
    make_unit,
    make_user,
    unique,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "vi"
#: A run of lower-case words joined by underscores: what a message key looks like.
KEY_LIKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
#: Words of that shape a page may show on purpose: CSV column names in the
#: officials import's instructions.
ALLOWED_KEYS = {"unit_code"}


def _catalogue(language: str):
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _template():
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        return read_po(handle)


def _ids(catalog) -> set[tuple[str | None, object]]:
    return {(message.context, message.id) for message in catalog if message.id}


# --- (a) the catalogues ---------------------------------------------------


def test_the_template_lists_exactly_the_strings_of_the_sources() -> None:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {
        (context, message)
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT, method_map, options_map
        )
    }
    listed = _ids(_template())
    assert found - listed == set(), "run `make translations`: new strings"
    assert listed - found == set(), "run `make translations`: strings gone"


def test_every_catalogue_translates_every_string() -> None:
    languages = [code for code in catalogue_languages() if code != SOURCE]
    assert "en" in languages
    template = _template()
    for language in languages:
        catalog = _catalogue(language)
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, context=message.context)
            where = f"{language}: {message.id!r}"
            assert found is not None, f"{where} is missing"
            assert not found.fuzzy, f"{where} is fuzzy: check it, then unmark it"
            strings = (
                found.string if isinstance(found.string, tuple) else [found.string]
            )
            assert all(s.strip() for s in strings), f"{where} is not translated"
        problems = [
            (message.id, errors) for message, errors in catalog.check() if errors
        ]
        assert problems == [], f"{language}: placeholders differ"


def test_a_catalogue_is_compiled_when_its_mo_is_missing_or_older(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "messages.po"
    po.write_bytes((TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").read_bytes())
    compile_catalogues(tmp_path)
    mo = folder / "messages.mo"
    with mo.open("rb") as handle:
        english = Translations(handle)
    assert english.gettext("Không tìm thấy trang") == "Page not found"
    compiled = mo.stat().st_mtime_ns
    compile_catalogues(tmp_path)
    assert mo.stat().st_mtime_ns == compiled  # up to date: left alone
    os.utime(po, ns=(compiled + 10**9, compiled + 10**9))
    compile_catalogues(tmp_path)
    assert mo.stat().st_mtime_ns > compiled


def test_no_vietnamese_catalogue_is_needed() -> None:
    # The msgids are the Vietnamese texts; a vi catalogue would only copy them.
    assert catalogue_languages()[0] == SOURCE
    assert not (TRANSLATIONS / SOURCE).exists()


# --- (b) no raw keys on any page ----------------------------------------------


class _VisibleText(HTMLParser):
    """Collect what a reader sees: text outside scripts and styles, no attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def raw_keys(html: str) -> set[str]:
    return set(KEY_LIKE.findall(visible_text(html))) - ALLOWED_KEYS


@pytest.fixture
def site(db_session: Session) -> dict[str, str]:
    """A district, a ward with a counter campaign, responses and staff: the pages."""
    campaign, point = make_counter_campaign(db_session)
    ward = campaign.unit
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward.parent = district
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    start = datetime(2026, 4, 6, 2, 0, tzinfo=UTC)
    for number in range(12):
        answers = {"overall": str(1 + number % 5), "comment": "Chờ lâu"}
        submission = Submission(code.token, unique("s"), answers)
        record_response(db_session, submission, start + timedelta(hours=number))
    admin = make_user(db_session, None, Role.ADMIN)
    db_session.commit()
    stored = campaign.questionnaire
    return {
        "admin": admin.username,
        "public": "/",
        "unit": f"/units/{ward.code}",
        "survey": f"/s/{code.token}",
        "unknown code": "/s/AAAAA-AAAAA",
        "not found": "/nowhere",
        "home": "/staff/",
        "dashboard": f"/staff/units/{ward.code}/dashboard?campaign={campaign.key}",
        "district": f"/staff/units/{district.code}/dashboard?campaign={campaign.key}",
        "staff unit": f"/staff/units/{ward.code}",
        "counters": f"/staff/units/{ward.code}/counters",
        "officials": f"/staff/units/{ward.code}/officials",
        "codes": f"/staff/units/{ward.code}/codes",
        "import": "/staff/officials/import",
        "questionnaires": "/staff/questionnaires",
        "history": f"/staff/questionnaires/{stored.key}",
        "preview": f"/staff/questionnaires/{stored.key}/{stored.version}/preview",
        "campaigns": "/staff/campaigns",
        "users": "/staff/users",
        "password": "/staff/password",
        "audit": "/staff/audit",
    }


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_page_shows_a_message_key(
    app: Flask, site: dict[str, str], language: str
) -> None:
    client = app.test_client()
    client.get(f"/?lang={language}")
    assert log_in(client, site["admin"]).status_code == 302
    for name, path in site.items():
        if name == "admin":
            continue
        answer = client.get(path)
        assert answer.status_code in (200, 404), (name, answer.status_code)
        html = answer.get_data(as_text=True)
        assert f'<html lang="{language}">' in html, name
        assert raw_keys(html) == set(), f"{name} ({path}) in {language}"


def test_the_login_page_has_no_key_either(client: FlaskClient) -> None:
    for language in ("vi", "en"):
        html = client.get(f"/staff/login?lang={language}").get_data(as_text=True)
        assert raw_keys(html) == set()


def test_the_dashboards_axis_and_column_texts_are_translated(
    app: Flask, site: dict[str, str]
) -> None:
    client = app.test_client()
    assert log_in(client, site["admin"]).status_code == 302
    english = client.get(site["dashboard"] + "&lang=en").get_data(as_text=True)
    for text in ("% satisfied", "Mean score (1–5)", "Index"):
        assert text in english
    vietnamese = client.get(site["dashboard"] + "&lang=vi").get_data(as_text=True)
    for text in ("% hài lòng", "Điểm trung bình (1–5)"):
        assert text in vietnamese


# --- (c) numbers, percentages and dates ----------------------------------------


@pytest.mark.parametrize(
    ("language", "number", "percent", "day", "excel"),
    [
        # Babel 2.18's CLDR data: no space before % in either language.
        ("vi", "3,97", "74,2%", "6 thg 4, 2026", "d/m/yyyy hh:mm"),
        ("en", "3.97", "74.2%", "Apr 6, 2026", "m/d/yyyy h:mm AM/PM"),
    ],
)
def test_numbers_are_written_the_readers_way(
    app: Flask, language: str, number: str, percent: str, day: str, excel: str
) -> None:
    with app.app_context(), in_language(language):
        assert format_number(3.97, 2) == number
        assert format_percent(0.742) == percent
        assert format_date(date(2026, 4, 6)) == day
        assert excel_datetime_format() == excel
        assert format_number(1234.5, 1) == (
            "1.234,5" if language == "vi" else "1,234.5"
        )


def test_numbers_outside_the_app_are_vietnamese() -> None:
    assert format_number(3.97, 2) == "3,97"
    assert format_percent(0.742, 1) == "74,2%"


def test_the_dashboard_writes_numbers_in_the_pages_language(
    app: Flask, site: dict[str, str]
) -> None:
    client = app.test_client()
    assert log_in(client, site["admin"]).status_code == 302
    english = visible_text(client.get(site["dashboard"] + "&lang=en").get_data(True))
    vietnamese = visible_text(client.get(site["dashboard"] + "&lang=vi").get_data(True))
    assert re.search(r"\b\d\.\d\d\b", english) and not re.search(
        r"\b\d,\d\d\b", english
    )
    assert re.search(r"\b\d,\d\d\b", vietnamese)


# --- (d) which language a visitor gets -----------------------------------------


def test_accept_language_picks_the_best_catalogue(client: FlaskClient) -> None:
    answer = client.get("/", headers={"Accept-Language": "fr, en;q=0.8"})
    assert '<html lang="en">' in answer.get_data(as_text=True)
    assert {"Accept-Language", "Cookie"} <= set(answer.vary)


def test_a_visitor_asking_for_nothing_gets_vietnamese(client: FlaskClient) -> None:
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_only_languages_without_a_catalogue_get_english(client: FlaskClient) -> None:
    answer = client.get("/", headers={"Accept-Language": "fr-FR, de;q=0.5"})
    assert '<html lang="en">' in answer.get_data(as_text=True)


def test_the_chosen_language_beats_accept_language(client: FlaskClient) -> None:
    chosen = client.get("/?lang=vi", headers={"Accept-Language": "en"})
    assert '<html lang="vi">' in chosen.get_data(as_text=True)
    later = client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="vi">' in later.get_data(as_text=True)
    client.get("/?lang=en")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_a_made_up_language_is_ignored(client: FlaskClient) -> None:
    answer = client.get("/?lang=<script>")
    assert '<html lang="vi">' in answer.get_data(as_text=True)
    assert "lang=" not in answer.headers.get("Set-Cookie", "")


# --- questionnaire labels in any language ---------------------------------------


def _french_form(folder: Path) -> Path:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(
        [
            "type",
            "name",
            "label::Tiếng Việt (vi)",
            "label::English (en)",
            "label::French (fr)",
            "hint::French (fr)",
            "hailong_type",
        ]
    )
    survey.append(
        [
            "select_one rating",
            "overall",
            "Ông/Bà hài lòng không?",
            "Are you satisfied?",
            "Êtes-vous satisfait ?",
            "Une réponse",
            "rating",
        ]
    )
    survey.append(["text", "comment", "Góp ý", "Comment", "Commentaire", None, None])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Tiếng Việt (vi)"])
    for value in range(1, 6):
        choices.append(["rating", str(value), str(value)])
    settings = book.create_sheet("settings")
    settings.append(
        [
            "form_id",
            "form_title::Tiếng Việt (vi)",
            "form_title::French (fr)",
            "default_language",
        ]
    )
    settings.append(
        ["tri", "Khảo sát ba thứ tiếng", "Enquête en trois langues", "Tiếng Việt (vi)"]
    )
    path = folder / "tri.xlsx"
    book.save(path)
    return path


def test_an_xlsform_keeps_and_writes_back_every_language(tmp_path: Path) -> None:
    questionnaire = load_xlsform(_french_form(tmp_path))
    assert questionnaire.languages == ("vi", "en", "fr")
    overall = questionnaire.question("overall")
    assert overall.label["fr"] == "Êtes-vous satisfait ?"
    assert overall.hint == {"fr": "Une réponse"}
    assert questionnaire.title.get("fr") == "Enquête en trois langues"
    assert questionnaire.title.get("en") == "Khảo sát ba thứ tiếng"  # falls back to vi
    written = tmp_path / "again.xlsx"
    write_xlsform(questionnaire, written)
    again = load_xlsform(written)
    assert again.question("overall").label == overall.label
    assert again.checksum == questionnaire.checksum


def test_a_french_visitor_reads_french_labels_in_english_pages(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    campaign, point = make_counter_campaign(db_session)
    stored = store_questionnaire(db_session, load_xlsform(_french_form(tmp_path)))
    campaign.questionnaire = stored.stored
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    db_session.commit()
    client = app.test_client()
    page = client.get(
        f"/s/{code.token}", headers={"Accept-Language": "fr-FR, fr;q=0.9"}
    ).get_data(as_text=True)
    assert "Êtes-vous satisfait ?" in page and "Une réponse" in page
    assert '<html lang="en">' in page  # no French catalogue: English around it
    assert "This survey is anonymous." in page
    vietnamese = app.test_client().get(f"/s/{code.token}").get_data(as_text=True)
    assert "Ông/Bà hài lòng không?" in vietnamese
    assert "Êtes-vous satisfait ?" not in vietnamese
    assert ">français</a>" in vietnamese  # the questionnaire's languages are offered
    chooser = app.test_client()
    chosen = chooser.get(f"/s/{code.token}?lang=fr").get_data(as_text=True)
    assert "Êtes-vous satisfait ?" in chosen and '<html lang="en">' in chosen
    later = chooser.get(f"/s/{code.token}").get_data(as_text=True)
    assert "Êtes-vous satisfait ?" in later  # remembered in the cookie


def test_a_cached_blank_page_is_kept_per_language_of_its_labels(
    database_url: str,
    bound_factory: sessionmaker[Session],
    db_session: Session,
    tmp_path: Path,
) -> None:
    cached = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url,
            "SURVEY_CACHE_SECONDS": 60,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    cached.extensions[EXTENSION] = bound_factory
    campaign, point = make_counter_campaign(db_session)
    stored = store_questionnaire(db_session, load_xlsform(_french_form(tmp_path)))
    campaign.questionnaire = stored.stored
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    db_session.commit()
    path = f"/s/{code.token}"
    french = cached.test_client().get(path, headers={"Accept-Language": "fr"})
    assert "Êtes-vous satisfait ?" in french.get_data(as_text=True)
    # Same page language (English), other labels: not the French page again.
    english = cached.test_client().get(path, headers={"Accept-Language": "en"})
    assert "Are you satisfied?" in english.get_data(as_text=True)
    assert {"Accept-Language", "Cookie"} <= set(english.vary)


def test_labels_follow_the_visitor_among_the_texts_languages(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "fr, en;q=0.5"}):
        assert label_language(("vi", "en", "fr")) == "fr"
        assert label_language(("vi", "en")) == "en"
        assert translated(Text({"vi": "Chung", "fr": "Général"})) == "Général"
    with app.test_request_context("/?lang=en"):
        assert translated(Text({"vi": "Chung", "fr": "Général"})) == "Chung"


def test_engine_messages_are_translated_with_their_values(app: Flask) -> None:
    message = Message("Lựa chọn không có trong danh sách: %(value)s.", {"value": "x"})
    with app.test_request_context("/?lang=en"):
        assert translated(message) == "Not one of the choices: x."
    with app.test_request_context("/"):
        assert translated(message) == "Lựa chọn không có trong danh sách: x."


def test_a_definitions_own_wording_wins_where_it_has_the_language(app: Flask) -> None:
    own = Message("Câu trả lời không hợp lệ.", wording=Text({"vi": "Từ 1 đến 30."}))
    with app.test_request_context("/"):
        assert translated(own) == "Từ 1 đến 30."
    with app.test_request_context("/?lang=en"):
        assert translated(own) == "The answer does not meet the question's condition."


def test_the_report_columns_follow_the_reports_language(app: Flask) -> None:
    from app.reports.layout import estimate_columns

    with app.app_context(), in_language("en"):
        headings = [column.heading for column in estimate_columns()]
    assert "Mean score (1–5)" in headings
