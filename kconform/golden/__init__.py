"""Golden records: the built-in backends' records, shipped with kconform.

A backend author with only their own backend installed still gets a parity
table against NumPy, JAX, PyTorch and TensorFlow: the report adds these
records as columns of source ``golden``, labelled with the kconform and
framework versions that made them.

The records are a run directory inside the package (``kconform/golden/data``:
``results.json`` and ``arrays/<backend>.npz``, the format of any run, see
:mod:`kconform.records.schema`), holding the backend records and arrays only.
Maintainers regenerate them with one command, from a checkout with the four
built-in backends installed::

    kconform golden                 # or: python -m kconform.golden

which runs each built-in backend through the whole suite in its own pytest
process (profile ``ci``: explored cases are derandomized), refuses a backend
that did not complete or failed anything other than a declared deviation,
writes the data directory, and the full cross-backend report to
``reports/latest/`` of the checkout. See :func:`kconform.golden.regenerate.main`
for the options (``--backends``, ``--from``, ``--out``).

This module imports no framework: :func:`load_golden_run` only reads files.
"""

from __future__ import annotations

from pathlib import Path

from ..records.store import Run, load_run

__all__ = ["BUILTIN", "golden_dir", "load_golden_run", "main"]

#: The built-in backends, the only ones golden records are made of.
BUILTIN = ("numpy", "jax", "torch", "tensorflow")


def golden_dir() -> Path:
    """The shipped golden run directory (``kconform/golden/data``)."""
    return Path(__file__).resolve().parent / "data"


def load_golden_run(directory: Path | None = None) -> Run | None:
    """The shipped golden records, or None where the package holds none.

    ``directory`` reads another golden data directory instead (tests).
    Raises :class:`kconform.records.RecordsError` if the data is there but
    unreadable (a schema this kconform does not read).
    """
    directory = golden_dir() if directory is None else Path(directory)
    if not (directory / "results.json").is_file():
        return None
    return load_run(directory)


def main(argv: list[str] | None = None) -> int:
    """``kconform golden``: regenerate the golden records (see the module doc)."""
    from .regenerate import main as regenerate

    return regenerate(argv)
