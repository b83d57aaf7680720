"""The batch register's pages: batches created, printed, handed out, counted
back and voided by managers of their units only; audited; read by viewers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.staff.paper_batch_forms import MAX_FORMS
from app.staff.paper_batches import PAGE_SIZE, PDF_PART
from surveys.models import (
    AccessCode,
    AuditEvent,
    PaperBatch,
    PaperFormState,
    Role,
    ServicePoint,
    UnitKind,
)
from surveys.paper.form_numbers import format_number
from tests.app.pdf_reading import read_pages
from tests.app.staff_client import csrf_token, log_in, log_out
from tests.builders import make_campaign, make_unit, make_user
from tests.surveys.paper.paper_builders import Paper, key, make_batch, make_paper

PAGE = "/staff/paper"


def manager_of(db_session: Session, paper: Paper, client: FlaskClient) -> None:
    manager = make_user(db_session, paper.unit, Role.UNIT_MANAGER)
    db_session.commit()
    assert log_in(client, manager.username).status_code == 302


def events(db_session: Session, action: str) -> list[AuditEvent]:
    return list(
        db_session.scalars(select(AuditEvent).where(AuditEvent.action == action))
    )


def post(client: FlaskClient, path: str, back: str, **data: str):
    return client.post(path, data={"csrf_token": csrf_token(client, back), **data})


def test_a_manager_creates_prints_and_keeps_the_register(
    client: FlaskClient, db_session: Session
) -> None:
    paper = make_paper(db_session)
    manager_of(db_session, paper, client)
    made = post(
        client,
        f"{PAGE}/new",
        f"{PAGE}/new",
        campaign=paper.campaign.key,
        unit=paper.unit.code,
        service_point="",
        count="3",
        stratum="urban",
        cluster="KP3",
        weight="12.5",
        expires_on="",
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    batch = db_session.scalars(select(PaperBatch)).one()
    assert made.headers["Location"] == f"{PAGE}/{batch.id}"
    codes = [form.access_code for form in batch.forms]
    assert {(c.stratum, c.cluster, c.weight) for c in codes} == {("urban", "KP3", 12.5)}
    first, last = format_number(batch.first_number), format_number(batch.last_number)
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert f"Đã tạo lô 3 phiếu, số {first} đến {last}." in page
    assert f"/staff/entry?number={first}" in page
    assert "/reconcile" not in page  # no form keyed twice yet

    pdf = client.get(f"{PAGE}/{batch.id}/forms.pdf?part=1&language=vi")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    pages = read_pages(pdf.data)
    assert len(pages) == 3
    numbers = range(batch.first_number, batch.last_number + 1)
    assert all(
        f"Phiếu số: {format_number(n)}" in p.strings
        for n, p in zip(numbers, pages, strict=True)
    )
    db_session.expire_all()
    assert batch.printed_at is not None
    (exported,) = events(db_session, "export")
    assert (exported.object_type, exported.object_id) == ("paper_batch", str(batch.id))
    assert exported.detail == {
        "document": "paper_forms",
        "first": first,
        "last": last,
        "language": "vi",
        "format": "pdf",
    }
    english = client.get(f"{PAGE}/{batch.id}/forms.pdf?part=1&language=en")
    assert "Form no.: " in read_pages(english.data)[0].text
    assert client.get(f"{PAGE}/{batch.id}/forms.pdf?part=2").status_code == 404

    back = f"{PAGE}/{batch.id}"
    handed = post(
        client,
        f"{back}/handed-out",
        back,
        recipient="  Tổ dân phố  3 ",
        handed_on="2026-06-02",
    )
    assert handed.status_code == 302
    assert post(client, f"{back}/returned", back, returned="2").status_code == 302
    too_many = post(client, f"{back}/returned", back, returned="4")
    assert "Số phiếu nhận lại (4) phải từ 0 đến 3." in client.get(
        too_many.headers["Location"]
    ).get_data(as_text=True)
    db_session.expire_all()
    assert (batch.handed_out_to, batch.returned_count) == ("Tổ dân phố 3", 2)
    assert batch.handed_out_at == datetime(2026, 6, 1, 17, 0, tzinfo=UTC)
    (handed_event,) = events(db_session, "paper_handed_out")
    assert handed_event.detail == {"unit": paper.unit.code, "to": "Tổ dân phố 3"}
    assert [e.detail["returned"] for e in events(db_session, "paper_returned")] == [2]

    wrong_digit = first[:-1] + str((int(first[-1]) + 1) % 10)
    refused = post(client, f"{back}/void", back, number=wrong_digit)
    assert "Lô này không có phiếu số" in client.get(
        refused.headers["Location"]
    ).get_data(as_text=True)
    assert post(client, f"{back}/void", back, number=first).status_code == 302
    db_session.expire_all()
    voided = batch.forms[0]
    assert voided.state == PaperFormState.VOID
    assert voided.access_code.revoked_at is not None
    assert [e.detail["number"] for e in events(db_session, "paper_form_voided")] == [
        first
    ]
    listed = client.get(PAGE).get_data(as_text=True)
    assert f"{first} – {last}" in listed
    assert "Tổ dân phố 3" in listed


def test_bad_batches_are_refused_with_nothing_stored(
    client: FlaskClient, db_session: Session
) -> None:
    paper = make_paper(db_session)
    closed = make_campaign(
        db_session,
        unit=paper.unit,
        questionnaire=paper.campaign.questionnaire,
        mode="invitation",
        closed_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    elsewhere = make_unit(db_session, name="Phường Khác")
    other_campaign = make_campaign(db_session, unit=elsewhere, mode="invitation")
    manager_of(db_session, paper, client)
    good = {
        "campaign": paper.campaign.key,
        "unit": paper.unit.code,
        "service_point": "",
        "count": "5",
    }
    refusals = [
        ({"count": "0"}, f"Số phiếu phải từ 1 đến {MAX_FORMS}."),
        ({"count": str(MAX_FORMS + 1)}, f"Số phiếu phải từ 1 đến {MAX_FORMS}."),
        ({"count": "mười"}, f"Số phiếu phải từ 1 đến {MAX_FORMS}."),
        ({"campaign": closed.key}, "Lựa chọn không hợp lệ"),
        ({"campaign": other_campaign.key}, "Lựa chọn không hợp lệ"),
        ({"unit": elsewhere.code}, "Lựa chọn không hợp lệ"),
        ({"weight": "-1"}, "Trọng số phải là số dương."),
    ]
    for changed, message in refusals:
        answer = post(client, f"{PAGE}/new", f"{PAGE}/new", **(good | changed))
        assert answer.status_code == 200, changed
        assert message in answer.get_data(as_text=True), changed
    assert db_session.scalar(select(func.count()).select_from(PaperBatch)) == 0
    assert db_session.scalar(select(func.count()).select_from(AccessCode)) == 0


def test_the_campaign_and_counter_must_belong_to_the_unit(
    client: FlaskClient, db_session: Session
) -> None:
    district = make_unit(db_session, name="Quận Giấy", kind=UnitKind.DISTRICT)
    ward, other = make_unit(db_session, district), make_unit(db_session, district)
    campaign = make_campaign(db_session, unit=ward, mode="invitation")
    counters = {
        unit: ServicePoint(code=f"sp-{unit.code}", name="Quầy 1", unit=unit)
        for unit in (ward, other)
    }
    db_session.add_all(counters.values())
    manager = make_user(db_session, district, Role.DISTRICT)
    db_session.commit()
    assert log_in(client, manager.username).status_code == 302
    wanted = {"campaign": campaign.key, "unit": ward.code, "count": "2"}
    refusals = [
        ({"unit": other.code, "service_point": ""}, "không áp dụng cho đơn vị này"),
        (
            {"service_point": counters[other].code},
            "Quầy này không thuộc đơn vị đã chọn.",
        ),
    ]
    for changed, message in refusals:
        answer = post(client, f"{PAGE}/new", f"{PAGE}/new", **(wanted | changed))
        assert answer.status_code == 200
        assert message in answer.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(PaperBatch)) == 0
    assert db_session.scalar(select(func.count()).select_from(AccessCode)) == 0
    made = post(
        client,
        f"{PAGE}/new",
        f"{PAGE}/new",
        **wanted,
        service_point=counters[ward].code,
    )
    assert made.status_code == 302
    batch = db_session.scalars(select(PaperBatch)).one()
    assert (batch.unit_id, batch.service_point_id) == (ward.id, counters[ward].id)
    assert {form.access_code.service_point_id for form in batch.forms} == {
        counters[ward].id
    }


def test_another_units_batch_is_not_found(
    client: FlaskClient, db_session: Session
) -> None:
    paper = make_paper(db_session)
    batch = make_batch(db_session, paper, count=2)
    outsider = make_user(db_session, make_unit(db_session), Role.UNIT_MANAGER)
    db_session.commit()
    assert log_in(client, outsider.username).status_code == 302
    assert f"{PAGE}/{batch.id}" not in client.get(PAGE).get_data(as_text=True)
    assert client.get(f"{PAGE}/{batch.id}").status_code == 404
    assert client.get(f"{PAGE}/{batch.id}/forms.pdf").status_code == 404
    token = csrf_token(client, PAGE)
    for action, data in [
        ("handed-out", {"recipient": "Tổ 1"}),
        ("returned", {"returned": "1"}),
        ("void", {"number": format_number(batch.first_number)}),
    ]:
        answer = client.post(
            f"{PAGE}/{batch.id}/{action}", data={"csrf_token": token, **data}
        )
        assert answer.status_code == 404
    db_session.expire_all()
    assert batch.handed_out_at is None and batch.printed_at is None
    assert {form.state for form in batch.forms} == {PaperFormState.PRINTED}


def test_a_viewer_reads_the_progress_but_changes_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    paper = make_paper(db_session)
    batch = make_batch(db_session, paper, count=2)
    secret = "Góp ý bí mật của hộ dân"
    values = {"visited": "no", "age": "40", "comment": secret}
    key(db_session, batch.forms[0], paper.first, values)
    other = "Góp ý khác của hộ dân"
    key(db_session, batch.forms[0], paper.second, values | {"comment": other})
    key(db_session, batch.forms[1], paper.first, values)
    db_session.commit()
    assert log_in(client, paper.third.username).status_code == 302
    listed = client.get(PAGE).get_data(as_text=True)
    assert 'id="nav-paper"' in listed
    assert f"{PAGE}/new" not in listed
    page = client.get(f"{PAGE}/{batch.id}").get_data(as_text=True)
    assert secret not in page and other not in page
    clerks = re.search(r'<table id="clerks">.*?</table>', page, re.S)
    assert clerks is not None
    assert paper.first.username in clerks.group(0)
    assert paper.second.username in clerks.group(0)
    # Keying in and reconciling are managers' pages: no link to them here.
    assert "/staff/entry" not in page and "/reconcile" not in page
    assert "forms.pdf" not in page and "handed-out" not in page
    assert client.get(f"{PAGE}/new").status_code == 403
    assert client.get(f"{PAGE}/{batch.id}/forms.pdf").status_code == 403
    answer = client.post(
        f"{PAGE}/{batch.id}/handed-out",
        data={"csrf_token": csrf_token(client, PAGE), "recipient": "Tổ 1"},
    )
    assert answer.status_code == 403
    log_out(client)
    manager_of(db_session, paper, client)
    managed = client.get(f"{PAGE}/{batch.id}").get_data(as_text=True)
    first, second = (format_number(form.number) for form in batch.forms)
    assert f"/staff/paper/forms/{first}/reconcile" in managed
    assert f"/staff/entry?number={second}" in managed


def test_the_register_is_paged_newest_first(
    client: FlaskClient, db_session: Session
) -> None:
    paper = make_paper(db_session)
    batches = [make_batch(db_session, paper, count=1) for _ in range(PAGE_SIZE + 1)]
    manager_of(db_session, paper, client)
    first_page = client.get(PAGE).get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'<tr id="batch-(\d+)">', first_page)]
    assert shown == [b.id for b in reversed(batches)][:PAGE_SIZE]
    older = re.search(r'href="(/staff/paper\?before=\d+)" rel="next"', first_page)
    assert older is not None
    second_page = client.get(older.group(1)).get_data(as_text=True)
    assert re.findall(r'<tr id="batch-(\d+)">', second_page) == [str(batches[0].id)]
    assert 'rel="next"' not in second_page


def test_a_large_batch_prints_in_parts(
    client: FlaskClient, db_session: Session
) -> None:
    paper = make_paper(db_session)
    batch = make_batch(db_session, paper, count=PDF_PART + 2)
    manager_of(db_session, paper, client)
    page = client.get(f"{PAGE}/{batch.id}").get_data(as_text=True)
    parts = re.findall(r"forms\.pdf\?part=(\d+)&amp;language=vi", page)
    assert parts == ["1", "2"]
    second = client.get(f"{PAGE}/{batch.id}/forms.pdf?part=2&language=vi")
    pages = read_pages(second.data)
    last_two = [format_number(n) for n in (batch.last_number - 1, batch.last_number)]
    assert all(
        f"Phiếu số: {n}" in p.strings for n, p in zip(last_two, pages, strict=True)
    )
    assert client.get(f"{PAGE}/{batch.id}/forms.pdf?part=3").status_code == 404
