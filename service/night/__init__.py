"""The night: one unit of work per district and night (see :mod:`service.night.pipeline`)."""

from service.night.lock import RunLockedError, nightly_lock
from service.night.pipeline import (
    NightlyOutcome,
    refuse_future_night,
    run_nightly,
    vietnam_today,
)

__all__ = [
    "NightlyOutcome",
    "RunLockedError",
    "nightly_lock",
    "refuse_future_night",
    "run_nightly",
    "vietnam_today",
]
