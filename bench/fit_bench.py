"""Time ``fit()`` per epoch next to a hand-written loop on each backend, with ratios.

The seeds' MLP (784-64-10), RMSprop, sparse crossentropy from logits,
``metrics=["accuracy"]``, batch 64, 48,000 rows of float32 (MNIST's training
split after ``validation_split=0.2``; random pixels unless ``--mnist``).
Both sides start from the same weights, shuffle on the host, and are compiled
alike: with the backend's ``jit`` wherever it has one (``--mode auto``: as
``fit(jit_compile="auto")`` would; ``--mode eager``: never). Epochs alternate
between the two sides so load spikes hit both; the ratio compares each side's
best epoch, in wall time and in process CPU time. Target: ratio <= 1.25.

Run from the repository root (on a shared machine, one BLAS/OpenMP thread
makes the numbers steadier)::

    OMP_NUM_THREADS=1 python bench/fit_bench.py      # every installed backend
    python bench/fit_bench.py --backend numpy,jax --epochs 3 --rows 48000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from handloop import HandLoop  # noqa: E402

import kconform  # noqa: E402
import kconform.framework as keras  # noqa: E402


def make_data(rows: int, use_mnist: bool) -> tuple[np.ndarray, np.ndarray]:
    if use_mnist:
        (x, y), _ = keras.datasets.mnist.load_data()
        x = x.reshape(len(x), 784).astype("float32") / 255
        return x[:rows], y[:rows].astype("int32")
    rng = np.random.default_rng(0)
    return rng.random((rows, 784), dtype=np.float32), rng.integers(0, 10, rows).astype(
        "int32"
    )


def build(backend: Any, jit: bool) -> Any:
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(784,))
    h = keras.layers.Dense(64, activation="relu")(inputs)
    model = keras.Model(
        inputs, keras.layers.Dense(10)(h), name="my_model", backend=backend
    )
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
        jit_compile=jit,
    )
    return model


def bench_backend(
    name: str, x: np.ndarray, y: np.ndarray, epochs: int, mode: str
) -> dict[str, Any]:
    backend = kconform.load_backend(name)
    if backend.configure_numerics:
        backend.configure_numerics(True, False)
    from kconform.framework._engine import engine_for
    from kconform.framework.trainer import jit_by_default

    can = bool(backend.jit)
    jit = can and (
        mode == "jit" or (mode == "auto" and jit_by_default(engine_for(backend)))
    )
    model = build(backend, jit)
    loop = HandLoop(backend, model.get_weights(), jit)
    gen = np.random.default_rng(1)
    warm = 2048  # compile both before timing
    model.fit(x[:warm], y[:warm], batch_size=64, epochs=1, verbose=0)
    loop.epoch(x[:warm], y[:warm], 64, gen)
    fit_times, loop_times, fit_cpu, loop_cpu, logs = [], [], [], [], {}
    for _ in range(epochs):
        start, cpu = time.perf_counter(), time.process_time()
        logs = model.fit(x, y, batch_size=64, epochs=1, verbose=0).history
        fit_times.append(time.perf_counter() - start)
        fit_cpu.append(time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        loop_logs = loop.epoch(x, y, 64, gen)
        loop_times.append(time.perf_counter() - start)
        loop_cpu.append(time.process_time() - cpu)
    return {
        "backend": name,
        "mode": "jit" if jit else "eager",
        "fit_best": min(fit_times),
        "fit_median": statistics.median(fit_times),
        "loop_best": min(loop_times),
        "loop_median": statistics.median(loop_times),
        "ratio": min(fit_times) / min(loop_times),
        "cpu_ratio": min(fit_cpu) / min(loop_cpu),
        "fit_loss": logs["loss"][-1],
        "loop_loss": loop_logs[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend", default="all", help="Comma-separated backends, or 'all'"
    )
    parser.add_argument(
        "--epochs", type=int, default=3, help="Timed epochs per side (alternating)"
    )
    parser.add_argument("--rows", type=int, default=48000, help="Training rows")
    parser.add_argument(
        "--mode",
        choices=["auto", "jit", "eager"],
        default="jit",
        help="Compile both sides wherever the backend has jit (default), as fit's "
        "jit_compile='auto' would ('auto'), or never ('eager')",
    )
    parser.add_argument(
        "--mnist", action="store_true", help="Use the real MNIST (needs mnist.npz)"
    )
    args = parser.parse_args(argv)
    names = (
        kconform.BackendRegistry().names()
        if args.backend == "all"
        else args.backend.split(",")
    )
    x, y = make_data(args.rows, args.mnist)
    rows = []
    for name in names:
        try:
            rows.append(bench_backend(name, x, y, args.epochs, args.mode))
        except Exception as exc:  # one backend's failure must not hide the others
            print(f"{name}: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        r = rows[-1]
        print(
            f"{r['backend']:<11} {r['mode']:<5} fit {r['fit_best']:7.3f}s/epoch "
            f"(median {r['fit_median']:.3f})  "
            f"loop {r['loop_best']:7.3f}s/epoch (median {r['loop_median']:.3f})  "
            f"ratio {r['ratio']:.3f}"
            f" (CPU time {r['cpu_ratio']:.3f})"
            f"  [loss fit {r['fit_loss']:.4f} / loop {r['loop_loss']:.4f}]",
            flush=True,
        )
    bad = [r["backend"] for r in rows if r["ratio"] > 1.25]
    print(
        f"\n{len(rows)} backend(s); ratio target <= 1.25: "
        + ("met" if not bad else f"missed on {', '.join(bad)}")
    )
    return 0 if rows and not bad else 1


if __name__ == "__main__":
    raise SystemExit(main())
