"""Access codes: issuing, finding and revoking the tokens that QR codes carry.

A token is random, unguessable, and short enough to type from a receipt. A counter
has one standing code (its poster); a dossier receipt or an invitation gets a
single-use code, which may carry the dossier's keyed hash and sample-design fields.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from surveys.access.privacy import dossier_hash
from surveys.models import (
    AccessCode,
    Campaign,
    CampaignMode,
    CodeKind,
    ServicePoint,
    Unit,
)
from surveys.translatable import N_, Message

#: Letters and digits that cannot be misread for one another (no 0/O, 1/I/L, U/V).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
TOKEN_LENGTH = 10  # 29**10 ≈ 4.2e14 possible tokens
#: Tokens are shown in groups of this many characters, joined by a dash.
GROUP = 5
MAX_CODES = 10_000
#: Design labels fit the model's columns.
MAX_LABEL = 64
#: Tokens looked up per query, well under every database's parameter limit.
LOOKUP_CHUNK = 1000
#: Rounds of redrawing colliding tokens before giving up (each is ~1e-10 likely).
MAX_DRAWS = 5

_SEPARATORS = re.compile(r"[\s\-]+")


class CodeError(ValueError):
    """Codes cannot be issued or read as asked; the message names the bad value."""


class CampaignClosed(CodeError):
    """The campaign is closed: a code issued now would change its final figures."""

    def __init__(self, campaign: Campaign) -> None:
        self.message = Message(
            N_(
                "Đợt khảo sát “%(campaign)s” đã kết thúc: không phát thêm mã, để tỷ"
                " lệ trả lời cuối cùng không thay đổi."
            ),
            {"campaign": campaign.name},
        )
        super().__init__(str(self.message))


@dataclass(frozen=True)
class SampleDesign:
    """Where a sampled business or household sits in the sample design."""

    stratum: str | None = None
    cluster: str | None = None
    #: The inverse of the inclusion probability; positive.
    weight: float | None = None


#: Random bytes below this (8 x 29) map to a letter without bias; the rest are
#: drawn again.
_UNBIASED = 256 - 256 % len(ALPHABET)
_LETTERS = bytes.maketrans(
    bytes(range(_UNBIASED)), ALPHABET.encode() * (_UNBIASED // len(ALPHABET))
)
_REDRAWN = bytes(range(_UNBIASED, 256))


def new_token() -> str:
    """Draw a token from the operating system's secure random source."""
    return new_tokens(1)[0]


