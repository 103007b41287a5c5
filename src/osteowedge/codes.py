"""Code systems: one place that says which system a record's `system` string names.

A FHIR server sends canonical URIs (``http://loinc.org``); people type short names (``LOINC``,
``SNOMED CT``, ``ICD-10-CM``). Labs, conditions and medications all resolve their system here,
so the same spelling is understood everywhere. The URIs are those of the FHIR R4 terminology
registry (https://hl7.org/fhir/R4/terminologies-systems.html).
"""

from __future__ import annotations

from typing import Literal

System = Literal["LOINC", "SNOMED", "ICD-10", "RxNorm", "ATC", "UCUM"]

CANONICAL_URIS: dict[System, tuple[str, ...]] = {
    "LOINC": ("http://loinc.org",),
    "SNOMED": ("http://snomed.info/sct",),
    "ICD-10": ("http://hl7.org/fhir/sid/icd-10", "http://hl7.org/fhir/sid/icd-10-cm"),
    "RxNorm": ("http://www.nlm.nih.gov/research/umls/rxnorm",),
    "ATC": ("http://www.whocc.no/atc",),
    "UCUM": ("http://unitsofmeasure.org",),
}
"""Each family's canonical URIs (ICD-10 and its US clinical modification are one family: a
WHO category code covers the ICD-10-CM codes below it)."""

_SHORT_NAMES: dict[System, tuple[str, ...]] = {
    "LOINC": ("LOINC", "LN"),
    "SNOMED": ("SNOMED", "SNOMEDCT", "SNOMED-CT", "SNOMED CT", "SCT", "SNOMED_CT"),
    "ICD-10": ("ICD-10", "ICD10", "ICD-10-CM", "ICD10CM", "ICD-10CM", "ICD10-CM", "I10"),
    "RxNorm": ("RXNORM", "RXN", "RX NORM"),
    "ATC": ("ATC", "WHO-ATC", "WHOATC"),
    "UCUM": ("UCUM",),
}

_LOOKUP: dict[str, System] = {}
for _family, _uris in CANONICAL_URIS.items():
    for _uri in _uris:
        _LOOKUP[_uri.casefold()] = _family
        _LOOKUP[_uri.casefold().replace("http://", "https://")] = _family
    for _name in _SHORT_NAMES[_family]:
        _LOOKUP[_name.casefold()] = _family


def code_system(system: str | None) -> System | None:
    """The family a `system` string names (URI or short name, any case), or None."""
    if system is None:
        return None
    return _LOOKUP.get(system.strip().rstrip("/").casefold())


def normal_code(code: str) -> str:
    return code.strip().upper()


def code_matches(system: System, code: str, known: str) -> bool:
    """Whether a record's code is a known code: ICD-10 matches the known code or any code below
    it (I21 covers I21.4); every other system matches exactly."""
    code, known = normal_code(code), normal_code(known)
    if system == "ICD-10":
        return code.replace(".", "").startswith(known.replace(".", ""))
    return code == known


__all__ = ["CANONICAL_URIS", "System", "code_matches", "code_system", "normal_code"]
