"""The shipped definitions: valid, bilingual, sourced, scored, and round-tripping."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import surveys
from surveys.questionnaire import Question, Questionnaire, QuestionType
from surveys.questionnaire.model import walk
from surveys.questionnaire.schema import build_questionnaire
from surveys.questionnaire.xlsform_writer import write_data_files, write_xlsform
from surveys.questionnaire.yaml_format import dump_yaml

Loader = Callable[[str], Questionnaire]


def _texts(questionnaire: Questionnaire) -> Iterator[tuple[str, dict[str, str]]]:
    yield "title", dict(questionnaire.title)
    for item in walk(questionnaire.items):
        if isinstance(item, Question) and item.type is QuestionType.CALCULATE:
            continue
        yield item.name, dict(item.label)
        for key in ("hint", "required_message", "constraint_message"):
            if text := getattr(item, key, None):
                yield f"{item.name}.{key}", dict(text)
    for list_name, choices in questionnaire.choice_lists.items():
        for choice in choices:
            yield f"{list_name}.{choice.name}", dict(choice.label)
    if questionnaire.scoring is not None:
        for dimension in questionnaire.scoring.dimensions:
            yield dimension.name, dict(dimension.label)
        yield "index", dict(questionnaire.scoring.index.label)


def typical_answers(questionnaire: Questionnaire) -> dict[str, object]:
    """Answer every question with a plausible value that meets its constraint."""
    answers: dict[str, object] = {}
    for question in questionnaire.questions:
        choices = [c.name for c in questionnaire.choices_of(question)]
        if question.type is QuestionType.RATING:
            answers[question.name] = "4"
        elif question.choices_from is not None:
            answers[question.name] = "NV01"
        elif question.type is QuestionType.SELECT_ONE:
            answers[question.name] = choices[0]
        elif question.type is QuestionType.SELECT_MULTIPLE:
            answers[question.name] = choices[:1]
        elif question.type is QuestionType.INTEGER:
            answers[question.name] = next(
                value
                for value in ("1", "5", "2000")
                if question.constraint is None
                or question.constraint.holds({}, current=float(value))
            )
        elif question.type is QuestionType.DECIMAL:
            answers[question.name] = "1.5"
        elif question.type is QuestionType.TEXT:
            answers[question.name] = "HS-2025-000123"
        elif question.type is QuestionType.DATE:
            answers[question.name] = "2025-01-01"
    return answers


def test_the_seven_templates_ship() -> None:
    shipped = Path(surveys.__file__).parent / "definitions"
    names = {path.stem for path in shipped.glob("*.yaml")}
    assert names == {
        "counter",
        "open_rating",
        "dossier",
        "sipas",
        "papi",
        "ddci",
        "pci",
    }


def test_template_loads_in_vietnamese_and_english(
    load_template: Loader, template_name: str
) -> None:
    questionnaire = load_template(template_name)
    assert questionnaire.key == template_name
    assert questionnaire.languages == ("vi", "en")
    for where, text in _texts(questionnaire):
        assert set(text) == {"vi", "en"}, where
        assert text["vi"].strip() and text["en"].strip(), where
        assert text["vi"] != text["en"], where


def test_template_names_its_source(template_name: str) -> None:
    path = Path(surveys.__file__).parent / "definitions" / f"{template_name}.yaml"
    head = path.read_text(encoding="utf-8").split("\nkey:")[0]
    assert head.startswith("# ")
    assert "Source" in head


def test_typical_answers_reach_every_scored_item(
    load_template: Loader, template_name: str
) -> None:
    questionnaire = load_template(template_name)
    result = surveys.validate_answers(
        questionnaire,
        typical_answers(questionnaire),
        runtime_choices={"officials": ["NV01"]},
    )
    scoring = questionnaire.scoring_map()
    assert scoring is not None
    assert set(scoring["item_dimension"]) <= set(result)


def test_template_round_trips_through_xlsform(
    load_template: Loader, template_name: str, tmp_path: Path
) -> None:
    questionnaire = load_template(template_name)
    path = tmp_path / f"{template_name}.xlsx"
    write_xlsform(questionnaire, path)
    beside = {f.name: f.read_bytes() for f in write_data_files(questionnaire, tmp_path)}
    loaded = surveys.load_definition(path, beside)
    assert loaded == questionnaire
    assert loaded.checksum == questionnaire.checksum


def test_template_round_trips_through_json_and_yaml(
    load_template: Loader, template_name: str, tmp_path: Path
) -> None:
    questionnaire = load_template(template_name)
    as_json = tmp_path / "definition.json"
    as_json.write_text(json.dumps(questionnaire.to_dict(), ensure_ascii=False))
    as_yaml = tmp_path / "definition.yml"
    as_yaml.write_text(dump_yaml(questionnaire), encoding="utf-8")
    assert surveys.load_definition(as_json) == questionnaire
    assert surveys.load_definition(as_yaml) == questionnaire
    assert build_questionnaire(questionnaire.to_dict()) == questionnaire


def _is_plain(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_is_plain(v) for v in value)
    return value is None or isinstance(value, str | int | float)


def test_scoring_map_is_plain_data(load_template: Loader, template_name: str) -> None:
    scoring = load_template(template_name).scoring_map()
    assert _is_plain(scoring)


def test_counter_fits_one_screen(load_template: Loader) -> None:
    counter = load_template("counter")
    assert [q.name for q in counter.questions] == [
        "overall",
        "official",
        "official_rating",
        "reasons",
        "comment",
    ]
    assert counter.question("official").choices_from == "officials"
    assert counter.question("reasons").relevant.source == "${overall} <= 2"
    labels = [c.label["vi"] for c in counter.choices_of(counter.question("overall"))]
    assert labels == [
        "Rất không hài lòng",
        "Không hài lòng",
        "Bình thường",
        "Hài lòng",
        "Rất hài lòng",
    ]


def test_dossier_asks_what_the_portal_asks(load_template: Loader) -> None:
    dossier = load_template("dossier")
    names = {q.name for q in dossier.questions}
    assert {
        "dossier_code",
        "overall",
        "convenience",
        "on_time",
        "attitude",
        "time_vs_limit",
        "visits",
        "transparency",
        "feedback_handling",
        "online_quality",
    } <= names
    with pytest.raises(surveys.InvalidAnswers) as caught:
        surveys.validate_answers(dossier, {"dossier_code": "x y", "overall": "5"})
    assert "dossier code" in caught.value.errors["dossier_code"].wording["en"]


def test_a_code_that_carries_the_dossier_answers_its_question(
    load_template: Loader,
) -> None:
    dossier = load_template("dossier")
    sent = {"dossier_code": "HS-2026-0001", "overall": "5"}
    values = surveys.validate_answers(dossier, sent, carried={"dossier_code"})
    # Neither asked (though required) nor kept, even when a form sends it.
    assert "dossier_code" not in values and values["overall"] == 5
    shown = surveys.relevance(dossier, {}, carried={"dossier_code"})
    assert "dossier_code" not in shown and "overall" in shown


def test_sipas_has_five_factors_and_22_criteria(load_template: Loader) -> None:
    scoring = load_template("sipas").scoring
    assert scoring is not None
    assert [(d.name, len(d.items)) for d in scoring.dimensions] == [
        ("access", 4),
        ("procedures", 5),
        ("officials", 6),
        ("results", 3),
        ("feedback", 4),
    ]
    assert (scoring.aggregation, scoring.satisfied_min) == ("percent_satisfied", 4)
    assert (scoring.index.method, scoring.index.scale) == ("mean", (0, 100))


def test_sipas_feedback_factor_is_asked_only_after_feedback(
    load_template: Loader,
) -> None:
    sipas = load_template("sipas")
    assert "feedback" not in surveys.relevance(sipas, {"gave_feedback": "no"})
    assert "fb_easy" in surveys.relevance(sipas, {"gave_feedback": "yes"})


def test_papi_scores_eight_dimensions_from_one_to_ten(load_template: Loader) -> None:
    papi = load_template("papi")
    scoring = papi.scoring_map()
    assert scoring is not None
    assert len(scoring["dimensions"]) == 8
    assert scoring["dimension_scale"] == (1, 10)
    assert scoring["index"] == {"name": "papi", "method": "sum", "scale": (8, 80)}
    assert set(scoring["reverse_coded"]) == {
        "cor_public_funds",
        "cor_land_certificate",
        "cor_connections",
    }
    skipped = surveys.relevance(papi, {"used_procedure": "no", "has_pupil": "no"})
    assert "procedures" not in skipped.sections
    assert "svc_school" not in skipped.questions


def test_pci_weights_reproduce_a_published_composite(load_template: Loader) -> None:
    scoring = load_template("pci").scoring_map()
    assert scoring is not None
    weights = [scoring["weights"][name] for name in scoring["dimensions"]]
    assert weights == [5, 5, 20, 5, 10, 5, 5, 20, 20, 5]
    # Quảng Trị 2021 sub-indices and composite, as quoted in DOMAIN.md.
    scores = [7.43, 6.93, 7.02, 6.87, 6.89, 4.95, 6.82, 5.81, 5.39, 6.99]
    low, high = scoring["index"]["scale"]
    top = scoring["dimension_scale"][1]
    mean = sum(w * s for w, s in zip(weights, scores, strict=True)) / sum(weights)
    assert round(low + (high - low) * mean / top, 2) == 63.33


def test_ddci_composite_is_weighted_to_one_hundred(load_template: Loader) -> None:
    scoring = load_template("ddci").scoring_map()
    assert scoring is not None
    assert len(scoring["dimensions"]) == 8
    assert sum(scoring["weights"].values()) == 100
    assert scoring["index"]["method"] == "weighted"
    assert scoring["dimension_scale"] == (0, 10)
