"""The edges: reading and writing files (patient JSON, NDJSON, later NIfTI and FHIR)."""
