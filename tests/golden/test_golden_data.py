"""The golden records kconform ships: the four built-in backends, whole and loadable."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from kconform.golden import BUILTIN, golden_dir, load_golden_run
from kconform.golden.regenerate import NOT_KEPT
from kconform.records.schema import array_key


@pytest.fixture(scope="module")
def golden():
    run = load_golden_run()
    assert run is not None, (
        f"no golden records in {golden_dir()}; regenerate them with `kconform golden`"
    )
    return run


def test_the_four_built_in_backends_with_their_versions(golden):
    assert sorted(golden.backends) == sorted(BUILTIN)
    assert golden.complete and golden.doc["profile"] == "ci"
    assert "parity" not in golden.doc and "overview" not in golden.doc
    for name, record in golden.backends.items():
        assert record["source"] == "golden"
        assert record["status"] == "complete", (name, record["status_detail"])
        assert record["kconform_version"] and record["contract_version"]
        assert record["info"]["framework_version"], name
        assert record["origin"]["profile"] == "ci"
        assert len(record["cases"]) > 1000, name


def test_every_named_array_is_there_and_lifecycle_parity_data_is_kept(golden):
    for name, record in golden.backends.items():
        arrays = golden.arrays(name)
        named = {
            array_key(case["key"], a)
            for case in record["cases"].values()
            for a in case["arrays"]
        }
        assert named == set(arrays), name  # nothing named is missing, nothing extra
        fit = record["cases"][f"mlp-fit[{name}]"]
        assert "step_losses" in fit["arrays"] and "step0_loss" in fit["arrays"]
        grads = [a for a in fit["arrays"] if a.startswith("step0_gradients/")]
        assert len(grads) == 4  # two Dense layers: kernel and bias each
        assert not any(k.split("/")[1] in NOT_KEPT for k in arrays), name


def test_backends_agree_on_step0_gradients(golden):
    """Gradients at the same weights and batch: every backend within 1e-4."""
    ref = golden.arrays("numpy")
    keys = [k for k in ref if "/step0_gradients/" in k]
    assert keys
    for name in golden.backends:
        ours = golden.arrays(name)
        for key in keys:
            a, b = ref[key].astype(np.float64), ours[key].astype(np.float64)
            scale = np.linalg.norm(a) + 1e-3  # small biases' gradients cancel
            assert np.linalg.norm(a - b) <= 1e-4 * scale, (name, key)


def test_loading_imports_no_framework():
    code = (
        "import sys; from kconform.golden import load_golden_run; "
        "run = load_golden_run(); run.arrays('numpy'); "
        "loaded = {'torch', 'jax', 'tensorflow', 'kconform.framework'} & "
        "set(sys.modules); assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_absent_data_is_none(tmp_path):
    assert load_golden_run(tmp_path) is None
