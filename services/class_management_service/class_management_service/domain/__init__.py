"""domain of the Class Management Service."""
