"""Numbers people type: ASCII digits only, and not too many of them.

``str.isdigit`` says yes to "²" and "٣", which ``int`` then refuses or reads as 3; a
5,000-digit number is slow to read and means nothing here. Every number typed by a person is
read through this module; anything else is not a number (the caller answers kindly).
"""

__all__ = ["MOST_DIGITS", "amount", "whole"]

#: digits in a number a person types (a problem, an idea, minutes, a score)
MOST_DIGITS = 6


def whole(token: str) -> int | None:
    """``"12"`` → 12; None for anything but 1 to ``MOST_DIGITS`` ASCII digits."""
    if not token or len(token) > MOST_DIGITS or not token.isascii() or not token.isdigit():
        return None
    return int(token)


def amount(token: str) -> float | None:
    """``"2"``, ``"1,5"``, ``"1.5"`` → a number; None for anything else."""
    whole_part, _, fraction = token.replace(",", ".").partition(".")
    if whole(whole_part) is None or (fraction and whole(fraction) is None):
        return None
    return float(f"{whole_part}.{fraction or 0}")
