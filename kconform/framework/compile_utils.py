"""What ``compile`` configures: losses and metrics matched to the model's outputs.

Built on the first batch (``"accuracy"`` resolves to binary, sparse
categorical or categorical accuracy from the shapes of ``y_true`` and
``y_pred``, as in Keras). Log names follow Keras 3: ``loss``, ``accuracy``;
with several outputs also ``<output>_loss`` and ``<output>_<metric>``.
"""

from __future__ import annotations

from typing import Any

from . import losses as losses_module
from . import metrics as metrics_module
from ._engine import Engine

__all__ = ["CompileLoss", "CompileMetrics", "match_outputs"]


def match_outputs(value: Any, names: list[str], what: str) -> list[Any]:
    """Spread a per-output spec (one, a list, or a dict by output name) over outputs."""
    n = len(names)
    if isinstance(value, dict):
        unknown = set(value) - set(names)
        if unknown:
            raise ValueError(
                f"In `compile()`, the `{what}` dict has keys {sorted(unknown)} that "
                "are not "
                f"output names of the model. Expected keys among: {names}"
            )
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)) and n > 1:
        if len(value) != n:
            raise ValueError(
                f"In `compile()`, the `{what}` list has {len(value)} entries but the "
                "model "
                f"has {n} outputs ({names}). Pass one entry per output, or a dict."
            )
        return list(value)
    return [value] * n


def _to_loss(spec: Any) -> Any:
    if spec is None:
        return None
    obj = losses_module.get(spec)
    if isinstance(obj, losses_module.Loss):
        return obj
    return losses_module.LossFunctionWrapper(obj, name=getattr(obj, "__name__", "loss"))


def _resolve_metric(
    spec: Any, y_true_shape: tuple, y_pred_shape: tuple
) -> metrics_module.Metric:
    if isinstance(spec, str) and spec.lower() in ("accuracy", "acc"):
        rank_t, rank_p = len(y_true_shape), len(y_pred_shape)
        last_t = y_true_shape[-1] if rank_t else None
        last_p = y_pred_shape[-1] if rank_p else None
        if last_p == 1:
            m: metrics_module.Metric = metrics_module.BinaryAccuracy(name=spec)
        elif rank_t < rank_p or (last_t == 1 and last_p != 1):
            m = metrics_module.SparseCategoricalAccuracy(name=spec)
        else:
            m = metrics_module.CategoricalAccuracy(name=spec)
        return m
    metric = metrics_module.get(spec)
    if isinstance(spec, str):
        metric.name = spec
    return metric


class CompileLoss:
    """The compiled loss: one loss (and weight) per output, summed."""

    def __init__(self, loss: Any, loss_weights: Any, output_names: list[str]) -> None:
        self.output_names = output_names
        self.losses = [_to_loss(s) for s in match_outputs(loss, output_names, "loss")]
        if all(x is None for x in self.losses):
            raise ValueError(
                "No loss to compute. Provide a `loss` argument in `compile()`."
            )
        weights = (
            match_outputs(loss_weights, output_names, "loss_weights")
            if loss_weights is not None
            else [None] * len(output_names)
        )
        self.weights = [None if w is None else float(w) for w in weights]
        multi = len(output_names) > 1
        self.trackers = [
            metrics_module.Mean(name=f"{n}_loss")
            if (multi and fn is not None)
            else None
            for n, fn in zip(output_names, self.losses)
        ]

    def __call__(
        self, engine: Engine, y_true: list[Any], y_pred: list[Any], sample_weight: Any
    ) -> tuple[Any, list[Any]]:
        """Return the total loss and the unweighted per-output losses."""
        b = engine.b
        total, parts = None, []
        for i, (fn, w) in enumerate(zip(self.losses, self.weights)):
            if fn is None:
                parts.append(None)
                continue
            if y_true[i] is None:
                raise ValueError(
                    f"The output '{self.output_names[i]}' has a loss but no target was "
                    "given for it in `y`."
                )
            sw = sample_weight[i] if isinstance(sample_weight, list) else sample_weight
            value = engine.cast(fn(y_true[i], y_pred[i], sw), "float32")
            parts.append(value)
            if w is not None:
                value = b.multiply(value, engine.const(w, "float32"))
            total = value if total is None else b.add(total, value)
        return total, parts

    @property
    def metrics(self) -> list[metrics_module.Metric]:
        return [t for t in self.trackers if t is not None]


class CompileMetrics:
    """The compiled metrics, per output, resolved on the first batch."""

    def __init__(self, metrics: Any, output_names: list[str]) -> None:
        self.output_names = output_names
        if metrics is None:
            self.specs: list[list[Any]] = [[] for _ in output_names]
        elif len(output_names) == 1:
            if isinstance(metrics, dict):
                metrics = metrics.get(output_names[0], [])
            self.specs = [
                list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]
            ]
        else:
            if (
                isinstance(metrics, (list, tuple))
                and metrics
                and not any(isinstance(m, (list, tuple, dict)) for m in metrics)
            ):
                per = [list(metrics)] * len(output_names)
            else:
                per = match_outputs(metrics, output_names, "metrics")
            self.specs = [
                [] if m is None else (list(m) if isinstance(m, (list, tuple)) else [m])
                for m in per
            ]
        self.per_output: list[list[metrics_module.Metric]] = []
        self.built = False

    def build(self, y_true_shapes: list[tuple], y_pred_shapes: list[tuple]) -> None:
        multi = len(self.output_names) > 1
        self.per_output = []
        for name, specs, ts, ps in zip(
            self.output_names, self.specs, y_true_shapes, y_pred_shapes
        ):
            resolved = []
            for spec in specs:
                m = _resolve_metric(spec, tuple(ts or ()), tuple(ps))
                if ts is not None:
                    m.build(tuple(ts), tuple(ps))
                if multi:
                    m.name = f"{name}_{m.name}"
                resolved.append(m)
            self.per_output.append(resolved)
        self.built = True

    @property
    def metrics(self) -> list[metrics_module.Metric]:
        return [m for group in self.per_output for m in group]

    def update(self, y_true: list[Any], y_pred: list[Any], sample_weight: Any) -> None:
        for i, group in enumerate(self.per_output):
            if y_true[i] is None:
                continue
            sw = sample_weight[i] if isinstance(sample_weight, list) else sample_weight
            for m in group:
                m.update_state(y_true[i], y_pred[i], sw)
