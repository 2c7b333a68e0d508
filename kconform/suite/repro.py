"""Standalone reproduction scripts for failing cases."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ..dtypes import is_float, name_of

__all__ = ["literal", "repro_script", "write_repro"]


def literal(value: Any) -> str:
    """Python source that rebuilds ``value`` exactly (arrays via float64 reprs)."""
    if isinstance(value, np.ndarray):
        dtype = name_of(value.dtype)
        wide = value.astype(np.float64) if is_float(value.dtype) else value
        body = (
            np.array2string(
                wide,
                separator=", ",
                threshold=10**9,
                floatmode="unique",
                max_line_width=88,
            )
            .replace("nan", "np.nan")
            .replace("inf", "np.inf")
        )
        return (
            f"np.array({body}).astype(to_numpy_dtype({dtype!r})).reshape({value.shape})"
        )
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return repr(value)


def repro_script(
    backend: str, op: str, args: tuple[Any, ...], dtype: str, headline: str
) -> str:
    """A script that calls ``op`` on ``backend`` with ``args`` and prints the error."""
    arg_lines = "\n".join(f"    {literal(a)}," for a in args)
    return f'''"""Reproduce: {headline}"""
import numpy as np

import kconform
from kconform.dtypes import to_numpy_dtype
from kconform.oracle.measure import measure, widen
from kconform.specs import get_spec

backend = kconform.load_backend({backend!r})
spec = get_spec({op!r})
args = (
{arg_lines}
)
def to_backend(a):
    if isinstance(a, np.ndarray):
        return backend.from_numpy(a)
    if isinstance(a, list):
        return [to_backend(v) for v in a]
    return a
out = backend.{op}(*[to_backend(a) for a in args])
out = backend.to_numpy(out)
ref = spec.reference(*widen(list(args)))
print("backend:", out.dtype, out.shape, "oracle:", np.shape(ref))
print(measure(out, ref, {dtype!r}, spec.budget, tuple(widen(list(args)))).describe())
'''


def write_repro(directory: Path, case_id: str, script: str) -> Path:
    """Write ``script`` as ``<directory>/<case-id>.py`` and return its path."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", case_id).strip("-") + ".py"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(script, encoding="utf-8")
    return path
