"""The NTA's character rules, checked before anything leaves (docs/rules.md §5): half-width
katakana become full-width, control characters are refused, and so is anything outside the
allowed subset — approximated [design] as what Windows-31J (cp932, JIS X 0208 with its
vendor extensions) can carry, the encoding Japanese POS and accounting software use."""

from __future__ import annotations

import unicodedata

_HALF_WIDTH_KANA = range(0xFF61, 0xFFA0)
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def to_full_width_kana(text: str) -> str:
    """ｶﾞﾝﾀﾞﾑ → ガンダム; nothing else is touched (NFKC would also fold letters and digits)."""
    if not any(ord(c) in _HALF_WIDTH_KANA for c in text):
        return text
    out = "".join(unicodedata.normalize("NFKC", c) if ord(c) in _HALF_WIDTH_KANA else c for c in text)
    return unicodedata.normalize("NFC", out)  # joins a kana with its separate voicing mark


def refused_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters of `text` the NTA would refuse, each once, in order."""
    refused: list[str] = []
    for char in text:
        if char in refused:
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            if not (multiline and char in _ALLOWED_CONTROLS):
                refused.append(char)
        elif not _encodable(char):
            refused.append(char)
    return refused


def _encodable(char: str) -> bool:
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"
