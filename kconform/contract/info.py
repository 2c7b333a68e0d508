"""Contract group ``info``: who the backend is, what it can do, its known deviations."""

from __future__ import annotations

from typing import Any

from ._marker import op


@op("info")
def kconform_backend_info() -> dict[str, Any]:
    """Describe the backend.

    Called once, when the backend is loaded.

    Returns a dict with the keys ``name`` (short, lower-case, used in test ids
    and ``--backend``), ``version`` (of the plugin), ``framework`` (e.g.
    ``"jax"``), ``framework_version`` and ``device`` (e.g. ``"cpu"``).
    """


@op("info")
def kconform_capabilities() -> list[str]:
    """List what the backend supports beyond the required contract.

    Returns a list of capability names from :data:`kconform.contract.CAPABILITIES`:
    ``"float16"``, ``"bfloat16"``, ``"float64"`` (the dtypes beyond float32,
    int32, int64 and bool), ``"jit"``, ``"deterministic"``. Cases that need a
    capability the backend does not list are skipped as *unsupported*.
    """


@op("info", required=False)
def kconform_deviations() -> list[dict[str, str]]:
    """Declare the cases this backend is known to fail.

    Returns a list of dicts with the keys ``id`` (a case id such as
    ``"erf[torch-bfloat16]"``, or a pattern in which ``*`` matches any run of
    characters and ``?`` one, every other character literally, brackets
    included) or ``ids`` (a list of them), ``reason``, and optionally
    ``link``. A declared case that fails is reported as a *deviation*; one
    that passes, or an entry that matches no case, is reported too. The
    built-in backends read these from a ``deviations.toml`` beside their
    plugin module (:func:`kconform.deviations.read_deviations`).
    """
