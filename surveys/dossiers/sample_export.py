"""Where the sample export an official can download ("Tải file mẫu") is kept.

The files are written by ``python -m surveys.demo.sample`` from the demo
district's year of dossiers; this module only names them, so that the web
process serving them loads nothing of the demo.
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_FOLDER = Path(__file__).with_name("samples")
SAMPLE_FILES = {
    "csv": SAMPLE_FOLDER / "ho-so-mau.csv",
    "xlsx": SAMPLE_FOLDER / "ho-so-mau.xlsx",
}
