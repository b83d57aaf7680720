"""OpenRosa views: form list, form, manifest, media files, and submission.

Every request names the enumerator's key in its address; an unknown or
revoked key is 401, a form not assigned to the enumerator 404 (403 on a
submission: the interview is for a unit or campaign outside their scope).
Every answer carries the OpenRosa headers, and every refusal is an
OpenRosaResponse whose message the client shows the enumerator. The domain
work is ``surveys.fieldwork``.
"""

from __future__ import annotations

from flask import Response, current_app, g, request, url_for
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import http_date

from app.db import get_session
from app.errors import PAGES
from app.i18n import _, translated
from app.openrosa.blueprint import bp
from app.openrosa.documents import (
    ListedFile,
    ListedForm,
    form_list,
    manifest,
    openrosa_response,
)
from app.security import (
    Ceiling,
    InvalidCharacters,
    checks_own_ceilings,
    over_ceiling,
    takes_large_uploads,
)
from surveys.db import begin_writing
from surveys.fieldwork.enumerators import EnumeratorAccess, FieldForm, enumerator_access
from surveys.fieldwork.instances import InstanceRefused, read_instance
from surveys.fieldwork.interviews import (
    InterviewRefused,
    check_interview,
    store_interview,
)
from surveys.fieldwork.served_forms import (
    FormNotServed,
    XFormDocument,
    cached_xform,
)
from surveys.local_time import local_date
from surveys.models import Questionnaire, utcnow
from surveys.questionnaire import InvalidAnswers
from surveys.questionnaire.versions import definition_of
from surveys.storage.recording import SubmissionConflict

ADDRESS_CEILING = Ceiling("OPENROSA_LIMIT_ADDRESS", lambda caller: caller.address)
XML = "text/xml; charset=utf-8"
#: Seconds a client refused for its rate is asked to wait.
RETRY_AFTER = 60
#: The multipart part that holds the instance (OpenRosa Form Submission API).
INSTANCE_PART = "xml_submission_file"


class _Refusal(Exception):
    """A request refused: its status and the message for the enumerator."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _answer(body: bytes, status: int = 200, mimetype: str = XML) -> Response:
    return Response(body, status=status, content_type=mimetype)


def _refusal_answer(status: int, message: str) -> Response:
    get_session().rollback()
    answer = _answer(openrosa_response(message, "error"), status)
    if status == 401:
        # No challenge the client could answer: the key is in the address.
        answer.headers["WWW-Authenticate"] = 'Key realm="hailong OpenRosa"'
    if status == 429:
        answer.headers["Retry-After"] = str(RETRY_AFTER)
    return answer


@bp.errorhandler(_Refusal)
def _refused(error: _Refusal) -> Response:
    return _refusal_answer(error.status, error.message)


@bp.errorhandler(InvalidCharacters)
def _invalid_characters(_error: InvalidCharacters) -> Response:
    return _refusal_answer(400, _("Yêu cầu có ký tự không hợp lệ."))


@bp.errorhandler(HTTPException)
@bp.errorhandler(InternalServerError)
def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status == 413:
        limit = current_app.config["OPENROSA_MAX_CONTENT_LENGTH"]
        return _refusal_answer(
            413, _("Phiếu gửi lên lớn quá %(limit)s byte.", limit=limit)
        )
    return _refusal_answer(status, str(PAGES.get(status, PAGES[500])[1]))


@bp.before_request
def _authenticate() -> None:
    """Count the address, then find what the key in the address reaches."""
    if over_ceiling([ADDRESS_CEILING]):
        raise _Refusal(429, _("Quá nhiều yêu cầu: hãy đợi rồi gửi lại."))
    access = enumerator_access(get_session(read_only=True), g.openrosa_key)
    if access is None:
        raise _Refusal(401, _("Khóa điều tra viên không đúng hoặc đã bị thu hồi."))
    g.enumerator = access


@bp.after_request
def _openrosa_headers(answer: Response) -> Response:
    """Mark every answer as an OpenRosa server's, as clients check."""
    answer.headers["X-OpenRosa-Version"] = "1.0"
    answer.headers["Date"] = http_date(utcnow())
    answer.headers["X-OpenRosa-Accept-Content-Length"] = str(
        current_app.config["OPENROSA_MAX_CONTENT_LENGTH"]
    )
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _access() -> EnumeratorAccess:
    return g.enumerator


def _document(form: FieldForm) -> XFormDocument:
    """Return the form's XForm, made from its questionnaire on first use."""
    found = cached_xform(form)
    if found is not None:
        return found
    # pyxform and the workbook writer load on the first form asked for, not
    # when the app starts (tests/test_layering.py).
    from surveys.fieldwork.xforms import xform_document

    stored = get_session().get(Questionnaire, form.questionnaire_id)
    assert stored is not None  # the campaign's questionnaire is RESTRICTed
    return xform_document(form, definition_of(stored))


