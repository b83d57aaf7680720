"""A campaign's own page: edit, pause, resume, close; how far its invitations got.

Like the campaign list, for roles that administer, each campaign found through
the user's scope (another unit's is a 404). Every change is a POST with its CSRF
token, recorded in the audit trail by its service, then a redirect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session, selectinload
from wtforms.fields.choices import SelectChoice

from app.auth import current_staff, permission_required
from app.code_sheets import LOCAL_TIME
from app.db import get_session
from app.i18n import _, lazy_gettext, translated
from app.labels import code_status_name
from app.spreadsheets import streamed_csv
from app.staff.blueprint import bp
from app.staff.forms import (
    CampaignEditForm,
    CloseCampaignForm,
    CodeFilterForm,
    ConfirmForm,
)
from app.staff.manage import (
    audited_download,
    done_redirect,
    found_in_scope,
    refused_redirect,
)
from surveys.access.invitations import (
    STREAM_CHUNK,
    CodeStatus,
    IssuedCode,
    campaign_strata,
    invitation_funnel,
    issued_codes,
    issued_codes_page,
)
from surveys.access.scope import Permission
from surveys.local_time import local_date
from surveys.models import Campaign, CampaignMode, User, utcnow
from surveys.models import Questionnaire as StoredQuestionnaire
from surveys.questionnaire.versions import latest_versions
from surveys.units.campaigns import (
    CLOSED,
    CampaignRefused,
    campaign_status,
    close_campaign,
    edit_campaign,
    has_responses,
    pause_campaign,
    resume_campaign,
)
from surveys.units.management import LocationInAnonymousCampaign

#: Campaigns whose page shows how far their codes got. Dossier campaigns' codes
#: could be counted alike, but they run to hundreds of thousands (a second's
#: query on every view of the page); their codes are listed on request only.
CODED_MODES = frozenset({CampaignMode.INVITATION})
#: The code list's columns, named in the language of the page that downloads it.
CODES_HEADER = (
    lazy_gettext("Mã"),
    lazy_gettext("Mã in trên phiếu"),
    lazy_gettext("Mã đơn vị"),
    lazy_gettext("Đơn vị"),
    lazy_gettext("Tầng"),
    lazy_gettext("Cụm"),
    lazy_gettext("Trọng số"),
    lazy_gettext("Trạng thái"),
    lazy_gettext("Phát lúc"),
    lazy_gettext("Mở lần đầu lúc"),
    lazy_gettext("Hoàn thành lúc"),
    lazy_gettext("Thu hồi lúc"),
)


def _campaign(campaign_key: str) -> Campaign:
    return found_in_scope(
        Campaign,
        campaign_key,
        [selectinload(Campaign.unit), selectinload(Campaign.questionnaire)],
    )


@bp.route("/campaigns/<campaign_key>", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def campaign(campaign_key: str) -> ResponseReturnValue:
    """Show a campaign, where it stands and its funnel; take its edit form."""
    db = get_session()
    found = _campaign(campaign_key)
    answered = has_responses(db, found)
    offered = _questionnaires(found)
    form = CampaignEditForm(obj=found if request.method == "GET" else None)
    if answered:
        # Fixed once answered: shown as text, neither sent nor checked.
        del form.questionnaire
        del form.mode
    else:
        form.questionnaire.choices = [
            SelectChoice(str(q.id), f"{q.title} (v{q.version})")
            for q in offered.values()
        ]
        if request.method == "GET":
            form.questionnaire.data = str(found.questionnaire_id)
    refusal = None
    if request.method == "POST" and found.closed_at is not None:
        refusal = translated(CLOSED)
    elif form.validate_on_submit():
        try:
            changed = edit_campaign(
                db,
                current_staff(),
                found,
                name=form.name.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                min_interval_seconds=form.min_interval_seconds.data or 0,
                questionnaire=offered[int(form.questionnaire.data)]
                if form.questionnaire
                else None,
                mode=form.mode.data if form.mode else None,
            )
        except LocationInAnonymousCampaign as refused:
            db.rollback()
            form.mode.errors.append(translated(refused.message))
        except CampaignRefused as refused:
            db.rollback()
            refusal = translated(refused.message)
        else:
            if not changed:
                flash(_("Không có gì thay đổi."))
                return redirect(url_for(".campaign", campaign_key=found.key))
            return done_redirect(
                _("Đã lưu thay đổi của đợt khảo sát “%(name)s”.", name=found.name),
                ".campaign",
                campaign_key=found.key,
            )
    page = render_template(
        "staff/manage/campaign.html",
        campaign=found,
        status=campaign_status(found, local_date(utcnow())),
        answered=answered,
        form=form,
        refusal=refusal,
        confirm=ConfirmForm(),
        close_form=CloseCampaignForm(formdata=None),
        funnel=invitation_funnel(db, found) if found.mode in CODED_MODES else None,
    )
    return page, 422 if request.method == "POST" else 200


def _questionnaires(found: Campaign) -> dict[int, StoredQuestionnaire]:
    """Offer the campaign's own version and the latest of every questionnaire."""
    offered = {found.questionnaire.id: found.questionnaire}
    offered |= {q.id: q for q in latest_versions(get_session())}
    return offered


