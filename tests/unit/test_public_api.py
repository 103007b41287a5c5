"""The public surface: `__all__` is sorted, complete and importable (httpx's habit)."""

from __future__ import annotations

import osteowedge


def test_all_is_sorted_and_importable() -> None:
    assert osteowedge.__all__ == sorted(osteowedge.__all__)
    for name in osteowedge.__all__:
        assert hasattr(osteowedge, name), name


def test_all_is_complete() -> None:
    public = {
        name
        for name, value in vars(osteowedge).items()
        if not name.startswith("_") and not getattr(value, "__file__", None)
    }
    assert public <= set(osteowedge.__all__) | {"annotations"}
