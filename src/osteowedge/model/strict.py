"""Numbers are numbers: a contract field that holds a number refuses `true`, `false` and
strings such as `"5"`, which pydantic would otherwise read as 1 and 5 (pure)."""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


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
    """Base of the record's models: unknown keys refused, frozen, strict numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool | str) and info.field_name is not None:
            annotation: Any = cls.model_fields[info.field_name].annotation
            if _numeric_only(annotation):
                raise ValueError(f"a number, not {type(value).__name__} {value!r}")
        return value


__all__ = ["StrictModel"]