@bp.post("/campaigns/<campaign_key>/pause")
@permission_required(Permission.ADMINISTER)
def pause_campaign_view(campaign_key: str) -> ResponseReturnValue:
    done = lazy_gettext(
        "Đã tạm dừng đợt khảo sát: không nhận phiếu mới cho đến khi tiếp tục; "
        "mã và phiếu đang làm dở vẫn được giữ."
    )
    return _switch(_campaign(campaign_key), ConfirmForm(), pause_campaign, done)


@bp.post("/campaigns/<campaign_key>/resume")
@permission_required(Permission.ADMINISTER)
def resume_campaign_view(campaign_key: str) -> ResponseReturnValue:
    done = lazy_gettext("Đợt khảo sát đã tiếp tục nhận phiếu.")
    return _switch(_campaign(campaign_key), ConfirmForm(), resume_campaign, done)


@bp.post("/campaigns/<campaign_key>/close")
@permission_required(Permission.ADMINISTER)
def close_campaign_view(campaign_key: str) -> ResponseReturnValue:
    done = lazy_gettext("Đã đóng đợt khảo sát: không nhận thêm phiếu nào nữa.")
    return _switch(_campaign(campaign_key), CloseCampaignForm(), close_campaign, done)


def _switch(
    found: Campaign,
    form: FlaskForm,
    change: Callable[[Session, User, Campaign, datetime], None],
    done: LazyString,
) -> ResponseReturnValue:
    """Pause, resume or close a campaign once its form checks; back to its page."""
    if not form.validate_on_submit():
        unconfirmed = isinstance(form, CloseCampaignForm)
        return refused_redirect(
            _("Hãy đánh dấu ô xác nhận để đóng đợt khảo sát.")
            if unconfirmed
            else _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."),
            ".campaign",
            campaign_key=found.key,
        )
    try:
        change(get_session(), current_staff(), found, utcnow())
    except CampaignRefused as refused:
        return refused_redirect(
            translated(refused.message), ".campaign", campaign_key=found.key
        )
    return done_redirect(str(done), ".campaign", campaign_key=found.key)


def _code_filters(found: Campaign) -> tuple[CodeFilterForm, dict[str, str]]:
    """Read the list's filters from the query string; 404 on a value not offered."""
    form = CodeFilterForm(request.args)
    form.stratum.choices = [SelectChoice("", _("Mọi tầng"))] + [
        SelectChoice(stratum, stratum)
        for stratum in campaign_strata(get_session(), found)
    ]
    if not form.validate():
        abort(404)
    return form, {name: value for name, value in form.data.items() if value}


def _filtered(form: CodeFilterForm) -> dict[str, object]:
    return {
        "status": CodeStatus(form.status.data) if form.status.data else None,
        "stratum": form.stratum.data or None,
    }


@bp.get("/campaigns/<campaign_key>/codes")
@permission_required(Permission.ADMINISTER)
def campaign_codes(campaign_key: str) -> ResponseReturnValue:
    """List the campaign's single-use codes and how far each got, a page at a time."""
    found = _campaign(campaign_key)
    form, filters = _code_filters(found)
    page = issued_codes_page(
        get_session(),
        found,
        number=request.args.get("page", 1, type=int),
        **_filtered(form),  # type: ignore[arg-type]
    )
    return render_template(
        "staff/manage/campaign_codes.html",
        campaign=found,
        form=form,
        filters=filters,
        page=page,
    )


@bp.get("/campaigns/<campaign_key>/codes.csv")
@permission_required(Permission.ADMINISTER)
def campaign_codes_csv(campaign_key: str) -> ResponseReturnValue:
    """Download the filtered list of codes; the download is audited."""
    found = _campaign(campaign_key)
    form, filters = _code_filters(found)
    codes = issued_codes(get_session(), found, **_filtered(form))  # type: ignore[arg-type]
    return audited_download(
        _codes_csv(codes),
        "csv",
        f"ma-{found.key}.csv",
        audited=("campaign", found.key),
        detail={"document": "code_statuses", **filters},
    )


def _codes_csv(codes: Iterable[IssuedCode]) -> Iterator[bytes]:
    """Write the codes as a CSV that Excel opens with its diacritics intact,
    a chunk of codes at a time, as ``issued_codes`` reads them."""
    header = [str(name) for name in CODES_HEADER]
    return streamed_csv(header, _code_pages(iter(codes)))


def _code_pages(codes: Iterator[IssuedCode]) -> Iterator[list[tuple[object, ...]]]:
    while page := [_code_row(code) for code in islice(codes, STREAM_CHUNK)]:
        yield page


def _code_row(code: IssuedCode) -> tuple[object, ...]:
    return (
        code.token,
        code.printed,
        code.unit_code,
        code.unit_name,
        code.stratum or "",
        code.cluster or "",
        "" if code.weight is None else code.weight,
        code_status_name(code.status),
        _moment(code.issued_at),
        _moment(code.opened_at),
        _moment(code.completed_at),
        _moment(code.revoked_at),
    )


def _moment(value: datetime | None) -> str:
    """Write an instant in Vietnam time with its offset (``2026-12-06T22:10+07:00``)."""
    if value is None:
        return ""
    return value.astimezone(LOCAL_TIME).isoformat(timespec="minutes")
