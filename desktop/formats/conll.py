"""conll format (being written)."""
