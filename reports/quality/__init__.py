"""Data-quality checks on every ingested snapshot, from suite files a district can tune."""

from reports.quality.result import CheckOutcome, QualityResult, exclusion_reasons, keep_out
from reports.quality.run import run_quality
from reports.quality.suites import ExpectationSpec, Suite, load_suite, suite_from_dict

__all__ = [
    "CheckOutcome",
    "ExpectationSpec",
    "exclusion_reasons",
    "QualityResult",
    "Suite",
    "keep_out",
    "load_suite",
    "run_quality",
    "suite_from_dict",
]
