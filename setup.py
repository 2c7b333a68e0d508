"""Package discovery that pyproject.toml cannot express: specs/ ships as kconform.specs.

Metadata lives in pyproject.toml; this only computes the package list, so a
new subpackage (of kconform/ or of specs/) can never be left out of a wheel.
"""

from setuptools import find_packages, setup

SPECS = ["kconform." + name for name in find_packages(include=["specs", "specs.*"])]

setup(
    packages=find_packages(include=["kconform", "kconform.*"]) + SPECS,
    package_dir={"kconform.specs": "specs"},
)
