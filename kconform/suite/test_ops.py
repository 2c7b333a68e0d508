"""Op conformance suite: an item per spec, check, backend and dtype (kconform.specs)."""

from kconform.suite.items import SpecSuite

test_ops = SpecSuite()
