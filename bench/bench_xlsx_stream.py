"""The responses' XLSX, streamed, against openpyxl's write-only workbook.

Reads a campaign's responses from an existing database (read only: a deferred
transaction), the dataset the download writes (codes, select_multiple in one
cell, officials included), and writes it with ``responses_workbook`` (the
stream) and with openpyxl's write-only workbook saved to a temporary file and
then read back in chunks (the way the download was written before). Each in
its own process, so that its peak memory is its own: wall and CPU time, the
time to the first byte, the size and the peak RSS. ``--responses`` stops both
after that many rows (0: all of them).

The default database is the kept million-response one of the bench machine
(``bench_dashboards.py`` builds such databases); without it the script says
so and exits. Run from the repository root::

    python bench/bench_xlsx_stream.py [--url URL] [--responses 100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import make_url  # noqa: E402

from app.reports.csv import neutral_pages  # noqa: E402
from app.reports.responses_xlsx import responses_workbook  # noqa: E402
from app.spreadsheets import neutralised  # noqa: E402
from surveys.db import (  # noqa: E402
    READ_ONLY,
    is_sqlite,
    make_engine,
    make_session_factory,
)
from surveys.exchange.dataset import Dataset, response_dataset  # noqa: E402
from surveys.models import Campaign  # noqa: E402
from surveys.storage.exports import Columns  # noqa: E402

WRITERS = ("stream", "openpyxl")
#: The bench machine's kept database: campaign 1 has 1,000,000 responses.
KEPT_DATABASE = "sqlite:////work/benchdb/bench_perf_1000000.sqlite3"


def openpyxl_workbook(dataset: Dataset, title: str) -> Iterator[bytes]:
    """Write the workbook as the download did before the stream (the baseline)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([neutralised(variable.header) for variable in dataset.variables])
    for page in neutral_pages(dataset):
        for row in page:
            sheet.append(row)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(1 << 16):
            yield chunk


def _first(pages: Iterable[Columns], rows: int | None) -> Iterator[Columns]:
    """Yield pages (columns) until ``rows`` rows have gone (the last page cut);
    0: all."""
    if not rows:
        yield from pages
        return
    left = rows
    for page in pages:
        yield [column[:left] for column in page]
        left -= min(left, len(page[0]))
        if not left:
            return


def measure(url: str, campaign_id: int, rows: int | None, writer: str) -> dict:
    """Write the workbook once with ``writer``; return its figures."""
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        session.connection(execution_options=READ_ONLY)
        campaign = session.get_one(Campaign, campaign_id)
        started, cpu = time.perf_counter(), time.process_time()
        dataset = response_dataset(
            session, campaign, None, None, with_officials=True,
            values="codes", multiple="cell",
        )  # fmt: skip
        dataset = replace(dataset, pages=_first(dataset.pages, rows))
        write = responses_workbook if writer == "stream" else openpyxl_workbook
        size, first = 0, None
        for chunk in write(dataset, "Phiếu trả lời"):
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)
        return {
            "writer": writer,
            "wall": time.perf_counter() - started,
            "cpu": time.process_time() - cpu,
            "first_byte": first,
            "mib": size / 2**20,
            "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=KEPT_DATABASE)
    parser.add_argument("--campaign", type=int, default=1)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--writer", choices=WRITERS, help="one writer, in-process")
    args = parser.parse_args()
    database = make_url(args.url).database
    if is_sqlite(args.url) and not (database and Path(database).exists()):
        print(f"bench_xlsx_stream.py: no database at {args.url}", file=sys.stderr)
        return
    if args.writer:
        print(json.dumps(measure(args.url, args.campaign, args.responses, args.writer)))
        return
    print("writer    wall s   CPU s  first byte s    MiB  max RSS MiB")
    for writer in WRITERS:
        command = [sys.executable, __file__, "--url", args.url,
                   "--campaign", str(args.campaign), "--writer", writer]  # fmt: skip
        if args.responses:
            command += ["--responses", str(args.responses)]
        out = subprocess.run(command, check=True, capture_output=True, text=True)
        got = json.loads(out.stdout)
        print(f"{writer:8} {got['wall']:7.1f} {got['cpu']:7.1f} "
              f"{got['first_byte']:13.2f} {got['mib']:6.1f} "
              f"{got['max_rss_mib']:12.0f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
