"""Triage: symptoms, exam findings and history -> urgency with the red flags that fired."""

from osteowedge.triage.engine import TriageResult, assess_triage

__all__ = ["TriageResult", "assess_triage"]
