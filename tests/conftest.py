"""The harness's own tests: unit tests need no framework; sessions run in pytester.

A test that uses a backend by name besides the one under test (the NumPy
reference, say) carries ``@pytest.mark.needs_backend("numpy")``: it is skipped,
saying what to install, where that backend is not installed — in a tox
environment of another backend, as a CI job of one backend runs.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def pytest_runtest_setup(item: pytest.Item) -> None:
    import kconform

    for mark in item.iter_markers("needs_backend"):
        installed = kconform.installed_backends()
        missing = [name for name in mark.args if name not in installed]
        if missing:
            pytest.skip(
                f"needs the {', '.join(missing)} backend installed "
                f"(pip install {' '.join(f'./backends/{n}' for n in missing)})"
            )
