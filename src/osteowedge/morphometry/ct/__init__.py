"""The steps of :func:`osteowedge.morphometry.labelmap.measure_label_map`, one module each.

``schemes`` (label values -> levels), ``params`` (the knowledge-base conventions), ``results``
(the frozen output), ``grid`` (voxel <-> world, the per-level frame), ``body`` (one vertebra's
voxels, the spine axis, body isolation), ``heights`` (heights and AP depth), ``roi`` (the
trabecular ROI) and ``qc`` (the quality-control flags). Nothing is imported here, so that reading
a scheme or a result type loads no scipy.
"""
