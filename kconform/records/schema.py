"""The record format: what a run writes per backend and case (``results.json``).

A run directory holds::

    results.json          the run: schema version, versions, per-backend cases
    arrays/<backend>.npz  the outputs of each case, keyed ``<case key>/<name>``
    summary.md  report.html  repro/

``results.json`` (schema version :data:`SCHEMA_VERSION`)::

    {
      "schema": "kconform-results", "schema_version": 1,
      "kconform_version": "0.1.0", "contract_version": "1.0",
      "run": "<name>", "created": "<ISO time>", "updated": "<ISO time>",
      "complete": false,            # true only once every planned case finished
      "profile": "ci", "argv": [...],
      "backends": {"<name>": <backend record>},
      # Added by the report (kconform.report.render), recomputed on every render:
      "overview": {...}, "findings": {...}, "parity": {...}, "golden": {...}
    }

A backend record::

    {
      "name": "torch", "source": "live" | "golden",
      "info": {"framework": "torch", "framework_version": "2.13.0", "device": "cpu"},
      "host": {"python": "3.11.7", "system": "Linux 6.1", "machine": "x86_64",
               "cpu": "<model name>", "cpu_count": 2, "simd": "X86_V4",
               "blas": "scipy-openblas 0.3.31", "threads": {"OMP_NUM_THREADS": "1"}},
      "kconform_version": "0.1.0", "contract_version": "1.0",
      "implemented": ["abs", ...], "contract_size": 97, "capabilities": [...],
      "load_error": null | "<message>",
      "deviations": [{"id": "...", "reason": "...", "link": "..."}],  # declared
      "suite_size": 1305,            # cases of the whole suite per backend
      "selection": {"filters": "-k softmax"},   # what selected part of it
      "status": "complete" | "incomplete" | "interrupted" | "crashed" | "timeout",
      "status_detail": null | "<what happened>",
      "stale_deviations": ["<message>", ...],
      "planned": ["softmax[torch-float32]", ...],
      "arrays": "arrays/torch.npz",
      "cases": {"softmax[torch-float32]": <case record>}
    }

A case record::

    {
      "id": "softmax[torch-float32]", "key": "softmax[float32]",
      "op": "softmax", "kind": "values", "dtype": "float32", "stage": null,
      "outcome": "passed" | "failed" | "deviation" | "missing" | "unsupported"
                 | "skipped" | "blocked" | "crashed" | "timeout" | "not-run",
      "error": {"ulp": 0.5, "bound": 0.02, "grad_eps": 1.3},   # worst per unit
      "duration": 0.0123, "deviation": null | "<declared id>",
      "message": null | "<the whole message of what did not pass>",
      "traceback": "<the end of the traceback>",   # cases that raised, only
      "arrays": ["out0", "out1"],      # names under arrays/<backend>.npz
      "repro": ["repro/<case>.py", "repro/<case>.npz"]   # failures only
    }

Lifecycle stages keep what they recorded, flattened: ``initial_weights/<i>``,
``step0_loss``, ``step0_gradients/<i>``, ``step_losses``, ``epoch_losses``,
``history/<key>``, ``final_weights/<i>``, ``evaluate/<metric>``,
``predictions/<i>``.

The case *key* is the case id without the backend, so the same case lines up
across backends: ``softmax[torch-float32]`` and ``softmax[jax-float32]`` are
both ``softmax[float32]``; ``mlp-fit[jax]`` is ``mlp-fit``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "FINISHED",
    "SCHEMA",
    "SCHEMA_VERSION",
    "array_key",
    "case_key",
    "decode_array",
    "encode_array",
    "flatten_values",
    "json_float",
    "read_float",
]

SCHEMA = "kconform-results"
SCHEMA_VERSION = 1

#: Outcomes of a case that ran to its end (the others did not run, or not fully).
FINISHED = ("passed", "failed", "deviation", "missing", "unsupported", "skipped")


def case_key(case_id: str, backend: str) -> str:
    """The case id without its backend: the same case on every backend.

    >>> case_key("softmax[torch-float32]", "torch")
    'softmax[float32]'
    >>> case_key("matmul-errors[jax]", "jax")
    'matmul-errors'
    """
    head, sep, params = case_id.partition("[")
    if not sep:
        return case_id
    params = params[:-1] if params.endswith("]") else params
    if params == backend:
        return head
    if params.startswith(backend + "-"):
        return f"{head}[{params[len(backend) + 1 :]}]"
    return case_id


def array_key(key: str, name: str) -> str:
    """The name of one array of a case in its backend's ``.npz`` file."""
    return f"{key}/{name}"


def encode_array(value: Any) -> dict[str, Any]:
    """An array as plain data (it travels from pytest-xdist workers in reports).

    Floats narrower than float32 (float16, bfloat16) are widened to float32,
    which holds them exactly; the case's dtype says what they were.
    """
    arr = np.asarray(value)
    if arr.dtype.kind == "f" and arr.dtype.itemsize < 4 or arr.dtype.kind == "V":
        arr = arr.astype(np.float32)
    elif arr.dtype.kind not in "biuf":
        arr = arr.astype(np.float64)
    arr = np.ascontiguousarray(arr)
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "data": arr.tobytes()}


def decode_array(data: dict[str, Any]) -> np.ndarray:
    """The inverse of :func:`encode_array`."""
    return (
        np.frombuffer(data["data"], dtype=np.dtype(data["dtype"]))
        .reshape(data["shape"])
        .copy()
    )


def json_float(value: float) -> float | str:
    """A float for strict JSON: inf and NaN become ``"inf"``, ``"-inf"``, ``"nan"``."""
    value = float(value)
    if np.isfinite(value):
        return value
    return "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")


def read_float(value: float | str | None) -> float | None:
    """The inverse of :func:`json_float` (None stays None)."""
    return None if value is None else float(value)


def flatten_values(name: str, value: Any) -> dict[str, np.ndarray]:
    """Named arrays from a lifecycle record: arrays, lists of them, dicts, numbers.

    ``final_weights`` (a list of arrays) becomes ``final_weights/0``, ...;
    ``history`` (a dict of lists) becomes ``history/loss``, ...; a list of
    numbers becomes one array.
    """
    if isinstance(value, dict):
        out: dict[str, np.ndarray] = {}
        for k, v in value.items():
            out.update(flatten_values(f"{name}/{k}", v))
        return out
    if isinstance(value, (list, tuple)) and any(
        isinstance(v, (np.ndarray, list, tuple, dict)) for v in value
    ):
        out = {}
        for i, v in enumerate(value):
            out.update(flatten_values(f"{name}/{i}", v))
        return out
    return {name: np.asarray(value)}
