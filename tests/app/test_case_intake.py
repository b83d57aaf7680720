"""The citizen's side of feedback cases: the form without JavaScript, the status page,
the rating of the reply, and a rating's comment made a case."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.public import page_token
from app.public.cases import rating_offer_token
from surveys.cases.attachments import FOLDER
from surveys.cases.events import history
from surveys.cases.workflow import Action, Step, apply
from surveys.models import (
    CaseAttachment,
    CaseCategory,
    CaseContact,
    CaseRating,
    FeedbackCase,
    Role,
    ServicePoint,
    Unit,
    UnitKind,
    User,
)
from tests.app.test_survey import hidden_fields
from tests.builders import (
    make_category,
    make_code,
    make_counter_campaign,
    make_unit,
    make_user,
)
from tests.surveys.cases.files import EXE, pdf, picture
from tests.surveys.cases.ratings import counter_rating

CODE = re.compile(r"PA-[0-9A-Z]{5}-[0-9A-Z]{5}")
TEXT = "Cán bộ một cửa hẹn trả kết quả ba lần vẫn chưa có."


@dataclass
class Place:
    ward: Unit
    other_ward: Unit
    category: CaseCategory
    counter: ServicePoint
    manager: User
    handler: User


@pytest.fixture
def place(db_session: Session) -> Place:
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, name="Phường Một")
    other = make_unit(db_session, district, name="Phường Hai")
    category = make_category(db_session, default_unit_id=ward.id)
    counter = ServicePoint(code="sp-mot", name="Quầy Hộ tịch", unit=ward)
    db_session.add(counter)
    place = Place(
        ward,
        other,
        category,
        counter,
        make_user(db_session, ward, Role.UNIT_MANAGER),
        make_user(db_session, ward, Role.VIEWER),
    )
    db_session.commit()
    return place


def form_of(client: FlaskClient, path: str = "/phan-anh") -> dict[str, str]:
    return hidden_fields(client.get(path).get_data(as_text=True))


def send(
    client: FlaskClient,
    place: Place,
    files: list[tuple[bytes, str]] = (),
    **fields: str,
) -> TestResponse:
    """Fill /phan-anh as a browser without JavaScript would, and send it."""
    data: dict[str, object] = form_of(client) | {
        "category": str(place.category.id),
        "unit": str(place.ward.id),
        "counter": "0",
        "text": TEXT,
    }
    data |= fields
    data["files"] = [(io.BytesIO(body), name) for body, name in files]
    return client.post("/phan-anh", data=data, content_type="multipart/form-data")


def cases(session: Session) -> int:
    return session.scalar(select(func.count(FeedbackCase.id)))


def stored_files(app: Flask) -> list[Path]:
    folder = Path(app.instance_path) / FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


def sent_case(session: Session, answer: TestResponse) -> FeedbackCase:
    assert answer.status_code == 303, answer.get_data(as_text=True)
    code = CODE.search(answer.location)
    assert code
    case = session.scalar(
        select(FeedbackCase).where(FeedbackCase.tracking_code == code.group(0))
    )
    assert case is not None
    return case


def test_the_form_works_without_javascript_and_keeps_files_and_contact_apart(
    app: Flask, client: FlaskClient, db_session: Session, place: Place
) -> None:
    page = client.get("/phan-anh").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "<script" not in page
    assert 'name="consent" value="y">' in page  # never ticked for the citizen
    answer = send(
        client,
        place,
        [(picture("JPEG", gps=True), "IMG_0001.jpg"), (pdf(), "don.pdf")],
        counter=str(place.counter.id),
        contact_name="Nguyễn Văn An",
        contact_phone="0909 123 456",
        consent="y",
    )
    case = sent_case(db_session, answer)
    assert (case.unit_id, case.service_point_id) == (place.ward.id, place.counter.id)
    assert case.channel == "web" and case.text == TEXT
    thanks = client.get(answer.location).get_data(as_text=True)
    assert case.tracking_code in thanks
    assert f'href="/phan-anh/{case.tracking_code}"' in thanks
    rows = db_session.scalars(
        select(CaseAttachment).where(CaseAttachment.case_id == case.id)
    ).all()
    assert [row.kind for row in rows] == ["jpeg", "pdf"]
    files = stored_files(app)
    assert sorted(p.name for p in files) == sorted(row.storage_key for row in rows)
    photo = (Path(app.instance_path) / FOLDER / rows[0].storage_key).read_bytes()
    assert b"SecretPhone" not in photo
    with Image.open(io.BytesIO(photo)) as image:
        assert not image.getexif()
    contact = db_session.get(CaseContact, case.id)
    assert contact is not None and contact.phone == "0909 123 456"


@pytest.mark.parametrize(
    ("files", "fields", "message"),
    [
        ([], {"text": "x" * 4001}, "Nội dung dài quá 4000 ký tự"),
        ([(EXE, "anh.jpg")], {}, "không phải ảnh"),
        (
            [(pdf(b"/OpenAction << /S /JavaScript /JS (x) >>"), "don.pdf")],
            {},
            "mã chạy",
        ),
        ([(picture("PNG"), f"{n}.png") for n in range(4)], {}, "tối đa 3 tệp"),
        ([(picture("PNG"), "a.png")], {"contact_phone": "0909123456"}, "chưa đánh dấu"),
        ([(picture("PNG"), "a.png")], {"category": "999999"}, "Lĩnh vực"),
    ],
)
def test_a_bad_send_shows_the_form_again_with_the_text_kept_and_stores_nothing(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    place: Place,
    files: list[tuple[bytes, str]],
    fields: dict[str, str],
    message: str,
) -> None:
    before = cases(db_session)
    fields = {"text": TEXT + " <b>in đậm</b> =cmd|' /C calc'!A0"} | fields
    answer = send(client, place, files, **fields)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert message in page
    # What was typed comes back, escaped: never markup.
    if "x" * 4001 not in fields["text"]:
        assert "&lt;b&gt;in đậm&lt;/b&gt; =cmd|&#39; /C calc&#39;!A0" in page
        assert "<b>in đậm</b>" not in page
    assert cases(db_session) == before
    assert stored_files(app) == []


def test_a_file_too_big_is_refused_by_name(
    app: Flask, client: FlaskClient, db_session: Session, place: Place
) -> None:
    # Small sizes: bodies above 500 kB go through temporary files in the client.
    app.config["CASE_FILE_MAX_BYTES"] = 200 * 1024
    noise = bytes(range(256)) * 1024  # 256 kB that no decoder is asked to read
    answer = send(client, place, [(picture("PNG")[:8] + noise, "to.png")])
    assert answer.status_code == 422
    assert "Tệp “to.png” lớn hơn 0.2 MB" in answer.get_data(as_text=True)
    assert stored_files(app) == []


def test_a_huge_upload_gets_a_clear_page_not_a_crash(
    app: Flask, client: FlaskClient, db_session: Session, place: Place
) -> None:
    app.config["CASE_FORM_MAX_BYTES"] = 256 * 1024
    before = cases(db_session)
    answer = send(client, place, [(b"\xff\xd8\xff" + b"0" * 400_000, "lon.jpg")])
    assert answer.status_code == 413
    page = answer.get_data(as_text=True)
    assert "Tệp gửi kèm quá lớn" in page and "tối đa 3 tệp" in page
    assert cases(db_session) == before


def test_a_send_from_another_site_or_without_its_token_stores_nothing(
    client: FlaskClient, db_session: Session, place: Place
) -> None:
    before = cases(db_session)
    data = {"category": str(place.category.id), "text": TEXT}
    assert client.post("/phan-anh", data=data).status_code == 400
    forged = form_of(client) | data
    answer = client.post(
        "/phan-anh", data=forged, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert answer.status_code == 400
    assert cases(db_session) == before


def test_sends_are_limited_per_address(
    app: Flask, client: FlaskClient, db_session: Session, place: Place
) -> None:
    app.config["CASE_LIMIT_ADDRESS"] = "1/minute"
    assert send(client, place).status_code == 303
    assert send(client, place).status_code == 429


def publish(session: Session, case: FeedbackCase, place: Place, text: str) -> None:
    apply(session, case, Action.ASSIGN, place.manager, Step(handler=place.handler))
    apply(session, case, Action.START, place.handler)
    apply(session, case, Action.SUBMIT_ANSWER, place.handler, Step(text=text))
    apply(session, case, Action.PUBLISH_ANSWER, place.manager)
    session.commit()


def test_the_status_page_shows_the_reply_never_personal_data_or_internal_notes(
    client: FlaskClient, db_session: Session, place: Place
) -> None:
    case = sent_case(
        db_session,
        send(
            client,
            place,
            contact_name="Trần Thị Bình",
            contact_email="binh@example.vn",
            consent="y",
        ),
    )
    code = case.tracking_code
    apply(db_session, case, Action.ASSIGN, place.manager, Step(handler=place.handler))
    apply(db_session, case, Action.START, place.handler)
    apply(db_session, case, Action.NOTE, place.handler, Step(text="Ghi chú nội bộ XYZ"))
    apply(
        db_session,
        case,
        Action.SUBMIT_ANSWER,
        place.handler,
        Step(text="Bản nháp <i>chưa duyệt</i>"),
    )
    db_session.commit()
    page = client.get(f"/phan-anh/{code.lower()}").get_data(as_text=True)
    assert "Đang xử lý" in page and code in page
    for secret in (
        "Trần Thị Bình",
        "binh@example.vn",
        "Ghi chú nội bộ XYZ",
        "chưa duyệt",
        place.handler.username,
        TEXT,
    ):
        assert secret not in page
    apply(
        db_session,
        case,
        Action.PUBLISH_ANSWER,
        place.manager,
        Step(text="Đơn vị đã trả kết quả. <script>alert(1)</script>"),
    )
    db_session.commit()
    page = client.get(f"/phan-anh/{code}").get_data(as_text=True)
    assert "Đã có câu trả lời" in page
    assert "Đơn vị đã trả kết quả. &lt;script&gt;alert(1)&lt;/script&gt;" in page
    english = client.get(f"/phan-anh/{code}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Answered" in english
    assert "Very satisfied" in english


def test_rejected_referred_and_merged_cases_say_so_in_plain_words(
    client: FlaskClient, db_session: Session, place: Place
) -> None:
    rejected, referred, duplicate, original = (
        sent_case(db_session, send(client, place)) for _ in range(4)
    )
    apply(
        db_session,
        rejected,
        Action.REJECT,
        place.manager,
        Step(text="Không thuộc thẩm quyền của phường."),
    )
    apply(
        db_session, referred, Action.REFER_OUT, place.manager, Step(body="Công an quận")
    )
    apply(db_session, duplicate, Action.MERGE, place.manager, Step(target=original))
    db_session.commit()
    publish(db_session, original, place, "Đã xử lý chung.")

    def page(case: FeedbackCase) -> str:
        return client.get(f"/phan-anh/{case.tracking_code}").get_data(as_text=True)

    assert "Không thuộc thẩm quyền của phường." in page(rejected)
    assert "Công an quận" in page(referred)
    merged = page(duplicate)
    # The shared answer, never the other citizen's code (their only key).
    assert "Đã xử lý chung." in merged and "giải quyết chung" in merged
    assert original.tracking_code not in merged


def test_an_unknown_code_is_a_friendly_404_and_lookups_are_limited(
    app: Flask, client: FlaskClient, db_session: Session, place: Place
) -> None:
    case = sent_case(db_session, send(client, place))
    typed = case.tracking_code.replace("-", " ").lower().replace("0", "o")
    found = client.get(f"/phan-anh/tra-cuu?code={typed}")
    assert found.status_code == 302
    assert found.location.endswith(f"/phan-anh/{case.tracking_code}")
    assert client.get("/phan-anh/tra-cuu?code=hello").status_code == 404
    missing = client.get("/phan-anh/PA-00000-00000")
    assert missing.status_code == 404
    assert "Không tìm thấy phản ánh" in missing.get_data(as_text=True)
    app.config["CASE_LOOKUP_LIMIT"] = "2/minute"
    statuses = [client.get("/phan-anh/PA-00000-00001").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]


def test_the_reply_is_rated_once(
    app: Flask, client: FlaskClient, db_session: Session, place: Place
) -> None:
    case = sent_case(db_session, send(client, place))
    url = f"/phan-anh/{case.tracking_code}"

    def rate(score: str) -> TestResponse:
        # The page as shown once the answer was published, sent again and again.
        return client.post(f"{url}/danh-gia", data=shown | {"score": score})

    # No rating form before the reply; a forced post is refused.
    assert 'name="score"' not in client.get(url).get_data(as_text=True)
    with app.test_request_context():
        token = page_token.issue(f"phan-anh:{case.tracking_code}")
    early = client.post(f"{url}/danh-gia", data={"page_token": token, "score": "5"})
    assert early.status_code == 409
    publish(db_session, case, place, "Đã trả kết quả.")
    shown = form_of(client, url)
    assert shown["page_token"]
    assert rate("7").status_code == 422
    assert rate("2").status_code == 303
    again = rate("5")
    assert again.status_code == 409
    assert "đã đánh giá câu trả lời này rồi" in again.get_data(as_text=True)
    rating = db_session.get(CaseRating, case.id)
    assert rating is not None and rating.score == 2
    rated = [e for e in history(db_session, case.id) if e.kind == "rated"]
    assert len(rated) == 1 and rated[0].actor == "citizen" and rated[0].user_id is None
    assert "Không hài lòng" in client.get(url).get_data(as_text=True)


def test_a_low_rating_with_a_comment_is_offered_as_a_case_once(
    app: Flask, client: FlaskClient, db_session: Session, place: Place
) -> None:
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    db_session.commit()
    page = client.get(f"/s/{code.token}").get_data(as_text=True)
    comment = "Chờ hai tiếng <b>không ai</b> tiếp."
    form = hidden_fields(page) | {"overall": "1", "comment": comment}
    sent = client.post(f"/s/{code.token}", data=form)
    assert sent.status_code == 303 and "r=" in sent.location
    thanks = client.get(sent.location).get_data(as_text=True)
    assert "Gửi ý kiến này thành phản ánh để được trả lời" in thanks
    offer = re.search(r'name="rating" value="([^"]+)"', thanks)
    assert offer
    made = client.post("/phan-anh/tu-danh-gia", data={"rating": offer.group(1)})
    case = sent_case(db_session, made)
    assert case.channel == "rating" and case.text == comment
    assert (case.unit_id, case.service_point_id) == (point.unit_id, point.id)
    assert case.response_id is not None
    # A second click: the same case.
    again = client.post("/phan-anh/tu-danh-gia", data={"rating": offer.group(1)})
    assert again.location == made.location


def test_no_offer_without_a_low_rating_and_no_case_from_a_forged_token(
    app: Flask, client: FlaskClient, db_session: Session, place: Place
) -> None:
    satisfied = counter_rating(db_session, 5, "Rất tốt.")
    db_session.commit()
    with app.test_request_context():
        token = rating_offer_token(satisfied.id)
    thanks = client.get(f"/s/whatever/thanks?r={token}").get_data(as_text=True)
    assert "case-offer" not in thanks
    before = cases(db_session)
    for forged in (token, str(satisfied.id), token[:-2] + "xx"):
        answer = client.post("/phan-anh/tu-danh-gia", data={"rating": forged})
        assert answer.status_code == 400
    assert cases(db_session) == before
