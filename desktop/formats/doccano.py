"""doccano format (being written)."""
