"""Pages of ``GET /api/v1/responses`` at a million responses: time per page.

Reads a database ``bench_dashboards.py`` kept (``--keep``), read-only: the
domain call behind the view (``responses_page``), for a key of the district,
without the HTTP around it. Each case is a page of 200 after a cursor: at the
start, in the middle, near the end; one ward; one day; a counter; a filter
nothing matches (the worst case: a page walks its whole span and is empty);
then the first 100 pages of a walk.

Run from the repository root::

    python bench/bench_api_responses.py --url sqlite:////work/benchdb/bench_perf_1000000.sqlite3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from surveys.db import READ_ONLY, make_engine, make_session_factory  # noqa: E402
from surveys.exchange.pages import encode_cursor  # noqa: E402
from surveys.exchange.response_listing import (  # noqa: E402
    ResponseFilter,
    read_responses,
    responses_page,
)
from surveys.models import Campaign, Response, ServicePoint, Unit  # noqa: E402
from surveys.storage.periods import days_bounds  # noqa: E402
from surveys.units.tree import subtree_ids  # noqa: E402


def timed(call: Callable[[], object], repeat: int = 5) -> float:
    """Return the median milliseconds of ``repeat`` calls after a cold one."""
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    arguments = parser.parse_args()
    engine = make_engine(arguments.url)
    with make_session_factory(engine)(execution_options=READ_ONLY) as session:
        campaign = session.scalars(
            select(Campaign).join(Response).group_by(Campaign.id)
            .order_by(func.count().desc()).limit(1)
        ).one()  # fmt: skip
        top = session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
        units = list(session.scalars(subtree_ids(top.id)))
        ward = session.scalar(
            select(Unit).join(Response, Response.unit_id == Unit.id)
            .where(Unit.parent_id == top.id).group_by(Unit.id)
            .order_by(func.count().desc()).limit(1)
        )  # fmt: skip
        point = session.scalar(
            select(ServicePoint).where(ServicePoint.unit_id == ward.id).limit(1)
        )
        newest = session.scalar(select(func.max(Response.id)))
        everything = ResponseFilter(unit_ids=units)
        day = date(2026, 6, 15)
        cases = {
            "first page": (everything, None),
            "middle": (everything, newest // 2),
            "near the end": (everything, newest - 1000),
            f"one ward ({ward.code})": (
                ResponseFilter(unit_ids=list(session.scalars(subtree_ids(ward.id)))),
                newest // 2,
            ),
            "one day (2026-06-15)": (
                ResponseFilter(unit_ids=units, between=days_bounds(day, day)),
                None,
            ),
            "one counter": (
                ResponseFilter(unit_ids=units, service_point_id=point.id),
                newest // 2,
            ),
            "nothing matches": (
                ResponseFilter(unit_ids=units, channel="open_link"),
                newest // 2,
            ),
        }
        print(f"{campaign.key}: responses up to id {newest:,}; pages of 200")
        for name, (chosen, after) in cases.items():
            cursor = encode_cursor([after, 0]) if after is not None else None
            page = responses_page(
                session, campaign, chosen, cursor, 200, with_officials=True
            )
            ms = timed(
                lambda c=chosen, k=cursor: responses_page(
                    session, campaign, c, k, 200, with_officials=True
                )
            )
            print(f"  {name:<32} {len(page.items):>4} items  {ms:8.1f} ms")
        one = timed(
            lambda: read_responses(
                session, campaign, [newest // 2], with_officials=True
            )
        )
        print(f"  {'one response':<32} {1:>4} item   {one:8.1f} ms")
        cursor, count = None, 0
        started = time.perf_counter()
        for _ in range(100):
            page = responses_page(
                session, campaign, everything, cursor, 200, with_officials=True
            )
            count += len(page.items)
            cursor = page.next_cursor
        seconds = time.perf_counter() - started
        print(f"  walk: 100 pages, {count:,} responses in {seconds:.2f} s")


if __name__ == "__main__":
    main()
