"""The console adapter: rehearse an atelier in a terminal, typing as several people.

Input lines (one per event)::

    alice: !atelier join          alice writes in the room
    @bot alice: suivant           alice writes privately to the bot
    alice +12 2️⃣                   alice reacts 2️⃣ to message #12 (also: two, 2, yes, no, hand)
    alice -12 2️⃣                   alice takes that reaction back

The bot's room messages are printed with their number (``#12``), private ones with ``DM →``,
as the bot's light Markdown with people's words as they wrote them (``bot.markup.strip``).
"""

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO, assert_never

from bot.effects import Outward, PostFile, React, Say, SayDirect
from bot.events import MessagePosted
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.inbound import DirectIn, Inbound, ReactionIn, ReactionOut
from bot.markup import strip
from bot.ports import KeyValue, Sink
from bot.reactions import KEY_TO_EMOJI, key_from_emoji

__all__ = ["ConsoleAdapter", "parse_line"]

ROOM = RoomId("console:salon")
_WORD_KEYS = {"1": "one", "2": "two", "+1": "thumbsup", "ok": "yes", "x": "no", "✋": "hand"}


def _reaction_key(token: str) -> str | None:
    token = token.strip().lower()
    if token in KEY_TO_EMOJI:
        return token
    return _WORD_KEYS.get(token) or key_from_emoji(token)


def parse_line(line: str, counter: Callable[[], str]) -> Inbound | None:
    """One typed line → an inbound event for the runtime (None when it is not understood)."""
    line = line.strip()
    if not line:
        return None
    if line.startswith("@bot "):
        who, sep, text = line[5:].partition(":")
        if not sep or not who.strip():
            return None
        user = who.strip()
        return DirectIn(
            platform="console",
            sender=UserId(user),
            sender_name=user.title(),
            text=text.strip(),
            event_id=EventId(f"console-{counter()}"),
        )
    head, _, rest = line.partition(" ")
    if rest[:1] in "+-" and rest[1:2].isdigit():
        sign, (number, _, emoji) = rest[0], rest[1:].partition(" ")
        key = _reaction_key(emoji)
        if key is None or not number.isdigit():
            return None
        user = head.rstrip(":")
        if sign == "+":
            return ReactionIn(
                room=ROOM,
                sender=UserId(user),
                sender_name=user.title(),
                message_id=MessageId(number),
                key=key,
                event_id=EventId(f"console-{counter()}"),
            )
        return ReactionOut(room=ROOM, sender=UserId(user), message_id=MessageId(number), key=key)
    who, sep, text = line.partition(":")
    if not sep or not who.strip() or " " in who.strip():
        return None
    user = who.strip()
    number = counter()
    return MessagePosted(
        room=ROOM,
        sender=UserId(user),
        sender_name=user.title(),
        text=text.strip(),
        message_id=MessageId(number),
        event_id=EventId(f"console-{number}"),
        moderator=False,
    )


class ConsoleAdapter:
    name = "console"

    def __init__(
        self,
        store: KeyValue,
        *,
        output: TextIO | None = None,
        read_stdin: bool = True,
    ) -> None:
        self._store = store
        self._out = output or sys.stdout
        self._read_stdin = read_stdin
        self._next = 0
        self._sink: Sink | None = None
        self._reader: asyncio.Task[None] | None = None

    def owns(self, room: str) -> bool:
        return room.startswith("console:")

    def room_name(self, room: str) -> str | None:
        return room.removeprefix("console:")

    async def connect(self, sink: Sink) -> None:
        self._sink = sink
        self._next = int(await self._store.get("console.next_id") or "0")
        if self._read_stdin:
            self._reader = asyncio.get_running_loop().create_task(self._read_lines())

    def new_id(self) -> str:
        self._next += 1
        return str(self._next)

    async def type_line(self, line: str) -> None:
        """Hand one typed line to the runtime, as if read from the terminal."""
        event = parse_line(line, self.new_id)
        await self._store.put("console.next_id", str(self._next))
        if event is None:
            self._print("  (?) format: `nom: message`, `@bot nom: message`, `nom +12 2️⃣`")
            return
        if self._sink is not None:
            await self._sink(event)

    async def _read_lines(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            await self.type_line(line)

    async def wait_for_input_end(self) -> None:
        if self._reader is not None:
            await self._reader

    def _print(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    async def perform(self, effect: Outward, *, idempotency_key: str | None = None) -> str | None:
        match effect:
            case Say():
                number = self.new_id()
                await self._store.put("console.next_id", str(self._next))
                pin = " 📌" if effect.pin else ""
                self._print_body(f"[#{number}] atelier{pin} ▸ ", effect.body)
                return number
            case SayDirect():
                self._print_body(f"[DM → {effect.user}] ", effect.body)
                return None
            case React():
                emoji = KEY_TO_EMOJI.get(effect.key, effect.key)
                self._print(f"  (atelier réagit {emoji} à #{effect.message_id})")
                return None
            case PostFile():
                where = f"DM → {effect.user}" if effect.user else "atelier"
                size = len(effect.text.encode())
                self._print(f"[{where}] 📎 {effect.filename} ({effect.mime}, {size} octets)")
                return None
            case _:
                assert_never(effect)

    def _print_body(self, head: str, body: str) -> None:
        lines = strip(body).splitlines() or [""]
        self._print(head + lines[0])
        for line in lines[1:]:
            self._print(f"        {line}")

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
