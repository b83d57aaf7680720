"""Management pages: counters, officials (and their CSV import), access codes,
questionnaires, campaigns, users and units.

Every object comes through ``surveys.access.scope``: another unit's object is a 404,
a page the role may not use is a 403. Every change is a POST with its CSRF token,
answered by a redirect (post/redirect/get) and a flash message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.base import ExecutableOption
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.auth import (
    account_pseudonym,
    current_scope,
    current_staff,
    permission_required,
)
from app.code_sheets import (
    LOCAL_TIME,
    CodeRow,
    code_rows,
    codes_csv,
    end_of_day,
    receipts_pdf,
)
from app.db import get_session
from app.download_audit import record_staff_download
from app.i18n import _, lazy_gettext, ngettext, translated
from app.labels import ROLES, choices
from app.printing import counter_poster_pdf, survey_url
from app.public.forms import first_rows
from app.public.survey import Survey
from app.public_address import (
    UnreachableAddress,
    address_notice,
    printed_base_url,
)
from app.staff.blueprint import bp
from app.staff.forms import (
    AssignForm,
    CampaignForm,
    ConfirmForm,
    CounterForm,
    IssueCodesForm,
    OfficialForm,
    PosterForm,
    QuestionnaireUploadForm,
    RenameForm,
    ResetPasswordForm,
    RevokeForm,
    UnitForm,
    UploadForm,
    UserForm,
)
from app.staff.problems import dropped_notice, explained
from surveys.access.codes import (
    CodeError,
    SampleDesign,
    campaigns_covering,
    counter_campaigns,
    parse_token,
)
from surveys.access.login_throttle import unlock_logins
from surveys.access.scope import (
    Permission,
    get_in_scope,
    official_in_scope,
    units_in_scope,
)
from surveys.access.users import UserError
from surveys.local_time import local_date
from surveys.models import (
    AccessCode,
    Official,
    Role,
    ServicePoint,
    Unit,
    User,
    utcnow,
)
from surveys.questionnaire import DefinitionError, Problem, relevance
from surveys.questionnaire.model import MAX_REPEAT_ROWS
from surveys.questionnaire.paging import pages
from surveys.questionnaire.versions import (
    definition_of,
    latest_versions,
    load_upload,
    versions_of,
)
from surveys.units.campaigns import campaign_status
from surveys.units.management import (
    LocationInAnonymousCampaign,
    ManagementError,
    add_counter,
    add_official,
    add_unit,
    add_user,
    assign_officials,
    campaigns_in_scope,
    create_campaign,
    deactivate_counter,
    deactivate_official,
    deactivate_user,
    import_questionnaire,
    issue_batch,
    issued_between,
    poster_code,
    rename_counter,
    reset_password,
    revoke,
    users_in_scope,
)
from surveys.units.officials_import import ImportRefused, import_officials

T = TypeVar("T")
IMPORT_SUMMARY = "officials_import_summary"
#: Codes issued in one go that the page offers to download, by id range.
BATCH_ARGS = ("campaign", "first", "last")
DOWNLOAD_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def found_in_scope(
    model: type[T], key: int | str, options: Sequence[ExecutableOption] = ()
) -> T:
    """Return the object in the user's scope, or answer 404."""
    found = get_in_scope(get_session(), current_scope(), model, key, options)
    if found is None:
        abort(404)
    return found


def done_redirect(message: str, endpoint: str, **values: Any) -> Response:
    """Commit, say so, and redirect (post/redirect/get)."""
    get_session().commit()
    flash(message)
    return redirect(url_for(endpoint, **values))


@bp.context_processor
def _printed_address() -> dict[str, Callable[[], str | None]]:
    """Offer the staff pages a notice when printed codes lead elsewhere."""
    return {"address_notice": address_notice}


def refused_redirect(message: str, endpoint: str, **values: Any) -> Response:
    """Say why nothing changed and go back to the page the form was on."""
    get_session().rollback()
    flash(message)
    return redirect(url_for(endpoint, **values))


def _deactivate(
    found: ServicePoint | Official,
    deactivate: Callable[[Session, User, Any], None],
    done: LazyString,
    endpoint: str,
) -> Response:
    """Deactivate a counter or an official once confirmed; back to its unit's list."""
    back = {"unit_code": found.unit.code}
    if not ConfirmForm().validate_on_submit():
        return refused_redirect(
            _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."), endpoint, **back
        )
    deactivate(get_session(), current_staff(), found)
    return done_redirect(str(done), endpoint, **back)


