"""Files with a case: judged by their bytes, pictures cleaned, stored whole or not."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.cases.attachments import (
    FileLimits,
    Upload,
    check_upload,
    check_uploads,
    sniff,
    stage,
    stored_path,
)
from surveys.cases.contacts import ContactDetails, keep_contact
from surveys.cases.refusals import CaseError
from surveys.models import CaseAttachment, FeedbackCase
from tests.builders import make_case, make_unit
from tests.surveys.cases.files import EXE, pdf, picture


def test_the_bytes_say_what_a_file_is_never_its_name() -> None:
    assert sniff(picture("JPEG")) == "jpeg"
    assert sniff(picture("PNG")) == "png"
    assert sniff(picture("WEBP")) == "webp"
    assert sniff(pdf()) == "pdf"
    assert sniff(EXE) is None
    with pytest.raises(CaseError) as refused:
        check_upload(Upload("anh-hien-truong.jpg", EXE))
    assert "anh-hien-truong.jpg" in str(refused.value)
    # A real picture with a strange name is a picture.
    assert check_upload(Upload("scan.exe", picture("PNG"))).kind == "png"


@pytest.mark.parametrize(
    "active",
    [
        pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        pdf(b"/AA << /O << /S /Launch /F (cmd.exe) >> >>"),
        pdf(b"/Names << /EmbeddedFiles << >> >>"),
        # Names may be written with #xx escapes...
        pdf(b"/OpenAction << /S /J#61vaScript /J#53 (x) >>"),
        # ...or hidden in a compressed object stream.
        pdf(compressed=b"<< /S /JavaScript /JS (app.alert(1)) >>"),
    ],
)
def test_a_pdf_that_can_run_something_is_refused(active: bytes) -> None:
    with pytest.raises(CaseError) as refused:
        check_upload(Upload("don.pdf", active))
    assert "PDF" in str(refused.value)


def test_a_plain_pdf_is_kept_as_sent() -> None:
    sent = pdf(b"/Lang (vi) /JSON_like_name_is_fine true")
    checked = check_upload(Upload("don.pdf", sent))
    assert checked.kind == "pdf" and checked.data == sent


def test_pictures_lose_their_exif_and_location() -> None:
    sent = picture("JPEG", gps=True)
    assert b"SecretPhone" in sent
    checked = check_upload(Upload("IMG_0001.JPG", sent))
    assert b"SecretPhone" not in checked.data and b"PhoneMaker" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as cleaned:
        assert cleaned.size == (40, 30)
        assert not cleaned.getexif()


def test_trailing_bytes_after_a_picture_are_dropped() -> None:
    sent = picture("PNG") + b"<script>alert(1)</script>"
    assert b"<script>" not in check_upload(Upload("a.png", sent)).data


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, format="PNG")
    with pytest.raises(CaseError) as refused:
        check_upload(Upload("bom.png", out.getvalue()))
    assert "quá lớn" in str(refused.value)


def test_a_broken_picture_is_refused() -> None:
    with pytest.raises(CaseError):
        check_upload(Upload("a.jpg", picture("JPEG")[:40]))


def test_too_many_or_too_big_files_are_refused() -> None:
    one = Upload("a.png", picture("PNG"))
    with pytest.raises(CaseError) as refused:
        check_uploads([one] * 4)
    assert "3" in str(refused.value)
    with pytest.raises(CaseError) as refused:
        check_uploads([one], FileLimits(max_bytes=len(one.data) - 1))
    assert "a.png" in str(refused.value)
    with pytest.raises(CaseError):
        check_upload(Upload("empty.pdf", b""))


def test_names_come_without_folders_or_control_characters() -> None:
    checked = check_upload(Upload("C:\\Users\\An\\ảnh\x07 1.png", picture("PNG")))
    assert checked.original_name == "ảnh 1.png"


def test_files_get_their_names_only_after_the_commit(
    db_session: Session, tmp_path: Path
) -> None:
    case = make_case(db_session, make_unit(db_session))
    files = check_uploads([Upload("a.png", picture("PNG")), Upload("b.pdf", pdf())])
    staged = stage(db_session, case, files, tmp_path)
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".part", ".part"]
    db_session.commit()
    staged.keep()
    rows = db_session.scalars(
        select(CaseAttachment).where(CaseAttachment.case_id == case.id)
    ).all()
    assert [row.kind for row in rows] == ["png", "pdf"]
    for row, checked in zip(rows, files, strict=True):
        assert stored_path(tmp_path, row).read_bytes() == checked.data
        assert row.sha256 == checked.sha256 and row.size == len(checked.data)
        assert len(row.storage_key) == 32 and row.original_name == checked.original_name


def test_a_failure_after_the_files_were_written_leaves_nothing(
    db_session: Session, tmp_path: Path
) -> None:
    """The web form's sequence: case, files, contact; the contact fails last."""
    cases_before = db_session.scalar(select(func.count(FeedbackCase.id)))
    case = make_case(db_session, make_unit(db_session))
    staged = stage(
        db_session, case, check_uploads([Upload("a.png", picture("PNG"))]), tmp_path
    )
    assert list(tmp_path.iterdir())
    with pytest.raises(CaseError):
        keep_contact(db_session, case, ContactDetails(phone="0909 123 456"))
    db_session.rollback()
    staged.discard()
    assert list(tmp_path.iterdir()) == []
    assert db_session.scalar(select(func.count(CaseAttachment.id))) == 0
    assert db_session.scalar(select(func.count(FeedbackCase.id))) == cases_before
