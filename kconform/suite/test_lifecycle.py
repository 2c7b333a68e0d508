"""The lifecycle suite: every scenario of ``kconform.specs.lifecycle``, by stage."""

from kconform.suite.lifecycle import LifecycleSuite

test_lifecycle = LifecycleSuite()
