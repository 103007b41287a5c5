"""Treatment plan: drugs with contraindication screening and sequencing, supplements,
conservative care, referrals, advice and follow-up."""

from osteowedge.plan.engine import PlanResult, make_plan

__all__ = ["PlanResult", "make_plan"]
