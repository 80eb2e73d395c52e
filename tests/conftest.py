"""Make the test helpers importable as ``support`` and keep hypothesis deterministic in CI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings

sys.path.insert(0, str(Path(__file__).parent))

# CI: no shrinking (on large nested documents it can run for minutes); the failing example
# is still printed. Use HYPOTHESIS_PROFILE=dev locally to get a shrunk one.
settings.register_profile(
    "ci", max_examples=40, deadline=None, derandomize=True, report_multiple_bugs=False,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", max_examples=40, deadline=None, report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
