"""Timers as effects: how a set of named deadlines changed, as ``StartTimer`` and
``CancelTimer`` (the engine's from the atelier's state, the planner's from the agenda)."""

from bot.effects import CancelTimer, Effect, StartTimer
from bot.ids import RoomId

__all__ = ["timer_changes"]


def timer_changes(room: RoomId, before: dict[str, float], after: dict[str, float]) -> list[Effect]:
    changes: list[Effect] = []
    for name, at in after.items():
        if before.get(name) != at:
            changes.append(StartTimer(room=room, name=name, at=at))
    for name in before:
        if name not in after:
            changes.append(CancelTimer(room=room, name=name))
    return changes
