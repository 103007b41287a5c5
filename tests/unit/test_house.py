"""House rules that a reviewer should not have to check by eye: module size."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 400
LISTED = ROOT / "docs" / "dev" / "oversized-modules.txt"


def _listed() -> dict[str, int]:
    out: dict[str, int] = {}
    for line in LISTED.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            path, count = line.split()
            out[path] = int(count)
    return out


def _sizes() -> dict[str, int]:
    return {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
        for p in sorted((ROOT / "src").rglob("*.py"))
    }


def test_no_new_module_passes_the_limit() -> None:
    listed = _listed()
    over = {p: n for p, n in _sizes().items() if n > LIMIT and p not in listed}
    assert not over, f"modules over {LIMIT} lines: split them: {over}"


def test_listed_modules_only_shrink() -> None:
    sizes = _sizes()
    for path, allowed in _listed().items():
        assert path in sizes, f"{path} is gone: remove it from {LISTED.name}"
        assert sizes[path] <= allowed, f"{path} grew to {sizes[path]} lines (at most {allowed})"
        assert sizes[path] > LIMIT, f"{path} is back under {LIMIT}: remove it from {LISTED.name}"


def test_the_plan_package_is_within_the_limit() -> None:
    plan = {p: n for p, n in _sizes().items() if p.startswith("src/osteowedge/plan/")}
    assert len(plan) >= 8
    assert max(plan.values()) <= LIMIT, plan
