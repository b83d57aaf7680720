"""The YAML example in docs/questionnaires.md loads, so the documentation stays true."""

from __future__ import annotations

from pathlib import Path

import surveys

DOCS = Path(__file__).resolve().parents[3] / "docs" / "questionnaires.md"


def test_documented_yaml_example_loads(tmp_path: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    questionnaire = surveys.load_definition(path)
    assert questionnaire.key == "counter"
    result = surveys.validate_answers(
        questionnaire,
        {"overall": "2", "reasons": ["waiting"], "visits": "3"},
        runtime_choices={"officials": []},
    )
    assert result["reasons"] == ["waiting"]
    assert result["visits"] == 3