# Counters ------------------------------------------------------------------


@bp.route("/units/<unit_code>/counters", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def counters(unit_code: str) -> ResponseReturnValue:
    unit = found_in_scope(
        Unit,
        unit_code,
        [
            selectinload(Unit.service_points).selectinload(ServicePoint.officials),
            selectinload(Unit.officials),
        ],
    )
    form = CounterForm()
    if form.validate_on_submit():
        try:
            add_counter(
                get_session(), current_staff(), unit, form.code.data, form.name.data
            )
        except ManagementError:
            form.code.errors.append(_("Mã này đã được dùng."))
        else:
            return done_redirect(
                _("Đã thêm quầy “%(name)s”.", name=form.name.data),
                ".counters",
                unit_code=unit.code,
            )
    today = datetime.now(LOCAL_TIME).date()
    points = sorted(unit.service_points, key=lambda point: point.code)
    return render_template(
        "staff/manage/counters.html",
        unit=unit,
        form=form,
        points=points,
        officials=[o for o in unit.officials if o.active],
        campaigns={
            point.id: counter_campaigns(get_session(), point, today) for point in points
        },
        confirm=ConfirmForm(),
    )


@bp.post("/counters/<service_point_code>/rename")
@permission_required(Permission.MANAGE)
def rename_counter_view(service_point_code: str) -> ResponseReturnValue:
    point = found_in_scope(ServicePoint, service_point_code)
    form = RenameForm()
    if not form.validate_on_submit():
        return refused_redirect(
            _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."),
            ".counters",
            unit_code=point.unit.code,
        )
    rename_counter(get_session(), current_staff(), point, form.name.data)
    return done_redirect(
        _("Đã đổi tên quầy thành “%(name)s”.", name=point.name),
        ".counters",
        unit_code=point.unit.code,
    )


@bp.post("/counters/<service_point_code>/deactivate")
@permission_required(Permission.MANAGE)
def deactivate_counter_view(service_point_code: str) -> ResponseReturnValue:
    point = found_in_scope(ServicePoint, service_point_code)
    done = lazy_gettext("Quầy “%(name)s” đã ngừng hoạt động.", name=point.name)
    return _deactivate(point, deactivate_counter, done, ".counters")


@bp.post("/counters/<service_point_code>/officials")
@permission_required(Permission.MANAGE)
def assign_officials_view(service_point_code: str) -> ResponseReturnValue:
    point = found_in_scope(
        ServicePoint,
        service_point_code,
        [selectinload(ServicePoint.unit).selectinload(Unit.officials)],
    )
    form = AssignForm()
    available = {o.code: o for o in point.unit.officials if o.active}
    form.officials.choices = list(available)
    if not form.validate_on_submit():
        return refused_redirect(
            _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."),
            ".counters",
            unit_code=point.unit.code,
        )
    chosen = [available[code] for code in form.officials.data]
    assign_officials(get_session(), current_staff(), point, chosen)
    return done_redirect(
        _("Đã cập nhật cán bộ của quầy “%(name)s”.", name=point.name),
        ".counters",
        unit_code=point.unit.code,
    )


@bp.post("/counters/<service_point_code>/poster")
@permission_required(Permission.MANAGE)
def counter_poster(service_point_code: str) -> ResponseReturnValue:
    """Print the counter's A4 poster; its standing code is created the first time."""
    point = found_in_scope(ServicePoint, service_point_code)
    today = datetime.now(LOCAL_TIME).date()
    running = {c.key: c for c in counter_campaigns(get_session(), point, today)}
    form = PosterForm()
    form.campaign.choices = list(running)
    if not form.validate_on_submit():
        return refused_redirect(
            _("Chưa chọn đợt khảo sát tại quầy đang diễn ra."),
            ".counters",
            unit_code=point.unit.code,
        )
    try:
        base = printed_base_url()
    except UnreachableAddress as refused:
        return refused_redirect(refused.message, ".counters", unit_code=point.unit.code)
    try:
        code = poster_code(
            get_session(), current_staff(), running[form.campaign.data], point
        )
    except CodeError:
        return refused_redirect(
            _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."),
            ".counters",
            unit_code=point.unit.code,
        )
    url = survey_url(base, code.token)
    pdf = counter_poster_pdf(point.unit.name, point.name, url, code.token)
    return audited_download(
        pdf,
        "pdf",
        f"poster-{point.code}.pdf",
        audited=("service_point", point.code),
        detail={"document": "poster", "campaign": form.campaign.data},
    )


# Officials ------------------------------------------------------------------


@bp.route("/units/<unit_code>/officials", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def officials(unit_code: str) -> ResponseReturnValue:
    unit = found_in_scope(
        Unit,
        unit_code,
        [selectinload(Unit.officials).selectinload(Official.service_points)],
    )
    form = OfficialForm()
    if form.validate_on_submit():
        try:
            add_official(
                get_session(),
                current_staff(),
                unit,
                form.code.data,
                form.name.data,
                form.title.data,
            )
        except ManagementError:
            form.code.errors.append(_("Đơn vị đã có cán bộ mang mã này."))
        else:
            return done_redirect(
                _("Đã thêm cán bộ “%(name)s”.", name=form.name.data),
                ".officials",
                unit_code=unit.code,
            )
    return render_template(
        "staff/manage/officials.html",
        unit=unit,
        form=form,
        officials=sorted(unit.officials, key=lambda o: (not o.active, o.code)),
        confirm=ConfirmForm(),
    )


@bp.post("/units/<unit_code>/officials/<official_code>/deactivate")
@permission_required(Permission.MANAGE)
def deactivate_official_view(unit_code: str, official_code: str) -> ResponseReturnValue:
    official = official_in_scope(
        get_session(), current_scope(), unit_code, official_code
    )
    if official is None:
        abort(404)
    done = lazy_gettext("Cán bộ “%(name)s” đã ngừng hoạt động.", name=official.name)
    return _deactivate(official, deactivate_official, done, ".officials")


@bp.route("/officials/import", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def import_officials_view() -> ResponseReturnValue:
    form = UploadForm()
    problems = None
    if form.validate_on_submit():
        db = get_session()
        try:
            summary = import_officials(
                db, current_scope(), current_staff(), form.file.data.read()
            )
        except ImportRefused as refused:
            db.rollback()
            problems = refused.problems
        else:
            session[IMPORT_SUMMARY] = [summary.rows, summary.created, summary.updated]
            return done_redirect(
                _("Đã nhập xong danh sách cán bộ."), ".import_officials_done"
            )
    status = 422 if problems else 200
    page = render_template(
        "staff/manage/import.html",
        form=form,
        problems=problems,
        limit_mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
    )
    return page, status


@bp.get("/officials/import/done")
@permission_required(Permission.MANAGE)
def import_officials_done() -> ResponseReturnValue:
    summary = session.get(IMPORT_SUMMARY)
    if summary is None:
        return redirect(url_for(".import_officials_view"))
    rows, created, updated = summary
    return render_template(
        "staff/manage/import_done.html", rows=rows, created=created, updated=updated
    )


# Access codes ----------------------------------------------------------------


@bp.route("/units/<unit_code>/codes", methods=["GET", "POST"])
@permission_required(Permission.MANAGE)
def codes(unit_code: str) -> ResponseReturnValue:
    unit = found_in_scope(Unit, unit_code, [selectinload(Unit.service_points)])
    campaigns = {c.key: c for c in campaigns_covering(get_session(), unit)}
    points = {p.code: p for p in unit.service_points if p.active}
    form = IssueCodesForm()
    form.campaign.choices = [(c.key, f"{c.name} ({c.key})") for c in campaigns.values()]
    form.service_point.choices = [("", "—")] + [
        (p.code, p.name) for p in points.values()
    ]
    if form.validate_on_submit():
        expires_on = form.expires_on.data
        try:
            issued = issue_batch(
                get_session(),
                current_staff(),
                campaigns[form.campaign.data],
                unit,
                form.count.data,
                points.get(form.service_point.data),
                end_of_day(expires_on) if expires_on else None,
                design=SampleDesign(
                    form.stratum.data or None,
                    form.cluster.data or None,
                    form.weight.data,
                ),
            )
        except CodeError:
            form.count.errors.append(
                _(
                    "Không phát được mã cho lựa chọn này (quầy hoặc đợt khảo sát "
                    "không phù hợp)."
                )
            )
        else:
            return done_redirect(
                ngettext(
                    "Đã phát %(num)s mã dùng một lần.",
                    "Đã phát %(num)s mã dùng một lần.",
                    len(issued),
                ),
                ".codes",
                unit_code=unit.code,
                campaign=form.campaign.data,
                first=issued[0].id,
                last=issued[-1].id,
            )
    batch = _batch_args()
    return render_template(
        "staff/manage/codes.html",
        unit=unit,
        form=form,
        revoke_form=RevokeForm(),
        batch=batch,
        has_campaigns=bool(campaigns),
    )


def _batch_args() -> dict[str, str] | None:
    values = {name: request.args.get(name, "") for name in BATCH_ARGS}
    if not all(values.values()) or not (values["first"] + values["last"]).isdigit():
        return None
    return values


def _batch(unit: Unit) -> list[AccessCode]:
    """Return the single-use codes of one issuing, named by the page's query."""
    batch = _batch_args()
    if batch is None:
        return []
    return issued_between(
        get_session(), unit, batch["campaign"], int(batch["first"]), int(batch["last"])
    )


@bp.get("/units/<unit_code>/codes/receipts.pdf")
@permission_required(Permission.MANAGE)
def codes_pdf(unit_code: str) -> ResponseReturnValue:
    return _issued_codes(unit_code, "receipts", "pdf", receipts_pdf)


@bp.get("/units/<unit_code>/codes/codes.csv")
@permission_required(Permission.MANAGE)
def codes_csv_view(unit_code: str) -> ResponseReturnValue:
    return _issued_codes(unit_code, "codes", "csv", codes_csv)


def _issued_codes(
    unit_code: str,
    document: str,
    kind: str,
    render: Callable[[Sequence[CodeRow]], bytes],
) -> ResponseReturnValue:
    """Send one issuing's codes as a receipt sheet or a list, recording the export."""
    unit = found_in_scope(Unit, unit_code)
    issued = _batch(unit)
    if not issued:
        return refused_redirect(
            _("Không còn mã nào của lần phát này."), ".codes", unit_code=unit.code
        )
    try:
        rows = code_rows(issued, printed_base_url())
    except UnreachableAddress as refused:
        return refused_redirect(refused.message, ".codes", unit_code=unit.code)
    return audited_download(
        render(rows),
        kind,
        f"ma-{unit.code}.{kind}",
        audited=("unit", unit.code),
        detail={"document": document, **(_batch_args() or {})},
    )


@bp.post("/units/<unit_code>/codes/revoke")
@permission_required(Permission.MANAGE)
def revoke_code_view(unit_code: str) -> ResponseReturnValue:
    unit = found_in_scope(Unit, unit_code)
    form = RevokeForm()
    code = _code_of(unit, form.token.data) if form.validate_on_submit() else None
    if code is None:
        return refused_redirect(
            _("Không tìm thấy mã này trong đơn vị."), ".codes", unit_code=unit.code
        )
    revoke(get_session(), current_staff(), code, utcnow())
    return done_redirect(
        _("Đã thu hồi mã; mã này không còn nhận đánh giá."),
        ".codes",
        unit_code=unit.code,
    )


def _code_of(unit: Unit, typed: str) -> AccessCode | None:
    """Return the unit's code a person typed (any case, dashes), or None."""
    try:
        token = parse_token(typed)
    except CodeError:
        return None
    code = get_in_scope(get_session(), current_scope(), AccessCode, token)
    return code if code is not None and code.unit_id == unit.id else None


def audited_download(
    body: bytes | Iterator[bytes],
    kind: str,
    filename: str,
    *,
    audited: tuple[str, str],
    detail: dict[str, str],
) -> Response:
    """Send a file, after recording who took which object's file, as reports do.

    Codes and posters let anyone answer as a citizen: each copy must be traceable.
    """
    record_staff_download(*audited, {**detail, "format": kind})
    return Response(
        body if isinstance(body, bytes) else stream_with_context(body),
        mimetype=DOWNLOAD_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# Questionnaires --------------------------------------------------------------


@bp.route("/questionnaires", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def questionnaires() -> ResponseReturnValue:
    form = QuestionnaireUploadForm()
    problems = None
    if form.validate_on_submit():
        upload = form.file.data
        notices: list[Problem] = []
        beside = {
            storage.filename: storage.read()
            for storage in form.data_files.data or []
            if storage.filename
        }
        try:
            loaded = load_upload(
                upload.filename or "", upload.read(), beside, notices=notices
            )
        except DefinitionError as error:
            problems = explained(error.problems)
        else:
            if notice := dropped_notice(notices):
                flash(notice)
            result = import_questionnaire(get_session(), current_staff(), loaded)
            stored = result.stored
            done = (
                _(
                    "Đã lưu bảng hỏi “%(name)s”, phiên bản %(version)s.",
                    name=stored.key,
                    version=stored.version,
                )
                if result.created
                else _(
                    "Bảng hỏi “%(name)s” đã có nội dung này (phiên bản %(version)s); "
                    "không tạo phiên bản mới.",
                    name=stored.key,
                    version=stored.version,
                )
            )
            return done_redirect(
                done,
                ".questionnaire_history",
                questionnaire_key=stored.key,
            )
    page = render_template(
        "staff/manage/questionnaires.html",
        form=form,
        problems=problems,
        latest=latest_versions(get_session()),
    )
    return page, 422 if problems else 200


@bp.get("/questionnaires/<questionnaire_key>")
@permission_required(Permission.ADMINISTER)
def questionnaire_history(questionnaire_key: str) -> ResponseReturnValue:
    versions = versions_of(get_session(), questionnaire_key)
    if not versions:
        abort(404)
    return render_template(
        "staff/manage/questionnaire_history.html",
        key=questionnaire_key,
        versions=versions,
    )


@bp.get("/questionnaires/<questionnaire_key>/<int:version>/preview")
@permission_required(Permission.ADMINISTER)
def questionnaire_preview(questionnaire_key: str, version: int) -> ResponseReturnValue:
    """Show one page of a version as a citizen would see it; nothing can be sent."""
    stored = next(
        (
            v
            for v in versions_of(get_session(), questionnaire_key)
            if v.version == version
        ),
        None,
    )
    if stored is None:
        abort(404)
    definition = definition_of(stored)
    all_pages = pages(definition)
    number = request.args.get("page", 1, type=int)
    if not 1 <= number <= len(all_pages):
        abort(404)
    answers = first_rows(definition, {})
    shown = relevance(definition, answers, runtime_choices={}, today=utcnow().date())
    return render_template(
        "staff/manage/preview.html",
        stored=stored,
        questionnaire=definition,
        number=number,
        total=len(all_pages),
        page=all_pages[number - 1],
        # The citizen's own macros, with no code and no officials behind them.
        survey=Survey(definition),
        answers=answers,
        errors={},
        relevant=shown,
        max_rows=MAX_REPEAT_ROWS,
        # Every option of a filtered select, so staff see the whole list.
        allowed={},
        live_choices=frozenset(),
    )


# Campaigns ---------------------------------------------------------------------


@bp.route("/campaigns", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def campaigns() -> ResponseReturnValue:
    db = get_session()
    scope = current_scope()
    units = {unit.code: unit for unit in units_in_scope(db, scope)}
    latest = {q.key: q for q in latest_versions(db)}
    form = CampaignForm()
    form.unit.choices = [SelectChoice(code, u.name) for code, u in units.items()]
    form.questionnaire.choices = [
        SelectChoice(key, f"{q.title} (v{q.version})") for key, q in latest.items()
    ]
    if form.validate_on_submit():
        try:
            create_campaign(
                db,
                current_staff(),
                key=form.key.data,
                name=form.name.data,
                questionnaire=latest[form.questionnaire.data],
                unit=units[form.unit.data],
                mode=form.mode.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                min_interval_seconds=form.min_interval_seconds.data or 0,
            )
        except LocationInAnonymousCampaign as refused:
            form.mode.errors.append(translated(refused.message))
        except ManagementError:
            form.key.errors.append(_("Mã này đã được dùng."))
        else:
            return done_redirect(
                _("Đã tạo đợt khảo sát “%(name)s”.", name=form.key.data), ".campaigns"
            )
    found = campaigns_in_scope(db, scope)
    today = local_date(utcnow())
    return render_template(
        "staff/manage/campaigns.html",
        form=form,
        campaigns=found,
        statuses={c.id: campaign_status(c, today) for c in found},
    )


# Users -----------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def users() -> ResponseReturnValue:
    db = get_session()
    scope = current_scope()
    actor = current_staff()
    units = {unit.code: unit for unit in units_in_scope(db, scope)}
    form = UserForm()
    form.unit.choices = [SelectChoice("", "—")] + [
        SelectChoice(code, u.name) for code, u in units.items()
    ]
    # Only an admin may make another admin.
    form.role.choices = choices(
        {
            role: name
            for role, name in ROLES.items()
            if role != Role.ADMIN or actor.role == Role.ADMIN
        }
    )
    if form.validate_on_submit():
        try:
            add_user(
                db,
                actor,
                form.username.data.lower(),
                form.password.data,
                form.role.data,
                units.get(form.unit.data),
            )
        except UserError as error:
            form.username.errors.append(
                _(
                    "Không tạo được người dùng: %(reason)s",
                    reason=translated(error.message),
                )
            )
        else:
            return done_redirect(
                _("Đã tạo người dùng “%(username)s”.", username=form.username.data),
                ".users",
            )
    return render_template(
        "staff/manage/users.html",
        form=form,
        users=users_in_scope(db, scope),
        confirm=ConfirmForm(),
        reset=ResetPasswordForm(),
    )


def _user_in_scope(username: str) -> User:
    """Return a user the actor may change: in scope, and no admin for a non-admin."""
    user = found_in_scope(User, username)
    if user.role == Role.ADMIN and current_staff().role != Role.ADMIN:
        abort(403)
    return user


@bp.post("/users/<username>/deactivate")
@permission_required(Permission.ADMINISTER)
def deactivate_user_view(username: str) -> ResponseReturnValue:
    user = _user_in_scope(username)
    if not ConfirmForm().validate_on_submit():
        return refused_redirect(
            _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."), ".users"
        )
    try:
        deactivate_user(get_session(), current_staff(), user)
    except UserError:
        return refused_redirect(
            _("Bạn không thể tự khóa tài khoản của mình."), ".users"
        )
    return done_redirect(
        _(
            "Người dùng “%(username)s” đã bị khóa; mọi phiên đăng nhập của họ đã kết "
            "thúc.",
            username=user.username,
        ),
        ".users",
    )


@bp.post("/users/<username>/password")
@permission_required(Permission.ADMINISTER)
def reset_password_view(username: str) -> ResponseReturnValue:
    user = _user_in_scope(username)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        reasons = [e for errors in form.errors.values() for e in errors]
        return refused_redirect(" ".join(map(str, reasons)), ".users")
    reset_password(get_session(), current_staff(), user, form.password.data)
    return done_redirect(
        _(
            "Đã đặt lại mật khẩu của “%(username)s”; mọi phiên đăng nhập của họ đã "
            "kết thúc.",
            username=user.username,
        ),
        ".users",
    )


@bp.post("/users/<username>/unlock")
@permission_required(Permission.ADMINISTER)
def unlock_user_view(username: str) -> ResponseReturnValue:
    user = _user_in_scope(username)
    if not ConfirmForm().validate_on_submit():
        return refused_redirect(
            _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."), ".users"
        )
    unlock_logins(
        get_session(), user, account_pseudonym(user.username), current_staff().id
    )
    return done_redirect(
        _(
            "Đã bỏ chặn đăng nhập của “%(username)s”: họ có thể đăng nhập lại ngay "
            "từ mọi nơi.",
            username=user.username,
        ),
        ".users",
    )


# Units ---------------------------------------------------------------------------


@bp.route("/units/<unit_code>/children", methods=["POST"])
@permission_required(Permission.ADMINISTER)
def add_unit_view(unit_code: str) -> ResponseReturnValue:
    parent = found_in_scope(Unit, unit_code)
    form = UnitForm()
    if not form.validate_on_submit():
        reasons = [e for errors in form.errors.values() for e in errors]
        return refused_redirect(
            " ".join(map(str, reasons)), ".unit", unit_code=parent.code
        )
    try:
        add_unit(
            get_session(),
            current_staff(),
            parent,
            form.code.data,
            form.name.data,
            form.kind.data,
        )
    except ManagementError:
        return refused_redirect(
            _("Mã này đã được dùng."), ".unit", unit_code=parent.code
        )
    return done_redirect(
        _("Đã thêm đơn vị “%(name)s”.", name=form.name.data),
        ".unit",
        unit_code=parent.code,
    )
