"""The kconform pytest plugin (loaded through the ``pytest11`` entry point)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kconform")
    group.addoption(
        "--backend",
        action="store",
        default=None,
        help="Backends to test: 'all' or a comma-separated list (default: numpy)",
    )
