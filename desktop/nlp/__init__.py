"""spaCy: the project tokenizer, loading pipelines, and pre-annotating documents."""
