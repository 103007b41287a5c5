"""Input that cannot be true is rejected with its path; malformed files and unwritable outputs
get a one-line error and an exit code of their own (4); no reader lets a traceback escape."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from osteowedge.assess import assess
from osteowedge.errors import InputError, OsteowedgeError
from osteowedge.interfaces.cli.main import app
from osteowedge.io.records import RawText, iter_records
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient

runner = CliRunner()
BASE: dict[str, Any] = {
    "id": "x1",
    "as_of": "2026-11-01",
    "sex": "female",
    "birth_date": "1955-03-02",
    "menopausal_status": "postmenopausal",
}


def _paths(kb: KnowledgeBase, record: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as caught:
        assess(parse_patient({**BASE, **record}), kb)
    return [p.path for p in caught.value.problems]


def _med(**extra: Any) -> dict[str, Any]:
    return {
        "name": "prednisone",
        "dose_value": 10,
        "dose_unit": "mg",
        "frequency": "daily",
        **extra,
    }


@pytest.mark.parametrize(
    ("record", "path"),
    [
        ({"medications": [_med(dose_value=1e9)]}, "/medications/0/dose_value"),
        ({"medications": [_med(dose_value=True)]}, "/medications/0/dose_value"),
        ({"medications": [_med(dose_value="10")]}, "/medications/0/dose_value"),
        ({"medications": [_med(start="1900-01-01")]}, "/medications/0/start"),
        ({"medications": [_med(start="2027-01-01")]}, "/medications/0/start"),
        (
            {"labs": [{"code": "62292-8", "value": -17, "unit": "ng/mL", "date": "2026-10-01"}]},
            "/labs/0/value",
        ),
        (
            {"labs": [{"code": "2160-0", "value": 400, "unit": "mg/dL", "date": "2026-10-01"}]},
            "/labs/0/value",
        ),
        (
            {
                "vertebral_morphometry": [
                    {
                        "source": "radiograph",
                        "reader": "human",
                        "vertebrae": [
                            {"level": "L1", "anterior_mm": 300, "middle_mm": 27, "posterior_mm": 29}
                        ],
                    }
                ]
            },
            "/vertebral_morphometry/0/vertebrae/0/anterior_mm",
        ),
        (
            {
                "dxa": [
                    {
                        "date": "2026-01-01",
                        "regions": [{"region": "total_hip (left)", "t_score": -2}],
                    }
                ]
            },
            "/dxa/0/regions/0/region",
        ),
        ({"schema_version": "3.0.0"}, "/schema_version"),
    ],
)
def test_impossible_values_are_rejected_with_their_path(
    kb: KnowledgeBase, record: dict[str, Any], path: str
) -> None:
    assert path in _paths(kb, record)


def test_a_1x_record_is_still_accepted(kb: KnowledgeBase) -> None:
    assessment = assess(parse_patient({**BASE, "schema_version": "1.0.0"}), kb)
    assert assessment.patient_id == "x1"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "code", "says"),
    [
        ("latin1.json", '{"id": "Jos\xe9", "sex": "male"}'.encode("latin-1"), 4, "UTF-8"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, 2, "nested too deeply"),
        ("cut.json", b'{"id": "x", "sex": "fem', 2, "not valid JSON"),
        ("twice.json", b'{"id": "a", "id": "b", "sex": "male", "age_years": 50}', 2, "twice"),
        ("nan.json", b'{"id": "a", "sex": "male", "age_years": NaN}', 2, "finite"),
    ],
)
def test_malformed_files_get_one_line_and_their_exit_code(
    tmp_path: Path, name: str, data: bytes, code: int, says: str
) -> None:
    result = runner.invoke(app, ["validate", str(_write(tmp_path, name, data))])
    assert result.exit_code == code, result.output
    assert says in result.output
    assert "Traceback" not in result.output


def test_a_truncated_label_map_is_a_clear_error(tmp_path: Path) -> None:
    import nibabel as nib
    import numpy as np

    image = nib.Nifti1Image(np.ones((20, 20, 20), dtype=np.uint8), np.eye(4))
    whole = tmp_path / "whole.nii.gz"
    nib.save(image, str(whole))
    for suffix, data in (
        (".nii.gz", whole.read_bytes()),
        (".nii", gzip.decompress(whole.read_bytes())),
    ):
        cut = _write(tmp_path, f"cut{suffix}", data[: len(data) // 2])
        result = runner.invoke(
            app, ["spine", "measure", "--mask", str(cut), "--out", str(tmp_path / "o.json")]
        )
        assert result.exit_code == 2, result.output
        assert "truncated" in result.output or "cannot be read" in result.output
        assert not (tmp_path / "o.json").exists()


def _example() -> Path:
    return Path(__file__).resolve().parents[3] / "examples" / "ppi_ssri.json"


def test_out_that_is_a_folder_exits_4(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["assess", str(_example()), "--format", "html", "--out", str(tmp_path)]
    )
    assert result.exit_code == 4, result.output
    assert "is a folder" in result.output


def test_out_in_a_place_that_cannot_be_written_exits_4() -> None:
    # /proc refuses new files even to root, as a read-only folder refuses a user
    out = "/proc/osteowedge-cannot-write/r.html"
    result = runner.invoke(app, ["assess", str(_example()), "--format", "html", "--out", out])
    assert result.exit_code == 4, result.output
    assert "cannot write" in result.output


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300).map(lambda b: b.decode("utf-8", errors="replace")),
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
            lambda kids: (
                st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=6)
            ),
            max_leaves=30,
        ).map(lambda v: json.dumps(v, allow_nan=True)),
        st.fixed_dictionaries(
            {"id": st.text(max_size=5), "sex": st.sampled_from(["female", "male", "x"])},
            optional={
                "age_years": st.one_of(
                    st.floats(), st.integers(), st.booleans(), st.text(max_size=3)
                ),
                "labs": st.lists(
                    st.dictionaries(
                        st.sampled_from(["code", "value", "unit", "date"]),
                        st.one_of(st.text(max_size=8), st.floats(), st.integers()),
                    )
                ),
                "medications": st.lists(
                    st.dictionaries(
                        st.sampled_from(["name", "dose_value", "dose_unit", "start"]),
                        st.one_of(st.text(max_size=8), st.floats()),
                    )
                ),
            },
        ).map(json.dumps),
    )
)
def test_no_reader_lets_a_traceback_escape(kb: KnowledgeBase, text: str) -> None:
    raw = RawText("<fuzz>", text).decode()
    if raw.error is not None:
        assert isinstance(raw.error, InputError)
        return
    try:
        assess(parse_patient(raw.data), kb)
    except OsteowedgeError:
        pass


def test_ndjson_reader_reports_each_bad_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "b.ndjson", b'{"id": "a", "sex": "male", "age_years": 50}\n{"id": \n')
    raws = list(iter_records(path))
    assert raws[0].error is None and raws[1].error is not None
