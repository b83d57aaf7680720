"""Charts drawn once as SVG: inline in the dashboard, embedded as is in the PDF.

Every function takes a DataFrame and texts already in the reader's language and
returns an ``<svg>`` string. The dashboard prints it into the page (the
``_chart.html`` macro, beside a table of the same numbers for screen readers
and for copying); the PDF places the very same string with fpdf2's
``FPDF.image`` (``app.reports.pdf``). One drawing, so the two cannot drift.

Why this SVG form, decided by rendering each in Chromium and through fpdf2
2.8.9 to ``pdftoppm``: matplotlib lays out every text in DejaVu Sans, the font
it ships and measures with, and writes it as ``<text>`` (``svg.fonttype:
none``). fpdf2 draws ``<text>`` itself with the font the PDF has registered
under the first family the SVG names, so the PDF registers :func:`font_files`
(the very files matplotlib measured) as :data:`FONT_FAMILY`, and every name ends
where the layout put it, right-aligned names included. Text stays text: the
diacritics are selectable and searchable in the page and in the PDF, and a
chart weighs a fifth to two fifths of what it weighs with glyph outlines
(``"path"``, which both also draw alike: 60 kB instead of 11 kB for four
units); a renderer of our own would have to measure text, which matplotlib
already does right. What fpdf2 cannot read is kept out: ids are joined with
``_`` (its ``clip-path`` reference takes word characters only), there is no
``<title>`` element (the chart's name is its ``aria-label``) and no rotated
text.

Readable at a glance: no text overlaps another (long names wrap on up to three
lines and are never cut; period labels are thinned until they fit; counts
stand above bars only when all of them fit), an axis always spans its whole
scale whatever the data (a mean's 1–5 or 0–10, a percentage's 0–100%, ranks
from 1), a chart without data says so, and each row shows its n. Numbers are
written by the :class:`ChartText`'s functions (``app.formatting``: Babel's
locale data). Figures are built with the object-oriented API, never pyplot:
no GUI backend, no global list of figures, safe in a threaded web server. The
same data always gives the same bytes, so each process keeps the charts it drew
lately (:func:`_drawn_once`, plain strings keyed by a digest of everything that
draws them): laying out a chart costs tens of milliseconds, and a dashboard
opened again on unchanged results would otherwise spend most of its time
drawing the same SVG again.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, fields
from html import escape

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.textpath import text_to_path
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator
from matplotlib.transforms import offset_copy

from analysis.results import MIN_INTERVAL, MIN_PUBLISH, MIN_SUPPRESS

#: The five survey faces' colours (``.f1`` … ``.f5`` in hailong.css), 1 to 5.
FACE_COLOURS = ("#f28b82", "#fbbc8c", "#fde293", "#ccebc5", "#81c995")
INK = "#1b1f24"
MUTED = "#5a6470"
GRID = "#d9dcd3"
EMPTY = "#f3f4f1"
REFERENCE = "#b3261e"
#: Shown in place of a withheld or missing number, in charts and tables alike.
DASH = "—"
#: The family every chart's text is laid out in and names first; a PDF that
#: places charts registers :func:`font_files` under this name.
FONT_FAMILY = "DejaVu Sans"
#: Names wider than this (points) wrap, on up to MAX_LINES lines; a name that
#: needs more widens the column instead: a name is never cut.
LABEL_WIDTH = 170.0
MAX_LINES = 3
#: Lists longer than this repeat the scale above the rows.
LONG_LIST = 20

FONT_SIZE = 9
#: Sizes in inches; the page scales the SVG to its column.
WIDTH = 7.0
ROW_HEIGHT = 0.24
LINE_HEIGHT = 1.2 * FONT_SIZE / 72
#: Room above and below a wrapped name within its row.
ROW_PAD = 0.09
TITLE_SPACE = 0.45
SCALE_SPACE = 0.25
AXIS_SPACE = 0.6  # the scale's numbers and its label
LEGEND_ROW = 0.22
GAP = 0.1
#: The height of a bar chart's plot.
BAR_PLOT = 2.2
#: Points between a row's name or n and the plot.
TEXT_PAD = 10
#: Points kept free between two labels side by side.
LABEL_GAP = 4

#: Settings matplotlib reads when it lays out and writes text.
_RC = {
    "svg.fonttype": "none",  # text as <text>, not as glyph outlines
    "svg.hashsalt": "hailong",  # stable ids: same data, same bytes
    "text.parse_math": False,  # a "$" in a unit's name is not TeX
    "font.family": "sans-serif",
    # Laid out with DejaVu Sans; a browser without it falls back down this list.
    "font.sans-serif": [FONT_FAMILY, "Noto Sans", "Arial", "Helvetica"],
    "font.size": FONT_SIZE,
    "text.color": INK,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "legend.frameon": False,
}
_NO_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}
#: matplotlib's default ``*{…}`` style would apply to the whole HTML page.
_DEFAULT_STYLE = re.compile(r"\s*<defs>\s*<style[^<]*</style>\s*</defs>")
#: Inside tags only: names and text are escaped, so they never hold "<" or ">".
_TAG = re.compile(r"<[^<>]+>")
_ID_OR_REFERENCE = re.compile(r'(\bid="|href="#|url\(#)')
_SIZE = re.compile(r'<svg[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"')


def plain_number(value: float, digits: int | None) -> str:
    """Write a number the way Python does (``3.97``), for charts outside a page."""
    return f"{value:g}" if digits is None else f"{value:.{digits}f}"


def plain_percent(fraction: float, digits: int) -> str:
    """Write a share as a percentage the way Python does (``74.2%``)."""
    return f"{100 * fraction:.{digits}f}%"


@dataclass(frozen=True)
class ChartText:
    """The few words every chart needs and its way of writing numbers, both in the
    reader's language (``app.formatting.format_number`` writes ``3,97`` in
    Vietnamese)."""

    no_data: str
    unreliable: str
    #: Said of estimates shown without an interval (fewer than MIN_INTERVAL answers).
    no_interval: str
    rank: str
    #: Writes a number with so many decimals (None: as many as it has).
    number: Callable[[float, int | None], str] = plain_number
    #: Writes a share (0.742) as a percentage with so many decimals.
    percent: Callable[[float, int], str] = plain_percent


@dataclass(frozen=True)
class Scale:
    """The range an axis always shows, whatever the data: a scale's own ends."""

    low: float
    high: float
    #: Between two ticks.
    step: float
    #: Ticks written as percentages (the values run 0-100).
    percent: bool = False

    @classmethod
    def over(cls, low: float, high: float) -> Scale:
        """Return the scale from ``low`` to ``high`` with at most six steps of 1,
        2 or 5 (times a power of ten), so that its ticks are round numbers."""
        if not high > low:
            raise ValueError(f"a scale needs low < high, got {low!r} and {high!r}")
        power = 10 ** math.floor(math.log10((high - low) / 6))
        step = next(
            power * factor
            for factor in (1, 2, 2.5, 5, 10)
            if (high - low) / (power * factor) <= 6
        )
        return cls(float(low), float(high), float(step))

    def ticks(self) -> np.ndarray:
        """Return the tick positions, both ends included."""
        count = math.floor((self.high - self.low) / self.step + 1e-9)
        return self.low + self.step * np.arange(count + 1)


