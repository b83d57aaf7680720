"""A dataset written by pyreadstat from one whole DataFrame, as exports once were.

The reference hailong's own streaming writers (``surveys.exchange.spss_file``,
``stata_file``) are held to in the tests and measured against in
``bench/bench_stat_files.py``: same variables, labels and values.
"""

from __future__ import annotations

import pandas as pd
import pyreadstat

from surveys.exchange.dataset import Dataset


def dataset_frame(dataset: Dataset) -> pd.DataFrame:
    """Gather the dataset's pages into one DataFrame, a column at a time."""
    columns: list[list[object]] = [[] for _ in dataset.variables]
    for page in dataset.pages:
        for index, column in enumerate(columns):
            column.extend(page[index])
        del page
    frame = {}
    for variable, values in zip(dataset.variables, columns, strict=True):
        if variable.holds_days:
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


def write_with_pyreadstat(dataset: Dataset, kind: str, path: str) -> None:
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
    else:
        # Format 118: UTF-8 and long texts, read by Stata 14 and later.
        pyreadstat.write_dta(
            frame, path, column_labels=labels, variable_value_labels=value_labels,
            version=14,
        )  # fmt: skip
