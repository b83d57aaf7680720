"""Charts drawn on the server as inline SVG, each shown beside a table of its numbers.

Every function takes a DataFrame and texts already in the reader's language and
returns an ``<svg>`` string to put straight into a page: no script, no external
file, text kept as real ``<text>`` (so Vietnamese diacritics stay selectable and
the file small) laid out in the DejaVu Sans that matplotlib ships. Figures are
built with the object-oriented API, never pyplot: no GUI backend, no global list
of figures, safe in a threaded web server. The same data always gives the same
bytes. The page prints the same numbers as a table (:func:`table_rows` and the
``_chart.html`` macro) for screen readers and for anyone who wants the figures.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from html import escape

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.textpath import text_to_path
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import offset_copy

from analysis.results import MIN_INTERVAL, MIN_PUBLISH, MIN_SUPPRESS

#: The five survey faces' colours (``.f1`` … ``.f5`` in hailong.css), 1 to 5.
FACE_COLOURS = ("#f28b82", "#fbbc8c", "#fde293", "#ccebc5", "#81c995")
INK = "#1b1f24"
MUTED = "#5a6470"
GRID = "#d9dcd3"
REFERENCE = "#b3261e"
#: Shown in place of a withheld or missing number, in charts and tables alike.
DASH = "—"
#: Longer names are cut in the chart; the table beside it has them whole.
MAX_LABEL = 42
#: Lists longer than this repeat the scale above the rows.
LONG_LIST = 20

FONT_SIZE = 9
#: Sizes in inches; the page scales the SVG to its column.
WIDTH = 7.0
ROW_HEIGHT = 0.24
TITLE_SPACE = 0.45
SCALE_SPACE = 0.25
BOTTOM_SPACE = 1.0  # scale, axis label and up to two rows of legend
RIGHT_SPACE = 0.6  # n or rank interval
GAP = 0.1
#: Points between a row's name or n and the plot.
TEXT_PAD = 10

#: Settings matplotlib reads when it lays out and writes text.
_RC = {
    "svg.fonttype": "none",  # text as <text>, not as glyph outlines
    "svg.hashsalt": "hailong",  # stable ids: same data, same bytes
    "text.parse_math": False,  # a "$" in a unit's name is not TeX
    "font.family": "sans-serif",
    # Laid out with DejaVu Sans; a browser without it falls back down this list.
    "font.sans-serif": ["DejaVu Sans", "Noto Sans", "Arial", "Helvetica"],
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


def plain_number(value: float, digits: int | None) -> str:
    """Write a number the way Python does (``3.97``), for charts outside a page."""
    return f"{value:g}" if digits is None else f"{value:.{digits}f}"


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
    reference: float | None = None,
    reference_label: str = "",
    suppressed_column: Hashable | None = None,
    best_first: bool = True,
) -> str:
    """Draw estimates with their intervals, best first, so overlaps show at once.

    Rows under MIN_PUBLISH responses are hollow and grey ("indicative"), and
    under MIN_INTERVAL they have no whisker (too few answers for an interval);
    suppressed rows, and rows without an estimate, show only a dash and their n,
    last. ``best_first=False`` keeps the rows' own order instead: people
    (officials) are listed by code, never ranked by a chart.
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
    fig, ax = _row_chart(
        data[label_column],
        *(
            np.where(shown, data[c].to_numpy(dtype=float), np.nan)
            for c in (estimate, low, high)
        ),
        hollow=n < MIN_PUBLISH,
        right=[_integer(value, words) for value in n],
        right_heading="n",
        words=words,
    )
    publish = words.number(MIN_PUBLISH, 0)
    handles: list[Artist] = [
        Line2D([], [], **_dot(hollow=False), label=f"n ≥ {publish}"),
        Line2D([], [], **_dot(hollow=True), label=f"n < {publish}: {words.unreliable}"),
    ]
    if (shown & data[low].isna().to_numpy()).any():
        bare = f"n < {words.number(MIN_INTERVAL, 0)}: {words.no_interval}"
        handles.append(Line2D([], [], **_dot(hollow=True), label=bare))
    if reference is not None:
        line = ax.axvline(
            reference, color=REFERENCE, linestyle="--", linewidth=1, gid="reference"
        )
        if reference_label:
            line.set_label(reference_label)
            handles.append(line)
    _finish(fig, ax, title, axis_label, handles)
    return _render(fig, title)


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
        words=words,
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlim(0.5, len(data) + 0.5)
    _finish(fig, ax, title, words.rank, [])
    return _render(fig, title)