#: Means of answers on the 5-point scale.
MEAN_SCALE = Scale(1.0, 5.0, 1.0)
#: Shares in percent.
PERCENT_SCALE = Scale(0.0, 100.0, 20.0, percent=True)


#: How many drawn charts a process keeps (a district dashboard draws about ten).
DRAWN_KEPT = 512


def _drawn_once(draw: Callable[..., str]) -> Callable[..., str]:
    """Return ``draw`` keeping its latest results, by a digest of its arguments."""
    kept: OrderedDict[str, str] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(draw)
    def drawing(frame: pd.DataFrame, *args: object, **kwargs: object) -> str:
        key = _chart_key(draw.__name__, frame, args, kwargs)
        with lock:
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        svg = draw(frame, *args, **kwargs)
        with lock:
            kept[key] = svg
            while len(kept) > DRAWN_KEPT:
                kept.popitem(last=False)
        return svg

    return drawing


def _chart_key(
    name: str, frame: pd.DataFrame, args: tuple, kwargs: dict[str, object]
) -> str:
    """Digest what a chart is drawn from: its data, texts and number format.

    The number format is read off the functions' output, so a chart drawn for a
    Vietnamese page is never sent to an English one.
    """
    words = kwargs.get("words")
    spelled = (
        [str(getattr(words, f.name)) for f in fields(words) if f.type == "str"]
        + [words.number(1234.5, 1), words.percent(0.5, 1)]
        if isinstance(words, ChartText)
        else []
    )
    options = sorted(
        (key, _plain(value)) for key, value in kwargs.items() if key != "words"
    )
    parts = (
        name,
        frame.to_csv(),
        [str(dtype) for dtype in frame.dtypes],
        [_plain(value) for value in args],
        options,
        spelled,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _plain(value: object) -> object:
    """Return a value as it prints (lazy texts as their text), for a key."""
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, Scale)):
        return value
    return str(value)


