"""The working context of one ``decide`` call: the state being built and the effects so far.

Handlers in ``bot/engine.py`` and ``bot/steps/`` receive it; they never touch the clock, the
store or a platform.
"""

from dataclasses import dataclass

from bot.effects import Button, Effect, React, Record, Say, SayDirect
from bot.ids import MessageId, RoomId, UserId
from bot.state import AtelierState
from bot.texts import render

__all__ = ["Ctx", "Invocation"]


class Ctx:
    def __init__(self, state: AtelierState | None, room: str, lang: str, now: float) -> None:
        self._state = state
        self.room = RoomId(room)
        self.lang = state.lang if state is not None else lang
        self.now = now
        self.effects: list[Effect] = []
        #: where the room message being decided was written: the room itself (None) or a
        #: thread; answers go there. Unset (the default) for anything else.
        self.reply_thread: MessageId | None = None
        self.from_room = False

    @property
    def s(self) -> AtelierState:
        """The atelier being worked on (only called where one exists)."""
        assert self._state is not None, "no atelier in this room"
        return self._state

    @property
    def has_atelier(self) -> bool:
        return self._state is not None and not self._state.finished

    def replace_state(self, state: AtelierState | None) -> None:
        self._state = state
        if state is not None:
            self.lang = state.lang

    @property
    def state(self) -> AtelierState | None:
        return self._state

    # -- words -------------------------------------------------------------------------------
    def t(self, key: str, **params: object) -> str:
        """A text in the atelier's language; ``{prefix}`` is always the room's command prefix."""
        if "prefix" not in params and self._state is not None:
            params["prefix"] = self._state.prefix
        return render(self.lang, key, **params)

    def say(
        self,
        key: str,
        *,
        mentions: tuple[str, ...] = (),
        ref: str | None = None,
        pin: bool = False,
        reply: bool = False,
        buttons: tuple[Button, ...] = (),
        **params: object,
    ) -> None:
        body = self.t(key, **params)
        self.say_text(key, body, mentions=mentions, ref=ref, pin=pin, reply=reply, buttons=buttons)

    def say_text(
        self,
        key: str,
        body: str,
        *,
        mentions: tuple[str, ...] = (),
        ref: str | None = None,
        pin: bool = False,
        reply: bool = False,
        buttons: tuple[Button, ...] = (),
    ) -> None:
        """Post in the room — in the atelier's thread if it runs in one; ``reply``: an answer
        to the person who wrote, in the thread they wrote in."""
        self.effects.append(
            Say(
                room=self.room,
                key=key,
                body=body,
                mentions=tuple(UserId(m) for m in mentions),
                ref=ref,
                pin=pin,
                thread=self._thread(reply),
                buttons=buttons,
            )
        )

    def thread_for(self, reply: bool) -> MessageId | None:
        """Where a post goes: see ``say_text`` (files follow the same rule)."""
        return self._thread(reply)

    def _thread(self, reply: bool) -> MessageId | None:
        if reply and self.from_room:
            return self.reply_thread  # where they wrote: the room itself, or a thread
        thread = self._state.thread if self._state is not None else None
        return MessageId(thread) if thread else None

    def dm(self, user: str, key: str, **params: object) -> None:
        self.dm_text(user, key, self.t(key, **params))

    def dm_text(self, user: str, key: str, body: str, *, buttons: tuple[Button, ...] = ()) -> None:
        self.effects.append(
            SayDirect(room=self.room, user=UserId(user), key=key, body=body, buttons=buttons)
        )

    def answer(self, user: str, direct: bool, key: str, **params: object) -> None:
        """Reply where the person asked: privately, or in the room naming them."""
        if direct:
            self.dm(user, key, **params)
        else:
            self.say_text(key, self.t(key, **params), mentions=(user,), reply=True)

    def react(self, message_id: str | None, key: str = "yes") -> None:
        if message_id:
            self.effects.append(React(room=self.room, message_id=MessageId(message_id), key=key))

    def record(self, kind: str, author: str, content: str, **extra: str) -> None:
        self.effects.append(
            Record(
                room=self.room,
                atelier_id=self.s.id,
                kind=kind,
                author=UserId(author),
                content=content,
                extra=extra,
            )
        )

    # -- time --------------------------------------------------------------------------------
    def seconds(self, minutes: float) -> float:
        return minutes * self.s.seconds_per_minute

    def set_timer(self, name: str, at: float) -> None:
        if self.s.paused is not None:
            self.s.paused[name] = max(0.0, at - self.now)
        else:
            self.s.timers[name] = at

    def clear_timer(self, name: str) -> None:
        self.s.timers.pop(name, None)
        if self.s.paused is not None:
            self.s.paused.pop(name, None)

    def remaining(self, name: str) -> float | None:
        if self.s.paused is not None:
            return self.s.paused.get(name)
        at = self.s.timers.get(name)
        return None if at is None else max(0.0, at - self.now)


@dataclass(frozen=True, slots=True, kw_only=True)
class Invocation:
    """One use of a command: who typed it, with what after the command word, and where."""

    ctx: Ctx
    user: str
    name: str  # the person's display name
    args: str  # the rest of the line, as typed
    direct: bool  # typed in a private message to the bot
    moderator: bool  # the person moderates the room
    message_id: str | None  # the room message, to acknowledge (None in private)
    prefix: str  # the command prefix, to quote in answers

    def answer(self, key: str, **params: object) -> None:
        """Reply where the command was typed: privately, or in the room naming the person."""
        self.ctx.answer(self.user, self.direct, key, **params)

    def tell(self, key: str, **params: object) -> None:
        """Reply privately."""
        self.ctx.dm(self.user, key, **params)

    def acknowledge(self) -> None:
        self.ctx.react(self.message_id)
