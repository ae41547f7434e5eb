"""Dates people type and read when planning: ``12/01 14h`` in, « mardi 12 janvier à 14 h » out.

Dates are written the French way in both languages (day first: ``12/01``, ``12/01/2027``);
times as ``14h``, ``14h30`` or ``14:30``. Everything is in the room's time zone. Pure: the
present moment is given.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.clock import parse_clock, zone
from bot.numbers import whole

__all__ = ["Moment", "every_days", "parse_moment", "spoken", "spoken_duration", "spoken_time"]

_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
#: a day/month typed without a year that fell this many days ago is a mistake, not next year
_RECENT_DAYS = 62


@dataclass(frozen=True, slots=True)
class Moment:
    """What ``parse_moment`` made of a date and a time: ``at``, or why not (``problem``:
    ``"date"``, ``"time"`` or ``"past"``)."""

    at: float | None = None
    problem: str | None = None


def parse_moment(day: str, time: str, now: float, tz: str) -> Moment:
    """``12/01`` and ``14h30`` → the moment in ``tz``; a day without a year is the next one to
    come (a date passed recently is refused as past, not moved to next year)."""
    parsed_time = parse_clock(time)
    parts = day.strip().split("/")
    numbers = [whole(p) for p in parts]
    if len(parts) not in (2, 3) or any(n is None for n in numbers):
        return Moment(problem="date")
    d, m = numbers[0] or 0, numbers[1] or 0
    local_now = datetime.fromtimestamp(now, tz=zone(tz))
    year = numbers[2] or 0 if len(parts) == 3 else local_now.year
    if len(parts) == 3 and year < 100:
        year += 2000
    if parsed_time is None:
        return Moment(problem="date" if _bad_day(year, m, d) else "time")
    if _bad_day(year, m, d):
        return Moment(problem="date")
    h, mi = parsed_time
    target = datetime(year, m, d, h, mi, tzinfo=zone(tz))
    if len(parts) == 2 and target <= local_now - timedelta(days=_RECENT_DAYS):
        if _bad_day(year + 1, m, d):  # 29/02
            return Moment(problem="date")
        target = target.replace(year=year + 1)
    if target.timestamp() <= now:
        return Moment(problem="past")
    return Moment(at=target.astimezone(UTC).timestamp())


def _bad_day(year: int, month: int, day: int) -> bool:
    try:
        datetime(year, month, day)
    except ValueError:
        return True
    return not 2000 <= year <= 2100


def every_days(text: str) -> int | None:
    """``2s`` / ``2w`` (weeks), ``3j`` / ``3d`` (days) → a number of days; None if malformed."""
    text = text.strip().lower()
    number, unit = whole(text[:-1]), text[-1:]
    if number is None or not 0 < number <= 52:
        return None
    if unit in ("s", "w"):
        return number * 7
    if unit in ("j", "d"):
        return number
    return None


def spoken_time(at: float, tz: str, lang: str) -> str:
    """« 14 h », « 14 h 30 » (with narrow no-break spaces); ``14:30`` in English."""
    local = datetime.fromtimestamp(at, tz=zone(tz))
    if lang != "fr":
        return local.strftime("%H:%M")
    nb = "\u202f"
    return f"{local.hour}{nb}h" + (f"{nb}{local.minute:02d}" if local.minute else "")


def spoken(at: float, tz: str, lang: str, now: float | None = None) -> str:
    """« mardi 12 janvier à 14 h » (with the year when it is not that of ``now``); in English
    "Tuesday 12 January at 14:30"."""
    local = datetime.fromtimestamp(at, tz=zone(tz))
    lang = lang if lang in _DAYS else "en"
    day = f"{_DAYS[lang][local.weekday()]} {local.day} {_MONTHS[lang][local.month - 1]}"
    if now is not None and local.year != datetime.fromtimestamp(now, tz=zone(tz)).year:
        day += f" {local.year}"
    joiner = " à " if lang == "fr" else " at "
    return day + joiner + spoken_time(at, tz, lang)


def spoken_duration(seconds: float, lang: str) -> str:
    """« 2 h 30 », « 45 min », « 2 h » (English: "2 h 30 min")."""
    minutes = round(seconds / 60)
    hours, rest = divmod(minutes, 60)
    nb = "\u202f" if lang == "fr" else " "
    if not hours:
        return f"{rest}{nb}min"
    if not rest:
        return f"{hours}{nb}h"
    return f"{hours}{nb}h{nb}{rest:02d}" + ("" if lang == "fr" else " min")
