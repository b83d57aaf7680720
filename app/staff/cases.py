"""Feedback cases (phản ánh, kiến nghị) on the staff side: a unit's lists, the
case page with the steps the workflow allows the reader, and the district's
categories and deadline rules.

Every case comes through ``surveys.access.scope`` (another unit's case is a
404); every step is a POST with its CSRF token, refused steps flash the
workflow's reason, and each answer is a redirect (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.auth import current_scope, current_staff, now, permission_required
from app.db import get_session
from app.i18n import _, translated
from app.labels import ACTIONS, CASE_LISTS, category_name
from app.staff.blueprint import bp
from app.staff.case_forms import (
    CaseFilterForm,
    CaseStepForm,
    CategoryForm,
    DeadlineRuleForm,
)
from app.staff.forms import ConfirmForm
from app.staff.manage import done_redirect, found_in_scope, refused_redirect
from surveys.access.scope import Permission, get_in_scope, units_in_scope
from surveys.cases.case_lists import (
    CaseFilters,
    CaseList,
    list_cases,
    overdue_count,
    possible_handlers,
)
from surveys.cases.categories import (
    CategoryFields,
    categories,
    deactivate_category,
    remove_rule,
    rules,
    save_category,
    set_rule,
)
from surveys.cases.due_dates import OPEN_STATES
from surveys.cases.events import history
from surveys.cases.refusals import CaseError
from surveys.cases.tracking import normalise
from surveys.cases.workflow import Action, Step, apply, personal_data_hints, possible
from surveys.dossiers.calendar import load_calendar
from surveys.dossiers.timing import working_days_late
from surveys.models import (
    AnswerState,
    CaseAnswer,
    CaseCategory,
    CaseDeadlineRule,
    FeedbackCase,
    Unit,
    User,
)
from surveys.units.tree import root_units, subtree_ids


def _invalid() -> str:
    return _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ.")


@bp.app_context_processor
def _overdue_cases() -> dict[str, Callable[[], int]]:
    """Offer the navigation the count of overdue cases in the reader's scope,
    counted only when a page shows the navigation."""

    def count() -> int:
        return overdue_count(get_session(), current_scope().unit_id, now())

    return {"overdue_cases": count}


# Lists ----------------------------------------------------------------------


@bp.get("/cases")
@permission_required(Permission.VIEW)
def cases_home() -> ResponseReturnValue:
    """Open a unit's lists: the one picked, else the reader's own (an admin's:
    the first district); managers start on the new cases, handlers on theirs."""
    code = request.args.get("unit", "")
    if not code:
        unit_id = current_scope().unit_id
        if unit_id is None:
            roots = root_units(get_session())
            if not roots:
                abort(404)
            code = roots[0].code
        else:
            code = get_session().get_one(Unit, unit_id).code
    first = CaseList.NEW if current_scope().can_manage else CaseList.MINE
    which = request.args.get("list", first)
    return redirect(url_for(".unit_cases", unit_code=code, list=which))


@bp.get("/units/<unit_code>/cases")
@permission_required(Permission.VIEW)
def unit_cases(unit_code: str) -> ResponseReturnValue:
    """Show one of the unit's case lists, a page at a time."""
    session, moment = get_session(), now()
    unit = found_in_scope(Unit, unit_code)
    try:
        which = CaseList(request.args.get("list", CaseList.NEW))
    except ValueError:
        abort(404)
    form = CaseFilterForm(request.args)
    form.category.choices = [
        SelectChoice("", _("Mọi lĩnh vực")),
        *(SelectChoice(str(c.id), category_name(c)) for c in categories(session)),
    ]
    form.quarter.choices = [
        SelectChoice("", _("Mọi quý")),
        *(SelectChoice(q, q) for q in _quarters(session, unit.id)),
    ]
    if not form.validate():
        abort(404)
    filters = CaseFilters(
        state=form.state.data or None,
        category_id=int(form.category.data) if form.category.data else None,
        channel=form.channel.data or None,
        quarter=form.quarter.data or None,
    )
    found = list_cases(
        session,
        which,
        unit.id,
        current_staff(),
        moment,
        load_calendar(session),
        page=request.args.get("page", 1, type=int),
        filters=filters,
    )
    query = {name: value for name, value in form.data.items() if value}
    return render_template(
        "staff/cases/list.html",
        unit=unit,
        units=units_in_scope(session, current_scope()),
        which=which,
        lists=CASE_LISTS,
        found=found,
        form=form,
        query=query,
    )


def _quarters(session: Session, unit_id: int) -> list[str]:
    """Return the quarters the unit's cases (and its subunits') were received
    in, the latest first."""
    return list(
        session.scalars(
            select(FeedbackCase.received_quarter)
            .where(FeedbackCase.unit_id.in_(subtree_ids(unit_id)))
            .distinct()
            .order_by(FeedbackCase.received_quarter.desc())
        )
    )