@_drawn_once
def interval_chart(
    rows: pd.DataFrame,
    label_column: Hashable,
    estimate: Hashable,
    low: Hashable,
    high: Hashable,
    *,
    n_column: Hashable,
    title: str,
    axis_label: str,
    words: ChartText,
    scale: Scale | None,
    reference: float | None = None,
    reference_label: str = "",
    suppressed_column: Hashable | None = None,
    best_first: bool = True,
) -> str:
    """Draw estimates with their intervals and n, best first, so overlaps show at once.

    The axis runs over ``scale`` (MEAN_SCALE, PERCENT_SCALE), so one unit
    alone does not zoom onto a sliver of it; None, for a scale the caller does
    not know, runs from 0 to the highest bound. Rows under MIN_PUBLISH
    responses are hollow and grey ("indicative"), and under MIN_INTERVAL they
    have no whisker (too few answers for an interval); suppressed rows, and
    rows without an estimate, show only a dash and their n, last.
    ``best_first=False`` keeps the rows' own order instead: people (officials)
    are listed by code, never ranked by a chart.
    """
    flags = [] if suppressed_column is None else [suppressed_column]
    _check_columns(rows, [label_column, estimate, low, high, n_column, *flags])
    if rows.empty:
        return _no_data(title, words)
    shown = rows[estimate].notna()
    for column in flags:
        shown &= ~rows[column].astype(bool)
    shown = shown.to_numpy()
    within = (
        -rows[estimate].fillna(0).to_numpy() if best_first else np.arange(len(rows))
    )
    order = np.lexsort((within, ~shown))
    data = rows.iloc[order]
    shown = shown[order]
    n = data[n_column].to_numpy(dtype=float)
    values = [
        np.where(shown, data[c].to_numpy(dtype=float), np.nan)
        for c in (estimate, low, high)
    ]
    scale = scale if scale is not None else _from_zero(values)
    estimates, lows, highs = (np.clip(v, scale.low, scale.high) for v in values)
    publish = words.number(MIN_PUBLISH, 0)
    legend = {
        f"n ≥ {publish}": False,
        f"n < {publish}: {words.unreliable}": True,
    }
    if (shown & data[low].isna().to_numpy()).any():
        legend[f"n < {words.number(MIN_INTERVAL, 0)}: {words.no_interval}"] = True
    named = reference is not None and reference_label
    labels = [*legend, *([reference_label] if named else [])]
    fig, ax = _row_chart(
        data[label_column],
        estimates,
        lows,
        highs,
        hollow=n < MIN_PUBLISH,
        right=[_integer(value, words) for value in n],
        right_heading="n",
        legend=labels,
    )
    _scale_axis(ax, scale, words)
    handles: list[Artist] = [
        Line2D([], [], **_dot(hollow=hollow), label=label)
        for label, hollow in legend.items()
    ]
    if reference is not None:
        line = ax.axvline(
            reference, color=REFERENCE, linestyle="--", linewidth=1, gid="reference"
        )
        if reference_label:
            line.set_label(reference_label)
            handles.append(line)
    _finish(fig, ax, title, axis_label, handles)
    return _render(fig, title)


