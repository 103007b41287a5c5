"""The assessment reader (``osteowedge report``) lets no traceback escape: an assessment with
fields deleted, retyped or replaced by odd values is either rendered or refused with exit code 2
and a one-line message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from osteowedge.interfaces.cli.main import app

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE: dict[str, Any] = json.loads(
    (ROOT / "docs" / "examples" / "assessment.json").read_text(encoding="utf-8")
)
runner = CliRunner()

ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:3]):
            out += _paths(item, (*prefix, i))
    return out


PATHS = _paths(EXAMPLE)


def _mutate(data: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    copy = json.loads(json.dumps(data))
    parent = copy
    for part in path[:-1]:
        parent = parent[part]
    if delete and isinstance(parent, dict):
        parent.pop(path[-1], None)
    else:
        parent[path[-1]] = new
    return copy


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), ODD, st.booleans()), min_size=1, max_size=3))
def test_report_never_lets_a_traceback_escape(
    tmp_path_factory: Any, changes: list[tuple[tuple[Any, ...], Any, bool]]
) -> None:
    data: Any = EXAMPLE
    for path, new, delete in changes:
        try:
            data = _mutate(data, path, new, delete)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the path
    folder = tmp_path_factory.mktemp("fuzz")
    source = folder / "a.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(
        app, ["report", str(source), "--format", "html", "--out", str(folder / "r.html")]
    )
    assert result.exit_code in (0, 2), (changes, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        changes,
        repr(result.exception),
    )
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) <= 3, result.output