def new_tokens(count: int) -> list[str]:
    """Draw ``count`` tokens at once, as ``new_token`` does, for issuing in bulk.

    One read of the secure source and one byte translation give every letter:
    a dossier import's 200,000 codes take a tenth of a second, not two.
    """
    needed = count * TOKEN_LENGTH
    letters = b""
    while len(letters) < needed:
        missing = needed - len(letters)
        drawn = secrets.token_bytes(missing * 256 // _UNBIASED + 8)
        letters += drawn.translate(_LETTERS, _REDRAWN)
    text = letters[:needed].decode()
    return [
        text[start : start + TOKEN_LENGTH] for start in range(0, needed, TOKEN_LENGTH)
    ]


def format_token(token: str) -> str:
    """Group a token for reading aloud and typing: ``ABCDE-FGHJK``."""
    return "-".join(token[i : i + GROUP] for i in range(0, len(token), GROUP))


def parse_token(text: str) -> str:
    """Return the token a person typed, in any case, with spaces or dashes."""
    token = _SEPARATORS.sub("", text).upper()
    if len(token) != TOKEN_LENGTH or any(char not in ALPHABET for char in token):
        raise CodeError(
            f"{text!r} is not an access code: {TOKEN_LENGTH} letters and digits"
            f" from {ALPHABET}"
        )
    return token


def issue_codes(
    session: Session,
    campaign: Campaign,
    unit: Unit,
    count: int,
    *,
    kind: CodeKind | str,
    service_point: ServicePoint | None = None,
    expires_at: datetime | None = None,
    dossier_codes: Sequence[str] | None = None,
    dossier_key: bytes | None = None,
    design: SampleDesign | None = None,
) -> list[AccessCode]:
    """Create ``count`` codes for ``unit`` in ``campaign``; flush, never commit.

    ``dossier_codes`` (one per code, single-use only) are stored solely as their
    keyed hash under ``dossier_key``; ``design`` applies to every code issued.
    Raises ``CodeError`` naming the first bad argument (``CampaignClosed`` for a
    closed campaign); nothing is created then.
    """
    if campaign.closed_at is not None:
        raise CampaignClosed(campaign)
    kind = _code_kind(kind)
    _check_count(count)
    _check_scope(campaign, unit)
    _check_service_point(unit, service_point)
    _check_expiry(expires_at)
    if kind is CodeKind.STANDING and (dossier_codes is not None or design is not None):
        raise CodeError("only single-use codes carry a dossier or a sample design")
    design = design or SampleDesign()
    check_design(design)
    hashes = _dossier_hashes(session, campaign, count, dossier_codes, dossier_key)
    codes = [
        AccessCode(
            token=token,
            campaign=campaign,
            unit=unit,
            service_point=service_point,
            kind=kind,
            dossier_hash=hashed,
            stratum=design.stratum,
            cluster=design.cluster,
            weight=design.weight,
            expires_at=expires_at,
        )
        for token, hashed in zip(_fresh_tokens(session, count), hashes, strict=True)
    ]
    session.add_all(codes)
    session.flush()
    return codes


def standing_code_in_use(
    session: Session, campaign: Campaign, service_point: ServicePoint
) -> AccessCode | None:
    """Return the counter's unrevoked standing code in ``campaign``, if it has one."""
    return session.scalar(
        select(AccessCode)
        .where(
            AccessCode.campaign_id == campaign.id,
            AccessCode.service_point_id == service_point.id,
            AccessCode.kind == CodeKind.STANDING,
            AccessCode.revoked_at.is_(None),
        )
        .order_by(AccessCode.id)
        .limit(1)
    )


def counter_campaigns(
    session: Session, service_point: ServicePoint, today: date
) -> list[Campaign]:
    """Return the counter-mode campaigns running today that cover this counter.

    A paused one is among them: its posters stay valid for when it resumes.
    """
    return list(
        session.scalars(
            select(Campaign)
            .where(
                Campaign.mode == CampaignMode.COUNTER,
                Campaign.closed_at.is_(None),
                Campaign.unit_id.in_(_lineage(service_point.unit)),
                Campaign.starts_on <= today,
                or_(Campaign.ends_on.is_(None), Campaign.ends_on >= today),
            )
            .order_by(Campaign.key)
        )
    )


def campaigns_covering(session: Session, unit: Unit) -> list[Campaign]:
    """Return the open campaigns whose scope includes ``unit``, newest first.

    A closed one is left out: codes issued for it would change its final figures.
    """
    return list(
        session.scalars(
            select(Campaign)
            .where(Campaign.unit_id.in_(_lineage(unit)), Campaign.closed_at.is_(None))
            .order_by(Campaign.starts_on.desc(), Campaign.key)
        )
    )


def revoke_code(session: Session, code: AccessCode, now: datetime) -> AccessCode:
    """Stop a code from taking responses; revoking twice keeps the first instant."""
    _check_aware(now, "now")
    if code.revoked_at is None:
        code.revoked_at = now
        session.flush()
    return code


def _code_kind(kind: CodeKind | str) -> CodeKind:
    try:
        return CodeKind(kind)
    except ValueError:
        choices = ", ".join(member.value for member in CodeKind)
        raise CodeError(f"kind {kind!r} is not one of: {choices}") from None


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int):
        raise CodeError(f"count {count!r} is not a whole number")
    if not 1 <= count <= MAX_CODES:
        raise CodeError(f"count {count} is not between 1 and {MAX_CODES}")


