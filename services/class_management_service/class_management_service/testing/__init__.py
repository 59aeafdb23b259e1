"""Test helpers of the Class Management Service (importable; never imported by the service)."""
