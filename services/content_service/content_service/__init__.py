"""Content Service: immutable blobs (raw uploads, extracted and corrected texts) by sha256 id."""
