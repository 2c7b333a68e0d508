"""The README's Keras 3 coverage table is what the framework implements."""

from __future__ import annotations

import re
from pathlib import Path

from kconform.framework.coverage import coverage_table, implemented

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_is_the_framework_s_own() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(
        r"<!-- keras-coverage:start -->\n(.*?)\n<!-- keras-coverage:end -->",
        text,
        re.S,
    )
    assert block, "README lost its keras-coverage markers"
    assert block.group(1).strip() == coverage_table(), (
        "README's Keras coverage table is stale: paste the output of "
        "`python -m kconform.framework.coverage` between the markers"
    )


def test_every_listed_class_exists_and_builds_from_its_name() -> None:
    import kconform.framework as keras

    listed = implemented()
    assert {"LSTM", "GRU", "MultiHeadAttention", "Conv2DTranspose"} <= set(
        listed["layers"]
    )
    for name in listed["layers"]:
        assert isinstance(getattr(keras.layers, name), type), name
    for name in listed["metrics"]:  # a saved config names them so
        if name not in ("Metric", "MeanMetricWrapper"):  # the abstract ones
            assert isinstance(keras.metrics.get(name), keras.metrics.Metric), name