@_drawn_once
def rank_chart(
    ranks: pd.DataFrame,
    label_column: Hashable,
    rank: Hashable,
    low: Hashable,
    high: Hashable,
    *,
    title: str,
    words: ChartText,
) -> str:
    """Draw rank intervals, rank 1 on top, so units that cannot be told apart show."""
    _check_columns(ranks, [label_column, rank, low, high])
    if ranks.empty:
        return _no_data(title, words)
    data = ranks.sort_values(rank, kind="stable", na_position="last")
    lows, highs = (data[c].to_numpy(dtype=float) for c in (low, high))
    fig, ax = _row_chart(
        data[label_column],
        data[rank].to_numpy(dtype=float),
        lows,
        highs,
        hollow=np.zeros(len(data), dtype=bool),
        right=[
            DASH if math.isnan(a) else f"{words.number(a, 0)}–{words.number(b, 0)}"
            for a, b in zip(lows, highs, strict=True)
        ],
        right_heading="",
        legend=[],
    )
    # Ranks start at 1, the best; half a rank of room keeps the end dots whole.
    steps = MaxNLocator(nbins=6, integer=True, steps=[1, 2, 5, 10])
    ticks = 1 + steps.tick_values(0, max(len(data) - 1, 1))
    ax.xaxis.set_major_locator(FixedLocator(ticks[ticks <= len(data)]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: words.number(value, 0)))
    ax.set_xlim(0.5, len(data) + 0.5)
    _finish(fig, ax, title, words.rank, [])
    return _render(fig, title)


@_drawn_once
def trend_chart(
    frame: pd.DataFrame,
    period_column: Hashable,
    count_column: Hashable,
    *,
    title: str,
    axis_label: str,
    words: ChartText,
) -> str:
    """Draw responses per period as bars from 0, each with its count, to show the trend.

    Periods are named by the caller, already readable (a line break in a name
    starts a second line: ``"thg 1\\n2026"``). Nothing counted in any period
    draws the no-data chart, not an axis around zero.
    """
    _check_columns(frame, [period_column, count_column])
    counts = frame[count_column].to_numpy(dtype=float)
    if not np.nansum(counts) > 0:
        return _no_data(title, words)
    ticks = MaxNLocator(nbins=5, integer=True).tick_values(0, np.nanmax(counts))
    return _bar_chart(
        title,
        axis_label,
        [str(period) for period in frame[period_column]],
        np.nan_to_num(counts),
        [_integer(count, words) for count in counts],
        ticks=ticks,
        tick_text=lambda value: words.number(value, 0),
    )


@_drawn_once
def rate_chart(
    frame: pd.DataFrame,
    period_column: Hashable,
    numerator: Hashable,
    denominator: Hashable,
    *,
    title: str,
    axis_label: str,
    words: ChartText,
) -> str:
    """Draw a rate per period as bars on 0-100%, each labelled with its fraction.

    The fraction under each percentage shows how much a bar rests on: a month
    of 3 of 4 is not a month of 300 of 400. A period with nothing counted
    shows a dash; no period with anything counted draws the no-data chart.
    """
    _check_columns(frame, [period_column, numerator, denominator])
    tops = frame[numerator].to_numpy(dtype=float)
    bottoms = frame[denominator].to_numpy(dtype=float)
    if not (bottoms > 0).any():
        return _no_data(title, words)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(bottoms > 0, tops / bottoms, np.nan)
    labels = [
        DASH
        if math.isnan(rate)
        else f"{words.percent(rate, 0)}\n{_integer(top, words)}/"
        f"{_integer(bottom, words)}"
        for rate, top, bottom in zip(rates, tops, bottoms, strict=True)
    ]
    return _bar_chart(
        title,
        axis_label,
        [str(period) for period in frame[period_column]],
        100 * np.nan_to_num(rates),
        labels,
        ticks=PERCENT_SCALE.ticks(),
        tick_text=lambda value: words.percent(value / 100, 0),
    )


