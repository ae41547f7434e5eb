"""The runtime's part in the rooms' agendas, beside the planner's own decisions: what an
atelier's decision changes of them (a forget-me, the follow-up of an atelier that ended, the
bot removed from the room), and the jobs of an agenda changed that way. ``Runtime`` inherits
it; the attributes below are the runtime's own.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine

from bot.agenda import Agenda, next_job
from bot.effects import Effect, PersonalData
from bot.events import Event, MemberLeft
from bot.log_safe import failure
from bot.planning import Planner
from bot.scheduler import Scheduler
from bot.state import AtelierState
from bot.store import Store

__all__ = ["AgendaKeeping"]

log = logging.getLogger("atelier.runtime")


class AgendaKeeping:
    planner: Planner
    agendas: dict[str, Agenda]
    scheduler: Scheduler
    store: Store
    clock: Callable[[], float]

    def _lock(self, room: str) -> asyncio.Lock:
        raise NotImplementedError

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        raise NotImplementedError

    def _beside(
        self,
        event: Event,
        before: AtelierState | None,
        after: AtelierState | None,
        effects: list[Effect],
        now: float,
    ) -> Agenda | None:
        """What an atelier's decision changes of the room's agenda (None: nothing): a
        forget-me, the follow-up of an atelier that ended, the bot removed from the room
        (whose words to those coming join ``effects``)."""
        room = event.room
        agenda = self._forget(room, effects)
        if before is not None and before.offerer and after is not None and after.finished:
            agenda = (
                self.planner.ended(
                    agenda or self.agendas.get(room),
                    room,
                    before.id,
                    before.offerer,
                    before.started_at,
                    now,
                    tuple(before.news_wanted),
                )
                or agenda
            )
        if isinstance(event, MemberLeft) and event.bot_removed:
            removed = self.planner.decide(agenda or self.agendas.get(room), event, now)
            effects += removed.effects
            agenda = removed.agenda or agenda
        return agenda

    def _forget(self, room: str, effects: list[Effect]) -> Agenda | None:
        """``forget-me``: this room's agenda forgets the person in the same transaction; the
        other rooms' agendas just after, each under its room's lock."""
        forgotten: Agenda | None = None
        for effect in effects:
            if isinstance(effect, PersonalData) and effect.forget:
                forgotten = self.planner.forget(forgotten or self.agendas.get(room), effect.user)
                for other in self.agendas:
                    if other != room:
                        self._spawn(self._forget_in(other, effect.user))
        return forgotten

    async def _forget_in(self, room: str, user: str) -> None:
        try:
            async with self._lock(room):
                forgotten = self.planner.forget(self.agendas.get(room), user)
                if forgotten is None:
                    return
                await self.store.commit_decision(
                    room=room,
                    state=None,
                    event_id=None,
                    effects=(),
                    now=self.clock(),
                    agendas=[forgotten],
                )
                self._rearm(self.agendas.get(room), forgotten)
                self.agendas[room] = forgotten
        except Exception as error:
            log.error("forgetting in the agenda of %s failed: %s", room, failure(error))

    def _rearm(self, old: Agenda | None, new: Agenda) -> None:
        room, plan = new.room, self.planner.plan
        after = next_job(new, plan)
        for name in next_job(old, plan):
            if name not in after:
                self.scheduler.cancel(room, name)
        for name, at in after.items():
            self.scheduler.arm(room, name, at)
