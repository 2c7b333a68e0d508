"""``kconform new-backend NAME``: an installable backend package to start from.

It writes ``kconform-NAME/`` with:

- ``pyproject.toml``: the distribution ``kconform-NAME`` and its entry point
  in the group ``kconform.backends``, exactly as the built-in backends have;
- ``kconform_NAME/__init__.py``: the hooks a backend needs to load (who it
  is, its capabilities, and the way data goes in and out of its tensors),
  written against NumPy as a stand-in for your framework; every other op is
  absent, so each shows as *missing* until you write it;
- ``kconform_NAME/deviations.toml``: the declared deviations (none yet);
- ``README.md``: the loop (run, read, fix or declare, CI);
- ``tox.ini`` and ``.github/workflows/kconform.yml``: a CI job that runs
  ``kconform run``, publishes the step summary and uploads the run directory.

The package installs (``pip install -e ./kconform-NAME``) and runs at once:
``kconform run --backend=NAME`` exits 1 with the level ``partial``, and turns
green op by op.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from ._version import __version__
from .contract import CONTRACT_VERSION, ESSENTIAL, op_names
from .errors import KconformError

__all__ = ["NAME_PATTERN", "new_backend"]

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")

_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "kconform-{name}"
version = "0.1.0"
description = "kconform backend: {name}"
requires-python = ">=3.10"
# Add your framework here. kconform itself comes from wherever you install it.
dependencies = ["kconform>={kconform_version}", "numpy>=1.26"]

# The entry point is what makes `kconform run --backend={name}` find the plugin.
[project.entry-points."kconform.backends"]
{name} = "kconform_{name}"

[tool.setuptools]
packages = ["kconform_{name}"]

[tool.setuptools.package-data]
kconform_{name} = ["deviations.toml"]
"""

_MODULE = '''\
"""kconform backend {name!r} (contract {contract}).

Written by `kconform new-backend {name}`. It loads and runs as it is: the
hooks below are the ones a backend needs to load at all, and NumPy stands in
for your framework's tensor. Replace NumPy with your framework in them first,
then add ops one at a time, each as a function named ``kconform_<op>`` with
exactly the argument names `kconform contract` gives. Every op not written
yet is reported as *missing*; the level stays ``partial`` until the contract's
required ops are all here and pass.

    kconform contract            # every hook: arguments, dtypes, what must raise
    kconform run --backend={name}   # the verdict, with each failure and its repro

An op, for example (`kconform contract` has its specification)::

    @hookimpl
    def kconform_add(x1, x2):
        return Tensor(x1.array + x2.array)   # your framework's add, broadcast
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from kconform import hookimpl
from kconform.deviations import read_deviations

__version__ = "0.1.0"


@hookimpl
def kconform_backend_info() -> dict[str, Any]:
    """Who this backend is (the name is what --backend and case ids use)."""
    return {{
        "name": "{name}",
        "version": __version__,
        "framework": "numpy",  # your framework's name
        "framework_version": np.__version__,  # and its version
        "device": "cpu",
    }}


@hookimpl
def kconform_capabilities() -> list[str]:
    """What the backend supports beyond float32, int32, int64 and bool.

    Any of "float16", "bfloat16", "float64", "jit", "deterministic": cases that
    need a capability not listed here are reported as unsupported, not run.
    """
    return []


@hookimpl
def kconform_deviations() -> list[dict[str, str]]:
    """Known failures, declared with a reason (see deviations.toml)."""
    return read_deviations(Path(__file__).with_name("deviations.toml"))


# -- tensors: how data goes into and out of the backend ------------------------
# Every check goes through these three. `Tensor` stands in for your framework's
# tensor type (a NumPy array in a box, so that it is not mistaken for one):
# replace it. from_numpy must copy the array (same shape, dtype and bits);
# to_numpy must return a NumPy array of the same dtype (bfloat16 as
# ml_dtypes.bfloat16); is_tensor is True for your tensors only.


class Tensor:
    """Stand-in for your framework's tensor: replace it with the real one."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


@hookimpl
def kconform_from_numpy(array: Any) -> Any:
    """A tensor holding a copy of ``array`` (same shape, dtype, bits)."""
    return Tensor(np.array(array, copy=True))


@hookimpl
def kconform_to_numpy(x: Any) -> Any:
    """``x`` as a NumPy array of the same shape and dtype, exactly."""
    return np.array(x.array, copy=True)


@hookimpl
def kconform_is_tensor(x: Any) -> bool:
    """Whether ``x`` is this backend's tensor (not a NumPy array, not a number)."""
    return isinstance(x, Tensor)
'''

_DEVIATIONS = """\
# Declared deviations of the {name} backend: the cases it is known to fail,
# each with its reason. A declared case that fails is reported as a deviation
# (the run can still be conformant); one that passes is reported as stale.
#
# [[deviation]]
# id = "erf[{name}-bfloat16]"          # a case id, as the report prints it
# reason = "erf is computed in bfloat16 without widening"
# link = "https://github.com/you/yours/issues/1"   # optional
#
# [[deviation]]
# ids = ["floor[{name}-*]", "ceil[{name}-*]"]      # many cases, one reason
# reason = "rounding goes through float32"
#
# `*` matches any run of characters and `?` one; everything else is literal.
# `kconform deviations suggest RUN_DIR --backend={name}` drafts entries from a
# run's failures.
"""

