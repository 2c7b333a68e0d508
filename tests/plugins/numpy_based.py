"""What the test plugins built on the NumPy reference share.

``globals().update(numpy_hooks("faulty"))`` gives a plugin module every hook
of ``kconform_numpy`` under its own backend name, with no declared
deviations; the plugin then defines the hooks it breaks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kconform_numpy


def numpy_hooks(name: str) -> dict[str, Callable[..., Any]]:
    """Every ``kconform_*`` hook of the NumPy backend, as backend ``name``."""
    hooks = {
        k: getattr(kconform_numpy, k)
        for k in dir(kconform_numpy)
        if k.startswith("kconform_")
    }

    def kconform_backend_info() -> dict[str, Any]:
        return {**kconform_numpy.kconform_backend_info(), "name": name}

    def kconform_deviations() -> list[dict[str, str]]:
        return []

    hooks["kconform_backend_info"] = kconform_backend_info
    hooks["kconform_deviations"] = kconform_deviations
    return hooks
