"""What the bot keeps, and for how long (the README's "Privacy and security" says it in words).

- While an atelier runs, the store holds its state (who takes part, what they wrote) and the
  log of inputs, so that a restart resumes the same step with nothing lost.
- When it ends, everything people wrote and their names are erased: the state is reduced to
  ``scrubbed`` (its room, format, times) and its inputs are deleted, in the same transaction
  as the last decision. A shared record is in the room, and in the room's archive
  (``archives``) until the group deletes it; a record not shared went only to the offerer,
  privately. Pending messages leave the store once delivered.
- The ids of handled platform events (kept to refuse a replayed event) are deleted after
  ``EVENT_IDS_DAYS`` days.
- What stays private past an atelier is deleted after the room's retention period
  (``retention_days``: ``[bot] retention_days``, default ``RETENTION_DAYS``, or
  ``[rooms."<id>"] retention_days``), by a sweep the runtime runs at start-up and every
  ``SWEEP_EVERY`` seconds (``bot/store_sweep.py``): a carried problem no session took up,
  a private message that could never be delivered, an atelier left running and untouched for
  that long (closed, and erased as at its end). Who offered a situation in a room is kept
  until that person asks to be forgotten; shared records until the group deletes them.
- Deleted rows are overwritten in the file (``PRAGMA secure_delete``), and after a sweep or
  a forget-me the write-ahead log is emptied into the file (``wal_checkpoint(TRUNCATE)``):
  no copy of deleted words lingers in the SQLite files.
"""

from bot.state import AtelierState

__all__ = [
    "EVENT_IDS_DAYS",
    "MOST_DAYS",
    "RETENTION_DAYS",
    "SWEEP_EVERY",
    "cutoff",
    "retention_days",
    "scrubbed",
]

#: days during which a handled event's id is kept (a platform replays within hours at most)
EVENT_IDS_DAYS = 14
#: days a private input kept past an atelier stays, unless the configuration says otherwise
RETENTION_DAYS = 90
#: the longest retention period the configuration accepts (ten years)
MOST_DAYS = 3650
#: seconds between two sweeps
SWEEP_EVERY = 3600.0


def retention_days(room: str, default: int, rooms: tuple[tuple[str, int], ...]) -> int:
    """The room's retention period in days: its own, else the default."""
    return dict(rooms).get(room, default)


def cutoff(now: float, days: int) -> float:
    """What was kept before this moment has outlived a period of ``days``."""
    return now - days * 86_400


def scrubbed(state: AtelierState) -> AtelierState:
    """An ended atelier without anything a person wrote, nor any name or user id."""
    return AtelierState(
        id=state.id,
        room=state.room,
        lang=state.lang,
        format=state.format,
        seconds_per_minute=state.seconds_per_minute,
        started_at=state.started_at,
        timezone=state.timezone,
        prefix=state.prefix,
        announced_end=state.announced_end,
        facilitator="",
        facilitator_name="",
        step_index=state.step_index,
        finished=True,
    )
