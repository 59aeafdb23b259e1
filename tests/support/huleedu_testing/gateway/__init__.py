"""Test support for the gateway: contract stubs of its downstreams and served-app harnesses."""
