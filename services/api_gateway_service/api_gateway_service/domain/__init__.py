"""What the gateway decides itself (beyond routing): pipeline requests under idempotency keys."""
