"""A dataset of responses as an SPSS ``.sav`` or Stata ``.dta`` file (pyreadstat).

pyreadstat writes a whole DataFrame, not rows as they come: the file is built
in memory once, written to a temporary file, and that file streamed, so the
request never holds the DataFrame and the file's bytes at once. Its cost grows
with the responses, unlike the CSV's flat pages: about 20 bytes a cell, 38 MiB
at 100,000 responses of 20 variables, so about 0.4 GiB a million
(docs/exports.md, bench/bench_stat_files.py).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

import pandas as pd
import pyreadstat

from surveys.exchange.dataset import DATE_VARIABLE, Dataset

#: The formats written, by the file's extension.
FORMATS = ("sav", "dta")
#: Bytes read from the temporary file at a time while streaming it.
CHUNK = 1 << 16


def dataset_frame(dataset: Dataset) -> pd.DataFrame:
    """Gather the dataset's pages into one DataFrame, a column at a time."""
    columns: list[list[object]] = [[] for _ in dataset.variables]
    for page in dataset.pages:
        for index, column in enumerate(columns):
            column.extend(row[index] for row in page)
        del page
    frame = {}
    for variable, values in zip(dataset.variables, columns, strict=True):
        if variable.name == DATE_VARIABLE:
            # Dates as such: pyreadstat writes them as a date format (DATE11,
            # %td); a datetime64[s] column came back as 1970-01-01.
            frame[variable.name] = pd.Series(values, dtype=object)
        elif variable.numeric:
            frame[variable.name] = pd.Series(values, dtype="float64")
        else:
            frame[variable.name] = pd.Series(
                ["" if value is None else value for value in values], dtype=object
            )
        values.clear()
    return pd.DataFrame(frame)


def write_dataset(dataset: Dataset, kind: str, path: str) -> None:
    """Write the dataset as ``kind`` (``sav`` or ``dta``) at ``path``."""
    frame = dataset_frame(dataset)
    labels = [variable.label for variable in dataset.variables]
    value_labels = {
        variable.name: {float(k): v for k, v in variable.value_labels.items()}
        for variable in dataset.variables
        if variable.value_labels
    }
    if kind == "sav":
        pyreadstat.write_sav(
            frame, path, column_labels=labels, variable_value_labels=value_labels
        )
    elif kind == "dta":
        pyreadstat.write_dta(
            frame,
            path,
            column_labels=labels,
            variable_value_labels=value_labels,
            # Format 118: UTF-8 and long texts, read by Stata 14 and later.
            version=14,
        )
    else:
        raise ValueError(f"unknown format {kind!r}, not one of {FORMATS}")


def dataset_file(dataset: Dataset, kind: str) -> Iterator[bytes]:
    """Write the dataset to a temporary file now, and give its bytes to stream.

    The file leaves the folder at once: the open handle reads it to its end,
    and the system frees it when the handle closes, streamed or not.
    """
    handle, path = tempfile.mkstemp(suffix=f".{kind}")
    os.close(handle)
    try:
        write_dataset(dataset, kind, path)
        written = open(path, "rb")  # noqa: SIM115 - closed by _chunks
    finally:
        os.unlink(path)
    return _chunks(written)


def _chunks(written: BinaryIO) -> Iterator[bytes]:
    """Yield a file's bytes, then close it."""
    with written:
        while chunk := written.read(CHUNK):
            yield chunk
