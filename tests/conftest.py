"""The harness's own tests: unit tests need no framework; sessions run in pytester."""

pytest_plugins = ["pytester"]
