"""Turning absolute times into words people read (clock times in the atelier's time zone)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["clock", "date", "minutes_text", "next_clock_time", "parse_clock", "zone"]


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def clock(at: float, tz: str) -> str:
    return datetime.fromtimestamp(at, tz=zone(tz)).strftime("%H:%M")


def date(at: float, tz: str) -> str:
    return datetime.fromtimestamp(at, tz=zone(tz)).strftime("%d/%m/%Y")


def parse_clock(text: str) -> tuple[int, int] | None:
    """``16:30``, ``16h30``, ``16h``, ``16H``, ``9h05`` → (hours, minutes); None if malformed."""
    hours, sep, minutes = text.strip().lower().replace("h", ":").partition(":")
    minutes = minutes or "00"
    digits = hours + minutes
    if not sep or not hours or len(hours) > 2 or len(minutes) != 2:
        return None
    if not digits.isascii() or not digits.isdigit():  # "²" and "٣" are digits, not ours
        return None
    h, m = int(hours), int(minutes)
    if not (0 <= h < 24 and 0 <= m < 60):
        return None
    return h, m


def next_clock_time(hhmm: str, now: float, tz: str) -> float | None:
    """The next moment (today, or tomorrow if passed) showing ``HH:MM``; None if malformed."""
    parsed = parse_clock(hhmm)
    if parsed is None:
        return None
    h, m = parsed
    local_now = datetime.fromtimestamp(now, tz=zone(tz))
    target = local_now.replace(hour=h, minute=m, second=0, microsecond=0)
    if target.timestamp() <= now:
        target += timedelta(days=1)
    return target.astimezone(UTC).timestamp()


def minutes_text(seconds: float, seconds_per_minute: float, lang: str = "fr") -> str:
    """A duration in the format's minutes, rounded kindly: ``"3"``, ``"1,5"`` (``"1.5"``)."""
    minutes = seconds / seconds_per_minute
    if minutes >= 10 or abs(minutes - round(minutes)) < 0.05:
        return str(round(minutes))
    text = f"{minutes:.1f}"
    return text.replace(".", ",") if lang == "fr" else text