@_drawn_once
def distribution_chart(
    counts_by_rating: pd.DataFrame,
    *,
    title: str,
    labels: Sequence[str],
    words: ChartText,
) -> str:
    """Draw each group's answers on the 5-point scale as one 100% bar, in face colours.

    ``counts_by_rating`` has one row per group (its index names the group) and
    one column of counts per rating, lowest first. Groups under 5 responses
    are withheld, as in every report.
    """
    if len(labels) != len(FACE_COLOURS):
        raise ValueError(f"labels must name the 5 ratings, got {list(labels)!r}")
    if counts_by_rating.shape[1] != len(labels):
        raise ValueError(
            "counts_by_rating needs one column per rating, "
            f"got {list(counts_by_rating.columns)!r}"
        )
    if counts_by_rating.empty:
        return _no_data(title, words)
    counts = counts_by_rating.to_numpy(dtype=float)
    totals = counts.sum(axis=1)
    shown = totals >= MIN_SUPPRESS
    shares = np.divide(
        100 * counts, totals[:, None], out=np.zeros_like(counts), where=shown[:, None]
    )
    fig, ax, centres = _rows_axes(
        counts_by_rating.index,
        [_integer(t, words) for t in totals],
        right_heading="n",
        legend=labels,
    )
    positions = centres[shown]
    starts = np.zeros(len(positions))
    for share, label, colour in zip(shares[shown].T, labels, FACE_COLOURS, strict=True):
        bars = ax.barh(
            positions,
            share,
            left=starts,
            height=0.7 * ROW_HEIGHT,
            color=colour,
            label=label,
        )
        ax.bar_label(
            bars,
            labels=[words.number(s, 0) if s >= 8 else "" for s in share],
            label_type="center",
            fontsize=FONT_SIZE - 1,
        )
        starts += share
    _dash_withheld(ax, centres[~shown])
    _scale_axis(ax, PERCENT_SCALE, words)
    _finish(fig, ax, title, "", ax.get_legend_handles_labels()[0])
    return _render(fig, title)


def table_rows(
    frame: pd.DataFrame,
    columns: Sequence[Hashable],
    *,
    words: ChartText,
    digits: int = 2,
) -> list[list[str]]:
    """Format a chart's numbers as table cells, with its dashes, the reader's way."""
    _check_columns(frame, columns)
    return [
        [_cell(value, digits, words) for value in row]
        for row in frame[list(columns)].itertuples(index=False, name=None)
    ]


def svg_size(svg: str) -> tuple[float, float]:
    """Return a chart's width and height in points, to place it on a printed page."""
    found = _SIZE.match(svg)
    if found is None:
        raise ValueError(f"not a chart of app.charts: {svg[:80]!r}")
    return float(found[1]), float(found[2])


@functools.cache
def font_files() -> dict[str, str]:
    """Return the files of FONT_FAMILY matplotlib lays charts out with, by style
    ("" regular, "B" bold), for a PDF to draw the charts' text with the same
    widths."""
    return {
        style: findfont(
            FontProperties(family=FONT_FAMILY, weight=weight),
            fallback_to_default=False,
        )
        for style, weight in (("", "normal"), ("B", "bold"))
    }


@functools.cache
def _configure() -> None:
    """Apply the chart settings once per process; they never change afterwards."""
    mpl.rcParams.update(_RC)


def _figure(height: float) -> Figure:
    _configure()
    return Figure(figsize=(WIDTH, height))


