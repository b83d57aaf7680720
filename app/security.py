"""CSRF protection, request-size limits, rate limits and the day's device pseudonym.

Rate limits count per device, per access code and per network address, each with
its own ceiling: a hundred citizens behind one ward office's NAT share an address
but not a device, so the address ceiling is set high and the device ceiling low.

A device is its address and a random id the survey page gives its browser in a
signed cookie (``DEVICE_COOKIE``), hashed with a key renewed daily. Not the
User-Agent: a script that changes it with every send was a new device every
time. Phones that keep the cookie stay apart behind one NAT; a client that keeps
no cookie is one device per address, whatever it claims to be. A client that
throws its cookie away and fetches a new one is still one address: the address
ceiling and the address burst flag (``surveys.storage.tallies``) see it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import TypeVar

from flask import Config, Flask, Response, current_app, g, request
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature, Signer
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from app.db import READING_METHODS
from surveys.access.codes import CodeError, parse_token
from surveys.access.privacy import address_hash, device_hash
from surveys.local_time import local_date

csrf = CSRFProtect()
F = TypeVar("F", bound=Callable[..., object])

#: The cookie holding the browser's signed device id (``give_device_id``).
DEVICE_COOKIE = "hailong_device"
#: Names the device id's signatures apart from every other use of the secret key.
DEVICE_SALT = "hailong.device-id"
#: A day, as long as the device pseudonym it feeds stays the same.
DEVICE_COOKIE_AGE = 24 * 3600


@dataclass(frozen=True)
class Caller:
    """Who sends a request, as the rate limits and the device pseudonym see it.

    Built once per request from Flask's request (``of_request``).
    """

    #: The client's network, as ``network_of`` names it (after the trusted proxies).
    remote_addr: str | None
    #: The id this server gave the browser (``give_device_id``); "" for none.
    device_id: str
    #: The access code in the path, as typed.
    typed_code: str
    secret_key: str

    @classmethod
    def of_request(cls) -> Caller:
        return cls(
            network_of(request.remote_addr),
            _sent_device_id(),
            (request.view_args or {}).get("token", ""),
            current_app.secret_key,
        )

    @cached_property
    def device(self) -> str:
        """The day's pseudonym of the device (never stored raw)."""
        key = hashlib.sha256(b"device|" + self.secret_key.encode()).digest()
        day = local_date(datetime.now(UTC))
        return device_hash(key, day, self.remote_addr or "", self.device_id)

    @cached_property
    def address_of_day(self) -> str:
        """The day's pseudonym of the client's address, stored with a response."""
        key = hashlib.sha256(b"address-day|" + self.secret_key.encode()).digest()
        day = local_date(datetime.now(UTC))
        return address_hash(key, day, self.remote_addr or "")

    @cached_property
    def address(self) -> str:
        """A pseudonym of the client's address, for the per-address limit.

        Rate-limit counters live for minutes (in Redis with several workers);
        even there no raw address is kept.
        """
        key = hashlib.sha256(b"address|" + self.secret_key.encode()).digest()
        address = (self.remote_addr or "unknown").encode()
        return hmac.new(key, address, hashlib.sha256).hexdigest()[:32]

    @property
    def code(self) -> str:
        """The access code, however it was typed.

        ``ABCDE-FGHJK`` and ``abcdefghjk`` are one code and share its limit.
        """
        try:
            return parse_token(self.typed_code)
        except CodeError:
            return self.typed_code.upper()


def network_of(address: str | None) -> str | None:
    """Name the network a client's address stands for: IPv4 whole, IPv6 by its /64.

    One IPv6 subscriber (a home, a phone, a cloud machine) holds a whole /64,
    2^64 addresses: counted one by one, each new address would be a new client
    to every per-address limit, the login delay and the burst flag.
    """
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


def current_caller() -> Caller:
    """Return the ``Caller`` of this request (made once per request)."""
    if "caller" not in g:
        g.caller = Caller.of_request()
    return g.caller


def _device_signer() -> Signer:
    return Signer(current_app.secret_key, salt=DEVICE_SALT)


def _sent_device_id() -> str:
    """Return the device id the browser sent if this server signed it, else ""."""
    sent = request.cookies.get(DEVICE_COOKIE)
    if not sent:
        return ""
    try:
        return _device_signer().unsign(sent).decode("ascii")
    except BadSignature:
        return ""


def give_device_id(response: Response) -> None:
    """Give the browser a random device id if it sent none (the survey page).

    Signed, so an id is always one this server made; HttpOnly, and sent over
    HTTPS only where the login cookie is. It is no Flask session: the survey
    pages still keep nothing on the server.
    """
    if current_caller().device_id:
        return
    response.set_cookie(
        DEVICE_COOKIE,
        _device_signer().sign(secrets.token_urlsafe(16)).decode("ascii"),
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def current_device() -> str:
    """Return the day's pseudonym of the requesting device (never stored raw)."""
    return current_caller().device


def current_address() -> str:
    """Return a pseudonym of the client's address, for the per-address limit."""
    return current_caller().address


limiter = Limiter(current_device)


@limiter.request_filter
def _reading() -> bool:
    """Let reading requests through unchecked: only what changes state is limited.

    Without this filter every page view would pay for resolving the limits of
    a route it cannot breach (about a tenth of a cached survey page's time).
    """
    if request.method in READING_METHODS:
        return True
    # A view that checks its own ceilings is left alone entirely: it is then
    # also outside any default or application-wide limit (hailong sets none).
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "checks_own_ceilings", False)


