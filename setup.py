"""Package discovery that pyproject.toml cannot express: specs/ ships as kconform.specs.

Metadata lives in pyproject.toml; this only computes the package list, so a
new subpackage (of kconform/ or of specs/) can never be left out of a wheel.
"""

from setuptools import find_namespace_packages, find_packages, setup

SPECS = ["kconform." + name for name in find_packages(include=["specs", "specs.*"])]
# Data directories (the golden records) are packages too, so that setuptools
# ships their files as package data and does not warn that it might not.
KCONFORM = find_namespace_packages(
    include=["kconform", "kconform.*"], exclude=["*.__pycache__"]
)

setup(
    packages=KCONFORM + SPECS,
    package_dir={"kconform.specs": "specs"},
)