# The case page ----------------------------------------------------------------


def _case(case_id: int) -> FeedbackCase:
    return found_in_scope(FeedbackCase, case_id)


@bp.get("/cases/<int:case_id>")
@permission_required(Permission.VIEW)
def case_page(case_id: int) -> ResponseReturnValue:
    """Show a case, its deadline, history and answers, and the steps allowed."""
    session, user, moment = get_session(), current_staff(), now()
    case = _case(case_id)
    answers = list(
        session.scalars(
            select(CaseAnswer)
            .where(CaseAnswer.case_id == case.id)
            .order_by(CaseAnswer.id)
        )
    )
    submitted = next(
        (a for a in reversed(answers) if a.state == AnswerState.SUBMITTED), None
    )
    events = history(session, case.id)
    unit_ids = {e.from_unit_id for e in events} | {e.to_unit_id for e in events}
    unit_names = dict(
        session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all()
    )
    forms = {
        action: _step_form(case, action, submitted)
        for action in possible(session, user, case)
    }
    return render_template(
        "staff/cases/case.html",
        case=case,
        is_open=case.state in OPEN_STATES,
        days_late=working_days_late(case.due_at, moment, load_calendar(session)),
        events=events,
        unit_names=unit_names,
        answers=answers,
        submitted=submitted,
        hints=personal_data_hints(submitted.text) if submitted else [],
        forms=forms,
        actions=ACTIONS,
        review=current_app.config["CASE_ANSWER_REVIEW"],
    )


def _step_form(
    case: FeedbackCase, action: Action, submitted: CaseAnswer | None
) -> CaseStepForm:
    """Return the form of one step, its pickers filled for this case."""
    form = CaseStepForm(formdata=None, action=action.value)
    if action is Action.ASSIGN:
        form.handler.choices = [
            SelectChoice(str(u.id), u.username)
            for u in possible_handlers(get_session(), case.unit_id)
        ]
    if action is Action.TRANSFER:
        form.unit.choices = [
            SelectChoice(str(u.id), u.name)
            for u in get_session().scalars(
                select(Unit).where(Unit.id != case.unit_id).order_by(Unit.name)
            )
        ]
    if action is Action.PUBLISH_ANSWER and submitted is not None:
        form.text.data = submitted.text
    return form


@bp.post("/cases/<int:case_id>")
@permission_required(Permission.VIEW)
def case_step(case_id: int) -> ResponseReturnValue:
    """Take one workflow step on a case; say what was done or why not."""
    session, user = get_session(), current_staff()
    case = _case(case_id)
    back = {"case_id": case.id}
    form = CaseStepForm()
    if not form.validate_on_submit():
        return refused_redirect(_invalid(), ".case_page", **back)
    action = Action(form.action.data)
    step = Step(
        handler=_handler(case, form.handler.data),
        unit=_unit(form.unit.data),
        text=form.text.data or "",
        body=form.body.data or "",
        target=_target(form.target.data or ""),
    )
    try:
        apply(
            session,
            case,
            action,
            user,
            step,
            review=current_app.config["CASE_ANSWER_REVIEW"],
            now=now(),
        )
    except CaseError as refusal:
        return refused_redirect(translated(refusal.message), ".case_page", **back)
    session.commit()
    flash(_("Đã ghi: %(step)s.", step=ACTIONS[action]))
    if get_in_scope(session, current_scope(), FeedbackCase, case.id) is None:
        # Transferred out of the reader's units: back to the lists.
        return redirect(url_for(".cases_home"))
    return redirect(url_for(".case_page", **back))


def _handler(case: FeedbackCase, value: str | None) -> User | None:
    """Return the user picked, only if the picker offered them."""
    offered = {str(u.id): u for u in possible_handlers(get_session(), case.unit_id)}
    return offered.get(value or "")


def _unit(value: str | None) -> Unit | None:
    if not (value or "").isdigit():
        return None
    return get_session().get(Unit, int(value or ""))


def _target(typed: str) -> FeedbackCase | None:
    """Return the case whose tracking code was typed, if the reader sees it."""
    code = normalise(typed)
    if code is None:
        return None
    return get_session().scalar(
        current_scope().filter(
            select(FeedbackCase).where(FeedbackCase.tracking_code == code),
            FeedbackCase.unit_id,
        )
    )


# Categories and deadline rules (the district) ----------------------------------


def _unit_choices(form: CategoryForm) -> None:
    form.default_unit.choices = [
        SelectChoice("", _("Chưa chọn")),
        *(
            SelectChoice(str(u.id), u.name)
            for u in units_in_scope(get_session(), current_scope())
        ),
    ]


