"""The JAX backend's compiled kernels: what their cache must tell apart."""

from __future__ import annotations

import numpy as np
import pytest

from kconform.plugins import BackendRegistry

pytestmark = pytest.mark.needs_backend("jax")


@pytest.fixture(scope="module")
def jax_backend():
    return BackendRegistry().load("jax")


def test_static_numbers_that_compare_equal_get_their_own_program(jax_backend):
    b = jax_backend
    x = b.from_numpy(np.array([-0.0, 1.5], np.float32))
    first = b.to_numpy(b.add(x, -0.0))
    second = b.to_numpy(b.add(x, 0.0))
    assert np.signbit(first[0]) and not np.signbit(second[0])  # -0 + -0, -0 + 0
    # True, 1 and 1.0 are equal and hash alike: each keeps its own meaning.
    ints = b.from_numpy(np.array([2, 3], np.int32))
    assert b.dtype(b.multiply(ints, 1)) == "int32"
    assert b.dtype(b.multiply(ints, 1.0)) == "float32"
    assert b.dtype(b.multiply(ints, True)) == "int32"


def test_value_checks_still_run_before_the_compiled_program(jax_backend):
    b = jax_backend
    x = b.from_numpy(np.arange(4.0, dtype=np.float32))
    with pytest.raises(IndexError, match="index 4 is out of range"):
        b.take(x, b.from_numpy(np.array([0, 4], np.int32)), 0)
    assert b.to_numpy(b.take(x, b.from_numpy(np.array([-1], np.int32)), 0))[0] == 3
    ints = b.from_numpy(np.array([2, 3], np.int32))
    with pytest.raises(ValueError, match="negative integer powers"):
        b.power(ints, b.from_numpy(np.array([1, -1], np.int32)))


def test_invalid_calls_reach_the_ops_own_messages(jax_backend):
    b = jax_backend
    x = b.from_numpy(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="axis 5 is out of range"):
        b.sum(x, 5, False)
    with pytest.raises(TypeError):
        b.concatenate([x, 3], 0)  # a tensor among other values: run eagerly
    with pytest.raises(TypeError, match="must be a tensor"):
        b.exp([1.0, 2.0])


def test_kernels_differentiate_and_compile_inside_jit(jax_backend):
    b = jax_backend
    x = b.from_numpy(np.array([0.5, 2.0], np.float64))

    def loss(params):
        return b.sum(b.multiply(b.exp(params[0]), params[0]), None, False)

    _, (g,) = b.value_and_grad(loss, False)([x])
    ref = np.exp([0.5, 2.0]) * (1 + np.array([0.5, 2.0]))
    np.testing.assert_allclose(b.to_numpy(g), ref, rtol=1e-15)
    jitted = b.jit(lambda t: b.softmax(t, -1))
    np.testing.assert_allclose(
        b.to_numpy(jitted(x)), b.to_numpy(b.softmax(x, -1)), rtol=1e-15
    )


def test_the_programs_an_op_keeps_are_bounded(jax_backend, monkeypatch):
    from kconform_jax import _kernel
    from kconform_jax.elementwise import kconform_multiply

    monkeypatch.setattr(_kernel, "MAX_PROGRAMS", 4)
    b = jax_backend
    x = b.from_numpy(np.array([1.0, 2.0], np.float32))
    for step in range(10):  # a new Python number each call, as a schedule gives
        out = b.to_numpy(b.multiply(x, 0.5 + step))
        np.testing.assert_array_equal(out, np.float32([1.0, 2.0]) * (0.5 + step))
    assert len(kconform_multiply.programs) == 4  # the last four values
