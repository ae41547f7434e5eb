"""Turning absolute times into words people read (clock times in the atelier's time zone)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["clock", "date", "minutes_text", "next_clock_time", "zone"]


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def clock(at: float, tz: str) -> str:
    return datetime.fromtimestamp(at, tz=zone(tz)).strftime("%H:%M")


def date(at: float, tz: str) -> str:
    return datetime.fromtimestamp(at, tz=zone(tz)).strftime("%d/%m/%Y")


def next_clock_time(hhmm: str, now: float, tz: str) -> float | None:
    """The next moment (today, or tomorrow if passed) showing ``HH:MM``; None if malformed."""
    hours, sep, minutes = hhmm.replace("h", ":").partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit():
        return None
    h, m = int(hours), int(minutes)
    if not (0 <= h < 24 and 0 <= m < 60):
        return None
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