def trend_chart(
    frame: pd.DataFrame,
    period_column: Hashable,
    count_column: Hashable,
    *,
    title: str,
    axis_label: str,
    words: ChartText,
) -> str:
    """Draw responses per period as bars, each with its count, to show the trend."""
    _check_columns(frame, [period_column, count_column])
    if frame.empty:
        return _no_data(title, words)
    periods = [str(period) for period in frame[period_column]]
    counts = frame[count_column].to_numpy(dtype=float)
    fig = _figure(3.0, layout="constrained")
    ax = fig.add_subplot()
    bars = ax.bar(range(len(periods)), counts, color=MUTED, width=0.7)
    if len(periods) <= 2 * 12:  # two years of months; more would collide
        ax.bar_label(bars, labels=[_integer(c, words) for c in counts], padding=2)
    ax.set_xticks(range(len(periods)), periods, rotation=90 if len(periods) > 12 else 0)
    ax.margins(y=0.1)  # room for the counts above the highest bar
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_tick_formatter(words))
    ax.yaxis.grid(True, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_ylabel(axis_label)
    _title(fig, title)
    return _render(fig, title)


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
    shows a dash.
    """
    _check_columns(frame, [period_column, numerator, denominator])
    if frame.empty:
        return _no_data(title, words)
    periods = [str(period) for period in frame[period_column]]
    tops = frame[numerator].to_numpy(dtype=float)
    bottoms = frame[denominator].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(bottoms > 0, 100 * tops / bottoms, np.nan)
    fig = _figure(3.2, layout="constrained")
    ax = fig.add_subplot()
    bars = ax.bar(range(len(periods)), np.nan_to_num(rates), color=MUTED, width=0.7)
    if len(periods) <= 2 * 12:  # two years of months; more would collide
        labels = [
            DASH
            if math.isnan(rate)
            else f"{words.number(rate, 0)}%\n{_integer(top, words)}/"
            f"{_integer(bottom, words)}"
            for rate, top, bottom in zip(rates, tops, bottoms, strict=True)
        ]
        ax.bar_label(bars, labels=labels, padding=2, fontsize=FONT_SIZE - 1)
    ax.set_xticks(range(len(periods)), periods, rotation=90 if len(periods) > 12 else 0)
    ax.set_ylim(0, 125)  # room for the labels above a full bar
    ax.set_yticks(range(0, 101, 20))
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _: f"{words.number(value, 0)}%")
    )
    ax.yaxis.grid(True, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_ylabel(axis_label)
    _title(fig, title)
    return _render(fig, title)


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
    fig, ax = _rows_axes(
        counts_by_rating.index, [_integer(t, words) for t in totals], right_heading="n"
    )
    positions = np.arange(len(counts))[shown]
    starts = np.zeros(len(positions))
    for share, label, colour in zip(shares[shown].T, labels, FACE_COLOURS, strict=True):
        bars = ax.barh(
            positions, share, left=starts, height=0.7, color=colour, label=label
        )
        ax.bar_label(
            bars,
            labels=[words.number(s, 0) if s >= 8 else "" for s in share],
            label_type="center",
            fontsize=FONT_SIZE - 1,
        )
        starts += share
    _dash_withheld(ax, np.flatnonzero(~shown))
    ax.set_xlim(0, 100)
    _finish(fig, ax, title, "%", ax.get_legend_handles_labels()[0])
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


@functools.cache
def _configure() -> None:
    """Apply the chart settings once per process; they never change afterwards."""
    mpl.rcParams.update(_RC)


def _figure(height: float, layout: str | None = None) -> Figure:
    _configure()
    return Figure(figsize=(WIDTH, height), layout=layout)


def _rows_axes(
    labels: Sequence[object], right: Sequence[str], right_heading: str
) -> tuple[Figure, Axes]:
    """Make axes with one named row per item, top down, and a column of text at right.

    Laid out by hand: measuring every name once is a third of what matplotlib's
    constrained layout costs on a long list.
    """
    count = len(right)
    names = [_short(label) for label in labels]
    left = GAP + (max(map(_width, names)) + TEXT_PAD) / 72
    top = TITLE_SPACE + SCALE_SPACE * (count > LONG_LIST)
    height = top + BOTTOM_SPACE + ROW_HEIGHT * count
    fig = _figure(height)
    ax = fig.add_axes(
        (
            left / WIDTH,
            BOTTOM_SPACE / height,
            1 - (left + RIGHT_SPACE) / WIDTH,
            ROW_HEIGHT * count / height,
        )
    )
    ax.set_yticks([])
    ax.set_ylim(count - 0.5, -0.5)
    rows = ax.get_yaxis_transform()
    names_at = offset_copy(rows, fig=fig, x=-TEXT_PAD, units="points")
    right_at = offset_copy(rows, fig=fig, x=TEXT_PAD, units="points")
    # Plain texts, not tick labels: ticks cost ten times more to lay out.
    for position, name, text in zip(range(count), names, right, strict=True):
        ax.text(0, position, name, transform=names_at, ha="right", va="center")
        ax.text(1, position, text, transform=right_at, va="center")
    ax.text(1, -0.5, right_heading, transform=right_at, va="bottom", color=MUTED)
    ax.spines["left"].set_visible(False)
    if count > LONG_LIST:
        ax.tick_params(axis="x", top=True, labeltop=True)
    return fig, ax


@functools.lru_cache(maxsize=4096)
def _width(name: str) -> float:
    """Measure a name in points, once: the same units come back every request."""
    _configure()
    font = FontProperties(size=FONT_SIZE)
    return text_to_path.get_text_width_height_descent(name, font, False)[0]


def _row_chart(
    labels: Sequence[object],
    estimates: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    *,
    hollow: np.ndarray,
    right: Sequence[str],
    right_heading: str,
    words: ChartText,
) -> tuple[Figure, Axes]:
    """Draw dots with interval whiskers, one row each; rows without a dot get a dash."""
    fig, ax = _rows_axes(labels, right, right_heading)
    positions = np.arange(len(right))
    drawn = ~np.isnan(estimates)
    for is_hollow, gid in ((False, "estimates"), (True, "estimates-indicative")):
        rows = drawn & (hollow == is_hollow)
        style = _dot(hollow=is_hollow)
        ax.hlines(
            positions[rows],
            lows[rows],
            highs[rows],
            color=style["color"],
            linewidth=1.2,
        )
        ax.plot(estimates[rows], positions[rows], gid=gid, **style)
    _dash_withheld(ax, positions[~drawn])
    ax.xaxis.set_major_formatter(_tick_formatter(words))
    ax.xaxis.grid(True, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


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
            ncols=len(handles),
            borderaxespad=0,
            handlelength=1.2,
            columnspacing=1.2,
        )


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
    """Draw a small chart that says there is nothing to show, instead of failing."""
    fig = _figure(1.2)
    _title(fig, title)
    fig.text(0.5, 0.4, words.no_data, ha="center", va="center", color=MUTED)
    return _render(fig, title)


def _render(fig: Figure, title: str) -> str:
    """Write the figure as an inline <svg> named by its title, with ids of its own."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata=_NO_METADATA)
    svg = buffer.getvalue()
    svg = _DEFAULT_STYLE.sub("", svg[svg.index("<svg") :], count=1)
    # A page may hold several charts: prefix every id with a digest of this one.
    prefix = "c" + hashlib.sha256(svg.encode()).hexdigest()[:8] + "-"
    svg = _TAG.sub(
        lambda tag: _ID_OR_REFERENCE.sub(rf"\g<1>{prefix}", tag.group()), svg
    )
    name = escape(title, quote=True)
    end = svg.index(">")
    return (
        f'{svg[:end]} role="img" aria-label="{name}">\n'
        f" <title>{name}</title>{svg[end + 1 :]}"
    )


def _tick_formatter(words: ChartText) -> FuncFormatter:
    return FuncFormatter(lambda value, _: words.number(value, None))


def _check_columns(frame: pd.DataFrame, columns: Sequence[Hashable]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"columns {missing!r} not in {list(frame.columns)!r}")


def _short(label: object) -> str:
    text = str(label)
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


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
