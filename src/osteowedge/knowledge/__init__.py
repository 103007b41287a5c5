"""Clinical knowledge as cited, validated data: the only place clinical facts live."""

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.loader import load_knowledge_base

__all__ = ["KnowledgeBase", "load_knowledge_base"]
