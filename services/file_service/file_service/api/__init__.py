"""File Service HTTP routes (called by the gateway with X-User-ID and the internal key)."""
