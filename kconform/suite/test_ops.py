"""The op conformance suite: one item per spec, check, backend and dtype (see kconform.specs)."""

from kconform.suite.items import SpecSuite

test_ops = SpecSuite()
