"""Numbers are numbers: a contract field that holds a number refuses `true`, `false` and
strings such as `"5"`, which pydantic would otherwise read as 1 and 5 (pure)."""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Hashable
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Strict


@functools.cache
def _numeric_only(annotation: Any) -> bool:
    """Whether a field type admits int or float but neither str nor bool."""
    found: set[type] = set()

    def walk(tp: Any) -> None:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            walk(typing.get_args(tp)[0])
        elif origin in (typing.Union, types.UnionType):
            for arg in typing.get_args(tp):
                walk(arg)
        elif origin is typing.Literal:
            found.update(type(arg) for arg in typing.get_args(tp))
        elif isinstance(tp, type):
            found.add(tp)

    walk(annotation)
    return bool(found & {int, float}) and not found & {str, bool}


class StrictModel(BaseModel):
    """Base of the record's models: unknown keys refused, frozen, strict numbers.

    A field that holds only numbers is validated in pydantic's strict mode (int and float
    accepted; bool and str refused), set once per class here rather than checked per value.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        numeric = [
            f
            for f in cls.model_fields.values()
            if _numeric_only(cast(Hashable, f.annotation))
            and not any(isinstance(m, Strict) for m in f.metadata)
        ]
        for field in numeric:
            field.metadata.append(Strict())
        if numeric:
            cls.model_rebuild(force=True)


__all__ = ["StrictModel"]
