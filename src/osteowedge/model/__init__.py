"""The contract: patient record (input), assessment (output) and the error shape."""

from osteowedge.model.assessment import Assessment, ErrorRecord
from osteowedge.model.patient import SCHEMA_VERSION, PatientRecord
from osteowedge.model.validate import parse_patient

__all__ = ["SCHEMA_VERSION", "Assessment", "ErrorRecord", "PatientRecord", "parse_patient"]
