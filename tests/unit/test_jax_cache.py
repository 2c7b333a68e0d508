"""The JAX backend keeps compiled programs on disk between runs (or not)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.needs_backend("jax")

SCRIPT = """
import numpy as np
from kconform.plugins import BackendRegistry
b = BackendRegistry().load("jax")
x = b.from_numpy(np.arange(5.0))
b.to_numpy(b.logsumexp(x, None, False))
print(b.info["compilation_cache"])
"""


def _run(env: dict[str, str]) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JAX_", "KCONFORM_JAX"))
    }
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env={**clean, **env}, capture_output=True,
        text=True, timeout=120, check=True,
    )  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def test_the_cache_is_off_unless_asked_for(tmp_path):
    assert _run({"XDG_CACHE_HOME": str(tmp_path)}) == "off"
    assert not (tmp_path / "kconform").exists()


def test_asked_for_the_cache_keeps_compiled_programs(tmp_path):
    assert _run({"KCONFORM_JAX_CACHE": str(tmp_path / "c")}) == str(tmp_path / "c")
    assert any((tmp_path / "c").iterdir())
    # A cache configured for JAX itself is the user's: left as it is.
    own = tmp_path / "own"
    assert _run({"JAX_COMPILATION_CACHE_DIR": str(own)}) == str(own)
