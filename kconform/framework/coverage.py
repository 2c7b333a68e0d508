"""What the reference framework implements of Keras 3's API, as a Markdown table.

The "kconform" column is read from the modules themselves; "not yet" lists
what Keras 3.15 has beyond it (kept by hand: Keras is not a dependency). The
README's table is this function's output, and a test keeps them equal:
``python -m kconform.framework.coverage`` prints it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NOT_YET", "coverage_table", "implemented"]

#: Keras 3.15 names the framework does not implement yet, per module.
NOT_YET: dict[str, list[str]] = {
    "layers": [
        "3-D convolution, pooling, padding, cropping and upsampling layers",
        "AdaptiveAveragePooling*/AdaptiveMaxPooling*",
        "AdditiveAttention",
        "AlphaDropout",
        "ConvLSTM1D/2D/3D",
        "DepthwiseConv1D",
        "EinsumDense",
        "GroupQueryAttention",
        "image augmentation (Random*, MixUp, CutMix, AugMix, RandAugment...)",
        "Resizing, CenterCrop",
        "string and hashing preprocessing (TextVectorization, StringLookup, "
        "IntegerLookup, Hashing, HashedCrossing)",
        "SeparableConv1D",
        "SpectralNormalization",
        "audio (MelSpectrogram, STFTSpectrogram)",
        "framework wrappers (JaxLayer, FlaxLayer, TorchModuleWrapper, TFSMLayer)",
    ],
    "losses": [
        "CTC",
        "CategoricalFocalCrossentropy",
        "CategoricalGeneralizedCrossEntropy",
        "Circle",
        "Dice",
        "Tversky",
    ],
    "metrics": [
        "IoU family (IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU)",
        "PearsonCorrelation",
        "ConcordanceCorrelation",
        "PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, "
        "SpecificityAtSensitivity",
    ],
    "optimizers": [
        "Adafactor",
        "Ftrl",
        "Lamb",
        "LossScaleOptimizer",
        "Muon",
        "ScheduleFreeAdamW",
    ],
    "optimizers.schedules": [],
    "callbacks": ["BackupAndRestore", "RemoteMonitor", "SwapEMAWeights", "TensorBoard"],
    "initializers": ["STFT"],
    "constraints": [],
}


def implemented() -> dict[str, list[str]]:
    """The public classes of each module (aliases under their own names too)."""
    import kconform.framework as keras

    def classes(module: Any, base: Any = None) -> list[str]:
        names = set()
        for name in getattr(module, "__all__", dir(module)):
            obj = getattr(module, name, None)
            if (
                isinstance(obj, type)
                and not name.startswith("_")
                and name[0].isupper()
                and (base is None or issubclass(obj, base))
            ):
                names.add(name)
        return sorted(names)

    return {
        "layers": classes(keras.layers, keras.layers.Layer),
        "losses": classes(keras.losses, keras.losses.Loss),
        "metrics": classes(keras.metrics, keras.metrics.Metric),
        "optimizers": classes(keras.optimizers, keras.optimizers.Optimizer),
        "optimizers.schedules": classes(keras.optimizers.schedules),
        "callbacks": classes(keras.callbacks, keras.callbacks.Callback),
        "initializers": classes(keras.initializers),
        "constraints": classes(keras.constraints),
    }


def coverage_table() -> str:
    """The Markdown table of the README's "Keras 3 API coverage"."""
    rows = ["| `keras.` | kconform implements | not yet |", "|---|---|---|"]
    for module, names in implemented().items():
        have = ", ".join(names)
        missing = "; ".join(NOT_YET.get(module, [])) or "-"
        rows.append(f"| `{module}` ({len(names)}) | {have} | {missing} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(coverage_table())
