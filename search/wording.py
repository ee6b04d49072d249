"""How messages and listings word a count and quote what a user gave, in one place for the
CLI and the library's messages (the web pages keep their own ``plural``: they reach the
library through its API only).

>>> plural(1, "story"), plural(1234, "story"), plural(2, "other copy", "other copies")
('1 story', '1,234 stories', '2 other copies')
>>> shown("x" * 100, 10)
'xxxxxxx...'
"""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 story``, ``2 stories``, ``3 articles``, ``1,234 articles``."""
    many = many or (word[:-1] + "ies" if word.endswith("y") else word + "s")
    return f"{count:,} {word if count == 1 else many}"


def shown(text: str, limit: int) -> str:
    """``text`` as a message quotes it: at most ``limit`` characters, so that a pasted page
    or a long column name is not echoed whole."""
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
