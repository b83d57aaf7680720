"""Which unit, campaign and period a dashboard or a report download is about.

The unit is looked up through the user's scope; the campaigns offered are those
covering it, including a district-wide campaign attached above a ward: its
results are still read for the unit in scope only, never for the campaign's own
unit. Anything else in the address (another ward's campaign, a made-up period)
is not found.

Besides a year or a quarter, a range of days (``date_from``, ``date_to``, Vietnam
time, both included) may be chosen; it then replaces the year or quarter as the
period (``2026-05-01..2026-05-20``, ``surveys.storage.periods``).

A channel (``channel``: the campaign's mode, or ``paper``) keeps the responses
that came through it; the channels offered are those the unit's responses to
the campaign came through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, request
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from app.auth import current_scope, current_staff
from app.db import get_session
from app.i18n import _
from app.labels import ALL_CHANNELS, channel_name
from surveys.access.scope import get_in_scope
from surveys.exchange.dataset import LAYOUTS
from surveys.models import Campaign, ResponseDay, Unit
from surveys.storage.channels import channels_present
from surveys.storage.periods import date_range
from surveys.storage.tallies import caught_up
from surveys.units.tree import root_units, subtree_ids


class SelectionForm(FlaskForm):
    """The dashboard's filters, read from the query string of a GET."""

    class Meta:
        csrf = False  # a GET that changes nothing

    campaign = SelectField()
    period = SelectField()
    #: A range of days instead of the period, both given or neither.
    date_from = DateField(validators=[Optional()])
    date_to = DateField(validators=[Optional()])
    #: One channel's responses; "" for every channel's.
    channel = SelectField()

    def chosen_period(self) -> str:
        """Return the range of days when one is given, else the year or quarter.

        Half a range, or one ending before it starts, leaves the year or
        quarter chosen and says why on the field.
        """
        start, end = self.date_from.data, self.date_to.data
        if start is None and end is None:
            return self.period.data
        if start is None or end is None:
            self.date_to.errors.append(_("Hãy chọn cả hai ngày."))
        elif end < start:
            self.date_to.errors.append(_("Ngày cuối phải sau hoặc trùng ngày đầu."))
        else:
            return date_range(start, end)
        return self.period.data


@dataclass(frozen=True)
class Selection:
    """A unit in scope, a campaign covering it (None: none does) and a period."""

    unit: Unit
    campaign: Campaign | None
    period: str
    form: SelectionForm

    @property
    def channel(self) -> str | None:
        """Return the one channel chosen; None for every channel."""
        return self.form.channel.data or None

    @property
    def has_channels(self) -> bool:
        """Tell whether the unit's responses came through several channels, so
        that choosing one means something."""
        return len(self.form.channel.choices) > 2

    @property
    def has_subunits(self) -> bool:
        """Tell whether the unit has units below it, so a league table applies."""
        return bool(self.unit.children)

    @property
    def range_refused(self) -> bool:
        """Tell whether the range of days asked for could not be used."""
        return bool(self.form.date_to.errors)

    @property
    def query(self) -> dict[str, str]:
        """Return the address's choices, for links that keep them (downloads)."""
        form = self.form
        chosen = {"campaign": form.campaign.data, "period": form.period.data}
        if self.channel is not None:
            chosen["channel"] = self.channel
        if not self.range_refused and None not in (
            form.date_from.data,
            form.date_to.data,
        ):
            chosen |= {
                "date_from": form.date_from.data.isoformat(),
                "date_to": form.date_to.data.isoformat(),
            }
        return chosen

    @property
    def responses_query(self) -> dict[str, str]:
        """Return ``query`` for the exports of responses: every channel's, each
        response with its channel, whichever channel the page shows."""
        return {name: v for name, v in self.query.items() if name != "channel"}


def campaigns_covering(session: Session, unit: Unit) -> list[Campaign]:
    """Return the campaigns held at the unit, above it or below it.

    The one answered most at the unit comes first, as the default: a ward's
    counter survey, not a district-wide one its wards took no part in.
    """
    above = []
    node: Unit | None = unit
    while node is not None:
        above.append(node.id)
        node = node.parent
    caught_up(session)
    answered = (
        select(func.coalesce(func.sum(ResponseDay.n), 0))
        .where(
            ResponseDay.campaign_id == Campaign.id,
            ResponseDay.unit_id.in_(subtree_ids(unit.id)),
        )
        .scalar_subquery()
    )
    query = select(Campaign).where(
        or_(Campaign.unit_id.in_(above), Campaign.unit_id.in_(subtree_ids(unit.id)))
    )
    order = (answered.desc(), Campaign.starts_on.desc(), Campaign.key)
    return list(session.scalars(query.order_by(*order)))


def period_choices(campaign: Campaign, today: date) -> list[str]:
    """Return each year of the campaign up to today, newest first, and its quarters."""
    last = min(campaign.ends_on or today, today)
    choices = []
    for year in range(last.year, campaign.starts_on.year - 1, -1):
        quarters = (last.month - 1) // 3 + 1 if year == last.year else 4
        choices += [str(year), *(f"{year}-Q{q}" for q in range(1, quarters + 1))]
    return choices or [str(today.year)]


def selected(unit_code: str | None) -> Selection:
    """Read the unit, campaign and period of this request, or answer 404."""
    session, today = get_session(), date.today()
    unit = _unit(session, unit_code)
    campaigns = campaigns_covering(session, unit)
    form = SelectionForm(request.args)
    form.campaign.choices = [(c.key, c.name) for c in campaigns]
    if not campaigns:
        return Selection(unit, None, str(today.year), form)
    chosen = next(
        (c for c in campaigns if c.key == request.args.get("campaign")), campaigns[0]
    )
    periods = period_choices(chosen, today)
    form.period.choices = periods
    form.channel.choices = [
        ("", str(ALL_CHANNELS)),
        *(
            (channel, channel_name(channel))
            for channel in channels_present(session, chosen.id, unit.id)
        ),
    ]
    form.campaign.data = form.campaign.data or chosen.key
    form.period.data = form.period.data or _default_period(periods, today)
    form.channel.data = form.channel.data or ""
    if not form.validate():
        abort(404)
    return Selection(unit, chosen, form.chosen_period(), form)


def _unit(session: Session, unit_code: str | None) -> Unit:
    """Return the unit asked for, else the user's own (an admin's: the first root)."""
    if unit_code is None:
        own = current_staff().unit
        roots = [] if own is not None else root_units(session)
        unit_code = own.code if own is not None else (roots[0].code if roots else "")
    found = get_in_scope(session, current_scope(), Unit, unit_code)
    if found is None:
        abort(404)
    return found


def _default_period(periods: list[str], today: date) -> str:
    """Return the current year when the campaign ran in it, else its latest year."""
    year = str(today.year)
    return year if year in periods else periods[0]


def layout_asked(default: str) -> str:
    """Read how a download lays out a select_multiple (one of the dataset's
    ``LAYOUTS``; another value is a 404)."""
    multiple = request.args.get("multiple", default)
    if multiple not in LAYOUTS:
        abort(404)
    return multiple
