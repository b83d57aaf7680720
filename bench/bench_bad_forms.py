"""Refusing a million-row XLSForm (issue 16 point 5) against openpyxl merely opening it.

Writes, once per run into a temporary folder, two workbooks a questionnaire
never resembles: a ``survey`` sheet of 1,000,000 questions, and a form whose
``choices`` sheet holds 1,000,000 options of one list. For each, in the same
run, in a fresh process per measurement (so the peak memory is its own):

* bare: ``openpyxl.load_workbook(read_only=True)``, what any reader pays first
  (it parses the workbook's parts and its shared strings, not the rows);
  modules are imported before the clock starts;
* read: the same, then every row iterated (what a reader without a limit does);
* ours: ``load_definition``, with the default limits: a million rows inflate
  past the 50 MB limit, so the archive's declared sizes refuse it unread;
* rows: ``load_xlsform`` with the size limits lifted, so only the row limit
  refuses it, after reading the limit's rows (openpyxl, read-only, streaming).

The ratios are over bare: how much more than opening the file a refusal
costs. Speed is reported, not asserted. Run from the repository root::

    python bench/bench_bad_forms.py               # 1,000,000 rows
    python bench/bench_bad_forms.py --rows 200000     # over the 100,000 limit
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from surveys.questionnaire.xlsform_limits import DEFAULT_LIMITS  # noqa: E402


def write_workbooks(folder: Path, rows: int) -> dict[str, Path]:
    """Write the long survey and the long choice list, streaming."""
    from openpyxl import Workbook

    paths = {}
    for kind in ("survey", "choices"):
        book = Workbook(write_only=True)
        survey = book.create_sheet("survey")
        survey.append(["type", "name", "label"])
        if kind == "survey":
            for n in range(rows):
                survey.append(["integer", f"q{n}", f"Câu hỏi số {n}"])
        else:
            survey.append(["select_one big", "pick", "Chọn"])
            choices = book.create_sheet("choices")
            choices.append(["list_name", "name", "label"])
            for n in range(rows):
                choices.append(["big", f"c{n}", f"Lựa chọn {n}"])
        paths[kind] = folder / f"million_{kind}.xlsx"
        book.save(paths[kind])
    return paths


def bare(path: Path) -> None:
    import openpyxl

    openpyxl.load_workbook(path, read_only=True).close()


def read_all(path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    for sheet in book.worksheets:
        for _ in sheet.iter_rows(values_only=True):
            pass
    book.close()


def ours(path: Path) -> None:
    from surveys.questionnaire import DefinitionError, load_definition

    try:
        load_definition(path)
    except DefinitionError as error:
        assert "the limit" in str(error), error
        return
    raise AssertionError(f"{path} loaded")


def ours_rows(path: Path) -> None:
    """Refuse by the row limit alone: the size limits lifted, reading streams."""
    from surveys.questionnaire import DefinitionError
    from surveys.questionnaire.xlsform_limits import Limits
    from surveys.questionnaire.xlsform_reader import load_xlsform

    unbounded = Limits(file_bytes=2**40, inflated_bytes=2**40)
    try:
        load_xlsform(path, unbounded)
    except DefinitionError as error:
        assert "rows with content, the limit" in str(error), error
        return
    raise AssertionError(f"{path} loaded")


def _measure(task: Callable[[Path], None], path: Path) -> tuple[float, float]:
    # Imports are not what is measured: a server has them loaded already.
    import openpyxl  # noqa: F401

    import surveys.questionnaire.xlsform_reader  # noqa: F401

    started = time.perf_counter()
    task(path)
    elapsed = time.perf_counter() - started
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(task: Callable[[Path], None], path: Path) -> tuple[float, float]:
    """Run one task in a fresh process: seconds, and peak resident megabytes."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_measure, task, path).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N")
    arguments = parser.parse_args()
    if arguments.rows <= DEFAULT_LIMITS.choice_rows:
        parser.error(f"--rows must be over the limit, {DEFAULT_LIMITS.choice_rows:,}")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        paths = write_workbooks(Path(folder), arguments.rows)
        print(f"wrote the workbooks in {time.perf_counter() - started:.1f} s")
        for kind, path in paths.items():
            size = path.stat().st_size / 1e6
            print(f"\n{arguments.rows:,} rows in '{kind}' ({size:.1f} MB)")
            figures = {}
            tasks = (("bare", bare), ("read", read_all), ("ours", ours))
            for name, task in (*tasks, ("rows", ours_rows)):
                runs = [measure(task, path) for _ in range(arguments.repeat)]
                figures[name] = min(runs)
                seconds, peak = figures[name]
                print(f"  {name:5} {seconds:7.2f} s   peak {peak:6.0f} MB")
            ratios = "   ".join(
                f"{name} / bare = {figures[name][0] / figures['bare'][0]:.3f}"
                for name in ("ours", "rows", "read")
            )
            print(f"  {ratios}")


if __name__ == "__main__":
    main()
