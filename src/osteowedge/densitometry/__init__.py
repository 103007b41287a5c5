"""Densitometry: DXA T/Z-scores, WHO category, ISCD lumbar exclusions, LSC, TBS, CT L1 HU."""

from osteowedge.densitometry.engine import DensitometryResult, assess_bone_density

__all__ = ["DensitometryResult", "assess_bone_density"]
