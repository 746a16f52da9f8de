"""Test configuration. Property tests run with random examples on a developer's machine (to find
new failures) and derandomized in CI (CI=true), so that a CI run is reproducible."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# The audit-pack tests share one demo folder and one built pack per test process.
pytest_plugins = ["tests.packfix"]
