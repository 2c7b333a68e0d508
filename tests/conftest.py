"""The harness's own tests: unit tests need no framework; sessions run through pytester."""

pytest_plugins = ["pytester"]
