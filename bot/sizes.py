"""How long a written input may be. One cap for every kind of text a step keeps (a problem,
a rule, a question, an idea, an action, the record's passages…): about a page and a half.

Over it, the person is told how long their text is and what to do; nothing is kept, not even
a part. The cap also keeps every message the bot repeats within the platforms' limits.
"""

__all__ = ["INPUT_MAX", "too_long"]

#: characters in one written input
INPUT_MAX = 4_000


def too_long(text: str) -> bool:
    return len(text) > INPUT_MAX
