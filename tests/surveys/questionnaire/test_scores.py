"""A respondent scored alone (the running tallies) scores as ``unit_summary`` does."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from analysis import ScoringMap, unit_summary
from analysis.frame_scores import score_matrix
from surveys.questionnaire import Questionnaire
from surveys.questionnaire.schema import build_questionnaire
from surveys.questionnaire.scores import Score, respondent_scores, scored_items
from surveys.storage.frames import analysis_scoring

Loader = Callable[[str], Questionnaire]
RESPONDENTS = 300


def declared_scoring(questionnaire: Questionnaire) -> dict[str, object]:
    """The mapping reports give ``analysis``, with ratings outside any dimension."""
    mapping = analysis_scoring(questionnaire)
    dimension_of = mapping["items"]
    mapping["items"] = {
        item: dimension_of.get(item) for item in scored_items(questionnaire)
    }
    mapping["satisfied_min"] = questionnaire.scoring.satisfied_min or 4
    return mapping


def random_answers(
    questionnaire: Questionnaire, rng: np.random.Generator
) -> list[dict[str, object]]:
    """Answers as the form sends them (text), a fifth of the scored items skipped."""
    rows = []
    for _ in range(RESPONDENTS):
        row: dict[str, object] = {}
        for name in scored_items(questionnaire):
            question = questionnaire.question(name)
            options = [c.name for c in questionnaire.choices_of(question)]
            if rng.random() < 0.8:
                row[name] = str(rng.choice(options))
        rows.append(row)
    return rows


def by_name(scores: list[Score]) -> dict[tuple[str, object], Score]:
    return {(s.kind, s.name): s for s in scores}


def test_one_respondent_scores_as_unit_summary_scores_them(
    template_name: str, load_template: Loader
) -> None:
    questionnaire = load_template(template_name)
    rows = random_answers(questionnaire, np.random.default_rng(20260301))
    frame = pd.DataFrame(rows, columns=list(scored_items(questionnaire)))
    frame.insert(0, "respondent", range(len(rows)))
    summary = unit_summary(
        frame,
        declared_scoring(questionnaire),
        by="respondent",
        min_publish=1,
        min_suppress=1,
    )
    alone = [by_name(respondent_scores(questionnaire, row)) for row in rows]
    dimensions = {d.name for d in questionnaire.scoring.dimensions}
    assert set(summary["item"]) == set(scored_items(questionnaire)) | dimensions
    for row in summary.itertuples(index=False):
        score = alone[row.respondent].get((row.kind, row.item))
        if row.n == 0:
            assert score is None, (row.respondent, row.item)
            continue
        assert score is not None, (row.respondent, row.item)
        assert score.value == pytest.approx(row.mean, rel=0, abs=1e-12)
        assert score.satisfied == (row.n_satisfied == 1)
    assert sum(map(len, alone)) == summary["n"].sum()


def test_numbers_in_a_frame_score_as_the_form_text_does(
    template_name: str, load_template: Loader
) -> None:
    questionnaire = load_template(template_name)
    scoring = ScoringMap.from_mapping(declared_scoring(questionnaire))
    rows = random_answers(questionnaire, np.random.default_rng(7))
    text = pd.DataFrame(rows, columns=list(scoring.items))
    numbers = text.astype("float64")
    from_text, names, kinds = score_matrix(scoring, text)
    from_numbers, *_ = score_matrix(scoring, numbers)
    np.testing.assert_array_equal(from_text, from_numbers)
    for i in (0, len(rows) // 2, len(rows) - 1):
        expected = {
            (kind, name): value
            for kind, name, value in zip(kinds, names, from_numbers[i], strict=True)
            if not np.isnan(value)
        }
        alone = by_name(respondent_scores(questionnaire, rows[i]))
        assert {key: s.value for key, s in alone.items()} == pytest.approx(
            expected, rel=0, abs=1e-12
        )


def test_answers_that_are_no_numbers_are_skipped(load_template: Loader) -> None:
    questionnaire = load_template("ddci")
    answers: dict[str, object] = {name: "4" for name in scored_items(questionnaire)}
    junk = {"tr_documents": True, "tr_online": "n/a", "time_deadline": float("inf")}
    answers |= junk | {"time_visits": None}
    scores = by_name(respondent_scores(questionnaire, answers))
    skipped = {*junk, "time_visits"}
    assert {name for kind, name in scores if kind == "item"} == (
        set(scored_items(questionnaire)) - skipped
    )
    assert scores[("item", "comp_favoured")].value == 2.0  # reverse coded: 1 + 5 - 4
    assert ("dimension", "transparency") not in scores
    assert ("dimension", "time_costs") not in scores


def test_a_questionnaire_without_scored_questions_scores_nothing() -> None:
    questionnaire = build_questionnaire(
        {
            "key": "plain",
            "languages": ["vi"],
            "title": {"vi": "Góp ý"},
            "questions": [{"name": "comment", "type": "text", "label": {"vi": "Ý"}}],
        }
    )
    assert respondent_scores(questionnaire, {"comment": "5"}) == []
