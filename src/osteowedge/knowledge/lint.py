"""`osteowedge kb check`: the knowledge base's own lint, beyond what the schema enforces (pure).

Errors (the check fails):
- a reference whose web address is on no host of the published allowlist and that has no DOI
  or PMID (`CITATION_HOSTS`: drug labels, regulators, terminologies, bibliographic databases);
- an osteoporosis drug in standard or second-line use without both its FDA (US) and EMA (EU)
  label records;
- a contraindication of an osteoporosis drug (or of its label) that cites no drug label
  and no paper (DOI or PMID);
- a LOINC code without its property, or whose property does not fit the units of its test;
- a rule id used by the code, or found in a trace, that no knowledge record declares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from osteowedge.errors import UnitError
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import Contraindication, Drug, Guideline, Reference, Test
from osteowedge.units import dimension_of

LABEL_HOSTS = frozenset(
    {
        "dailymed.nlm.nih.gov",
        "api.fda.gov",
        "www.accessdata.fda.gov",
        "www.fda.gov",
        "www.ema.europa.eu",
        "ec.europa.eu",
        "www.mhra.gov.uk",
        "products.mhra.gov.uk",
        "www.medicines.org.uk",
        "www.pmda.go.jp",
    }
)
"""Where drug labels (prescribing information, SmPCs) are published by their regulators."""

CITATION_HOSTS = LABEL_HOSTS | frozenset(
    {
        "doi.org",
        "pubmed.ncbi.nlm.nih.gov",
        "pmc.ncbi.nlm.nih.gov",
        "www.ncbi.nlm.nih.gov",
        "loinc.org",
        "browser.ihtsdotools.org",
        "icd.who.int",
        "www.cdc.gov",
        "vsac.nlm.nih.gov",
        "hl7.org",
        "atcddd.fhi.no",
        "www.whocc.no",
        "iris.who.int",
        "www.nice.org.uk",
        "cks.nice.org.uk",
        "ods.od.nih.gov",
        "www.nccih.nih.gov",
        "iscd.org",
        "radelement.org",
        "acsearch.acr.org",
        "rxharun.com",  # the source article this project implements
        "hmdb.ca",  # Human Metabolome Database (molar masses)
        "github.com",  # software: the source of a tool's own label scheme
    }
)
"""The published allowlist: primary sources only (labels, regulators, terminologies,
guideline bodies, bibliographic databases). A reference with a DOI or PMID passes anyway."""

LINTED_STATUSES = ("standard", "second_line")
REQUIRED_LABELS = ("US", "EU")
_GUIDELINE_LEVELS = ("guideline", "systematic_review", "rct", "observational")
_PROPERTY_DIMENSIONS: dict[str, frozenset[str]] = {
    "MCnc": frozenset({"mass_concentration", "substance_concentration"}),
    "SCnc": frozenset({"mass_concentration", "substance_concentration"}),
    "CCnc": frozenset({"catalytic_concentration"}),
    "ACnc": frozenset({"iu_concentration", "arbitrary_concentration"}),
    "Vel": frozenset({"rate_mm_per_h"}),
}
_RULE_LITERAL = re.compile(r'(?:_rule|\.rule)\(\s*"([\w.-]+)"|rule_id="([\w.-]+)"')


@dataclass(frozen=True)
class Finding:
    where: str
    message: str


def host_allowed(ref: Reference) -> bool:
    if ref.doi or ref.pmid:
        return True
    host = urlparse(ref.url or "").hostname or ""
    return host in CITATION_HOSTS


def is_label(ref: Reference) -> bool:
    return (urlparse(ref.url or "").hostname or "") in LABEL_HOSTS


def declared_rules(kb: KnowledgeBase) -> tuple[frozenset[str], frozenset[str]]:
    """Every declared rule id, and the declared families (`<family>.<record id>`)."""
    ids: set[str] = set()
    families: set[str] = set()
    for guideline in kb.of_kind(Guideline):
        ids.update(guideline.rule_ids)
        fact = guideline.facts.get("rule_families")
        if fact is not None:
            families.update(str(f) for f in fact.value)
    return frozenset(ids), frozenset(families)


def rule_declared(kb: KnowledgeBase, rule_id: str) -> bool:
    ids, families = declared_rules(kb)
    if rule_id in ids:
        return True
    family, _, record_id = rule_id.rpartition(".")
    return family in families and record_id in kb


def rule_ids_in_source(texts: Iterable[str]) -> set[str]:
    """Rule ids written as string literals in calls to `_rule`, `.rule` or as `rule_id=`."""
    found: set[str] = set()
    for text in texts:
        for match in _RULE_LITERAL.finditer(text):
            found.add(match.group(1) or match.group(2))
    return found


def _citation_findings(kb: KnowledgeBase) -> list[Finding]:
    return [
        Finding(
            f"reference {ref.id}",
            f"{urlparse(ref.url or '').hostname} is not on the citation allowlist and the "
            "reference has no DOI or PMID: cite the primary source (the label, the DOI)",
        )
        for ref in kb.references.values()
        if not host_allowed(ref)
    ]


def _cites_primary(kb: KnowledgeBase, ci: Contraindication) -> bool:
    for ref_id in ci.citations:
        ref = kb.references.get(ref_id)
        if ref is not None and (is_label(ref) or ref.doi or ref.pmid):
            return True
    return False


def _drug_findings(kb: KnowledgeBase) -> list[Finding]:
    findings: list[Finding] = []
    for drug in kb.of_kind(Drug):
        cis = [*drug.contraindications, *(c for lb in drug.labels for c in lb.contraindications)]
        if not drug.is_osteoporosis_therapy:
            cis = []  # supplements and others sold without a label: the allowlist still holds
        findings += [
            Finding(f"{drug.id} {ci.id}", "cites no drug label and no paper (DOI/PMID)")
            for ci in cis
            if not _cites_primary(kb, ci)
        ]
        if not (drug.is_osteoporosis_therapy and drug.status in LINTED_STATUSES):
            continue
        have = {lb.jurisdiction for lb in drug.labels}
        for where in REQUIRED_LABELS:
            if where == "EU" and drug.eu_authorisation == "national":
                continue
            if where not in have:
                findings.append(Finding(drug.id, f"no {where} label record"))
        for lb in drug.labels:
            if not any(is_label(kb.references[c]) for c in lb.citations if c in kb.references):
                findings.append(
                    Finding(f"{drug.id} {lb.jurisdiction} label", "does not cite the label itself")
                )
    return findings


def _loinc_findings(kb: KnowledgeBase) -> list[Finding]:
    findings: list[Finding] = []
    for test in kb.of_kind(Test):
        units = {r.unit for r in test.reference_ranges}
        dims: set[str] = set()
        for unit in units:
            try:
                dims.add(dimension_of(unit))
            except UnitError:
                findings.append(Finding(test.id, f"reference range unit {unit!r} is not UCUM"))
        for code in test.codes:
            if code.system != "LOINC" or test.category != "laboratory":
                continue
            if code.property is None and "panel" not in (code.display or "").lower():
                findings.append(Finding(f"{test.id} {code.code}", "LOINC code without property"))
                continue
            fits = _PROPERTY_DIMENSIONS.get(code.property or "")
            if fits is not None and dims and not dims & fits:
                findings.append(
                    Finding(
                        f"{test.id} {code.code}",
                        f"property {code.property} does not fit the test's units {sorted(units)}",
                    )
                )
    return findings


def lint(kb: KnowledgeBase, used_rule_ids: Iterable[str] = ()) -> list[Finding]:
    """Every finding; empty when the knowledge base passes."""
    findings = _citation_findings(kb) + _drug_findings(kb) + _loinc_findings(kb)
    findings += [
        Finding(f"rule {rule_id}", "used by the code but declared by no knowledge record")
        for rule_id in sorted(set(used_rule_ids))
        if not rule_declared(kb, rule_id)
    ]
    return findings


__all__ = [
    "CITATION_HOSTS",
    "LABEL_HOSTS",
    "Finding",
    "host_allowed",
    "lint",
    "rule_declared",
    "rule_ids_in_source",
]