def _fields(form: CategoryForm) -> CategoryFields:
    return CategoryFields(
        code=form.code.data,
        name_vi=form.name_vi.data,
        name_en=form.name_en.data or "",
        group=form.group.data or "",
        description=form.description.data or "",
        public=form.public.data,
        default_unit_id=int(form.default_unit.data) if form.default_unit.data else None,
    )


@bp.route("/case-categories", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def case_categories() -> ResponseReturnValue:
    """List the categories and rules; add a category."""
    session = get_session()
    form = CategoryForm()
    _unit_choices(form)
    if form.validate_on_submit():
        try:
            save_category(session, current_staff(), _fields(form))
        except CaseError as refusal:
            session.rollback()
            form.code.errors.append(translated(refusal.message))
        else:
            return done_redirect(
                _("Đã thêm lĩnh vực “%(name)s”.", name=form.name_vi.data),
                ".case_categories",
            )
    return _categories_page(form)


def _rule_form(found: Sequence[CaseCategory] | None = None) -> DeadlineRuleForm:
    """The rule form, its categories picked from ``found`` (default: read them)."""
    form = DeadlineRuleForm()
    listed = categories(get_session()) if found is None else found
    form.category.choices = [
        SelectChoice("", _("Mọi lĩnh vực")),
        *(SelectChoice(str(c.id), c.name_vi) for c in listed),
    ]
    return form


def _categories_page(form: CategoryForm) -> str:
    session = get_session()
    found = categories(session)
    return render_template(
        "staff/cases/categories.html",
        form=form,
        rule_form=_rule_form(found),
        categories=found,
        names={c.id: c.name_vi for c in found},
        rules=rules(session),
        confirm=ConfirmForm(),
    )


@bp.route("/case-categories/<int:category_id>", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def case_category(category_id: int) -> ResponseReturnValue:
    """Change a category (taking a retired one back into use)."""
    session = get_session()
    category = session.get(CaseCategory, category_id)
    if category is None:
        abort(404)
    data = {
        "code": category.code,
        "name_vi": category.name_vi,
        "name_en": category.name_en,
        "group": category.group,
        "description": category.description,
        "public": category.public,
        "default_unit": str(category.default_unit_id or ""),
    }
    form = CategoryForm(data=data)
    _unit_choices(form)
    if form.validate_on_submit():
        try:
            save_category(session, current_staff(), _fields(form), category)
        except CaseError as refusal:
            session.rollback()
            form.code.errors.append(translated(refusal.message))
        else:
            return done_redirect(
                _("Đã lưu lĩnh vực “%(name)s”.", name=category.name_vi),
                ".case_categories",
            )
    return render_template("staff/cases/category.html", form=form, category=category)


@bp.post("/case-categories/<int:category_id>/deactivate")
@permission_required(Permission.ADMINISTER)
def deactivate_case_category(category_id: int) -> ResponseReturnValue:
    """Stop receiving cases of a category."""
    session = get_session()
    category = session.get(CaseCategory, category_id)
    if category is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        return refused_redirect(_invalid(), ".case_categories")
    deactivate_category(session, current_staff(), category)
    return done_redirect(
        _("Lĩnh vực “%(name)s” đã ngừng nhận phản ánh.", name=category.name_vi),
        ".case_categories",
    )


@bp.post("/case-categories/rules")
@permission_required(Permission.ADMINISTER)
def set_case_rule() -> ResponseReturnValue:
    """Set the working days of a category and channel, for the cases to come."""
    session = get_session()
    form = _rule_form()
    if not form.validate_on_submit():
        return refused_redirect(_invalid(), ".case_categories")
    try:
        set_rule(
            session,
            current_staff(),
            int(form.category.data) if form.category.data else None,
            form.channel.data or None,
            form.working_days.data,
            form.warn_days.data or 0,
            form.note.data or "",
        )
    except CaseError as refusal:
        return refused_redirect(translated(refusal.message), ".case_categories")
    return _rule_done()


@bp.post("/case-categories/rules/<int:rule_id>/remove")
@permission_required(Permission.ADMINISTER)
def remove_case_rule(rule_id: int) -> ResponseReturnValue:
    """Remove a deadline rule; the next more general one applies."""
    session = get_session()
    rule = session.get(CaseDeadlineRule, rule_id)
    if rule is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        return refused_redirect(_invalid(), ".case_categories")
    remove_rule(session, current_staff(), rule)
    return _rule_done()


def _rule_done() -> Response:
    return done_redirect(
        _(
            "Đã lưu thời hạn. Thời hạn mới áp dụng cho phản ánh tiếp nhận từ nay;"
            " phản ánh đã nhận giữ thời hạn đã tính."
        ),
        ".case_categories",
    )
