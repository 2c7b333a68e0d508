"""Hypothesis exploration profiles: ``ci``, ``dev``, ``thorough``.

``ci`` is derandomized and small.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

__all__ = ["PROFILES", "hypothesis_settings"]

_COMMON = dict(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)

PROFILES: dict[str, settings] = {
    # Same examples on every run: a CI failure is reproducible by rerunning.
    "ci": settings(max_examples=8, derandomize=True, database=None, **_COMMON),
    "dev": settings(max_examples=50, **_COMMON),
    "thorough": settings(max_examples=500, **_COMMON),
}


def hypothesis_settings(profile: str) -> settings:
    """The settings of a kconform exploration profile."""
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(
            f"Unknown exploration profile {profile!r}; "
            f"expected one of {', '.join(PROFILES)}"
        ) from None
