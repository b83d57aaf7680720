"""The citizen's and the business's survey: ``/s/<code>``, page by page, then thanks.

Views stay thin: the questionnaire engine decides what is relevant and valid,
``surveys.storage.recording`` decides what is stored. The server decides skip logic in
every case; the page's small script only shows it sooner. So with cascading
selects (``choice_filter``): a filter on answers of earlier pages is applied
when the page is drawn; one on a question of the same page is drawn with every
option, the script hides those the server's relevance answer leaves out, and
without the script validation refuses an option that does not fit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from app.db import get_session, session_factory
from app.i18n import _, current_language, languages_shown, translated
from app.printing import qr_png, qr_svg, survey_url
from app.public import page_token
from app.public.blank_page import SLOTS, code_key, fill_in, page_key
from app.public.blueprint import bp
from app.public.cache import ExpiringCache
from app.public.cases import offered_response, rating_offer_token
from app.public.forms import (
    SurveyForm,
    edited_rows,
    first_rows,
    form_fields,
    raw_answers,
)
from app.security import (
    Ceiling,
    checks_own_ceilings,
    csrf,
    current_caller,
    give_device_id,
    limit,
    limiter,
    over_ceiling,
)
from surveys.access.code_state import (
    CodeState,
    CodeUnavailable,
    CounterOfficial,
    OpenedCode,
    check_open,
    check_state,
    load_code,
    record_first_opening,
    runtime_choices,
)
from surveys.access.codes import CodeError, parse_token
from surveys.cases.from_rating import may_offer_case
from surveys.db import begin_writing
from surveys.local_time import local_date
from surveys.models import AccessCode, CodeKind, utcnow
from surveys.questionnaire import (
    InvalidAnswers,
    Message,
    Question,
    Questionnaire,
    QuestionType,
    Relevance,
    Section,
    relevance,
    validate_answers,
)
from surveys.questionnaire.model import MAX_REPEAT_ROWS, walk
from surveys.questionnaire.paging import Page, pages, shown_pages
from surveys.questionnaire.validation import Answer, RawAnswers
from surveys.storage.answers import content_hash
from surveys.storage.drafts import load_draft, save_draft
from surveys.storage.recording import (
    StaleChoice,
    Submission,
    SubmissionConflict,
    TooSoon,
    replay_or_raise,
    store_response,
)
from surveys.storage.tallies import catch_up

QR_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
#: The questions whose options a condition in words can list.
SINGLE_CHOICE = (QuestionType.RATING, QuestionType.SELECT_ONE)
#: HTTP status of each reason a code cannot be used (others: 410 Gone). A
#: paused campaign is only unavailable for now.
CODE_STATUS = {CodeState.UNKNOWN: 404, CodeState.PAUSED: 503}
GONE = 410
CACHE = "hailong.survey_cache"

#: The send's rate limits per client, checked by the view itself (see ``Ceiling``).
SEND_CEILINGS = (
    Ceiling("SURVEY_LIMIT_DEVICE", attrgetter("device")),
    Ceiling("SURVEY_LIMIT_ADDRESS", attrgetter("address")),
)
#: A counter's poster is shared by every citizen at it: only a valid send that
#: reaches the write counts against it (``_submit``), so posts refused before
#: (an invalid form, a stale page) cannot lock it; one the write then turns
#: away (a resend already stored, too soon after the device's last) has used
#: one. It is counted as the send is let through, in one step: sends arriving
#: together cannot all pass on one count.
CODE_CEILING = Ceiling("SURVEY_LIMIT_CODE", attrgetter("code"))


#: Catch the tallies up after every this many stored responses (by id), once
#: the answer has gone out; readers of tallies catch up too.
CATCH_UP_EVERY = 100


@dataclass(frozen=True)
class Survey:
    """The view-model of a survey page: its code and questionnaire, plain values.

    Kept in the survey cache for standing codes: nothing in it belongs to a
    database session, so a rolled-back send cannot spoil it for the next visitor.
    """

    questionnaire: Questionnaire
    #: The officials the respondent may rate (the code's counter's).
    officials: tuple[CounterOfficial, ...] = ()
    #: None in a staff preview, which has no code behind it.
    code: OpenedCode | None = None

    @classmethod
    def of(cls, code: OpenedCode) -> Survey:
        return cls(code.questionnaire, code.officials, code)

    @property
    def runtime_choices(self) -> dict[str, list[str]]:
        return runtime_choices(self.officials)

    @property
    def asks_location(self) -> bool:
        """Tell whether a question asks where the respondent is (a geopoint)."""
        return any(
            q.type is QuestionType.GEOPOINT for q in self.questionnaire.questions
        )

    @property
    def carried(self) -> frozenset[str]:
        """Name the questions the code answers itself: never shown, never stored."""
        return self.code.carried if self.code is not None else frozenset()

    def validate(
        self, answers: RawAnswers
    ) -> tuple[dict[str, Answer], dict[str, Message]]:
        """Validate every answer once: the typed values, or the errors (one empty)."""
        try:
            values = validate_answers(self.questionnaire, answers, **self._context())
        except InvalidAnswers as invalid:
            return {}, invalid.errors
        return values, {}

    def options(
        self, question: Question, allowed: Collection[str] | None = None
    ) -> list[tuple[str, Mapping[str, str]]]:
        """Return a select question's values and labels (officials: the counter's).

        ``allowed``: only these values, in the list's order (a filtered select).
        """
        if question.choices_from == "officials":
            return [
                (o.code, {"vi": " – ".join(filter(None, (o.name, o.title)))})
                for o in self.officials
            ]
        return [
            (choice.name, choice.label)
            for choice in self.questionnaire.choices_of(question)
            if allowed is None or choice.name in allowed
        ]

    def relevance(self, answers: RawAnswers) -> Relevance:
        """Tell which questions, sections and options the answers make relevant."""
        return relevance(self.questionnaire, answers, **self._context())

    def shown(self, answers: RawAnswers) -> list[int]:
        return shown_pages(self.questionnaire, answers, **self._context())

    def _context(self) -> dict[str, object]:
        """Return what validation and skip logic read besides the answers."""
        return {
            "runtime_choices": self.runtime_choices,
            "today": _today(),
            "carried": self.carried,
            "language": current_language(),
        }


@bp.record_once
def _make_cache(state: BlueprintSetupState) -> None:
    state.app.extensions[CACHE] = ExpiringCache(
        state.app.config["SURVEY_CACHE_SECONDS"]
    )


def _cache() -> ExpiringCache:
    return current_app.extensions[CACHE]


@bp.get("/s/<token>")
def survey(token: str) -> Response | tuple[str, int]:
    """Show the survey: a blank first page, or the page a saved draft reached.

    A standing code's page may use the code read moments ago, and its blank
    page is rendered once per language and cache period: only the page token
    and the submission id differ between visitors. No session is opened (the
    page is anonymous) and nothing is rate limited here; sending is. A browser
    without a device id gets one (``give_device_id``).
    """
    found = _open(token, cached=True)
    if not isinstance(found, Survey):
        return found
    if found.code.single_use and found.code.opened_at is None:
        _note_first_opening(found.code)
    draft = load_draft(get_session(), found.code) if found.code.single_use else None
    if draft is not None:
        form = SurveyForm(formdata=None)
        form.submission_id.data = draft.submission_id
        answers: RawAnswers = draft.answers
        shown = found.shown(answers)
        page = _clamp(draft.page, shown)
        html = _render(found, form, answers, page, token=None, resumed=True)
    else:
        html = _blank_page(found)
    response = make_response(html)
    give_device_id(response)
    return response


def _note_first_opening(code: OpenedCode) -> None:
    """Record that an invitation was opened (its campaign's funnel), once."""
    session = get_session()
    begin_writing(session)
    record_first_opening(session, code, utcnow())
    session.commit()


@bp.post("/s/<token>")
@csrf.exempt
@checks_own_ceilings
def survey_submit(token: str) -> str | BaseResponse | tuple[str, int]:
    """Take one page of answers: back, next (saving a draft) or the final send.

    Protected by its page token and the same-origin check (``page_token``)
    rather than the session-bound CSRF token of the staff pages.
    """
    if over_ceiling(SEND_CEILINGS):
        abort(429)
    return _take_page(token)


def _take_page(
    token: str, *, cached: bool = True
) -> str | BaseResponse | tuple[str, int]:
    """Answer one posted page (the client's rate limits were counted already).

    With ``cached=False`` the code and its counter's officials are read afresh:
    the send is taken again so after the write found the official it rates
    gone from the counter (``StaleChoice``), and the choice is then refused
    next to its question like any unknown one.
    """
    found = _open(token, cached=cached, check=False)
    if not isinstance(found, Survey):
        return found
    sent_token = request.form.get(page_token.FIELD)
    form = SurveyForm()
    form.validate()
    try:
        started = page_token.started_at(sent_token, found.code.token)
    except page_token.TokenRefused:
        started = None
    if started is None or form.submission_id.errors:
        return render_template("public/survey_error.html", key="session_expired"), 400
    answers = raw_answers(found.questionnaire, request.form)
    try:
        _check_open(found.code)
    except CodeUnavailable as unavailable:
        if unavailable.state is CodeState.PAUSED:
            # The paused page says saved answers are kept: these are saved too.
            shown = found.shown(answers)
            _keep_draft(found, form, answers, _clamp(form.page.data, shown), started)
        return _refused(found, form.submission_id.data, answers, unavailable)
    shown = found.shown(answers)
    page = _clamp(form.page.data, shown)
    action = request.form.get("action", "submit")
    if action == "back":
        return _render(found, form, answers, _step(shown, page, -1), sent_token)
    edited = edited_rows(found.questionnaire, answers, action)
    if edited is not None:  # a row added to a roster, or removed from it
        return _render(found, form, edited, page, sent_token)
    values, errors = found.validate(answers)
    page_names = pages(found.questionnaire)[page].item_names
    page_errors = {n: m for n, m in errors.items() if _asked(n) in page_names}
    if page_errors or form.errors:
        return _render(found, form, answers, page, sent_token, page_errors), 422
    if action == "next" and page != shown[-1]:
        following = _step(shown, page, +1)
        _keep_draft(found, form, answers, following, started)
        return _render(found, form, answers, following, sent_token)
    if errors:
        first = next(
            (
                i
                for i in shown
                if pages(found.questionnaire)[i].item_names & set(map(_asked, errors))
            ),
            shown[-1],
        )
        return _render(found, form, answers, first, sent_token, errors), 422
    return _submit(found, form, answers, values, started)


def _keep_draft(
    found: Survey,
    form: SurveyForm,
    answers: RawAnswers,
    page: int,
    started: datetime,
) -> None:
    """Save the answers so far and the page to come back to (a single-use code's)."""
    session = get_session()
    begin_writing(session)
    save_draft(
        session,
        found.code,
        answers,
        page=page,
        submission_id=form.submission_id.data,
        started_at=started,
        now=utcnow(),
    )
    session.commit()


@bp.post("/s/<token>/relevance")
@csrf.exempt
@limiter.limit(lambda: limit("SURVEY_LIMIT_DEVICE"))
def survey_relevance(token: str) -> Response:
    """Tell the page's script which questions to show for the answers so far."""
    found = _open(token, cached=True)
    if not isinstance(found, Survey):
        abort(404)
    try:
        page_token.started_at(request.form.get(page_token.FIELD), found.code.token)
    except page_token.TokenRefused:
        abort(400)
    shown = found.relevance(raw_answers(found.questionnaire, request.form))
    return jsonify(
        relevant=sorted(shown.questions | shown.sections),
        choices={name: list(values) for name, values in shown.choices.items()},
    )


@bp.get("/s")
def typed_code() -> BaseResponse | tuple[str, int]:
    """Take a code typed by hand (from under a QR code) to its survey."""
    try:
        token = parse_token(request.args.get("code", ""))
    except CodeError:
        return render_template("public/survey_error.html", key="code_unknown"), 404
    return redirect(url_for("public.survey", token=token))


@bp.get("/s/<token>/qr.<any(png, svg):kind>")
def survey_qr(token: str, kind: str) -> Response:
    """Draw the QR code of an existing access code (for screens and reprints)."""
    try:
        token = parse_token(token)
    except CodeError:
        abort(404)
    if (
        get_session().scalar(select(AccessCode.id).where(AccessCode.token == token))
        is None
    ):
        abort(404)
    url = survey_url(current_app.config["PUBLIC_BASE_URL"], token)
    image = qr_png(url) if kind == "png" else qr_svg(url)
    response = Response(image, mimetype=QR_TYPES[kind])
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/s/<token>/thanks")
def thanks(token: str) -> str:
    offer = request.args.get("r")
    if offered_response(get_session(), offer) is None:
        offer = None
    return render_template("public/thanks.html", token=token, case_offer=offer)


def _open(
    token: str, *, cached: bool = False, check: bool = True
) -> Survey | tuple[str, int]:
    """Load the code behind ``token`` if it is open; ``cached``: maybe from the cache.

    Only standing codes are cached (with their counter's officials): whether a
    single-use code was used must be read from the database every time. A cached
    code's revocation shows on the page after at most ``SURVEY_CACHE_SECONDS``
    (a send re-reads it in its write: ``store_response``). With ``check=False``
    any existing code is loaded, whatever its state.
    """
    try:
        # One cache entry per code, however it was typed (case, dashes).
        token = parse_token(token)
    except CodeError:
        return _unavailable_page(CodeState.UNKNOWN)
    found = _cache().get(code_key(token)) if cached else None
    try:
        if not isinstance(found, Survey):
            # Reading takes no write lock: a request that writes (a draft, a
            # response) does so in a transaction of its own afterwards.
            found = Survey.of(load_code(get_session(read_only=True), token))
            if cached and found.code.kind == CodeKind.STANDING:
                _cache().put(code_key(token), found)
        if check:
            _check_open(found.code)
    except CodeUnavailable as unavailable:
        return _unavailable_page(unavailable.state)
    return found


def _check_open(code: OpenedCode) -> None:
    """Check a code as loaded; a single-use code's redemption in the database."""
    if code.single_use:
        check_open(get_session(read_only=True), code, utcnow())
    else:
        check_state(code, utcnow())


def _unavailable_page(state: CodeState) -> tuple[str, int]:
    """Say in plain words why a code cannot be used (404 unknown, 410 otherwise)."""
    page = render_template("public/survey_error.html", key="code", state=state)
    return page, CODE_STATUS.get(state, GONE)


def _refused(
    found: Survey, submission_id: str, answers: RawAnswers, refusal: CodeUnavailable
) -> BaseResponse | tuple[str, int]:
    """Say why the code cannot be used, unless this is a resent earlier send.

    A resent form (a lost connection, a double tap) is answered as the first
    send was, even though that send has since used the code up: thanks again,
    or 409 if the content changed.
    """
    values, errors = found.validate(answers)
    if errors:
        return _unavailable_page(refusal.state)
    try:
        replay_or_raise(
            get_session(),
            found.code.campaign_id,
            submission_id,
            content_hash(values),
            refusal,
        )
    except CodeUnavailable:
        return _unavailable_page(refusal.state)
    except SubmissionConflict:
        return _conflict_page()
    return _thanks(found)


def _thanks(found: Survey, response_id: int | None = None) -> BaseResponse:
    """Go to the thank-you page; with a low rating's response, a token naming it.

    The page then offers to send the rating's comment as a feedback case
    (``app.public.cases``); the token is signed, so no one can name another's.
    """
    offer = {"r": rating_offer_token(response_id)} if response_id else {}
    return redirect(url_for("public.thanks", token=found.code.token, **offer), code=303)


def _conflict_page() -> tuple[str, int]:
    return render_template("public/survey_error.html", key="conflict"), 409


def _blank_page(found: Survey) -> str:
    """Return the blank first page, rendered once and filled in for this visitor."""
    languages = languages_shown(found.questionnaire.languages)
    key = page_key(found.code.token, languages, _today())
    page = _cache().get(key)
    if not isinstance(page, str):
        form = SurveyForm(formdata=None)
        form.submission_id.data = SLOTS["submission_id"]
        page = _render(found, form, {}, found.shown({})[0], SLOTS["page_token"])
        _cache().put(key, page)
    return fill_in(page, page_token.issue(found.code.token))


def _submit(
    found: Survey,
    form: SurveyForm,
    answers: RawAnswers,
    values: dict[str, Answer],
    started: datetime,
) -> BaseResponse | tuple[str, int]:
    """Store a valid send, within its code's limit (``CODE_CEILING``).

    A send taken again after ``StaleChoice`` is counted again: a rare moment
    (an official taken off the counter meanwhile) that errs on the safe side.
    """
    if over_ceiling((CODE_CEILING,)):
        abort(429)
    session = get_session(read_only=True)
    submission = Submission(
        token=found.code.token,
        submission_id=form.submission_id.data,
        answers=answers,
        language=current_language(),
        started_at=_survey_start(session, found.code, started),
        device_hash=current_caller().device,
        address_hash=current_caller().address_of_day,
        phone=(form.phone.data or "").strip() or None,
    )
    # The code was found open and the answers valid before the write; it
    # holds only what must see every committed write (what officials switch by
    # hand, single use, the interval, retries) and the inserts.
    # store_response answers a resent stored send itself.
    begin_writing(session)
    try:
        recorded = store_response(session, found.code, submission, values, utcnow())
    except StaleChoice:
        session.rollback()
        _cache().drop(code_key(found.code.token))
        return _take_page(found.code.token, cached=False)
    except CodeUnavailable as unavailable:
        session.rollback()
        _cache().drop(code_key(found.code.token))
        return _unavailable_page(unavailable.state)
    except SubmissionConflict:
        session.rollback()
        return _conflict_page()
    except TooSoon as too_soon:
        session.rollback()
        minutes = max(1, round(too_soon.retry_after / 60))
        page = render_template(
            "public/survey_error.html", key="too_soon", params={"minutes": minutes}
        )
        return page, 429
    session.commit()
    offer = may_offer_case(found.questionnaire, values)
    answer = _thanks(found, recorded.response_id if offer else None)
    if recorded.created and recorded.response_id % CATCH_UP_EVERY == 0:
        answer.call_on_close(_catch_up_later(current_app._get_current_object()))
    return answer


def _survey_start(session: Session, code: OpenedCode, stamped: datetime) -> datetime:
    """Return when the respondent began: a resumed draft began before its page."""
    draft = load_draft(session, code) if code.single_use else None
    if draft is not None and draft.started_at < stamped:
        return draft.started_at
    return stamped


def _catch_up_later(app: Flask) -> Callable[[], None]:
    """Return a step that catches the tallies up once the answer has gone out."""

    def step() -> None:
        with app.app_context():
            try:
                with session_factory()() as session:
                    catch_up(session)
            except SQLAlchemyError:
                # Readers catch up before they read; nothing is lost.
                app.logger.exception("catching the tallies up failed")

    return step


def _render(
    found: Survey,
    form: SurveyForm,
    answers: RawAnswers,
    page: int,
    token: str | None,
    errors: dict[str, Message] | None = None,
    *,
    resumed: bool = False,
) -> str:
    """Render one page; ``token``: the page token sent (None: issue a new one)."""
    form.page.data = page
    shown = found.shown(answers)
    current: Page = pages(found.questionnaire)[page]
    return render_template(
        "public/survey.html",
        survey=found,
        form=form,
        page_token=token or page_token.issue(found.code.token),
        page=current,
        items=_items(found, page, answers, errors or {}),
        carried=form_fields(found.questionnaire, answers, current.item_names),
        errors=errors or {},
        position=shown.index(page) + 1 if page in shown else 1,
        total=len(shown),
        last=page == shown[-1],
        resumed=resumed,
    )


def _items(
    found: Survey, page: int, answers: RawAnswers, errors: dict[str, Message]
) -> Markup:
    """Render a page's questions; a blank page's are the same for every visitor."""
    key = (
        "items",
        found.questionnaire.checksum,
        found.officials,
        found.carried,
        page,
        languages_shown(found.questionnaire.languages),
        _today(),
    )
    blank = not answers and not errors
    items = _cache().get(key) if blank else None
    if isinstance(items, Markup):
        return items
    answers = first_rows(found.questionnaire, answers)
    relevant = found.relevance(answers)
    current = pages(found.questionnaire)[page]
    live = _filtered_on_page(current)
    items = Markup(
        render_template(
            "public/_items.html",
            survey=found,
            page=current,
            answers=answers,
            relevant=relevant,
            errors=errors,
            max_rows=MAX_REPEAT_ROWS,
            live_choices=live,
            pending=_pending(found, current, answers),
            allowed={
                key: options
                for key, options in relevant.choices.items()
                if _asked(key) not in live
            },
        )
    )
    if blank:
        _cache().put(key, items)
    return items


def _pending(found: Survey, page: Page, answers: RawAnswers) -> dict[str, str]:
    """Name the page's items that its own answers may show or hide, each with
    its condition in words ("" for one inside another such item).

    The page's script shows and hides them as the respondent answers. Without
    it they are all shown (``noscript.css``), each with its condition, and a
    send drops the answers of those that turn out irrelevant, as every send
    does: the page without the script asks every question the script would.
    """
    asked = {q.name: q for q in walk(page.items) if isinstance(q, Question)}
    pending: dict[str, str] = {}

    def visit(items: tuple[Question | Section, ...], inside: bool) -> None:
        for item in items:
            read = item.relevant.references & asked.keys() if item.relevant else set()
            if read:
                questions = [asked[name] for name in sorted(read)]
                pending[item.name] = _condition(found, item, questions, answers)
            elif inside:
                pending[item.name] = ""
            if isinstance(item, Section):
                visit(item.items, inside or bool(read))

    visit(page.items, False)
    return pending


def _condition(
    found: Survey, item: Question | Section, read: list[Question], answers: RawAnswers
) -> str:
    """Say when to answer ``item``: the options of the one question it depends
    on that make it relevant, found by asking the engine with each of them."""
    if len(read) == 1 and read[0].type in SINGLE_CHOICE:
        question = read[0]
        options = found.options(question)
        holding = [
            translated(text)
            for value, text in options
            if item.name in found.relevance({**answers, question.name: value})
        ]
        label = translated(question.label)
        if holding and len(holding) == len(options):
            return _(
                "(Trả lời nếu Ông/Bà đã chọn ở câu “%(question)s”.)", question=label
            )
        if holding:
            return _(
                "(Trả lời nếu ở câu “%(question)s” Ông/Bà chọn: %(options)s.)",
                question=label,
                options=", ".join(holding),
            )
    labelled = [f"“{translated(q.label)}”" for q in read if q.label]
    if not labelled:  # it reads only calculations: shown without a condition
        return ""
    return _(
        "(Trả lời nếu câu này phù hợp với câu trả lời của Ông/Bà ở câu %(questions)s.)",
        questions=", ".join(labelled),
    )


def _asked(key: str) -> str:
    """Name the question an error is about: ``age`` for ``age[2]``, a repeat's row."""
    return key.partition("[")[0]


def _filtered_on_page(page: Page) -> frozenset[str]:
    """Name the selects whose ``choice_filter`` reads a question of the same page.

    They are drawn with every option: the answer they depend on may still
    change on this page, which only the page's script can follow.
    """
    names = page.question_names
    return frozenset(
        item.name
        for item in walk(page.items)
        if isinstance(item, Question)
        and item.choice_filter is not None
        and item.choice_filter.references & names
    )


def _clamp(page: int | None, shown: list[int]) -> int:
    """Return ``page`` if it is shown, else the first shown page at or before it."""
    if page in shown:
        return page
    earlier = [index for index in shown if page is not None and index < page]
    return earlier[-1] if earlier else shown[0]


def _step(shown: list[int], page: int, direction: int) -> int:
    position = shown.index(page) + direction
    return shown[min(max(position, 0), len(shown) - 1)]


def _today() -> date:
    return local_date(utcnow())
