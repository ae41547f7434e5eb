"""Neutral reaction keys used by the engine, and how each platform spells them."""

__all__ = ["EMOJI_TO_KEY", "KEY_TO_EMOJI", "VOTE_WEIGHTS", "key_from_emoji"]

#: Votes carried by a reaction on a problem card.
VOTE_WEIGHTS = {"one": 1, "two": 2, "thumbsup": 1}

KEY_TO_EMOJI = {
    "one": "1️⃣",
    "two": "2️⃣",
    "thumbsup": "👍",
    "yes": "✅",
    "no": "❌",
    "hand": "✋",
}

EMOJI_TO_KEY = {emoji: key for key, emoji in KEY_TO_EMOJI.items()}


def key_from_emoji(emoji: str) -> str | None:
    """The neutral key of a Unicode emoji, ignoring variation selectors and skin tones."""
    cleaned = "".join(
        c for c in emoji if c not in "\ufe0f\ufe0e" and not 0x1F3FB <= ord(c) <= 0x1F3FF
    )
    for candidate in (emoji, cleaned):
        if candidate in EMOJI_TO_KEY:
            return EMOJI_TO_KEY[candidate]
    for known, key in EMOJI_TO_KEY.items():
        if known.replace("\ufe0f", "") == cleaned:
            return key
    return None
