"""Standalone reproduction scripts for failing cases."""

from __future__ import annotations

import io
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


#: The end of a ``-grad`` case's script: the gradient check on these inputs.
_GRAD_CHECK = """from kconform.oracle.spec import Sample
from kconform.suite.checks import CaseContext, ConformanceFailure, check_grad_sample

try:
    check_grad_sample(
        CaseContext(backend, {case_id!r}), spec, Sample(tuple(args), {label!r}),
        {dtype!r},
    )
except ConformanceFailure as exc:
    print(exc.message)
else:
    print({case_id!r}, "gradient: within its budget on these inputs")
"""
#: The end of a values case's script: the op on these inputs, against the oracle.
_VALUE_CHECK = """out = backend.{op}(*[to_backend(a) for a in args])
out = backend.to_numpy(out)
ref = spec.reference(*widen(list(args)))
print("backend:", out.dtype, out.shape, "oracle:", np.shape(ref))
args64 = tuple(widen(list(args)))
m = measure(out, ref, {dtype!r}, spec.budget, args64, spec.signed_zeros)
print(m.describe())
"""


def repro_script(
    backend: str,
    op: str,
    args: tuple[Any, ...],
    dtype: str,
    headline: str,
    *,
    check: str = "values",
    case_id: str = "",
    label: str = "",
) -> str:
    """A script that reruns the failing check of ``op`` on ``backend`` with ``args``.

    A ``grad`` check reruns the gradient comparison (its failure was in the
    gradient, which the forward values would not show); every other check
    calls the op and prints its error against the oracle.
    """
    arg_lines = "\n".join(f"    {literal(a)}," for a in args)
    tail = (_GRAD_CHECK if check == "grad" else _VALUE_CHECK).format(
        op=op, dtype=dtype, case_id=case_id or headline.split(" ", 1)[0], label=label
    )
    return f'''"""Reproduce: {headline}"""
from pathlib import Path

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
# The same inputs, bit for bit, beside this script (written with it).
inputs = Path(__file__).with_suffix(".npz") if "__file__" in globals() else None
if inputs is not None and inputs.exists():
    with np.load(inputs, allow_pickle=False) as saved:
        args = tuple(
            saved[f"arg{{i}}"].astype(to_numpy_dtype(str(saved[f"dtype{{i}}"])))
            if f"arg{{i}}" in saved.files else a
            for i, a in enumerate(args)
        )
def to_backend(a):
    if isinstance(a, np.ndarray):
        return backend.from_numpy(a)
    if isinstance(a, list):
        return [to_backend(v) for v in a]
    return a
{tail}'''


def write_repro(
    directory: Path, case_id: str, script: str, args: tuple[Any, ...] = ()
) -> Path:
    """Write ``<directory>/<case-id>.py`` and its array inputs as ``.npz``.

    The script embeds its inputs too (it can be pasted from the failure
    message); beside its ``.npz`` it reads them from there, bit for bit.
    """
    from ..records.store import atomic_write_bytes

    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", case_id).strip("-")
    directory.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray):
            dtype = name_of(a.dtype)
            wide = a.astype(np.float64) if is_float(a.dtype) else a
            arrays[f"arg{i}"] = wide
            arrays[f"dtype{i}"] = np.array(dtype)
    if arrays:
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        atomic_write_bytes(directory / f"{name}.npz", buf.getvalue())
    path = directory / f"{name}.py"
    atomic_write_bytes(path, script.encode("utf-8"))
    return path