def _rows_axes(
    labels: Sequence[object],
    right: Sequence[str],
    right_heading: str,
    legend: Sequence[str],
) -> tuple[Figure, Axes, np.ndarray]:
    """Make axes with one named row per item, top down, and a column of text at right.

    A row is as tall as its name, wrapped, needs; the y axis counts inches
    from the top, and the rows' centres come back with the figure. Laid out by
    hand: measuring every name once is a third of what matplotlib's
    constrained layout costs on a long list.
    """
    count = len(right)
    names = [_wrap(str(label)) for label in labels]
    heights = np.array(
        [max(ROW_HEIGHT, len(lines) * LINE_HEIGHT + ROW_PAD) for lines in names]
    )
    centres = np.cumsum(heights) - heights / 2
    rows_height = float(heights.sum())
    widest = max(_width(line) for lines in names for line in lines)
    left = GAP + (widest + TEXT_PAD) / 72
    # The n or rank interval column: its widest text, and at least a 4-digit n.
    right_width = max(_width("0000"), *map(_width, [*right, right_heading]))
    right_space = GAP + (right_width + TEXT_PAD) / 72
    top = TITLE_SPACE + SCALE_SPACE * (count > LONG_LIST)
    bottom = AXIS_SPACE + LEGEND_ROW * _legend_rows(legend) + GAP / 2
    height = top + bottom + rows_height
    fig = _figure(height)
    ax = fig.add_axes(
        (
            left / WIDTH,
            bottom / height,
            1 - (left + right_space) / WIDTH,
            rows_height / height,
        )
    )
    ax.set_yticks([])
    ax.set_ylim(rows_height, 0)
    rows = ax.get_yaxis_transform()
    names_at = offset_copy(rows, fig=fig, x=-TEXT_PAD, units="points")
    right_at = offset_copy(rows, fig=fig, x=TEXT_PAD, units="points")
    # Plain texts, not tick labels: ticks cost ten times more to lay out.
    for centre, lines, text in zip(centres, names, right, strict=True):
        ax.text(
            0,
            centre,
            "\n".join(lines),
            transform=names_at,
            ha="right",
            va="center",
            multialignment="right",
        )
        ax.text(1, centre, text, transform=right_at, va="center")
    # Above the scale repeated on top of a long list, clear of its last number.
    over_scale = SCALE_SPACE * 72 * (count > LONG_LIST)
    heading_at = offset_copy(rows, fig=fig, x=TEXT_PAD, y=over_scale, units="points")
    ax.text(1, 0, right_heading, transform=heading_at, va="bottom", color=MUTED)
    ax.spines["left"].set_visible(False)
    if count > LONG_LIST:
        ax.tick_params(axis="x", top=True, labeltop=True)
    return fig, ax, centres


def _wrap(name: str) -> list[str]:
    """Break a name into lines no wider than LABEL_WIDTH, at most MAX_LINES, of
    even length (no word left alone on the last line); a name that needs more
    lines gets wider ones, so nothing is ever cut."""
    words = name.split()
    if len(words) < 2 or _width(name) <= LABEL_WIDTH:
        return [name]
    width = LABEL_WIDTH
    while len(lines := _fill(words, width)) > MAX_LINES:
        width *= 1.2
    # The narrowest width that still needs no more lines, to a point.
    narrow, wide = max(map(_width, words)), max(map(_width, lines))
    while wide - narrow > 1:
        middle = (narrow + wide) / 2
        if len(_fill(words, middle)) > len(lines):
            narrow = middle
        else:
            wide = middle
    return _fill(words, wide)