def _check_scope(campaign: Campaign, unit: Unit) -> None:
    """Refuse a unit outside the campaign's unit and its descendants."""
    if campaign.unit_id in _lineage(unit):
        return
    raise CodeError(
        f"unit {unit.code!r} is outside the scope of campaign {campaign.key!r}"
        f" ({campaign.unit.code!r} and the units under it)"
    )


def _lineage(unit: Unit) -> list[int]:
    """Return the ids of ``unit`` and of every unit above it."""
    ids = []
    node: Unit | None = unit
    while node is not None:
        ids.append(node.id)
        node = node.parent
    return ids


def _check_service_point(unit: Unit, service_point: ServicePoint | None) -> None:
    if service_point is None:
        return
    if service_point.unit_id != unit.id:
        raise CodeError(
            f"counter {service_point.code!r} does not belong to unit {unit.code!r}"
        )
    if not service_point.active:
        raise CodeError(f"counter {service_point.code!r} is not active")


def _check_expiry(expires_at: datetime | None) -> None:
    if expires_at is not None:
        _check_aware(expires_at, "expires_at")


def _check_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None:
        raise CodeError(f"{name} {moment!r} is naive: pass an aware datetime")


def check_design(design: SampleDesign) -> None:
    """Raise ``CodeError`` unless the design's labels fit and its weight is positive."""
    for name in ("stratum", "cluster"):
        label = getattr(design, name)
        if label is not None and not 1 <= len(label) <= MAX_LABEL:
            raise CodeError(f"{name} {label!r} must have 1 to {MAX_LABEL} characters")
    weight = design.weight
    if weight is not None and not (math.isfinite(weight) and weight > 0):
        raise CodeError(f"weight {weight!r} must be a positive number")


def _dossier_hashes(
    session: Session,
    campaign: Campaign,
    count: int,
    dossier_codes: Sequence[str] | None,
    key: bytes | None,
) -> list[str | None]:
    """Hash one dossier code per code issued; refuse blanks, repeats and reissues."""
    if dossier_codes is None:
        return [None] * count
    if not key:
        raise CodeError("dossier codes need the key they are hashed with")
    if len(dossier_codes) != count:
        raise CodeError(
            f"{count} codes need {count} dossier codes, not {len(dossier_codes)}"
        )
    hashes: dict[str, str] = {}
    for dossier in dossier_codes:
        if not dossier.strip():
            raise CodeError(f"dossier code {dossier!r} is blank")
        hashed = dossier_hash(key, dossier)
        if hashed in hashes:
            raise CodeError(f"dossier code {dossier!r} appears twice")
        hashes[hashed] = dossier
    issued = _existing(session, AccessCode.dossier_hash, list(hashes), campaign)
    if issued:
        dossier = hashes[min(issued)]
        raise CodeError(
            f"dossier code {dossier!r} has a code in campaign {campaign.key!r} already"
        )
    return list(hashes)


def _fresh_tokens(session: Session, count: int) -> list[str]:
    """Draw ``count`` distinct tokens that no stored code uses.

    Two concurrent issuers drawing the same token is still refused by the
    unique constraint, at about one chance in 1e14 per pair.
    """
    tokens: set[str] = set()
    for _ in range(MAX_DRAWS):
        drawn = {new_token() for _ in range(count - len(tokens))} - tokens
        tokens |= drawn - _existing(session, AccessCode.token, list(drawn))
        if len(tokens) == count:
            return list(tokens)
    raise CodeError(f"could not draw {count} unused tokens in {MAX_DRAWS} rounds")


def _existing(
    session: Session,
    column: InstrumentedAttribute[Any],
    values: list[str],
    campaign: Campaign | None = None,
) -> set[str]:
    """Return which of ``values`` a stored code has in ``column`` (in one campaign)."""
    found: set[str] = set()
    for start in range(0, len(values), LOOKUP_CHUNK):
        query = select(column).where(column.in_(values[start : start + LOOKUP_CHUNK]))
        if campaign is not None:
            query = query.where(AccessCode.campaign_id == campaign.id)
        found.update(session.scalars(query))
    return found
