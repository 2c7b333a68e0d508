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


def host_info() -> dict[str, Any]:
    """``{"python", "system", "machine", "cpu", "cpu_count"}`` of this process."""
    return {
        "python": ".".join(str(v) for v in sys.version_info[:3]),
        "system": f"{platform.system()} {platform.release()}".strip(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
    }
