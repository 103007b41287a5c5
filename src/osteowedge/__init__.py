"""osteowedge: clinical decision support for iatrogenic osteopenia and vertebral wedge fractures.

The knowledge base loads on first use (``load_knowledge_base``), so that importing the package,
and the command line's ``--help``, stay fast.
"""

from __future__ import annotations

import typing as _typing

from osteowedge.errors import InputError, KnowledgeError, OsteowedgeError, Problem, UnitError

if _typing.TYPE_CHECKING:
    from osteowedge.knowledge import KnowledgeBase, load_knowledge_base

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "KnowledgeBase",
    "KnowledgeError",
    "OsteowedgeError",
    "Problem",
    "UnitError",
    "__version__",
    "load_knowledge_base",
]


def __getattr__(name: str) -> _typing.Any:
    if name in {"KnowledgeBase", "load_knowledge_base"}:
        from osteowedge import knowledge

        return getattr(knowledge, name)
    raise AttributeError(f"module 'osteowedge' has no attribute {name!r}")
