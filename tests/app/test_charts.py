"""Charts as SVG: well formed, readable at a glance, one dot per shown row, stable,
and in the form fpdf2 can place in a PDF."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath

from analysis.results import MIN_INTERVAL, MIN_PUBLISH, MIN_SUPPRESS
from app.charts import (
    DASH,
    FACE_COLOURS,
    LABEL_GAP,
    MEAN_SCALE,
    PERCENT_SCALE,
    ChartText,
    Scale,
    distribution_chart,
    interval_chart,
    rank_chart,
    rate_chart,
    svg_size,
    table_rows,
    trend_chart,
)
from app.formatting import format_number, format_percent
from app.reports.report_charts import month_labels

APP = Path(__file__).resolve().parents[2] / "app"
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
WORDS = ChartText(
    no_data="Chưa có dữ liệu",
    unreliable="chỉ mang tính tham khảo",
    no_interval="quá ít câu trả lời để tính khoảng tin cậy",
    rank="Thứ hạng (khoảng 95%)",
    number=format_number,  # Vietnamese outside the app
    percent=format_percent,
)
RATINGS = [
    "Rất không hài lòng",
    "Không hài lòng",
    "Bình thường",
    "Hài lòng",
    "Rất hài lòng",
]
SCRIPT = "<script>alert(1)</script>"


def league(names: list[str], n: list[int], seed: int = 7) -> pd.DataFrame:
    """A unit_summary-like table: estimates withheld below 5 responses, intervals
    below MIN_INTERVAL."""
    rng = np.random.default_rng(seed)
    mean = rng.uniform(3.0, 4.6, len(names))
    half = 1.6 / np.sqrt(np.maximum(n, 1))
    suppressed = np.asarray(n) < MIN_SUPPRESS
    blank = np.where(suppressed, np.nan, 1.0)
    bare = np.where(np.asarray(n) < MIN_INTERVAL, np.nan, 1.0)
    return pd.DataFrame(
        {
            "unit": names,
            "n": n,
            "mean": mean * blank,
            "mean_low": (mean - half) * blank * bare,
            "mean_high": (mean + half) * blank * bare,
            "suppressed": suppressed,
        }
    )


def draw(rows: pd.DataFrame, *, fresh: bool = False, **options: object) -> str:
    """Draw the league chart; ``fresh`` lays it out anew, past the kept charts."""
    options.setdefault("scale", MEAN_SCALE)
    options.setdefault("title", "Mức độ hài lòng trung bình")
    options.setdefault("words", WORDS)
    chart = interval_chart.__wrapped__ if fresh else interval_chart
    return chart(
        rows,
        "unit",
        "mean",
        "mean_low",
        "mean_high",
        n_column="n",
        axis_label="Điểm trung bình (1–5)",
        suppressed_column="suppressed",
        **options,
    )


def parse(svg: str) -> ET.Element:
    """Parse an SVG string and check what every chart shares."""
    assert svg.startswith("<svg ")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    # What fpdf2 reads: clip paths named by word characters only, no <title>
    # (it warns on each), no rotated text.
    assert root.find(f"{SVG}title") is None
    assert re.findall(r"url\(#([^)]*)\)", svg) == re.findall(r"url\(#(\w+)\)", svg)
    assert not re.search(r"rotate\(-?[1-9]", svg)
    return root


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def markers(root: ET.Element, group: str) -> list[ET.Element]:
    """The dots drawn by the artist whose id ends with ``group``."""
    (found,) = [g for g in root.iter(f"{SVG}g") if g.get("id", "").endswith(group)]
    return list(found.iter(f"{SVG}use"))


NAMES = ["Phường Bến Nghé", "Phường Đa Kao", "Phòng Tư pháp", "Trường Mầm non Hoa Sen"]


def test_interval_chart_is_an_accessible_self_contained_svg() -> None:
    svg = draw(league(NAMES, [120, 40, 12, 3]))
    root = parse(svg)
    assert root.get("aria-label") == "Mức độ hài lòng trung bình"
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert "<style" not in svg  # matplotlib's *{…} would style the whole page
    assert "<script" not in svg and "<image" not in svg
    hrefs = [use.get(XLINK_HREF) for use in root.iter(f"{SVG}use")]
    assert hrefs and all(href.startswith("#") for href in hrefs)
    assert "metadata" not in svg and "Matplotlib v" not in svg


def test_vietnamese_names_stay_text_with_a_font_fallback() -> None:
    root = parse(draw(league(NAMES, [120, 40, 12, 3])))
    words = texts(root)
    assert {*NAMES, "Mức độ hài lòng trung bình", "Điểm trung bình (1–5)"} <= {*words}
    assert f"n < {MIN_PUBLISH}: {WORDS.unreliable}" in words
    assert f"n < {MIN_INTERVAL}: {WORDS.no_interval}" in words
    fonts = {
        re.search(r"font-family: ([^;]+)", t.get("style"))[1]
        for t in root.iter(f"{SVG}text")
    }
    assert fonts == {"'DejaVu Sans', 'Noto Sans', 'Arial', 'Helvetica', sans-serif"}
    assert "DejaVuSans-" not in ET.tostring(root, "unicode")  # no glyph outlines


def test_one_dot_per_shown_row_hollow_below_min_publish_none_when_suppressed() -> None:
    n = [120, 60, MIN_PUBLISH, MIN_PUBLISH - 1, MIN_INTERVAL, 12, 5, 4, 3, 0]
    rows = league([f"Đơn vị {i}" for i in range(len(n))], n)
    svg = draw(rows)
    root = parse(svg)
    assert len(markers(root, "_estimates")) == 3
    # Below MIN_INTERVAL (12 and 5 answers) a dot without a whisker.
    assert len(markers(root, "_estimates-indicative")) == 4
    assert "nan" not in svg.lower()
    assert texts(root).count(DASH) == 3
    # Withheld rows keep their n, as the methodology asks.
    assert {"4", "3", "0"} <= set(texts(root))


def test_rows_without_an_estimate_are_withheld_even_without_the_flag() -> None:
    rows = league(NAMES, [120, 40, 12, 3]).drop(columns="suppressed")
    svg = interval_chart(
        rows, "unit", "mean", "mean_low", "mean_high",
        n_column="n", title="T", axis_label="A", words=WORDS, scale=MEAN_SCALE,
    )  # fmt: skip
    root = parse(svg)
    assert (
        len(markers(root, "_estimates")) + len(markers(root, "_estimates-indicative"))
        == 3
    )
    assert texts(root).count(DASH) == 1


def test_rows_are_sorted_best_first_with_withheld_rows_last() -> None:
    rows = league(NAMES, [120, 40, 12, 3])
    words = texts(parse(draw(rows)))
    shown = rows[~rows["suppressed"]].sort_values("mean", ascending=False)
    order = [words.index(name) for name in [*shown["unit"], NAMES[3]]]
    assert order == sorted(order)


def test_people_keep_their_order_never_best_first() -> None:
    rows = league(NAMES, [120, 40, 30, 3])
    assert not rows["mean"].iloc[:3].is_monotonic_decreasing
    words = texts(parse(draw(rows, best_first=False)))
    order = [words.index(name) for name in NAMES]
    assert order == sorted(order)


def test_reference_line_only_when_asked() -> None:
    rows = league(NAMES, [120, 40, 12, 3])
    with_line = parse(draw(rows, reference=4.0, reference_label="Toàn quận"))
    assert [
        g for g in with_line.iter(f"{SVG}g") if g.get("id", "").endswith("_reference")
    ]
    assert "Toàn quận" in texts(with_line)
    without = parse(draw(rows))
    assert not [g for g in without.iter(f"{SVG}g") if "reference" in g.get("id", "")]


def test_same_data_same_bytes_and_the_input_is_left_alone() -> None:
    rows = league(NAMES, [120, 40, 12, 3])
    before = rows.copy()
    assert draw(rows) == draw(rows.copy()) == draw(rows, fresh=True)
    pd.testing.assert_frame_equal(rows, before)


def test_a_kept_chart_is_never_sent_for_other_data_words_or_numbers() -> None:
    rows = league(NAMES, [120, 40, 12, 3])
    kept = draw(rows)
    english = ChartText(
        no_data="No data yet",
        unreliable="indicative only",
        no_interval="too few answers for an interval",
        rank="Rank (95% interval)",
    )
    others = [
        (rows.assign(mean=rows["mean"] + 0.01), {}),
        (rows, {"title": "Another title"}),
        (rows, {"words": english}),
        (rows, {"scale": Scale.over(0, 10)}),
    ]
    for other_rows, options in others:
        svg = draw(other_rows, **options)
        assert svg != kept
        assert svg == draw(other_rows, fresh=True, **options)


def test_ids_are_unique_within_a_page_of_several_charts() -> None:
    svgs = [draw(league(NAMES, n)) for n in ([120, 40, 12, 3], [50, 60, 70, 80])]
    ids = [[e.get("id") for e in parse(svg).iter() if e.get("id")] for svg in svgs]
    assert len(set(ids[0])) == len(ids[0])
    assert not set(ids[0]) & set(ids[1])
    references = re.findall(r'(?:href="#|url\(#)([^")]+)', svgs[0])
    assert references and set(references) <= set(ids[0])


def test_names_are_escaped_not_markup() -> None:
    svg = draw(league([SCRIPT, "Quầy $1 & $2", *NAMES[2:]], [120, 40, 12, 3]))
    assert "<script" not in svg
    words = texts(parse(svg))
    assert SCRIPT in words and "Quầy $1 & $2" in words


@pytest.mark.parametrize(
    "chart",
    [
        lambda: draw(league([], [])),
        lambda: rank_chart(
            pd.DataFrame(columns=["unit", "rank", "rank_low", "rank_high"]),
            "unit", "rank", "rank_low", "rank_high", title="Xếp hạng", words=WORDS,
        ),
        lambda: trend_chart(
            pd.DataFrame(columns=["period", "count"]), "period", "count",
            title="Số phiếu", axis_label="Số phiếu", words=WORDS,
        ),
        lambda: distribution_chart(
            pd.DataFrame(columns=[1, 2, 3, 4, 5]), title="Phân bố", labels=RATINGS,
            words=WORDS,
        ),
    ],
)  # fmt: skip
def test_no_rows_give_a_no_data_chart(chart) -> None:
    root = parse(chart())
    assert WORDS.no_data in texts(root)


def test_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match="'mean_low'"):
        draw(league(NAMES, [120, 40, 12, 3]).drop(columns="mean_low"))


def test_a_league_of_300_units_stays_readable() -> None:
    # How fast it draws is measured in bench/, not asserted here.
    n = list(np.random.default_rng(3).integers(0, 400, 300))
    rows = league([f"Phường số {i}" for i in range(300)], n)
    root = parse(draw(rows))
    shown = int((~rows["suppressed"]).sum())
    drawn = markers(root, "_estimates") + markers(root, "_estimates-indicative")
    assert len(drawn) == shown
    height = float(root.get("height").removesuffix("pt"))
    assert height / 300 >= 16  # points per row: a 9-point name fits each


def test_ticks_use_the_readers_decimal_mark() -> None:
    rows = league(NAMES, [120, 40, 12, 3])
    svg = draw(rows, scale=Scale(1, 5, 0.5))
    assert any(re.fullmatch(r"\d,\d", word) for word in texts(parse(svg)))


def test_rank_chart_puts_rank_1_on_top_with_its_interval() -> None:
    ranks = pd.DataFrame(
        {
            "unit": ["Phường C", "Phường A", "Phường B", "Phường D"],
            "rank": [3, 1, 2, np.nan],
            "rank_low": [2, 1, 1, np.nan],
            "rank_high": [3, 2, 3, np.nan],
        }
    )
    root = parse(
        rank_chart(
            ranks, "unit", "rank", "rank_low", "rank_high",
            title="Xếp hạng", words=WORDS,
        )
    )  # fmt: skip
    words = texts(root)
    assert [words.index(u) for u in ("Phường A", "Phường B", "Phường C")] == sorted(
        words.index(u) for u in ("Phường A", "Phường B", "Phường C")
    )
    assert {"1–2", "1–3", "2–3", DASH} <= set(words)
    dots = markers(root, "_estimates")
    assert len(dots) == 3
    heights = [float(dot.get("y")) for dot in dots]
    assert heights == sorted(heights)  # rank 1 highest on the page


def test_trend_chart_writes_every_count() -> None:
    frame = pd.DataFrame(
        {"quý": ["2025Q1", "2025Q2", "2025Q3"], "phiếu": [120, 0, 512]}
    )
    root = parse(
        trend_chart(frame, "quý", "phiếu", title="Số phiếu theo quý",
                    axis_label="Số phiếu", words=WORDS)
    )  # fmt: skip
    assert {"2025Q1", "2025Q3", "120", "0", "512", "Số phiếu"} <= set(texts(root))


def test_distribution_uses_the_face_colours_and_withholds_small_groups() -> None:
    css = (APP / "static" / "hailong.css").read_text()
    faces = dict(
        re.findall(r"\.f(\d) \.face circle:first-child \{ fill: (#\w+); \}", css)
    )
    assert tuple(faces[str(i)] for i in range(1, 6)) == FACE_COLOURS
    counts = pd.DataFrame(
        [[3, 5, 10, 40, 42], [1, 0, 1, 1, 0], [10, 8, 5, 3, 1]],
        index=["Phường 1", SCRIPT, "Phòng Tư pháp"],
    )
    svg = distribution_chart(
        counts, title="Phân bố đánh giá", labels=RATINGS, words=WORDS
    )
    root = parse(svg)
    assert set(RATINGS) <= set(texts(root))
    assert "<script" not in svg and SCRIPT in texts(root)
    assert texts(root).count(DASH) == 1
    # Two shown groups plus the legend's swatch, for the first rating's colour.
    assert svg.count(f"fill: {FACE_COLOURS[0]}") == 3


def test_distribution_needs_the_five_ratings() -> None:
    with pytest.raises(ValueError, match="Hài lòng"):
        distribution_chart(
            pd.DataFrame([[1, 2]]), title="T", labels=["Hài lòng"], words=WORDS
        )


def test_table_rows_match_the_chart_numbers() -> None:
    rows = league(NAMES, [120, 40, 12, 3])
    cells = table_rows(rows, ["unit", "n", "mean", "mean_low"], words=WORDS)
    assert cells[0][:2] == ["Phường Bến Nghé", "120"]
    assert re.fullmatch(r"\d,\d\d", cells[0][2])
    assert cells[3][2:] == [DASH, DASH]


def test_macro_prints_the_svg_and_an_escaped_table() -> None:
    environment = Environment(
        loader=FileSystemLoader(APP / "templates"), autoescape=select_autoescape()
    )
    environment.globals["_"] = lambda text: text  # Vietnamese, the source
    macro = environment.get_template("_chart.html").module.chart
    rows = league([SCRIPT, *NAMES[1:]], [120, 40, 12, 3])
    svg = draw(rows)
    html = str(
        macro(
            svg,
            table_rows(rows, ["unit", "n", "mean"], words=WORDS),
            ["Đơn vị", "n", "Điểm"],
        )
    )
    assert svg in html
    assert "<script" not in html
    assert '<th scope="row">&lt;script&gt;alert(1)&lt;/script&gt;</th>' in html
    assert "Bảng số liệu của biểu đồ" in html and "<details>" in html


# Readable at a glance: the rules of issue 17.


def boxes(root: ET.Element) -> list[tuple[str, float, float, float, float]]:
    """Each text's box (left, top, right, bottom, in points), from where the SVG
    puts it and its width in DejaVu Sans at its size, as the page draws it."""
    found = []
    for element in root.iter(f"{SVG}text"):
        style = element.get("style", "")
        size = float(re.search(r"font-size: ([\d.]+)px", style)[1])
        if element.get("x") is not None:
            x, y = float(element.get("x")), float(element.get("y"))
        else:
            x, y = map(float, re.search(r"translate\(([-\d.]+) ([-\d.]+)\)",
                                        element.get("transform")).groups())  # fmt: skip
        weight = "bold" if "font-weight: 700" in style else "normal"
        font = FontProperties(family="DejaVu Sans", size=size, weight=weight)
        width = TextPath((0, 0), element.text or "", prop=font).get_extents().x1
        anchor = re.search(r"text-anchor: (\w+)", style)
        shift = {"middle": width / 2, "end": width}.get(anchor and anchor[1], 0)
        found.append(
            (element.text or "", x - shift, y - 0.75 * size, x - shift + width,
             y + 0.25 * size)
        )  # fmt: skip
    return found


def assert_no_overlap_and_inside(svg: str) -> None:
    """No two texts of a chart overlap, and every text stays inside it."""
    root = parse(svg)
    width, height = svg_size(svg)
    placed = boxes(root)
    for text, left, top, right, bottom in placed:
        assert left >= 0 and right <= width and top >= 0 and bottom <= height, text
    for index, (text, left, top, right, bottom) in enumerate(placed):
        for other, left2, top2, right2, bottom2 in placed[index + 1 :]:
            apart = (
                right <= left2 + 0.5 or right2 <= left + 0.5
                or bottom <= top2 + 0.5 or bottom2 <= top + 0.5
            )  # fmt: skip
            assert apart, f"{text!r} overlaps {other!r}"


LONG_NAME = (
    "Trung tâm Phục vụ hành chính công quận, bộ phận tiếp nhận và trả kết quả "
    "hồ sơ đất đai, xây dựng và đăng ký kinh doanh của các hộ gia đình"
)
MONTHS = pd.DataFrame(
    {
        "month": ["thg 1\n2026", *(f"thg {m}" for m in range(2, 13))],
        "count": [120, 340, 2000, 5, 0, 9, 1, 0, 45, 78, 1200, 30],
    }
)


def long_percent_list() -> pd.DataFrame:
    """Shares of 25 units: the scale shows above the rows too, 100% beside n."""
    rows = league([f"Phường {number}" for number in range(25)], [120] * 25)
    return rows.assign(**{c: rows[c] * 20 for c in ("mean", "mean_low", "mean_high")})


def trend(frame: pd.DataFrame) -> str:
    return trend_chart(
        frame, "month", "count", title="Số phiếu theo tháng", axis_label="Số phiếu",
        words=WORDS,
    )  # fmt: skip


@pytest.mark.parametrize(
    "chart",
    [
        lambda: trend(MONTHS),
        lambda: trend(MONTHS.assign(count=MONTHS["count"] * 100_000)),
        lambda: trend(MONTHS.assign(month=[f"Tháng {m} năm 2026" for m in range(12)])),
        lambda: draw(league([*NAMES, LONG_NAME], [120, 40, 12, 3, 60]),
                     reference=4.0, reference_label="Toàn quận"),
        lambda: draw(league(["Phường Bến Nghé"], [120])),
        lambda: draw(long_percent_list(), scale=PERCENT_SCALE),
        lambda: rate_chart(
            pd.DataFrame({"p": ["2026-Q1", "2026-Q2"], "a": [3, 700], "b": [4, 1000]}),
            "p", "a", "b", title="Tỷ lệ đúng hạn", axis_label="Tỷ lệ", words=WORDS,
        ),
        lambda: trend(MONTHS.assign(count=0)),
    ],
)  # fmt: skip
def test_no_text_overlaps_another_or_leaves_the_chart(chart) -> None:
    assert_no_overlap_and_inside(chart())


def test_the_monthly_title_stands_clear_of_the_scale() -> None:
    placed = boxes(parse(trend(MONTHS)))
    title = next(box for box in placed if box[0] == "Số phiếu theo tháng")
    top_tick = next(box for box in placed if box[0] == "2.000")
    assert title[4] < top_tick[2]


def test_period_labels_are_thinned_until_they_fit() -> None:
    named = MONTHS.assign(month=[f"Tháng {m} năm 2026" for m in range(1, 13)])
    shown = [t for t in texts(parse(trend(named))) if t.startswith("Tháng ")]
    assert 2 <= len(shown) < 12 and shown[0] == "Tháng 1 năm 2026"
    # Short names all show, on the lines they were given.
    words = texts(parse(trend(MONTHS)))
    assert {"thg 1", "2026", "thg 12"} <= set(words)
    assert LABEL_GAP > 0


def test_counts_stand_above_bars_only_when_all_of_them_fit() -> None:
    assert {"2.000", "1.200", "0"} <= set(texts(parse(trend(MONTHS))))
    huge = texts(parse(trend(MONTHS.assign(count=MONTHS["count"] * 100_000))))
    assert "12.000.000" not in huge  # the table beside the chart has them


def test_nothing_counted_draws_a_frame_that_says_so_not_an_axis_around_zero() -> None:
    for svg in (
        trend(MONTHS.assign(count=0)),
        trend(MONTHS.iloc[:0]),
        rate_chart(
            pd.DataFrame({"p": ["2026-Q1"], "a": [0], "b": [0]}), "p", "a", "b",
            title="Tỷ lệ đúng hạn", axis_label="Tỷ lệ", words=WORDS,
        ),
    ):  # fmt: skip
        assert texts(parse(svg))[1:] == [WORDS.no_data]
    english = ChartText("No data yet", "indicative", "too few", "Rank")
    assert "No data yet" in texts(parse(trend_chart(
        MONTHS.assign(count=0), "month", "count", title="Responses",
        axis_label="Responses", words=english,
    )))  # fmt: skip


def test_one_unit_is_drawn_on_the_whole_scale_not_a_sliver() -> None:
    words = texts(parse(draw(league(["Phường Bến Nghé"], [120]))))
    assert [w for w in words if re.fullmatch(r"\d", w)] == ["1", "2", "3", "4", "5"]
    rows = league(["Phường Bến Nghé"], [120])
    rows[["mean", "mean_low", "mean_high"]] = [[80.0, 77.0, 83.0]]
    words = texts(parse(draw(rows, scale=PERCENT_SCALE)))
    assert [w for w in words if w.endswith("%")] == [
        "0%", "20%", "40%", "60%", "80%", "100%",
    ]  # fmt: skip
    # A scale the caller does not know starts at 0.
    words = texts(parse(draw(rows, scale=None)))
    assert "0" in words and "100" in words


def test_a_scale_of_0_to_10_has_round_ticks() -> None:
    assert Scale.over(0, 10).ticks().tolist() == [0, 2, 4, 6, 8, 10]
    assert Scale.over(1, 5) == MEAN_SCALE
    with pytest.raises(ValueError, match="5"):
        Scale.over(5, 5)


def test_long_names_wrap_on_at_most_three_lines_and_are_never_cut() -> None:
    svg = draw(league([*NAMES, LONG_NAME], [120, 40, 12, 3, 60]))
    words = texts(parse(svg))
    assert LONG_NAME not in words and "…" not in "".join(words)
    start = next(i for i, word in enumerate(words) if LONG_NAME.startswith(word))
    lines = next(
        words[start : start + k]
        for k in range(1, 4)
        if " ".join(words[start : start + k]) == LONG_NAME
    )
    assert 2 <= len(lines) <= 3
    assert svg_size(svg)[0] == 7 * 72  # the name wrapped, the chart kept its width


def test_every_row_shows_its_n_the_readers_way() -> None:
    words = texts(parse(draw(league(NAMES, [1200, 40, 12, 3]))))
    assert {"n", "1.200", "40", "12", "3"} <= set(words)


def test_same_figures_same_bytes_for_every_kind() -> None:
    assert trend(MONTHS) == trend(MONTHS.copy())
    assert trend(MONTHS.iloc[:0]) == trend(MONTHS.iloc[:0])


def test_months_are_named_the_readers_way_with_the_year_where_it_changes() -> None:
    assert month_labels(["2026-11", "2026-12", "2027-01", "2027-02"]) == [
        "thg 11\n2026", "thg 12", "thg 1\n2027", "thg 2",
    ]  # fmt: skip
