"""Risk: ACR 2022 glucocorticoid-induced osteoporosis category; FRAX glucocorticoid adjustment."""

from osteowedge.risk.engine import ORDER, RiskResult, assess_risk

__all__ = ["ORDER", "RiskResult", "assess_risk"]
