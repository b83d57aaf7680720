"""Charts as inline SVG: well formed, readable text, one dot per shown row, stable."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape

from analysis.results import MIN_INTERVAL, MIN_PUBLISH, MIN_SUPPRESS
from app.charts import (
    DASH,
    FACE_COLOURS,
    ChartText,
    distribution_chart,
    interval_chart,
    rank_chart,
    table_rows,
    trend_chart,
)
from app.formatting import format_number

APP = Path(__file__).resolve().parents[2] / "app"
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
WORDS = ChartText(
    no_data="Chưa có dữ liệu",
    unreliable="chỉ mang tính tham khảo",
    no_interval="quá ít câu trả lời để tính khoảng tin cậy",
    rank="Thứ hạng (khoảng 95%)",
    number=format_number,  # Vietnamese outside the app
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


def draw(rows: pd.DataFrame, **options: object) -> str:
    return interval_chart(
        rows,
        "unit",
        "mean",
        "mean_low",
        "mean_high",
        n_column="n",
        title="Mức độ hài lòng trung bình",
        axis_label="Điểm trung bình (1–5)",
        words=WORDS,
        suppressed_column="suppressed",
        **options,
    )


def parse(svg: str) -> ET.Element:
    """Parse an SVG string and check what every chart shares."""
    assert svg.startswith("<svg ")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert root.find(f"{SVG}title").text == root.get("aria-label")
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
    assert len(markers(root, "-estimates")) == 3
    # Below MIN_INTERVAL (12 and 5 answers) a dot without a whisker.
    assert len(markers(root, "-estimates-indicative")) == 4
    assert "nan" not in svg.lower()
    assert texts(root).count(DASH) == 3
    # Withheld rows keep their n, as the methodology asks.
    assert {"4", "3", "0"} <= set(texts(root))


def test_rows_without_an_estimate_are_withheld_even_without_the_flag() -> None:
    rows = league(NAMES, [120, 40, 12, 3]).drop(columns="suppressed")
    svg = interval_chart(
        rows, "unit", "mean", "mean_low", "mean_high",
        n_column="n", title="T", axis_label="A", words=WORDS,
    )  # fmt: skip
    root = parse(svg)
    assert (
        len(markers(root, "-estimates")) + len(markers(root, "-estimates-indicative"))
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
        g for g in with_line.iter(f"{SVG}g") if g.get("id", "").endswith("-reference")
    ]
    assert "Toàn quận" in texts(with_line)
    without = parse(draw(rows))
    assert not [g for g in without.iter(f"{SVG}g") if "reference" in g.get("id", "")]


def test_same_data_same_bytes_and_the_input_is_left_alone() -> None:
    rows = league(NAMES, [120, 40, 12, 3])
    before = rows.copy()
    assert draw(rows) == draw(rows.copy())
    pd.testing.assert_frame_equal(rows, before)


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
    drawn = markers(root, "-estimates") + markers(root, "-estimates-indicative")
    assert len(drawn) == shown
    height = float(root.get("height").removesuffix("pt"))
    assert height / 300 >= 16  # points per row: a 9-point name fits each


def test_ticks_use_the_readers_decimal_mark() -> None:
    rows = league(NAMES, [120, 40, 12, 3])
    assert any(re.fullmatch(r"\d,\d", word) for word in texts(parse(draw(rows))))


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
    dots = markers(root, "-estimates")
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