def _fill(words: Sequence[str], width: float) -> list[str]:
    """Put as many words on each line as fit ``width`` points (a longer word
    alone on its line)."""
    lines = [words[0]]
    for word in words[1:]:
        joined = f"{lines[-1]} {word}"
        if _width(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(word)
    return lines


@functools.lru_cache(maxsize=8192)
def _width(text: str) -> float:
    """Measure a text in points, once: the same names come back every request."""
    _configure()
    font = FontProperties(size=FONT_SIZE)
    return text_to_path.get_text_width_height_descent(text, font, False)[0]


def _row_chart(
    labels: Sequence[object],
    estimates: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    *,
    hollow: np.ndarray,
    right: Sequence[str],
    right_heading: str,
    legend: Sequence[str],
) -> tuple[Figure, Axes]:
    """Draw dots with interval whiskers, one row each; rows without a dot get a dash."""
    fig, ax, centres = _rows_axes(labels, right, right_heading, legend)
    drawn = ~np.isnan(estimates)
    for is_hollow, gid in ((False, "estimates"), (True, "estimates-indicative")):
        rows = drawn & (hollow == is_hollow)
        style = _dot(hollow=is_hollow)
        ax.hlines(
            centres[rows],
            lows[rows],
            highs[rows],
            color=style["color"],
            linewidth=1.2,
        )
        # Not clipped: a dot at the end of the scale shows whole.
        ax.plot(estimates[rows], centres[rows], gid=gid, clip_on=False, **style)
    _dash_withheld(ax, centres[~drawn])
    ax.xaxis.grid(True, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _from_zero(values: Sequence[np.ndarray]) -> Scale:
    """Return a scale from 0 (or the lowest value, if negative) to past the highest."""
    stacked = np.concatenate(values)
    finite = stacked[np.isfinite(stacked)]
    low, high = (min(0.0, finite.min()), finite.max()) if finite.size else (0.0, 1.0)
    ticks = MaxNLocator(nbins=5).tick_values(low, max(high, low + 1))
    return Scale(float(ticks[0]), float(ticks[-1]), float(ticks[1] - ticks[0]))


def _scale_axis(ax: Axes, scale: Scale, words: ChartText) -> None:
    """Run the x axis over the whole scale, ticks written the reader's way."""
    ax.set_xlim(scale.low, scale.high)
    ax.xaxis.set_major_locator(FixedLocator(scale.ticks()))
    if scale.percent:
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda value, _: words.percent(value / 100, 0))
        )
    else:
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda value, _: words.number(value, None))
        )


def _bar_chart(
    title: str,
    axis_label: str,
    periods: Sequence[str],
    heights: np.ndarray,
    value_labels: Sequence[str],
    *,
    ticks: np.ndarray,
    tick_text: Callable[[float], str],
) -> str:
    """Draw one bar per period, laid out so that no two texts ever overlap.

    A period's name shows when it fits its slot, else every second (third…)
    one does; the values stand above the bars only if all of them fit.
    """
    count = len(periods)
    tick_texts = [tick_text(value) for value in ticks]
    left = GAP + (max(map(_width, tick_texts)) + TEXT_PAD) / 72
    plot_width = WIDTH - left - GAP
    slot = 72 * plot_width / count
    names = [period.split("\n") for period in periods]
    widest_name = max(_width(line) for lines in names for line in lines)
    step = math.ceil((widest_name + LABEL_GAP) / slot)
    values = [label.split("\n") for label in value_labels]
    values_fit = max(_width(line) for lines in values for line in lines) <= (
        slot - LABEL_GAP
    )
    above = LINE_HEIGHT * max(map(len, values)) + GAP / 2 if values_fit else GAP
    top = TITLE_SPACE + LINE_HEIGHT + above
    below = (TEXT_PAD / 72) + LINE_HEIGHT * max(map(len, names)) + GAP
    height = top + BAR_PLOT + below
    fig = _figure(height)
    ax = fig.add_axes(
        (left / WIDTH, below / height, plot_width / WIDTH, BAR_PLOT / height)
    )
    bars = ax.bar(range(count), heights, color=MUTED, width=0.7)
    if values_fit:
        ax.bar_label(bars, labels=list(value_labels), padding=2)
    ax.set_xlim(-0.5, count - 0.5)
    ax.set_xticks(
        range(count),
        ["\n".join(lines) if i % step == 0 else "" for i, lines in enumerate(names)],
    )
    ax.set_ylim(ticks[0], ticks[-1])
    ax.set_yticks(ticks, tick_texts)
    ax.yaxis.grid(True, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    # Above the scale, not along it: rotated text reads badly and prints worse.
    fig.text(
        GAP / WIDTH,
        1 - TITLE_SPACE / height,
        axis_label,
        ha="left",
        va="center",
        color=MUTED,
    )
    _title(fig, title)
    return _render(fig, title)


def _dot(*, hollow: bool) -> dict[str, object]:
    colour = MUTED if hollow else INK
    return {
        "marker": "o",
        "markersize": 6,
        "markeredgecolor": colour,
        "markerfacecolor": "white" if hollow else colour,
        "color": colour,
        "linestyle": "none",
    }


def _dash_withheld(ax: Axes, positions: np.ndarray) -> None:
    rows = ax.get_yaxis_transform()
    for position in positions:
        ax.text(0.01, position, DASH, transform=rows, va="center", color=MUTED)


def _finish(
    fig: Figure, ax: Axes, title: str, axis_label: str, handles: Sequence[Artist]
) -> None:
    """Add the axis label, the title on top and the legend at the bottom."""
    ax.set_xlabel(axis_label)
    _title(fig, title)
    if handles:  # above the rows it would have to dodge the title and the scale
        fig.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(GAP, GAP / 2),
            bbox_transform=fig.dpi_scale_trans,
            ncols=_legend_columns(tuple(handle.get_label() for handle in handles)),
            borderaxespad=0,
            handlelength=1.2,
            columnspacing=1.2,
        )


