"""Every page in Vietnamese and in English: no raw key, no word of the other
language in what the page itself says.

The staff walk is the scope walk's (``tests/app/test_scope_walk.py``): every
staff and report route, its parameters filled from ``PARAMETERS``, GET and POST
(an empty form, then the page it leads to, where its flashed message is), so a
page added later is checked without anybody listing it. It is walked by an admin
on a ward holding an object of every kind the pages name (a campaign of each
mode, a user of each role, a unit of each kind, codes of each kind, a dossier, a
letter, a case, audit events of these), so that each enumeration shows at least
once. The citizens' pages, refused questionnaire uploads and forms sent with
unreadable values are checked the same way.

What is checked is the text a reader sees: tags, scripts and styles stripped;
``<code>``, elements marked ``translate="no"``, form values, addresses and the
language switcher (a link in the other language, marked ``hreflang``) left out;
and the data the database holds (unit names, questionnaire texts, usernames,
file names...) taken out, since data is shown as typed whatever the page's
language. What is left is the page's own wording:

- in Vietnamese, no raw value of an enumeration, no ``snake_case`` key and no
  English word: a word of the English catalogue (the ``msgstr``s) that is not
  also a word of the Vietnamese texts (the ``msgid``s say "PDF", "Excel",
  "in"...);
- in English, no ``snake_case`` key and no letter only Vietnamese has.
"""

from __future__ import annotations

import csv
import enum
import importlib
import io
import pkgutil
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import Session

import app as app_package
import surveys
from app.i18n import TRANSLATIONS
from surveys.access.audit import AuditAction, record_event
from surveys.access.users import create_user
from surveys.cases.attachments import FOLDER
from surveys.models import (
    Base,
    Campaign,
    CampaignMode,
    CodeKind,
    Role,
    UnitKind,
    User,
)
from surveys.units.campaigns import edit_campaign, pause_campaign, resume_campaign
from surveys.units.management import add_unit, create_campaign
from tests.app.staff_client import csrf_token, log_in
from tests.app.test_bad_questionnaire_uploads import BAD_FILES
from tests.app.test_dossier_import import confirm_mapping
from tests.app.test_dossier_import import upload as upload_dossiers
from tests.app.test_manage import upload
from tests.app.test_scope_walk import Side, Walker, make_side, staff_routes, url_of
from tests.builders import (
    PASSWORD,
    make_case,
    make_category,
    make_code,
    make_unit,
    make_user,
)

#: A run of lower-case words joined by underscores: what a key looks like.
KEY_LIKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
#: A word in Latin letters only (what an English word is made of), not a piece
#: of a Vietnamese word ("Kh" of "Khóa").
LATIN_WORD = re.compile(r"(?<![^\W\d_])[A-Za-z]+(?![^\W\d_])")
#: Letters only Vietnamese writes: the breve, circumflex and horn vowels, đ, and
#: the tone marks (hook above, dot below, tilde) the Latin-1 letters lack.
VIETNAMESE_LETTER = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9ĩũĨŨ]|[ãõÃÕ]")
#: Names a page may print in any language: links, e-mail addresses, file paths,
#: the number and symbol of a legal document ("766/QĐ-TTg", "30/2020/NĐ-CP").
NAMES = re.compile(
    r"\S+@\S+|\b\w+://\S+|(?<!\w)/[\w./?=&%-]+|\b\d+(?:/\d{4})?/[A-ZĐ]+(?:-[A-ZĐ][A-Za-z]*)*"
)
#: Words both languages write: names of formats, products and standards.
SHARED_WORDS = {"ok", "id", "gps", "https", "http", "www"}
#: Elements whose text is code or a value, not the page's wording.
CODE_TAGS = {"script", "style", "code", "kbd", "samp", "textarea", "template"}
#: A form's hidden field, as a page writes it.
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
#: Columns of identifiers people choose, data even when they spell a key.
IDENTIFIERS = {"key", "code", "username"}
#: Below this length a stored string is not taken out of a text: "1", "Có".
SHORTEST_DATA = 3


