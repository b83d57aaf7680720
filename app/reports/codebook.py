"""The codebook of a campaign's exports: every column, what it holds, and the
questionnaire as an XLSForm.

The page lists the columns ``surveys.exchange.dataset`` defines for the CSV,
XLSX, SPSS and Stata files (one definition, so the codebook cannot disagree
with a file): each column's name in the CSV and in SPSS and Stata, its label
in Vietnamese and English, what it holds, its options' codes, numbers and
labels, and for a 0/1 column the question and option it stands for. The
XLSForm of each version of the questionnaire is the one the API serves
(``write_xlsform``). Behind the staff login, cut to the reader's scope as the
downloads are: another unit's codebook is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, render_template

from app.auth import current_scope
from app.db import get_session
from app.reports.blueprint import bp
from app.reports.routes import record_download
from app.reports.selection import Selection, layout_asked, selected
from app.spreadsheets import xlsform_download
from surveys.exchange.dataset import LAYOUTS, Variable, dataset_variables
from surveys.questionnaire.versions import definition_of, versions_of

#: The languages the codebook gives every label in.
LANGUAGES = ("vi", "en")


def _campaign_selected(unit_code: str) -> Selection:
    selection = selected(unit_code)
    if selection.campaign is None:
        abort(404)
    return selection


@dataclass(frozen=True)
class _Row:
    """One column of the codebook: the column in Vietnamese, its English labels."""

    variable: Variable
    english: str
    #: Each value a column may hold: code, number (SPSS, Stata), label vi, en.
    values: list[tuple[str, str, str, str]]

    @classmethod
    def of(cls, vi: Variable, en: Variable) -> _Row:
        if vi.choices:
            values = [
                (code, "" if number is None else str(number), label, english)
                for (code, number, label), (_, _, english) in zip(
                    vi.choices, en.choices, strict=True
                )
            ]
        else:
            values = [
                (str(number), str(number), label, en.value_labels[number])
                for number, label in vi.value_labels.items()
            ]
        return cls(vi, en.label, values)


@bp.get("/units/<unit_code>/codebook")
def codebook(unit_code: str) -> str:
    """List every column of the campaign's exports, as the files lay them out."""
    selection = _campaign_selected(unit_code)
    multiple = layout_asked(LAYOUTS[1])
    questionnaire = definition_of(selection.campaign.questionnaire)
    described = [
        dataset_variables(
            questionnaire,
            with_officials=current_scope().can_manage,
            language=language,
            multiple=multiple,
        )
        for language in LANGUAGES
    ]
    rows = [_Row.of(vi, en) for vi, en in zip(*described, strict=True)]
    return render_template(
        "staff/codebook.html",
        selection=selection,
        rows=rows,
        multiple=multiple,
        versions=versions_of(get_session(), selection.campaign.questionnaire.key),
    )


@bp.get("/units/<unit_code>/questionnaire-<int:version>.xlsx")
def xlsform(unit_code: str, version: int) -> Response:
    """Download one version of the campaign's questionnaire as an XLSForm."""
    selection = _campaign_selected(unit_code)
    key = selection.campaign.questionnaire.key
    found = next(
        (v for v in versions_of(get_session(), key) if v.version == version), None
    )
    if found is None:
        abort(404)
    record_download(selection, {"format": "xlsform", "version": version})
    return xlsform_download(found)