@functools.cache
def _legend_columns(labels: tuple[str, ...]) -> int:
    """Return the most columns the legend can have and still fit the chart's width.

    matplotlib splits the entries into columns as ``np.array_split`` does;
    each column is as wide as its widest entry (marker, gap, text), and
    columns are spaced apart.
    """
    room = 72 * (WIDTH - 2 * GAP)
    widths = np.array([_width(label) + 2 * FONT_SIZE for label in labels])
    for columns in range(len(labels), 1, -1):
        taken = sum(part.max() for part in np.array_split(widths, columns))
        if taken + 1.2 * FONT_SIZE * (columns - 1) <= room:
            return columns
    return 1


def _legend_rows(labels: Sequence[str]) -> int:
    return math.ceil(len(labels) / _legend_columns(tuple(labels))) if labels else 0


def _title(fig: Figure, title: str) -> None:
    fig.suptitle(
        title,
        x=GAP / WIDTH,
        y=1 - GAP / 2 / fig.get_figheight(),
        ha="left",
        va="top",
        fontsize=FONT_SIZE + 2,
        fontweight="bold",
    )


def _no_data(title: str, words: ChartText) -> str:
    """Draw the chart's frame with its title, saying there is nothing to show yet."""
    height = TITLE_SPACE + 0.8
    fig = _figure(height)
    _title(fig, title)
    box = (GAP, GAP, WIDTH - 2 * GAP, height - TITLE_SPACE - GAP)
    fig.add_artist(
        Rectangle(
            box[:2],
            *box[2:],
            transform=fig.dpi_scale_trans,
            facecolor=EMPTY,
            edgecolor=GRID,
            linewidth=0.8,
        )
    )
    fig.text(
        0.5,
        (GAP + box[3] / 2) / height,
        words.no_data,
        ha="center",
        va="center",
        color=MUTED,
        fontsize=FONT_SIZE + 1,
    )
    return _render(fig, title)


def _render(fig: Figure, title: str) -> str:
    """Write the figure as an inline <svg> named by its title, with ids of its own."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata=_NO_METADATA)
    svg = buffer.getvalue()
    svg = _DEFAULT_STYLE.sub("", svg[svg.index("<svg") :], count=1)
    # A page may hold several charts: prefix every id with a digest of this one.
    prefix = "c" + hashlib.sha256(svg.encode()).hexdigest()[:8] + "_"
    svg = _TAG.sub(
        lambda tag: _ID_OR_REFERENCE.sub(rf"\g<1>{prefix}", tag.group()), svg
    )
    end = svg.index(">")
    return f'{svg[:end]} role="img" aria-label="{escape(title, quote=True)}"{svg[end:]}'


def _check_columns(frame: pd.DataFrame, columns: Sequence[Hashable]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"columns {missing!r} not in {list(frame.columns)!r}")


def _integer(value: float, words: ChartText) -> str:
    return DASH if math.isnan(value) else words.number(value, 0)


def _cell(value: object, digits: int, words: ChartText) -> str:
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return DASH
    if isinstance(value, (float, np.floating)):
        return words.number(float(value), digits)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return words.number(int(value), 0)
    return str(value)
