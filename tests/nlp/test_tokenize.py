"""The project tokenizer gives the same tokens whether a long import is shared between cores or not."""

from __future__ import annotations

import pytest

from desktop.nlp import pipeline
from desktop.nlp.pipeline import tokenize_texts


def test_a_long_list_shared_between_cores_gets_the_tokens_one_process_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [f"Dépêche n° {i} : l’Arabie saoudite reçoit M. Peskov à Riyad.\n\nFin." for i in range(400)]
    monkeypatch.setattr(pipeline, "cores", lambda: 3)  # this process and two forked helpers
    shared = list(tokenize_texts("fr")(texts))
    monkeypatch.setattr(pipeline, "PARALLEL_TEXTS", 10_000)
    alone = list(tokenize_texts("fr")(texts))
    assert shared == alone and len(shared) == 400
    assert shared[7][:3] == [(0, 7), (8, 10), (11, 12)]


def test_a_tokenizer_pool_gives_each_list_its_tokens_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """What an import relies on while it reads ahead: each submitted list comes back whole, in order."""
    from desktop.nlp.pipeline import TokenizerPool, blank_tokenizer

    monkeypatch.setattr(pipeline, "cores", lambda: 2)
    monkeypatch.setattr(pipeline, "can_fork", lambda: True)  # threads of earlier tests are not ours to fear
    lists = [
        [f"Liste {k}, texte {i} : l’État d’Israël à Saint-Denis." for i in range(60 + k)] for k in range(4)
    ]
    tokenizer = blank_tokenizer("fr")
    expected = [[[(t.idx, t.idx + len(t.text)) for t in tokenizer(x)] for x in texts] for texts in lists]
    with TokenizerPool("fr") as pool:
        pending = [pool.submit(texts) for texts in lists]
        assert pool._pool is not None  # the lists went to helper processes
        got = [p.result() for p in pending]
    assert got == expected
