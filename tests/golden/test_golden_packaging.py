"""The golden records go into the sdist and into the wheel built from it."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from kconform.golden import golden_dir

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_sdist_and_wheel_hold_the_golden_records(tmp_path):
    pytest.importorskip("build")
    shipped = sorted(
        str(p.relative_to(golden_dir().parent.parent.parent))
        for p in golden_dir().rglob("*")
        if p.is_file()
    )
    assert "kconform/golden/data/results.json" in shipped
    assert any(p.endswith(".npz") for p in shipped)
    # no flags: the sdist first, then the wheel built from the sdist
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (wheel,) = tmp_path.glob("*.whl")
    (sdist,) = tmp_path.glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as zf:
        in_wheel = set(zf.namelist())
    with tarfile.open(sdist) as tf:
        in_sdist = {name.split("/", 1)[1] for name in tf.getnames() if "/" in name}
    for path in shipped:
        assert path in in_wheel, f"{path} is not in {wheel.name}"
        assert path in in_sdist, f"{path} is not in {sdist.name}"
    # the harness's own tests travel in the sdist (not in the wheel)
    for path in ("tests/conftest.py", "tests/plugins/numpy_based.py", "tox.ini"):
        assert path in in_sdist, f"{path} is not in {sdist.name}"
    assert not any(n.startswith("tests/") for n in in_wheel)
    assert not any(".hypothesis" in n or "__pycache__" in n for n in in_sdist)
    twine = subprocess.run(
        [sys.executable, "-m", "twine", "check", str(sdist), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if "No module named twine" not in twine.stderr:
        assert twine.returncode == 0, twine.stdout[-3000:] + twine.stderr[-3000:]
