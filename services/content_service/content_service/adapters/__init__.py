"""Content Service adapters: PostgreSQL storage."""
