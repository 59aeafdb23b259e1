"""Content Service HTTP routes."""
