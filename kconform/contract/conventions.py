"""The contract's conventions: what holds for every hook, beyond each docstring.

``kconform contract`` prints these before the hooks (Markdown, or JSON with
``--format=json``); each group's own conventions (padding, reductions, seeds)
are in its module docstring and printed with the group.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CONVENTIONS", "GROUP_TITLES", "contract_document"]

#: (title, text) pairs, in the order a backend author needs them.
CONVENTIONS: tuple[tuple[str, str], ...] = (
    (
        "Hooks and loading",
        "Implement each op as a module-level function `kconform_<op>` with exactly "
        "the argument names and order listed (no defaults: pluggy never passes "
        "them; the contract's defaults are filled in by kconform). Mark it with "
        "`@kconform.hookimpl` or rely on the `kconform_` prefix. A plugin loads "
        "when it defines the essential hooks (`backend_info`, `capabilities`, "
        "`from_numpy`, `to_numpy`, `is_tensor`) and every hook it defines has "
        "the right signature; a misspelt hook name or a wrong signature is a load "
        "error naming the fix. Every other op may be absent while a backend is "
        "brought up: its cases are reported as *missing*, cases that need it "
        "through another op as *blocked*, and a missing required op keeps the "
        "level at *partial*. Optional ops (marked below) never lower the level.",
    ),
    (
        "Tensors and dtypes",
        "Arguments documented as tensors are the backend's own tensors, made by "
        "`kconform_from_numpy`. Dtypes are named by the contract's strings: "
        "float16, bfloat16, float32, float64, int32, int64, bool. A result must "
        "have the dtype the hook documents (usually the promoted dtype of its "
        "inputs, see the table below); any other dtype fails the case, as does "
        "a result that is not the backend's tensor. float16, bfloat16 and "
        "float64 are capabilities: cases in a dtype the backend does not declare "
        "are *unsupported*, not run.",
    ),
    (
        "Python numbers",
        "Arguments typed as Python numbers (`clip`'s bounds, `full`'s "
        "fill_value, `arange`'s start, stop and step, `random_bernoulli`'s p, axes, "
        "shapes, seeds) are plain `int`/`float`/`None`, never tensors, "
        "and they do not take part in promotion: the result keeps the tensor "
        "argument's dtype (a float fill or bound is rounded to it to nearest). "
        "Tensor arguments are never Python numbers: kconform passes a 0-d "
        "tensor where a scalar tensor is meant.",
    ),
    (
        "Axes and indices",
        "An `axis` (or each entry of a tuple of axes) may be negative and counts "
        "from the end, as in NumPy; an axis outside [-rank, rank) must raise. "
        "The values in `take`'s and `take_along_axis`'s index tensors follow "
        "NumPy too: an index in [-n, 0) counts from the end (-1 is the last); "
        "an index outside [-n, n) must raise, never wrap again or clamp.",
    ),
    (
        "Broadcasting",
        "Binary elementwise ops and `where` broadcast as NumPy does, and only "
        "so: shapes that do not broadcast must raise. Ops that contract or join "
        "dimensions (`matmul`, `einsum`, `concatenate`, convolutions) never "
        "broadcast a mismatched contracted dimension (1 against n must raise).",
    ),
    (
        "What must raise, and when",
        "Every invalid call listed in a hook's docstring (shape mismatches, "
        "axes or indices out of range, bad padding strings, `arange` with step "
        "0, an empty max/min/argmax/argmin) must raise an exception when the op "
        "is called, eagerly, before a result is returned: a lazy backend checks "
        "shapes when the call is made. Any Exception subclass is accepted; a "
        "result returned instead fails the `-errors` case.",
    ),
    (
        "Numbers: special values and accuracy",
        "IEEE 754 semantics: NaN propagates, ±inf and ±0 behave as C99 says "
        "(the `-special` cases), subnormals are kept (the `-subnormal` cases; "
        "flushing them fails there, not elsewhere). Accuracy is measured "
        "against a float64 oracle on the very inputs the backend received: in "
        "ULPs of the result dtype for elementwise ops (1 for correctly rounded "
        "ones, 4 for transcendental functions), against the a-priori error bound "
        "of the sum for ops that sum (matmul, einsum, convolutions, reductions, "
        "softmax), exactly for data movement, integers and booleans. Gradients: "
        "normwise relative error against the oracle's float64 gradient.",
    ),
    (
        "Capabilities",
        "`kconform_capabilities` lists float16, bfloat16, float64 (the dtypes "
        "beyond float32, int32, int64 and bool), and optionally jit and "
        "deterministic. *jit*: the hook decides. A backend that implements "
        "`kconform_jit` has jit, whether or not it lists the capability; one "
        "that lists it without the hook does not (its jit case is *missing*). "
        "The reference framework compiles training steps only through the hook. "
        "*deterministic*: a statement that `configure_numerics(True, False)` "
        "gives run-to-run identical results; it is recorded in the report and "
        "not checked by this version of the contract.",
    ),
    (
        "Random numbers and seeds",
        "Random ops are stateless: `seed` is a non-negative Python int, and the "
        "same seed, shape and arguments give the same tensor on every call in a "
        "process; different seeds give independent tensors. Values need not "
        "agree across backends: kconform checks determinism, independence and "
        "the distribution (moments and a Kolmogorov-Smirnov test), never bits. "
        "Intervals are half-open: `random_uniform` never returns `maxval`.",
    ),
    (
        "Deviations",
        "A backend may declare cases it is known to fail (`kconform_deviations`, "
        "usually read from a `deviations.toml`): each entry gives `id` (one "
        "case id) or `ids` (a list), a `reason`, and optionally a `link`. An id "
        "without `*` or `?` matches that case exactly; `*` matches any run of "
        "characters and `?` one, everything else literally (brackets "
        "included), and a pattern must match the whole case id. A declared "
        "case that fails is a *deviation*; an exact id that passes, or an entry "
        "that matches nothing, is reported as stale.",
    ),
)

#: A heading per group (the group modules hold two groups each in places).
GROUP_TITLES = {
    "info": "info: who the backend is",
    "tensors": "tensors: data in and out",
    "creation": "creation",
    "elementwise": "elementwise",
    "reductions": "reductions",
    "shape": "shape and indexing",
    "linalg": "linear algebra",
    "nn": "nn primitives",
    "random": "random",
    "autodiff": "autodiff",
    "compile": "compile",
    "numerics": "numerics configuration",
}


def contract_document() -> dict[str, Any]:
    """The whole contract as data: conventions, promotion table, groups, hooks."""
    from ..dtypes import ALL, promote
    from . import CAPABILITIES, CONTRACT_VERSION, ESSENTIAL, GROUP_MODULES, OPS

    module_doc: dict[str, str] = {}
    for module in GROUP_MODULES:  # a module's conventions go with its first group
        doc = (module.__doc__ or "").strip()
        for info in OPS.values():
            if info.spec.__module__ == module.__name__:
                module_doc.setdefault(info.group, doc)
                doc = doc.split("\n\n", 1)[0]
    groups: dict[str, dict[str, Any]] = {}
    for info in OPS.values():
        group = groups.setdefault(
            info.group,
            {
                "name": info.group,
                "title": GROUP_TITLES.get(info.group, info.group),
                "doc": module_doc.get(info.group, ""),
                "hooks": [],
            },
        )
        group["hooks"].append(
            {
                "op": info.name,
                "hook": info.hook,
                "args": list(info.argnames),
                "defaults": {k: repr(v) for k, v in info.defaults.items()},
                "required": info.required,
                "essential": info.name in ESSENTIAL,
                "doc": info.doc,
            }
        )
    return {
        "contract_version": CONTRACT_VERSION,
        "capabilities": list(CAPABILITIES),
        "essential": [OPS[n].hook for n in ESSENTIAL],
        "conventions": [{"title": t, "text": x} for t, x in CONVENTIONS],
        "dtypes": list(ALL),
        "promotion": {a: {b: promote(a, b) for b in ALL} for a in ALL},
        "groups": list(groups.values()),
    }
