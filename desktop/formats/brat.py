"""brat format (being written)."""
