"""Delivery is per destination: a person the platform cannot reach holds up only their own
private messages; a message refused for good is not retried, and the facilitator is told."""

import pytest
from runtime_kit import ROOM, posted
from waiting import until

from bot.effects import React, Say, SayDirect
from bot.engine import Engine, EngineSettings
from bot.formats import load_formats
from bot.ports import DeliveryError
from bot.runtime import Runtime
from bot.store import Store
from bot.testing import RecordingAdapter


class _Refusing(RecordingAdapter):
    """Cannot write privately to the people in ``refused`` (for now, or for good)."""

    def __init__(self, *, permanent: bool) -> None:
        super().__init__()
        self.refused: set[str] = set()
        self.permanent = permanent
        self.attempts: dict[str, int] = {}

    async def perform(
        self, effect: Say | SayDirect | React, *, idempotency_key: str | None = None
    ) -> str | None:
        if isinstance(effect, SayDirect) and effect.user in self.refused:
            self.attempts[effect.user] = self.attempts.get(effect.user, 0) + 1
            if self.permanent:
                raise DeliveryError("M_FORBIDDEN", permanent=True)
            raise DeliveryError("cannot open a private room")
        return await super().perform(effect, idempotency_key=idempotency_key)

    def told(self, user: str) -> list[str]:
        return [e.key for e in self.performed if isinstance(e, SayDirect) and e.user == user]


async def _post(runtime: Runtime, user: str, text: str, n: int) -> None:
    await runtime.process(posted(user, text, n))


@pytest.fixture
async def store(tmp_path):
    store = await Store.open(tmp_path / "atelier.db")
    yield store
    await store.close()


async def test_a_person_who_cannot_be_reached_holds_up_nobody_else(store):
    adapter = _Refusing(permanent=False)
    adapter.refused.add("alice")
    runtime = Runtime(Engine(EngineSettings(), load_formats()), store, [adapter])
    await runtime.start()
    await _post(runtime, "fac", "!atelier démarrer", 1)
    await _post(runtime, "alice", "!atelier rejoindre", 2)
    await _post(runtime, "bob", "!atelier rejoindre", 3)
    await _post(runtime, "alice", "!atelier aide", 4)  # her answer is stuck…
    await _post(runtime, "bob", "!atelier aide", 5)  # …bob's, asked after, is not
    # bob's private answer and the room's messages went out although alice's are stuck
    await until("bob's answer", lambda: "help.body" in adapter.told("bob"))
    assert "join.welcome" in adapter.said_keys()
    assert not adapter.told("alice")
    assert await store.pending(ROOM)  # alice's are kept, not dropped
    adapter.refused.clear()
    await until(
        "the delivery", lambda: "help.body" in adapter.told("alice")
    )  # in order, once reachable
    await runtime.stop()


async def test_a_message_refused_for_good_is_not_retried_and_the_facilitator_is_told(store):
    adapter = _Refusing(permanent=True)
    adapter.refused.add("alice")
    runtime = Runtime(Engine(EngineSettings(), load_formats()), store, [adapter])
    await runtime.start()
    await _post(runtime, "fac", "!atelier démarrer", 1)
    await _post(runtime, "alice", "!atelier rejoindre", 2)
    await _post(runtime, "alice", "!atelier aide", 3)
    await until("the facilitator told", lambda: "safety.unreachable" in adapter.told("fac"))
    told = [e for e in adapter.performed if getattr(e, "key", "") == "safety.unreachable"]
    assert len(told) == 1 and "Alice" in told[0].body  # once, however many were refused
    await runtime.settled()
    assert not [i for i in await store.pending(ROOM) if getattr(i.effect, "user", "") == "alice"]
    attempts = adapter.attempts["alice"]
    await _post(runtime, "fac", "!atelier état", 4)  # another pass over the outbox
    assert adapter.attempts["alice"] == attempts  # nothing of alice's is tried again
    await runtime.stop()
