"""Exploration profiles: the ci profile draws the same examples wherever it runs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers

from kconform.suite import profiles


def _draws(profile: str) -> list[float]:
    seen: list[float] = []

    @profiles.hypothesis_settings(profile)
    @given(st.floats(allow_nan=False, width=32))
    def draw(x: float) -> None:
        seen.append(x)

    with profiles.reproducible_draws(profile):
        draw()
    return seen


def test_ci_draws_the_same_examples_and_restores_hypothesis():
    original = providers._get_local_constants
    assert _draws("ci") == _draws("ci")
    assert providers._get_local_constants is original


def test_a_hypothesis_without_the_switch_is_said_once(monkeypatch):
    monkeypatch.setattr(profiles, "_local_constants_switch", lambda: None)
    profiles._warn_unpinned.cache_clear()
    with pytest.warns(RuntimeWarning, match="may draw differently serial and under"):
        _draws("ci")
    with warnings_as_errors():
        _draws("ci")  # not again


class warnings_as_errors:
    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def test_kconform_profiles_are_registered_with_hypothesis():
    from hypothesis import settings

    assert settings.get_profile("kconform-ci").max_examples == 8
    assert settings.get_profile("kconform-dev").max_examples == 50
    assert settings.get_profile("kconform-thorough").max_examples == 500


def test_a_hypothesis_profile_keeps_its_examples_without_deadline_or_health_checks():
    from hypothesis import settings

    settings.register_profile("kconform-test-tiny", max_examples=2, deadline=200)
    chosen = profiles.hypothesis_settings("hypothesis:kconform-test-tiny")
    assert chosen.max_examples == 2 and chosen.deadline is None
    assert chosen.suppress_health_check
    with pytest.raises(ValueError, match="Unknown Hypothesis profile 'nope'"):
        profiles.hypothesis_settings("hypothesis:nope")
