"""Etiquette: a desktop annotation studio for NER and relation-extraction datasets with spaCy."""

__version__ = "0.1.0"
