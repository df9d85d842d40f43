"""Token arithmetic: which tokens a span covers, and snapping selections to them."""

from desktop.model import Token
from desktop.model.tokens import aligned, snap, token_range

TEXT = "Le Kremlin a parlé. 🇷🇺 Moscou"
TOKENS = [
    Token(0, 2),
    Token(3, 10),
    Token(11, 12),
    Token(13, 18),
    Token(18, 19),
    Token(20, 22),
    Token(23, 29),
]


def test_token_range_covers_partial_tokens() -> None:
    assert token_range(TOKENS, 4, 6) == (1, 2)
    assert token_range(TOKENS, 0, 12) == (0, 3)


def test_token_range_of_whitespace_is_empty() -> None:
    assert token_range(TOKENS, 2, 3) == (-1, -1)


def test_snap_widens_to_whole_tokens_and_trims_spaces() -> None:
    assert snap(TOKENS, 5, 8, TEXT) == (3, 10)
    assert snap(TOKENS, 2, 11, TEXT) == (3, 10)


def test_snap_after_astral_characters_uses_python_indices() -> None:
    start = TEXT.index("Moscou")
    assert snap(TOKENS, start + 1, start + 3, TEXT) == (start, start + 6)
    assert TEXT[slice(*snap(TOKENS, start + 1, start + 3, TEXT))] == "Moscou"


def test_aligned() -> None:
    assert aligned(TOKENS, 3, 10)
    assert not aligned(TOKENS, 4, 10)
