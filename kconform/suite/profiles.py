"""Hypothesis exploration profiles: ``ci``, ``smoke``, ``dev``, ``thorough``.

``ci`` is derandomized and small. Each is registered with Hypothesis as
``kconform-<name>`` (``settings.register_profile``), so ``--hypothesis-profile
kconform-dev`` and ``HYPOTHESIS_PROFILE`` work as with any Hypothesis suite. A
session given a Hypothesis profile (and no ``--kconform-profile``) explores
with that profile, loaded by Hypothesis's pytest plugin; kconform only turns
off the deadline and the health checks, which its cases trip by design (an op
compiling for a new shape, inputs rejected as invalid for the op).
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, settings

__all__ = [
    "HYPOTHESIS_PREFIX",
    "PROFILES",
    "hypothesis_settings",
    "registered_name",
    "reproducible_draws",
]

_COMMON = dict(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)

PROFILES: dict[str, settings] = {
    # Same examples on every run: a CI failure is reproducible by rerunning.
    "ci": settings(max_examples=8, derandomize=True, database=None, **_COMMON),
    # The smoke tier's few explored examples, reproducible as in ci.
    "smoke": settings(max_examples=3, derandomize=True, database=None, **_COMMON),
    "dev": settings(max_examples=50, **_COMMON),
    "thorough": settings(max_examples=500, **_COMMON),
}


#: The recorded profile of a session that explores with a Hypothesis profile.
HYPOTHESIS_PREFIX = "hypothesis:"


def registered_name(profile: str) -> str:
    """The name Hypothesis knows a kconform profile by."""
    return f"kconform-{profile}"


for _name, _settings in PROFILES.items():
    settings.register_profile(registered_name(_name), _settings)


def hypothesis_settings(profile: str) -> settings:
    """The settings of an exploration profile: a kconform one, or
    ``hypothesis:<name>``, a profile registered with Hypothesis."""
    if profile.startswith(HYPOTHESIS_PREFIX):
        name = profile[len(HYPOTHESIS_PREFIX) :]
        try:
            base = settings.get_profile(name)
        except Exception as exc:  # InvalidArgument: not registered
            raise ValueError(
                f"Unknown Hypothesis profile {name!r}: register it "
                "(settings.register_profile) in a conftest.py or plugin"
            ) from exc
        return settings(base, deadline=None, suppress_health_check=list(HealthCheck))
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(
            f"Unknown exploration profile {profile!r}; "
            f"expected one of {', '.join(PROFILES)}"
        ) from None


@contextlib.contextmanager
def reproducible_draws(profile: str) -> Iterator[None]:
    """In the ``ci`` profile, make the examples independent of what was imported.

    Hypothesis sometimes draws constants found in the source of "local"
    (non-site-packages) modules loaded so far, so a derandomized test draws
    differently depending on what ran before it in the process: a pytest-xdist
    worker and a serial run would record different errors. In ``ci`` those
    constants are left out; the other profiles keep them (they find bugs).
    """
    if profile not in ("ci", "smoke"):
        yield
        return
    providers = _local_constants_switch()
    if providers is None:
        _warn_unpinned()
        yield
        return
    original, cache = providers._get_local_constants, providers.CONSTANTS_CACHE
    empty = type(providers._local_constants)()
    providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()


def _local_constants_switch() -> Any:
    """Hypothesis's module holding the local-constants lookup, if it has one."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the feature
        return None
    has = all(
        hasattr(providers, name)
        for name in ("_get_local_constants", "CONSTANTS_CACHE", "_local_constants")
    )
    return providers if has else None


@functools.cache
def _warn_unpinned() -> None:
    """Once per process: this Hypothesis has no switch for its local constants."""
    import hypothesis

    warnings.warn(
        f"kconform: Hypothesis {hypothesis.__version__} has no "
        "providers._get_local_constants: in the ci profile, exploration may draw "
        "differently serial and under pytest-xdist (the records of *-explore "
        "cases may differ); the other cases are not affected",
        RuntimeWarning,
        stacklevel=3,
    )
