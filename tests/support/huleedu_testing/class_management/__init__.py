"""Test support for the Class Management Service: roster and association fakes, harnesses."""
