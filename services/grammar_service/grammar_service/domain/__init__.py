"""Pure grammar-check logic: offsets, filtering, the use case, erasure (no I/O)."""
