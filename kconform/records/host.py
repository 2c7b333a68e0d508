"""The machine a backend's cases ran on, kept in its record.

Two correct runs of one backend can differ by a few ULPs from one CPU to
another (the BLAS and the vectorised kernels a framework picks at run time
depend on the instruction set), so a record says where it was made: a golden
column's label names it.
"""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

__all__ = ["host_info"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


#: Instruction-set levels NumPy reports, best first.
_SIMD_LEVELS = ("X86_V4", "X86_V3", "X86_V2", "ASIMDHP", "ASIMD", "NEON", "VSX3", "VX")
#: Environment variables that set the threads of BLAS and OpenMP kernels.
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _simd() -> str:
    """The best instruction-set level NumPy's kernels use here (``X86_V4``...)."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # pragma: no cover - NumPy 1.x
        try:
            from numpy.core import _multiarray_umath as umath  # type: ignore[no-redef]
        except ImportError:
            return "unknown"
    features = getattr(umath, "__cpu_features__", {})
    return next((level for level in _SIMD_LEVELS if features.get(level)), "baseline")


def _blas() -> str:
    """NumPy's BLAS: name and version (``scipy-openblas 0.3.31``)."""
    try:
        import numpy as np

        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - show_config's layout is not a contract
        return "unknown"


def host_info() -> dict[str, Any]:
    """Where the cases ran: ``python``, ``system``, ``machine``, ``cpu``,
    ``cpu_count``, and what explains ULP differences between CPUs: ``simd``
    (the instruction-set level NumPy's kernels pick), ``blas`` (NumPy's BLAS)
    and ``threads`` (the thread-count variables that are set)."""
    return {
        "python": ".".join(str(v) for v in sys.version_info[:3]),
        "system": f"{platform.system()} {platform.release()}".strip(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "simd": _simd(),
        "blas": _blas(),
        "threads": {v: os.environ[v] for v in _THREAD_VARS if v in os.environ},
    }