_README = """\
# kconform-{name}

A backend for kconform, the conformance suite of a Keras-style framework's
numerical backends: it checks each op against a float64 oracle and runs a
model's whole life cycle on the backend.

## The loop

```sh
pip install -e .                      # registers the entry point
kconform run --backend={name}         # exit 0 conformant, 1 failures
```

1. **Run.** `kconform run --backend={name}` prints one verdict line, the
   failures with their messages, and where the report is
   (`reports/<time>-{name}/summary.md`, `report.html`, `results.json`).
2. **Read.** Each failure names the case, the worst element, both values
   and the error against its budget, and links `repro/<case>.py`, a script
   that calls your op on the very inputs (`.npz` beside it) and prints the
   error. Probable common causes (one dtype failing everywhere, one check
   failing on every op) are listed first.
3. **Fix, or declare.** Fix the op, or declare the case in
   `kconform_{name}/deviations.toml` with its reason
   (`kconform deviations suggest RUN_DIR --backend={name}` drafts entries).
4. **Add ops.** Every op not written yet is *missing*; `kconform contract`
   specifies each one. Rerun only what you are working on:
   `kconform run --backend={name} -- -k "softmax or add"`.
5. **CI.** `tox` (see `tox.ini`) or the GitHub Actions job in
   `.github/workflows/kconform.yml`: it publishes the report as the job's
   step summary and uploads the run directory.

The level is `partial` until every required op is written and passes; it is
`conformant` when every case passes, `conformant with deviations` when the
failures left are all declared.
"""

_TOX = """\
# `tox`: the conformance run of this backend, as CI runs it.
# KCONFORM_SPEC: where kconform comes from (a version, a path, a git URL).
[tox]
envlist = kconform

[testenv:kconform]
deps = {{env:KCONFORM_SPEC:kconform>={kconform_version}}}
passenv = GITHUB_STEP_SUMMARY
commands = kconform run --backend={name} --report {{toxinidir}}/reports/tox {{posargs}}
"""

_WORKFLOW = """\
name: kconform
on: [push, pull_request]

jobs:
  conformance:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install kconform and this backend
        run: pip install "kconform>={kconform_version}" -e .
      # kconform run appends summary.md to $GITHUB_STEP_SUMMARY: the verdict and
      # the failures show on the job's page. Exit 1 when a case fails.
      - name: Conformance
        run: kconform run --backend={name} --report kconform-run
      - name: Upload the run directory (report, records, reproductions)
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: kconform-run
          path: kconform-run
"""


def new_backend(name: str, parent: Path) -> Path:
    """Write the package ``kconform-NAME`` under ``parent``; return its path.

    Raises :class:`KconformError` for a name that cannot be a backend's (it
    appears in case ids and module names) or a directory that exists.
    """
    if not NAME_PATTERN.fullmatch(name) or keyword.iskeyword(name):
        raise KconformError(
            f"{name!r} cannot name a backend: use lower-case letters, digits and "
            "underscores, starting with a letter (it is used in case ids such as "
            f"'softmax[NAME-float32]' and in the module name kconform_NAME), e.g. "
            f"{re.sub(r'[^a-z0-9_]', '_', name.lower()).strip('_') or 'mine'!r}"
        )
    root = parent / f"kconform-{name}"
    if root.exists():
        raise KconformError(
            f"{root} exists already; remove it, or choose another NAME or --dir"
        )
    values = {
        "name": name,
        "contract": CONTRACT_VERSION,
        "kconform_version": __version__,
    }
    files = {
        "pyproject.toml": _PYPROJECT,
        f"kconform_{name}/__init__.py": _MODULE,
        f"kconform_{name}/deviations.toml": _DEVIATIONS,
        "README.md": _README,
        "tox.ini": _TOX,
        ".github/workflows/kconform.yml": _WORKFLOW,
    }
    for rel, template in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values), encoding="utf-8")
    return root


def next_steps_text(name: str, root: Path) -> str:
    """What ``kconform new-backend`` prints after writing the package."""
    absent = len(op_names()) - sum(1 for n in ESSENTIAL if n in op_names())
    shown = str(root)
    if not root.is_absolute() and not shown.startswith("."):
        shown = f"./{shown}"  # pip install -e needs a path that looks like one
    return (
        f"Wrote {shown}/ (package kconform-{name}, entry point {name!r}).\n"
        f"It has the hooks a backend needs to load; the other {absent} ops are "
        "missing until you write them.\n\n"
        f"  pip install -e {shown}\n"
        f"  kconform run --backend={name}     # exit 1, level 'partial', until "
        "every required op passes\n"
        "  kconform contract                # every hook's specification\n\n"
        f"Then replace NumPy with your framework in {shown}/kconform_{name}/"
        "__init__.py and add ops one at a time; its README.md has the loop."
    )
