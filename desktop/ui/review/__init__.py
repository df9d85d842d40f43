"""Review mode: adjudicating the annotators' annotations into gold, with one lane per annotator."""

from desktop.ui.review.mode import ReviewMode, install

__all__ = ["ReviewMode", "install"]
