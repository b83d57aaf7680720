"""The rate chart: a bar per period on 0-100%, each with its fraction, stable."""

from __future__ import annotations

import pandas as pd

from app.charts import DASH, rate_chart
from tests.app.test_charts import WORDS, parse, texts

QUARTERS = pd.DataFrame(
    {"period": ["2026-Q1", "2026-Q2", "2026-Q3"], "in_time": [3, 0, 8],
     "returned": [4, 0, 8]}
)  # fmt: skip


def draw(frame: pd.DataFrame) -> str:
    return rate_chart(
        frame,
        "period",
        "in_time",
        "returned",
        title="Tỷ lệ hồ sơ trả đúng hạn theo kỳ",
        axis_label="Tỷ lệ trả đúng hạn",
        words=WORDS,
    )


def test_each_bar_says_its_rate_and_the_fraction_it_rests_on() -> None:
    svg = draw(QUARTERS)
    root = parse(svg)
    assert root.get("aria-label") == "Tỷ lệ hồ sơ trả đúng hạn theo kỳ"
    words = " ".join(texts(root))
    # Vietnamese numbers; a period with nothing returned shows a dash, not 0%.
    assert "75%" in words and "3/4" in words and "100%" in words and "8/8" in words
    assert DASH in words and "0/0" not in words
    assert all(period in words for period in QUARTERS["period"])


def test_the_same_figures_draw_the_same_bytes() -> None:
    assert draw(QUARTERS) == draw(QUARTERS.copy())


def test_no_period_says_so() -> None:
    assert "Chưa có dữ liệu" in texts(parse(draw(QUARTERS.iloc[:0])))
