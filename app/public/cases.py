"""The citizen's side of feedback cases: the form, the status page, the rating.

``/phan-anh`` is a plain multipart form that works on a phone without
JavaScript; a refused send shows the form again with what was typed and one
plain message. Case, files and contact are stored in one transaction, the
files renamed into place only after it committed (``surveys.cases.attachments``).
``/phan-anh/<code>`` shows what the citizen may read of a case
(``surveys.cases.citizen_view``) and lets them rate the reply once.

Like the survey, these pages keep no session: each form carries a page token
signed for its purpose and must come from this site (``page_token``). A rating's
thank-you page offers to send its comment as a case with a token naming the
response, signed apart (``RATING_SALT``), so no one can name another's rating.
Sends are limited per address, counted only once a send is well-formed, and
lookups of codes per address too, so codes cannot be tried in bulk.
"""

from __future__ import annotations

from datetime import timedelta
from operator import attrgetter
from pathlib import Path

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse
from wtforms import (
    BooleanField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from app.db import get_session
from app.errors import PAGES
from app.i18n import _, lazy_gettext, translated
from app.labels import category_name
from app.public import page_token
from app.public.blueprint import bp
from app.security import Ceiling, csrf, over_ceiling, takes_large_uploads
from app.translated_form import TranslatedForm
from surveys.cases.attachments import (
    FOLDER,
    FileLimits,
    StagedFiles,
    Upload,
    check_uploads,
    stage,
)
from surveys.cases.citizen_view import citizen_status, find_case, rate_reply
from surveys.cases.contacts import (
    CaseContactRetention,
    ContactDetails,
    check_contact,
    keep_contact,
)
from surveys.cases.events import Actor
from surveys.cases.from_rating import (
    case_from_response,
    offers_case,
    rating_category,
)
from surveys.cases.intake import (
    MAX_TEXT,
    UNKNOWN_CATEGORY,
    NewCase,
    clean_text,
    create_case,
)
from surveys.cases.refusals import CaseError
from surveys.cases.tracking import normalise
from surveys.db import begin_writing
from surveys.models import (
    CaseCategory,
    CaseChannel,
    CaseState,
    FeedbackCase,
    Response,
    ServicePoint,
    Unit,
)
from surveys.questionnaire.messages import RATING_LABELS
from surveys.translatable import N_, Message

#: The page token's value of the case form (``page_token`` signs it).
FORM_PURPOSE = "phan-anh"
#: Names the rating-offer token's signatures apart from every other use of the key.
RATING_SALT = "hailong.case-from-rating"
#: How long after the rating its thank-you page's offer may be taken up. Short:
#: the token rides in the thank-you page's address, and on a shared phone or a
#: counter's tablet the next person could replay it and read the case it made.
RATING_OFFER_SECONDS = 30 * 60

SEND_CEILING = Ceiling("CASE_LIMIT_ADDRESS", attrgetter("address"))
LOOKUP_CEILING = Ceiling("CASE_LOOKUP_LIMIT", attrgetter("address"))

COUNTER_ELSEWHERE = Message(N_("Quầy đã chọn không thuộc đơn vị đã chọn."))

#: Each state as the citizen reads it (a closed case shows how it ended).
CITIZEN_STATES = {
    CaseState.RECEIVED: lazy_gettext("Đã tiếp nhận, đang chờ giao xử lý"),
    CaseState.ASSIGNED: lazy_gettext("Đã giao cho cán bộ xử lý"),
    CaseState.IN_PROGRESS: lazy_gettext("Đang xử lý"),
    CaseState.ANSWERED: lazy_gettext("Đã có câu trả lời"),
    CaseState.REJECTED: lazy_gettext("Không thụ lý"),
    CaseState.REFERRED_OUT: lazy_gettext("Đã chuyển đến cơ quan có thẩm quyền"),
    CaseState.MERGED: lazy_gettext("Được giải quyết cùng một phản ánh khác"),
    CaseState.CLOSED: lazy_gettext("Đã kết thúc"),
}


class CaseForm(TranslatedForm):
    """The citizen's feedback; protected by its page token, not a session."""

    class Meta:
        csrf = False

    category = SelectField(coerce=int)
    unit = SelectField(coerce=int)
    counter = SelectField(coerce=int)
    text = TextAreaField()
    files = MultipleFileField()
    contact_name = StringField()
    contact_phone = StringField()
    contact_email = StringField()
    consent = BooleanField(default=False)


class RatingForm(TranslatedForm):
    class Meta:
        csrf = False

    score = RadioField(
        coerce=int, choices=[SelectChoice(n, str(n)) for n in range(1, 6)]
    )


# The form ---------------------------------------------------------------------


@bp.route("/phan-anh", methods=["GET", "POST"])
@csrf.exempt
@takes_large_uploads("CASE_FORM_MAX_BYTES")
def case_form() -> str | BaseResponse | tuple[str, int]:
    """Show the feedback form; take a send (then the thank-you page)."""
    session = get_session(read_only=True)
    form = CaseForm()
    _fill_choices(session, form)
    if request.method == "GET":
        return _form_page(form)
    if not _token_holds(FORM_PURPOSE):
        return render_template("public/cases/expired.html"), 400
    form.validate()
    try:
        new, contact = _read_case(session, form)
        if over_ceiling((SEND_CEILING,)):
            abort(429)
        files = check_uploads(_uploads(form.files.data), _file_limits())
    except CaseError as refused:
        return _form_page(form, translated(refused.message)), 422
    begin_writing(session)
    staged = StagedFiles()
    try:
        case = create_case(session, new, Actor.CITIZEN)
        staged = stage(session, case, files, _files_folder())
        keep_contact(session, case, contact, contact_retention())
        code = case.tracking_code
        session.commit()
    except CaseError as refused:
        session.rollback()
        staged.discard()
        return _form_page(form, translated(refused.message)), 422
    except BaseException:
        session.rollback()
        staged.discard()
        raise
    staged.keep()
    return redirect(url_for("public.case_sent", code=code), code=303)


def _read_case(session: Session, form: CaseForm) -> tuple[NewCase, ContactDetails]:
    """Read and check the form's fields (not the files); raise ``CaseError``."""
    text = clean_text(form.text.data or "")
    category_id = form.category.data if not form.category.errors else None
    unit_id = None if form.unit.errors else (form.unit.data or None)
    counter_id = None if form.counter.errors else (form.counter.data or None)
    category = session.get(CaseCategory, category_id or 0)
    if category is None or not category.public or not category.active:
        raise CaseError(UNKNOWN_CATEGORY)
    if counter_id is not None:
        counter = session.get(ServicePoint, counter_id)
        unit_id = unit_id or (counter.unit_id if counter else None)
        if counter is None or counter.unit_id != unit_id:
            raise CaseError(COUNTER_ELSEWHERE)
    contact = ContactDetails(
        form.contact_name.data or "",
        form.contact_phone.data or "",
        form.contact_email.data or "",
        bool(form.consent.data),
    )
    check_contact(contact)
    new = NewCase(
        text=text,
        category_id=category.id,
        channel=CaseChannel.WEB,
        unit_id=unit_id,
        service_point_id=counter_id,
    )
    return new, contact


def _uploads(sent: list[FileStorage] | None) -> list[Upload]:
    """Return the files sent, read; the empty part a form sends with none skipped."""
    limit = current_app.config["CASE_FILE_MAX_BYTES"]
    return [
        # One byte more than allowed is enough to tell that it is too big.
        Upload(storage.filename or "", storage.read(limit + 1))
        for storage in sent or []
        if storage.filename
    ]


def _fill_choices(session: Session, form: CaseForm) -> None:
    categories = session.scalars(
        select(CaseCategory)
        .where(CaseCategory.public.is_(True), CaseCategory.active.is_(True))
        .order_by(CaseCategory.group, CaseCategory.name_vi)
    )
    form.category.choices = [SelectChoice(c.id, category_name(c)) for c in categories]
    units = session.scalars(
        select(Unit).order_by(Unit.parent_id.is_not(None), Unit.name)
    )
    form.unit.choices = [SelectChoice(0, _("— Theo lĩnh vực đã chọn —"))] + [
        SelectChoice(u.id, u.name) for u in units
    ]
    counters = session.execute(
        select(ServicePoint.id, ServicePoint.name, Unit.name)
        .join(Unit, Unit.id == ServicePoint.unit_id)
        .where(ServicePoint.active.is_(True))
        .order_by(Unit.name, ServicePoint.name)
    )
    form.counter.choices = [SelectChoice(0, _("— Không chọn —"))] + [
        SelectChoice(point_id, f"{unit_name} – {name}")
        for point_id, name, unit_name in counters
    ]


def _form_page(form: CaseForm, error: str = "") -> str:
    return render_template(
        "public/cases/form.html",
        form=form,
        error=error,
        page_token=page_token.issue(FORM_PURPOSE),
        max_text=MAX_TEXT,
        limits=_file_limits(),
        contact_days=current_app.config["CASE_CONTACT_DAYS"],
    )


@bp.get("/phan-anh/<code>/da-gui")
def case_sent(code: str) -> str:
    """Thank the citizen and show the code to keep, large."""
    return render_template("public/cases/sent.html", code=_known_code(code))


# The status page ----------------------------------------------------------------


@bp.get("/phan-anh/tra-cuu")
def case_lookup() -> str | BaseResponse | tuple[str, int]:
    """Take a typed tracking code to its status page."""
    typed = request.args.get("code", "")
    if not typed:
        return render_template("public/cases/lookup.html", typed="")
    code = normalise(typed)
    if code is None:
        page = render_template("public/cases/lookup.html", typed=typed, wrong=True)
        return page, 404
    return redirect(url_for("public.case_status", code=code))


@bp.get("/phan-anh/<code>")
def case_status(code: str) -> str | tuple[str, int]:
    """Show the state, the deadline and the reply of a case to its citizen."""
    if over_ceiling((LOOKUP_CEILING,)):
        abort(429)
    session = get_session()
    stored = normalise(code)
    case = find_case(session, stored) if stored else None
    if case is None:
        return render_template("public/cases/unknown.html", typed=code), 404
    return _status_page(session, case)


@bp.post("/phan-anh/<code>/danh-gia")
@csrf.exempt
def case_rating(code: str) -> str | BaseResponse | tuple[str, int]:
    """Take the citizen's one rating of the reply."""
    session = get_session(read_only=True)
    stored = normalise(code)
    case = find_case(session, stored) if stored else None
    if case is None:
        return render_template("public/cases/unknown.html", typed=code), 404
    if not _token_holds(f"{FORM_PURPOSE}:{case.tracking_code}"):
        return render_template("public/cases/expired.html"), 400
    form = RatingForm()
    if not form.validate():
        return _status_page(session, case, _("Hãy chọn một mức đánh giá.")), 422
    begin_writing(session)
    try:
        rate_reply(session, case, form.score.data)
    except CaseError as refused:
        session.rollback()
        return _status_page(session, case, translated(refused.message)), 409
    session.commit()
    return redirect(url_for("public.case_status", code=case.tracking_code), code=303)


def _status_page(session: Session, case: FeedbackCase, error: str = "") -> str:
    status = citizen_status(session, case)
    return render_template(
        "public/cases/status.html",
        status=status,
        states=CITIZEN_STATES,
        error=error,
        rating_labels=RATING_LABELS,
        page_token=page_token.issue(f"{FORM_PURPOSE}:{case.tracking_code}"),
    )


# From a rating ------------------------------------------------------------------


def _rating_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=RATING_SALT)


