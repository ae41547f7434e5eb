"""Waiting for the bot, and reading what it said, on any platform (``People.heard``)."""

from typing import TYPE_CHECKING, Any

from waiting import until

from bot.app import build_engine
from bot.runtime import Runtime
from bot.state import AtelierState
from bot.store import Store
from bot.testing import FrozenClock, ManualScheduler

if TYPE_CHECKING:
    from bot.config import Config

__all__ = [
    "BotInProcess",
    "check_complete_atelier",
    "heard",
    "texts",
    "to_problem_search",
    "until",
]


def texts(people: Any, to: str | None = None) -> list[str]:
    """What the bot said in the room (``to`` None) or privately to one person."""
    return [h.text for h in people.heard if h.to == to]


async def heard(people: Any, needle: str, to: str | None = None, limit: float = 30) -> str:
    """Wait until the bot has said something containing ``needle``; return that message."""
    found: list[str] = []

    def check() -> bool:
        found[:] = [t for t in texts(people, to) if needle in t]
        return bool(found)

    await until(f"the bot to say {needle!r} to {to or 'the room'}", check, limit)
    return found[0]


class BotInProcess:
    """The bot's runtime and one platform adapter in the test's own event loop."""

    def __init__(self, config: "Config") -> None:
        self.config = config
        self.store: Store | None = None
        self.runtime: Runtime | None = None
        self.adapter: Any = None
        #: set before ``start``: the runtime's timers then wait for ``advance`` (days may pass)
        self.clock: FrozenClock | None = None

    def make_adapter(self, store: Store) -> Any:
        raise NotImplementedError

    async def start(self) -> Any:
        self.store = await Store.open(self.config.storage.path)
        self.adapter = self.make_adapter(self.store)
        engine = build_engine(self.config)
        if self.clock is not None:
            self.runtime = Runtime(
                engine, self.store, [self.adapter], clock=self.clock, scheduler=ManualScheduler
            )
        else:
            self.runtime = Runtime(engine, self.store, [self.adapter])
        await self.runtime.start()
        return self

    async def advance(self, seconds: float) -> None:
        """Move the test clock, firing what falls due (``clock`` set before ``start``)."""
        assert self.runtime is not None and isinstance(self.runtime.scheduler, ManualScheduler)
        await self.runtime.scheduler.advance(seconds)

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.stop()
        if self.store is not None:
            await self.store.close()

    async def state(self, room: str) -> AtelierState | None:
        assert self.runtime is not None
        return self.runtime.states.get(room)

    async def refs(self, room: str, ref: str) -> str | None:
        assert self.store is not None
        return await self.store.message_for_ref(room, ref)


async def to_problem_search(people: Any) -> None:
    """Camille starts, Alice and Bruno join, and Camille moves privately to the problems."""
    await people.say("camille", "!atelier démarrer")
    await people.say("alice", "!atelier rejoindre")
    await people.say("bruno", "!atelier rejoindre")
    await heard(people, "Bienvenue Bruno")
    await people.dm("camille", "aller 4")
    await heard(people, "Étape 4/18 — Recherche de problématique")


def check_complete_atelier(people: Any, inputs: list[dict[str, str]]) -> str:
    """What any platform must show after ``bot.scenario.full_atelier``; returns the record."""
    said = "\n".join(texts(people))
    for expected in (
        "Bienvenue Élise",  # joined by a ✋ reaction
        "Égalité entre n° 1, n° 3",
        "Camille a départagé\u202f: ce sera la n° 3",
        "Merci Chloé, c'est entendu",  # the declined consent
        "Chloé, vous avez la parole",  # turn order after Bruno
        "Tout le monde est d'accord\u202f: voici la trace",
        "L'atelier est terminé",
    ):
        assert expected in said, expected
    assert any("Ce vote n'est pas compté" in t for t in texts(people, "bruno"))  # over the limit
    assert any("Vote retiré" in t for t in texts(people, "bruno"))  # taken back
    assert any("Pendant les échanges, vous écoutez" in t for t in texts(people, "alice"))
    # every input was stored while the atelier ran (tests/test_runtime.py); once it has ended,
    # nothing people wrote is kept (bot/retention.py)
    assert inputs == []
    record = next(t for t in texts(people) if "# Atelier d'entraide du" in t)
    assert "J'aimerais que le groupe m'aide à garder le lien" in record
    assert "Organiser un pique-nique de rentrée (quand\u202f: début septembre)" in record
    return record
