"""osteowedge: clinical decision support for iatrogenic osteopenia and vertebral wedge fractures."""

from osteowedge.errors import InputError, KnowledgeError, OsteowedgeError, Problem, UnitError
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
