"""huleedu: the teacher command line (a client of the public API only)."""