def rating_offer_token(response_id: int) -> str:
    """Return the token a thank-you page carries to offer its rating's case."""
    return _rating_serializer().dumps(response_id)


def offered_response(session: Session, token: str | None) -> Response | None:
    """Return the response a valid offer token names if it offers a case, else None."""
    if not token:
        return None
    try:
        response_id = _rating_serializer().loads(token, max_age=RATING_OFFER_SECONDS)
    except BadSignature:
        return None
    if not isinstance(response_id, int):
        return None
    response = session.get(Response, response_id)
    if response is None or not offers_case(session, response):
        return None
    return response


@bp.post("/phan-anh/tu-danh-gia")
@csrf.exempt
def case_from_rating() -> str | BaseResponse | tuple[str, int]:
    """Turn the citizen's low rating's comment into a case; show its code."""
    session = get_session(read_only=True)
    if not page_token.same_origin():
        return render_template("public/cases/expired.html"), 400
    response = offered_response(session, request.form.get("rating"))
    if response is None:
        return render_template("public/cases/expired.html"), 400
    if over_ceiling((SEND_CEILING,)):
        abort(429)
    begin_writing(session)
    try:
        category = rating_category(session, current_app.config["CASE_RATING_CATEGORY"])
        case = case_from_response(session, response, category, Actor.CITIZEN)
        code = case.tracking_code
    except CaseError as refused:
        session.rollback()
        page = render_template(
            "public/cases/refused.html", message=translated(refused.message)
        )
        return page, 409
    session.commit()
    return redirect(url_for("public.case_sent", code=code), code=303)


