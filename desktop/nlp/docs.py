"""spaCy `Doc`s built from a document's own stored tokens, and the layers a `Doc` carries back.

A document keeps the tokens it was imported with (a CoNLL file's lines, Prodigy's `tokens`, a
DocBin's words); pre-annotation (`engines.py`) and the `.spacy` export build their `Doc`s from those
tokens, never by tokenising the text again. A `Doc` read from a DocBin gives its sentence starts and the token
attributes Etiquette keeps without editing them (`layers`), and `doc_with_layers` puts them back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop.model import Document
from desktop.model.tokens import words_and_spaces

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

KEPT_ATTRS = {
    "TAG": "tags",
    "POS": "pos",
    "MORPH": "morphs",
    "LEMMA": "lemmas",
    "DEP": "deps",
    "HEAD": "heads",
}
"""Token attributes kept from a DocBin (name -> the `Doc(...)` argument that sets them); vectors are
not kept. HEAD is each token's head as an index into the document."""


def doc_with_layers(vocab: Vocab, doc: Document) -> tuple[Doc, bool]:
    """The Doc with the document's sentence starts and kept token attributes.

    Returns the Doc and whether the token attributes could be put back: they cannot when the
    Doc's tokens are not exactly the stored ones (then they are left out).
    """
    from spacy.tokens import Doc

    words, spaces = words_and_spaces(doc.text, doc.tokens)
    same = len(words) == len(doc.tokens)
    kwargs: dict[str, Any] = {}
    if doc.sent_starts is not None:
        if same:
            word_of = list(range(len(words)))
        else:  # whitespace tokens were added between stored ones: find each stored token's word
            pos, starts = 0, {}
            for i, (w, sp) in enumerate(zip(words, spaces, strict=True)):
                starts[pos] = i
                pos += len(w) + sp
            word_of = [starts.get(t.start, 0) for t in doc.tokens]
        flags = [False] * len(words)
        for i in doc.sent_starts:
            if 0 <= i < len(word_of):
                flags[word_of[i]] = True
        if flags:
            flags[0] = True
        kwargs["sent_starts"] = flags
    kept = True
    if doc.token_attrs:
        if same and all(len(v) == len(words) for v in doc.token_attrs.values()):
            for name, values in doc.token_attrs.items():
                if name in KEPT_ATTRS:
                    kwargs[KEPT_ATTRS[name]] = values
            if "heads" in kwargs:
                kwargs.pop("sent_starts", None)  # a parse sets the sentences itself
                kwargs.setdefault("deps", ["dep"] * len(words))
        else:
            kept = False
    return Doc(vocab, words=words, spaces=spaces, **kwargs), kept


def layers(sdoc: Doc) -> tuple[list[int] | None, dict[str, list[Any]] | None]:
    """A Doc's sentence starts (token indices) and kept token attributes, None where it has none."""
    sent_starts = None
    if len(sdoc) > 1 and sdoc.has_annotation("SENT_START"):  # one token is one sentence anyway
        sent_starts = [t.i for t in sdoc if t.is_sent_start]
    attrs: dict[str, list[Any]] = {}
    if sdoc.has_annotation("TAG"):
        attrs["TAG"] = [t.tag_ for t in sdoc]
    if sdoc.has_annotation("POS"):
        attrs["POS"] = [t.pos_ for t in sdoc]
    if sdoc.has_annotation("MORPH"):
        attrs["MORPH"] = [str(t.morph) for t in sdoc]
    if sdoc.has_annotation("LEMMA"):
        attrs["LEMMA"] = [t.lemma_ for t in sdoc]
    if sdoc.has_annotation("DEP"):
        attrs["DEP"] = [t.dep_ for t in sdoc]
        attrs["HEAD"] = [t.head.i for t in sdoc]
    return sent_starts, attrs or None
