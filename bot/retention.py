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
"""

from bot.state import AtelierState

__all__ = ["EVENT_IDS_DAYS", "scrubbed"]

#: days during which a handled event's id is kept (a platform replays within hours at most)
EVENT_IDS_DAYS = 14


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
