import pytest

from surveys.questionnaire.errors import DefinitionError
from surveys.questionnaire.schema import build_questionnaire

BASE = {
    "key": "k",
    "title": {"vi": "T"},
    "languages": ["vi"],
    "questions": [{"name": "a", "type": "text", "label": {"vi": "A"}}],
}


def test_files_round_trip():
    data = dict(
        BASE,
        files={
            "wards.csv": {
                "columns": ["name", "label"],
                "rows": [["p1", "Phường Bến Nghé"]],
            }
        },
    )
    q = build_questionnaire(data)
    assert q.files["wards.csv"].records() == [
        {"name": "p1", "label": "Phường Bến Nghé"}
    ]
    assert (
        q.files["wards.csv"].csv_bytes() == "name,label\np1,Phường Bến Nghé\n".encode()
    )
    assert build_questionnaire(q.to_dict()).checksum == q.checksum
    assert q.checksum != build_questionnaire(BASE).checksum


def test_ragged_file_refused():
    data = dict(BASE, files={"wards.csv": {"columns": ["name"], "rows": [["p1", "x"]]}})
    with pytest.raises(DefinitionError) as e:
        build_questionnaire(data)
    assert "files.wards.csv" in str(e.value)