class PageText(HTMLParser):
    """Collect the texts a reader sees, each text node apart.

    An SVG ``<text>`` is one text however its lines are split into ``<tspan>``s,
    so that a wrapped unit name is still found whole among the data.
    """

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        #: The tag that opened each element being skipped, and its depth.
        self._skipping: list[str] = []
        self._svg_text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if self._skipping:
            if tag == self._skipping[0]:
                self._skipping.append(tag)
            return
        if tag in CODE_TAGS or named.get("translate") == "no" or "hreflang" in named:
            self._skipping.append(tag)
        elif tag == "text":
            self._svg_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closed element (``<br/>``, ``<input/>``) opens nothing."""

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[0]:
                self._skipping.pop()
            return
        if tag == "text" and self._svg_text is not None:
            self.texts.append(" ".join(self._svg_text))
            self._svg_text = None

    def handle_data(self, data: str) -> None:
        if self._skipping or not data.strip():
            return
        if self._svg_text is not None:
            self._svg_text.append(data.strip())
        else:
            self.texts.append(data)


def page_texts(html: str) -> list[str]:
    """Return the visible texts of a page, one per text node."""
    parser = PageText()
    parser.feed(html)
    parser.close()
    return [" ".join(text.split()) for text in parser.texts]


def _catalogue():
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale="en")


def _words(texts: Iterator[str], pattern: re.Pattern[str]) -> set[str]:
    placeholders = re.compile(r"%\(\w+\)[sd]")
    return {
        word.lower()
        for text in texts
        for word in pattern.findall(placeholders.sub(" ", text))
    }


def _all(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


@cache
def enumeration_values() -> frozenset[str]:
    """Return every value of every enumeration the app and the domain define."""
    values: set[str] = set()
    for package in (surveys, app_package):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            found = importlib.import_module(module.name)
            for member in vars(found).values():
                if (
                    isinstance(member, type)
                    and issubclass(member, enum.StrEnum)
                    and member.__module__ == module.name
                ):
                    values.update(item.value for item in member)
    return frozenset(values)


@cache
def english_words() -> frozenset[str]:
    """Return the words a Vietnamese page must not show.

    The English catalogue's words and the enumerations' values, less every word
    the Vietnamese texts use themselves ("PDF", "Excel", "in", "do", "so").
    """
    catalogue = [message for message in _catalogue() if message.id]
    english = _words((text for m in catalogue for text in _all(m.string)), LATIN_WORD)
    vietnamese = _words(
        (text for m in catalogue for text in _all(m.id)), re.compile(r"\w+")
    )
    values = {value for value in enumeration_values() if LATIN_WORD.fullmatch(value)}
    return frozenset(
        word for word in (english | values) - vietnamese - SHARED_WORDS if len(word) > 1
    )


def stored_strings(session: Session) -> list[str]:
    """Return every string the database holds (data: shown as typed), longest first.

    A stored enumeration value is a key, not data, unless it is in a column of
    identifiers somebody chose (a questionnaire's ``key`` may spell a mode).
    """
    found: set[str] = set()
    keys = enumeration_values()

    def collect(value: object, chosen: bool) -> None:
        if isinstance(value, str):
            if len(value.strip()) >= SHORTEST_DATA and (chosen or value not in keys):
                found.add(" ".join(value.split()))
        elif isinstance(value, dict):
            for item in value.values():
                collect(item, chosen)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item, chosen)

    for table in Base.metadata.sorted_tables:
        columns = [
            column
            for column in table.columns
            if isinstance(column.type, String | Text | JSON)
        ]
        if columns:
            chosen = [column.name in IDENTIFIERS for column in columns]
            for row in session.execute(select(*columns)):
                for value, is_chosen in zip(row, chosen, strict=True):
                    collect(value, is_chosen)
    return sorted(found, key=len, reverse=True)


def without_data(text: str, data: list[str]) -> str:
    """Take stored strings and names out of a text, leaving the page's wording."""
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return NAMES.sub(" ", text)


def leaks(html: str, language: str, data: list[str]) -> set[str]:
    """Return what a page shows that is not in its language, or a raw key."""
    found: set[str] = set()
    forbidden = english_words()
    for text in page_texts(html):
        wording = without_data(text, data)
        found.update(f"key {key!r}" for key in KEY_LIKE.findall(wording))
        if language == "vi":
            # A word in capitals is a code or an abbreviation ("PDF", a survey
            # code's "ACXEC"), never a sentence's word.
            found.update(
                f"English {word!r} in {text!r}"
                for word in LATIN_WORD.findall(wording)
                if word.lower() in forbidden and not word.isupper()
            )
        elif VIETNAMESE_LETTER.search(wording):
            found.add(f"Vietnamese {text!r}")
    return found


# --- the site: one object of every kind -----------------------------------------


@pytest.fixture
def site(app: Flask, db_session: Session) -> tuple[Side, str]:
    """A ward with an object of every kind, and the admin who walks it."""
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    side = make_side(db_session, district, "A", Path(app.instance_path) / FOLDER)
    admin = make_user(db_session, None, Role.ADMIN)
    for kind in UnitKind:
        if kind != UnitKind.DISTRICT:
            add_unit(db_session, admin, district, f"u-{kind}", "Đơn vị con", kind)
    for role in Role:
        unit = None if role == Role.ADMIN else side.unit
        create_user(
            db_session,
            f"nguoi-{role}",
            PASSWORD,
            role,
            unit.code if unit else None,
            actor=admin,
        )
    for mode in CampaignMode:
        create_campaign(
            db_session,
            admin,
            key=f"dot-{mode}",
            name="Đợt khảo sát tháng Tư",
            questionnaire=side.campaign.questionnaire,
            unit=side.unit,
            mode=mode,
            starts_on=date(2026, 1, 1),
            ends_on=None,
            min_interval_seconds=0,
        )
    for kind in CodeKind:
        make_code(
            db_session, side.campaign, kind=kind, service_point=side.service_point
        )
    _campaign_events(db_session, admin)
    db_session.commit()
    return side, admin.username


def _campaign_events(session: Session, admin: User) -> None:
    """Record the audit events of a campaign's life and of its downloads."""
    campaign = session.scalars(
        select(Campaign).where(Campaign.key == "dot-counter")
    ).one()
    edit_campaign(
        session, admin, campaign, name="Đợt khảo sát tháng Năm",
        starts_on=campaign.starts_on, ends_on=date(2026, 12, 31),
        min_interval_seconds=60,
    )  # fmt: skip
    pause_campaign(session, admin, campaign, datetime(2026, 5, 1, tzinfo=UTC))
    resume_campaign(session, admin, campaign, datetime(2026, 5, 2, tzinfo=UTC))
    for action, detail in (
        (
            AuditAction.COMMENT_HIDDEN,
            {"question": "y_kien", "reason": "Lời lẽ thô tục"},
        ),
        (AuditAction.EXPORT, {"document": "code_statuses", "status": "opened"}),
        (AuditAction.EXPORT, {"report": "unit", "format": "csv", "values": "labels"}),
    ):
        record_event(
            session,
            action,
            admin.id,
            object_type="campaign",
            object_id=campaign.key,
            detail=detail,
        )


def pages(app: Flask, walker: Walker, side: Side) -> Iterator[tuple[str, str]]:
    """Yield each HTML page of the walk, and what the POSTs led to, by where."""
    for rule, method in staff_routes(app):
        url = url_of(app, rule, side)
        answer = walker.send(method, url)
        for _hop in range(3):
            if answer.status_code not in (301, 302, 303):
                break
            # A flashed message is on the page the form led to.
            url, answer = answer.location, walker.send("GET", answer.location)
        if answer.mimetype == "text/html":
            yield f"{method} {rule.rule} ({url})", answer.get_data(as_text=True)
        else:
            # As a server closes each response: an unread streamed download
            # (a CSV) is not left to be finalised inside a later request.
            answer.close()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_staff_page_speaks_only_its_language(
    app: Flask, db_session: Session, site: tuple[Side, str], language: str
) -> None:
    side, username = site
    walker = Walker(app, username)
    walker.client.set_cookie("lang", language)
    data = stored_strings(db_session)
    problems = {}
    walked = 0
    for where, html in pages(app, walker, side):
        walked += 1
        found = leaks(html, language, data)
        if f'<html lang="{language}">' not in html:
            found.add("not a page in the language asked")
        if found:
            problems[where] = sorted(found)
    assert walked >= 40
    report = [f"{where}: {found}" for where, found in sorted(problems.items())]
    assert report == [], "\n".join(report)


# --- the checks themselves --------------------------------------------------------


def test_the_check_finds_raw_keys_english_words_and_vietnamese_letters() -> None:
    vietnamese = (
        "<h1>Đợt khảo sát</h1><td>open_link</td><p>Hình thức: counter</p>"
        "<p>This field is required.</p>"
    )
    found = leaks(vietnamese, "vi", [])
    assert "key 'open_link'" in found
    assert "English 'counter' in 'Hình thức: counter'" in found
    assert any("'required'" in leak for leak in found)
    assert leaks("<p>Campaigns</p><p>Chỉ xem</p>", "en", []) == {"Vietnamese 'Chỉ xem'"}


def test_the_check_leaves_data_code_and_addresses_alone() -> None:
    data = ["Phường Bến Thành", "Open House Café"]
    vietnamese = (
        "<h1>Phường Bến Thành</h1><p>Open House Café</p><code>select_one</code>"
        "<p>Xem https://example.org/open_link và a@b.vn</p>"
        '<a href="?lang=en" hreflang="en" lang="en">English</a>'
        "<p>Tải PDF, Excel hoặc in</p>"
        "<svg><text><tspan>Phường Bến</tspan><tspan>Thành</tspan></text></svg>"
    )
    assert leaks(vietnamese, "vi", data) == set()
    english = '<p>Ward Phường Bến Thành</p><a hreflang="vi">Tiếng Việt</a>'
    assert leaks(english, "en", data) == set()


# --- what only a bad upload or a bad form shows -------------------------------------

#: A YAML definition with problems at paths, in fields and in the whole document.
BAD_YAML = (
    b"key: k\ntitle: {vi: T}\nlanguages: [vi, vi]\nbogus: 1\n"
    b"questions:\n- {name: a, type: rating, label: {vi: A}, colour: red}\n"
    b"- {name: a, type: text, label: {vi: B}, relevant: '${nowhere} >'}\n"
)
BAD_UPLOADS = {
    **{case: (name, content) for case, (name, content, *_) in BAD_FILES.items()},
    "yaml": ("form.yaml", BAD_YAML),
}


@pytest.fixture
def admin(client: FlaskClient, db_session: Session) -> FlaskClient:
    """A logged-in admin's browser."""
    user = make_user(db_session, None, Role.ADMIN)
    db_session.commit()
    assert log_in(client, user.username).status_code == 302
    return client


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_refused_questionnaire_is_explained_in_the_pages_language(
    admin: FlaskClient, db_session: Session, language: str
) -> None:
    admin.set_cookie("lang", language)
    data = stored_strings(db_session)
    problems = {}
    for case, (name, content) in BAD_UPLOADS.items():
        answer = upload(admin, "/staff/questionnaires", content, name)
        assert answer.status_code == 422, case
        found = leaks(answer.get_data(as_text=True), language, data)
        if found:
            problems[case] = sorted(found)
    assert problems == {}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_form_with_unreadable_values_is_refused_in_the_pages_language(
    admin: FlaskClient, db_session: Session, language: str
) -> None:
    unit = make_unit(db_session)
    db_session.commit()
    admin.set_cookie("lang", language)
    forms = {
        f"/staff/units/{unit.code}/codes": {"count": "many", "expires_on": "soon"},
        "/staff/campaigns": {
            "key": "a b",
            "starts_on": "x",
            "min_interval_seconds": "-1",
            "mode": "nowhere",
        },
        "/staff/password": {"new_password": "a"},
        "/staff/audit?action=nowhere": None,
    }
    data = stored_strings(db_session)
    problems = {}
    for path, values in forms.items():
        if values is None:
            answer = admin.get(path)
        else:
            answer = admin.post(path, data={"csrf_token": csrf_token(admin)} | values)
        found = leaks(answer.get_data(as_text=True), language, data)
        if found:
            problems[path] = sorted(found)
    assert problems == {}


# --- the citizens' pages ---------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_public_page_speaks_only_its_language(
    app: Flask, db_session: Session, site: tuple[Side, str], language: str
) -> None:
    side, _username = site
    standing = make_code(
        db_session,
        side.campaign,
        kind=CodeKind.STANDING,
        service_point=side.service_point,
    )
    db_session.commit()
    client = app.test_client()
    client.set_cookie("lang", language)
    survey = f"/s/{standing.token}"
    case = side.case.tracking_code
    pages = {
        "GET": [
            "/",
            f"/units/{side.unit.code}",
            survey,
            f"{survey}/thanks",
            "/s",
            "/s?code=AAAAA-AAAAA",
            "/s/AAAAA-AAAAA",
            "/phan-anh",
            "/phan-anh/tra-cuu",
            f"/phan-anh/tra-cuu?code={case}",
            f"/phan-anh/{case}",
            f"/phan-anh/{case}/da-gui",
            "/nowhere",
        ],
        "POST": [survey, "/phan-anh", f"/phan-anh/{case}/danh-gia"],
    }
    data = stored_strings(db_session)
    problems = {}
    for method, paths in pages.items():
        for path in paths:
            # A form sent as the page wrote it (its hidden fields), but with
            # every answer missing and a phone number that is none.
            values = HIDDEN.findall(client.get(path).get_data(as_text=True))
            answer = client.open(
                path,
                method=method,
                data=dict(values) | {"phone": "abc", "consent": "y"},
                follow_redirects=True,
            )
            html = answer.get_data(as_text=True)
            found = leaks(html, language, data)
            if f'<html lang="{language}">' not in html:
                found.add("not a page in the language asked")
            if found:
                problems[f"{method} {path} ({answer.status_code})"] = sorted(found)
    report = [f"{where}: {found}" for where, found in sorted(problems.items())]
    assert report == [], "\n".join(report)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_dossier_import_speaks_the_pages_language_at_each_step(
    app: Flask, admin: FlaskClient, db_session: Session, language: str
) -> None:
    app.config["DOSSIER_IMPORT_IN_BACKGROUND"] = False
    unit = make_unit(db_session)
    db_session.commit()
    admin.set_cookie("lang", language)
    sample = admin.get("/staff/dossiers/import/sample.csv").get_data()
    # The file's cells are data too: the mapping page shows some as examples.
    rows = csv.reader(io.StringIO(sample.decode("utf-8-sig")))
    cells = {cell for row in rows for cell in row}
    uploaded = upload_dossiers(admin, sample, unit=unit.code)
    steps = [
        admin.get(uploaded.location),
        admin.get("/staff/dossiers/import/mapping"),
    ]
    confirmed = confirm_mapping(admin)
    steps.append(admin.get(confirmed.location))
    data = sorted({*stored_strings(db_session), *cells}, key=len, reverse=True)
    found = {
        f"step {number} ({step.request.path})": sorted(leaks(html, language, data))
        for number, step in enumerate(steps)
        if (html := step.get_data(as_text=True))
    }
    assert [step.status_code for step in steps] == [200, 200, 200]
    assert {where: leak for where, leak in found.items() if leak} == {}


def test_a_case_category_is_named_in_the_pages_language(
    admin: FlaskClient, db_session: Session
) -> None:
    category = make_category(db_session, name_vi="Thái độ phục vụ", name_en="Service")
    case = make_case(db_session, make_unit(db_session), category)
    db_session.commit()
    english = admin.get(f"/staff/cases/{case.id}?lang=en").get_data(as_text=True)
    assert "<dd>Service</dd>" in english
    vietnamese = admin.get(f"/staff/cases/{case.id}?lang=vi").get_data(as_text=True)
    assert "<dd>Thái độ phục vụ</dd>" in vietnamese
