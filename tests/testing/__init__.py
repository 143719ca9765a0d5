"""Tests of injectkit.testing: helpers, the pytest plugin and the graph command."""
