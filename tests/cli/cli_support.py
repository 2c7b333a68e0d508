"""Helpers of the `kconform` command's tests: reading run directories, waiting."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def cases(run_dir: Path, backend: str) -> dict[str, dict[str, Any]]:
    """The case records of ``backend`` in the run directory ``run_dir``."""
    doc = json.loads((run_dir / "results.json").read_text())
    return doc["backends"][backend]["cases"]


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``predicate`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")
