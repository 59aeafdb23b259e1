"""File Service adapters: PostgreSQL, the Batch Orchestrator and Content Service clients."""
