"""adapters of the Class Management Service."""
