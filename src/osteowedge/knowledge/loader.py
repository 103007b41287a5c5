"""Load the YAML knowledge files once into an immutable :class:`KnowledgeBase`.

Loading reads package data, which is the one piece of I/O the knowledge layer does; after
loading, the knowledge base is a pure value.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from osteowedge.errors import KnowledgeError
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import Record, RecordFile, Reference

KNOWLEDGE_SEMVER = "0.1.0"


def data_dir() -> Path:
    """The folder holding the packaged knowledge YAML files."""
    return Path(str(resources.files("osteowedge.knowledge") / "data"))


def _pointer(loc: tuple[int | str, ...]) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in loc)


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (about 10x faster), else the pure-Python one."""


def load_file(path: Path) -> RecordFile:
    """Parse and validate one knowledge file; errors name the file and the JSON path."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{path.name}: expected a mapping with `records:` at the top")
    try:
        return RecordFile.model_validate(raw)
    except ValidationError as exc:
        lines = [f"  {_pointer(err['loc'])}: {err['msg']}" for err in exc.errors(include_url=False)]
        raise KnowledgeError(
            f"{path.name}: {exc.error_count()} invalid field(s):\n" + "\n".join(lines)
        ) from exc


def content_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_from(directory: Path) -> KnowledgeBase:
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise KnowledgeError(f"no knowledge files (*.yaml) in {directory}")
    records: list[Record] = []
    references: list[Reference] = []
    for path in paths:
        parsed = load_file(path)
        records.extend(parsed.records)
        references.extend(parsed.references)
    version = f"{KNOWLEDGE_SEMVER}+{content_hash(paths)}"
    return KnowledgeBase.build(records, references, version)


@lru_cache(maxsize=1)
def load_knowledge_base() -> KnowledgeBase:
    """The packaged knowledge base, loaded and validated once per process."""
    return load_from(data_dir())
