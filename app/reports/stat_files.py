"""A dataset of responses as an SPSS ``.sav`` or Stata ``.dta`` file, streamed.

The writers (``surveys.exchange.spss_file``, ``stata_file``) read the
responses a page at a time and need a file they can seek in, not the
response: they write to a temporary file, and that file is streamed. Memory
stays flat whatever the number of responses; the disk holds the file and a
spool of the rows while it is written (docs/exports.md,
bench/bench_stat_files.py).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

from surveys.exchange.dataset import Dataset
from surveys.exchange.spss_file import write_sav
from surveys.exchange.stata_file import write_dta

#: The writer of each format, by the file's extension.
WRITERS: dict[str, Callable[[Dataset, BinaryIO], None]] = {
    "sav": write_sav,
    "dta": write_dta,
}
#: The formats written.
FORMATS = tuple(WRITERS)
#: Bytes read from the temporary file at a time while streaming it.
CHUNK = 1 << 16


def write_dataset(dataset: Dataset, kind: str, path: str) -> None:
    """Write the dataset as ``kind`` (``sav`` or ``dta``) at ``path``."""
    if kind not in WRITERS:
        raise ValueError(f"unknown format {kind!r}, not one of {FORMATS}")
    with open(path, "wb") as out:
        WRITERS[kind](dataset, out)


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
