"""api of the Class Management Service."""