def _served(form: FieldForm) -> XFormDocument | None:
    try:
        return _document(form)
    except FormNotServed:
        return None


def _assigned(form_id: str) -> tuple[FieldForm, XFormDocument]:
    """Return an assigned form and its document; 404 for any other."""
    form = _access().form(form_id)
    if form is not None:
        try:
            return form, _document(form)
        except FormNotServed as refusal:
            raise _Refusal(404, translated(refusal.message)) from None
    raise _Refusal(404, _("Không có biểu mẫu này trong các địa bàn được giao."))


@bp.get("/formList")
@checks_own_ceilings
def form_list_view() -> Response:
    """List the forms of the enumerator's running assignments (OpenRosa Form List)."""
    today = local_date(utcnow())
    wanted = request.args.get("formID")
    listed = []
    for form in _access().forms:
        if not form.runs_on(today) or wanted not in (None, form.form_id):
            continue
        document = _served(form)
        if document is None:
            continue
        listed.append(
            ListedForm(
                form_id=form.form_id,
                name=form.title,
                version=str(form.questionnaire_version),
                md5=document.md5,
                download_url=url_for(
                    ".form_view", form_id=form.form_id, _external=True
                ),
                manifest_url=url_for(
                    ".manifest_view", form_id=form.form_id, _external=True
                )
                if document.files
                else None,
            )
        )
    return _answer(form_list(listed))


@bp.get("/forms/<form_id>/form.xml")
@checks_own_ceilings
def form_view(form_id: str) -> Response:
    """Send the XForm of an assigned form."""
    _form, document = _assigned(form_id)
    return _answer(document.xml)


@bp.get("/forms/<form_id>/manifest")
@checks_own_ceilings
def manifest_view(form_id: str) -> Response:
    """List the CSV files an assigned form reads (OpenRosa manifest)."""
    _form, document = _assigned(form_id)
    files = [
        ListedFile(
            media.name,
            media.md5,
            url_for(
                ".media_view", form_id=form_id, filename=media.name, _external=True
            ),
        )
        for media in document.files
    ]
    return _answer(manifest(files))


@bp.get("/forms/<form_id>/files/<filename>")
@checks_own_ceilings
def media_view(form_id: str, filename: str) -> Response:
    """Send one CSV file of an assigned form, byte for byte as listed."""
    _form, document = _assigned(form_id)
    media = document.file(filename)
    if media is None:
        raise _Refusal(404, _("Biểu mẫu không có tệp này."))
    return _answer(media.content, mimetype="text/csv; charset=utf-8")


@bp.route("/submission", methods=["HEAD"])
@checks_own_ceilings
def submission_head() -> Response:
    """Answer the client's check before it sends: 204 with the headers."""
    return Response(status=204)


@bp.post("/submission")
@checks_own_ceilings
@takes_large_uploads("OPENROSA_MAX_CONTENT_LENGTH")
def submission() -> Response:
    """Take one interview (OpenRosa Form Submission): stored once, 201."""
    parts = request.files
    part = parts.get(INSTANCE_PART)
    if part is None:
        raise _Refusal(400, _("Thiếu phần xml_submission_file."))
    others = [name for name in parts if name != INSTANCE_PART]
    if others:
        raise _Refusal(
            400,
            _(
                "Biểu mẫu không nhận tệp đính kèm (%(name)s).",
                name=", ".join(sorted(others)),
            ),
        )
    try:
        instance = read_instance(part.read())
    except InstanceRefused as refusal:
        raise _Refusal(400, translated(refusal.message)) from None
    form = _access().form(instance.form_id)
    if form is None:
        raise _Refusal(
            403, _("Phiếu thuộc đợt khảo sát hoặc địa bàn không được giao cho bạn.")
        )
    db = get_session()
    stored = db.get(Questionnaire, form.questionnaire_id)
    assert stored is not None
    now = utcnow()
    try:
        interview = check_interview(form, definition_of(stored), instance, now)
        begin_writing(db)
        recorded = store_interview(db, form, interview, now)
    except InstanceRefused as refusal:
        raise _Refusal(400, translated(refusal.message)) from None
    except InvalidAnswers as invalid:
        details = "; ".join(
            f"{name}: {translated(message)}" for name, message in invalid.errors.items()
        )
        raise _Refusal(
            400, _("Câu trả lời không hợp lệ: %(details)s", details=details)
        ) from None
    except SubmissionConflict:
        raise _Refusal(
            409,
            _("Mã phiếu (instanceID) này đã được gửi với nội dung khác."),
        ) from None
    except InterviewRefused as refusal:
        raise _Refusal(409, translated(refusal.message)) from None
    db.commit()
    if recorded.created:
        message = _("Đã nhận phiếu. Cảm ơn!")
    else:
        message = _("Phiếu này đã được nhận trước đây.")
    return _answer(openrosa_response(message, "submit_success"), 201)
