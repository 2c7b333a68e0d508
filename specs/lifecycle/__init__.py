"""Lifecycle scenarios: models taken from creation through fit to save and load.

``SCENARIOS`` maps a scenario name to a :class:`Scenario`, whose ``stages`` are
``Stage(name, run)`` in order; ``run(ctx)`` takes a context with ``.backend``
(a :class:`kconform.Backend`), ``.tmp_path`` and a shared ``.state`` dict, and
fails by raising ``AssertionError``. Stages leave NumPy records (initial and
final weights, per-epoch losses, predictions) in ``ctx.state["records"]`` for
cross-backend parity: every scenario starts from the same host-drawn weights
and batch order on every backend.
"""

from __future__ import annotations

from ._scenario import SEED, Scenario, Stage
from .architectures import CNN, TEXT, TWO_IO
from .custom import CUSTOM, EARLY
from .keras_surface import AUTOENCODER, TRANSFORMER
from .mlp import MLP, ROUNDTRIP

__all__ = ["SCENARIOS", "SEED", "Scenario", "Stage"]

ALL = [MLP, TWO_IO, CNN, TEXT, CUSTOM, EARLY, ROUNDTRIP, TRANSFORMER, AUTOENCODER]
SCENARIOS: dict[str, Scenario] = {s.name: s for s in ALL}