# Helpers --------------------------------------------------------------------------


def _token_holds(purpose: str) -> bool:
    try:
        page_token.started_at(request.form.get(page_token.FIELD), purpose)
    except page_token.TokenRefused:
        return False
    return True


def _known_code(code: str) -> str:
    """Return the stored form of a case's code, or answer 404 (lookups limited)."""
    if over_ceiling((LOOKUP_CEILING,)):
        abort(429)
    stored = normalise(code)
    if stored is None or find_case(get_session(), stored) is None:
        abort(404)
    return stored


def _file_limits() -> FileLimits:
    config = current_app.config
    return FileLimits(config["CASE_FILES_MAX"], config["CASE_FILE_MAX_BYTES"])


def _files_folder() -> Path:
    return Path(current_app.instance_path) / FOLDER


def contact_retention() -> CaseContactRetention:
    """Return how long contacts are kept, from the settings (every intake)."""
    days = current_app.config["CASE_CONTACT_DAYS"]
    return CaseContactRetention(after_resolution=timedelta(days=days))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """Say plainly that the files were too big, on the form's own page."""
    if request.endpoint == "public.case_form":
        page = render_template("public/cases/too_large.html", limits=_file_limits())
        return page, 413
    title, text = PAGES[413]
    return render_template("error.html", title=title, text=text), 413
