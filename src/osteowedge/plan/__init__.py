"""Treatment plan, as a pipeline over typed knowledge: candidates (sequencing, then guideline
pathways), screening against the record and its labels, drug holidays, then supplements,
conservative care, advice, referrals and follow-up. See :mod:`osteowedge.plan.engine`."""

from osteowedge.plan.engine import PlanResult, make_plan

__all__ = ["PlanResult", "make_plan"]