def checks_own_ceilings(view: F) -> F:
    """Mark a view that counts its requests itself (``over_ceiling``).

    Flask-Limiter then leaves the view's requests alone entirely.
    """
    view.checks_own_ceilings = True  # type: ignore[attr-defined]
    return view


def takes_large_uploads(setting: str) -> Callable[[F], F]:
    """Mark a view whose uploads may be as large as the ``setting`` says.

    Larger than ``MAX_CONTENT_LENGTH``: a province's export of a year of
    dossiers; or than ``PUBLIC_MAX_CONTENT_LENGTH``: a citizen's feedback with
    its photos. The cap is set before anything reads the form.
    """

    def mark(view: F) -> F:
        view.upload_limit = setting  # type: ignore[attr-defined]
        return view

    return mark


def limit(setting: str) -> str:
    """Read a limit string (``"20/minute"``) from the configuration at request time."""
    return current_app.config[setting]


@dataclass(frozen=True)
class Ceiling:
    """A rate limit that a busy view checks itself, on Flask-Limiter's storage.

    Flask-Limiter's decorators resolve, filter and evaluate every limit of a
    route on each request: about 0.3 ms for the survey send's three, more than
    a fifth of a rating's time. A view that is sent thousands of times a minute
    calls the same strategy and storage (memory, or Redis when configured)
    directly instead, at a few microseconds a limit.
    """

    #: The configuration key of the limit string (``"30/minute;500/day"``).
    setting: str
    #: What the limit counts per: ``Caller.device``, ``.address`` or ``.code``.
    key: Callable[[Caller], str]

    def allows(self, caller: Caller, config: Config) -> bool:
        """Count one request of ``caller``; tell whether it is within the ceiling.

        Counting and checking are one step of the storage (an increment that
        returns the new count), so requests arriving together cannot all pass
        on one count. Keys carry Flask-Limiter's ``RATELIMIT_KEY_PREFIX``, as
        its own do.
        """
        prefix = config.get("RATELIMIT_KEY_PREFIX", "")
        key, scope = self.key(caller), f"{prefix}{self.setting}"
        return all(
            limiter.limiter.hit(item, scope, key)
            for item in _parsed(config[self.setting])
        )


def over_ceiling(
    ceilings: Iterable[Ceiling], caller: Caller | None = None, app: Flask | None = None
) -> bool:
    """Count a request against ``ceilings``; tell whether one is exceeded.

    ``caller`` and ``app`` default to this request's and the current app. With
    ``RATELIMIT_SWALLOW_ERRORS`` an unreachable storage lets the request
    through, as Flask-Limiter's own checks do.
    """
    app = app or current_app
    if not _limits_on(app):
        return False
    caller = caller or current_caller()
    try:
        return not all(c.allows(caller, app.config) for c in ceilings)
    except Exception:
        if not app.config.get("RATELIMIT_SWALLOW_ERRORS", False):
            raise
        app.logger.exception("rate-limit storage failed; request let through")
    return False


def _limits_on(app: Flask) -> bool:
    return bool(app.config.get("RATELIMIT_ENABLED", True))


@lru_cache(maxsize=64)
def _parsed(limits: str) -> list[RateLimitItem]:
    return parse_many(limits)


def trust_proxies(app: Flask) -> None:
    """Read the client's address and scheme from the configured proxies' headers."""
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


class InvalidCharacters(BadRequest):
    """A request carries a NUL character, which no browser sends from a form."""


def _refuse_nul_characters() -> None:
    """Refuse a NUL anywhere in the address or the form, before it reaches a query.

    PostgreSQL cannot store or compare a text with one (SQLite would store it),
    so one NUL in a path segment or a comment would be a 500 on one database
    and a stored oddity on the other.
    """
    texts = [request.path, *request.args.values()]
    if request.method not in READING_METHODS:
        texts += request.form.values()
    if any("\x00" in text for text in texts):
        raise InvalidCharacters()


def init_app(app: Flask) -> None:
    """Cap citizen requests, then CSRF and limits (proxies: ``trust_proxies``)."""

    # Registered before CSRFProtect, which reads the form: a citizen's form is
    # small, so the public pages refuse big bodies (413) before anything parses.
    @app.before_request
    def _cap_public_requests() -> None:
        view = app.view_functions.get(request.endpoint or "")
        setting = getattr(view, "upload_limit", None)
        if setting is not None:
            request.max_content_length = app.config[setting]
        elif request.blueprint == "public":
            request.max_content_length = app.config["PUBLIC_MAX_CONTENT_LENGTH"]

    # After the cap (it reads the form) and before anything looks a value up.
    app.before_request(_refuse_nul_characters)
    csrf.init_app(app)
    limiter.init_app(app)
