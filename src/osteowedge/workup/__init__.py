"""Workup: which tests to order and why; lab interpretation; eGFR and creatinine clearance."""

from osteowedge.workup.engine import WorkupResult, assess_workup

__all__ = ["WorkupResult", "assess_workup"]
