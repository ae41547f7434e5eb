"""What the homeserver refuses for good is not retried, and the facilitator is told; rate
limits wait as asked; the others keep getting their messages (issue 15 §3)."""

from types import SimpleNamespace

import pytest
from matrix_kit import heard, setup, texts, until

from adapters.matrix_send import notice
from adapters.matrix_session import refusal
from bot.effects import Say
from bot.events import MessagePosted
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.ports import DeliveryError


async def _none_pending(bot, room) -> bool:  # type: ignore[no-untyped-def]
    """Nothing waits to be delivered there: a refusal for good is not kept for another try."""
    return await bot.store.pending(room) == []


async def _registered(bot, people, count) -> bool:  # type: ignore[no-untyped-def]
    state = await bot.state(people.room)
    return state is not None and len(state.participants) == count


async def _atelier(synapse, tmp_path, names):  # type: ignore[no-untyped-def]
    s = await setup(synapse, tmp_path, names)
    await s.people.open(facilitator=names[0])
    await s.people.say(names[0], "!atelier démarrer")
    for name in names[1:]:
        await s.people.say(name, "!atelier rejoindre")
    await until("everyone registered", lambda: _registered(s.bot, s.people, len(names) - 1))
    return s


async def test_a_room_that_refuses_the_bot_is_reported_to_the_facilitator_once(synapse, tmp_path):
    """The bot may no longer write in the room (power level below the room's events level):
    the refused message is not retried, the facilitator is told privately, and people's
    private questions are still answered."""
    s = await _atelier(synapse, tmp_path, ["camille", "alice", "bruno"])
    bot, people = s.bot, s.people
    try:
        await people.set_power(s.bot_account.user_id, -1)
        await people.dm("camille", "suivant")  # announced in the room: refused
        await heard(people, "n'a pas pu être publié dans le salon", to="camille")
        await until("the refused post no longer pending", lambda: _none_pending(bot, people.room))
        await people.dm("bruno", "aide")
        await heard(people, "Ce que vous pouvez faire", to="bruno")
        told = [h for h in people.heard if h.to == "camille" and "pas pu être publié" in h.text]
        assert len(told) == 1
    finally:
        await s.close()


async def test_a_person_the_homeserver_will_not_reach_is_reported_and_others_get_theirs(
    synapse, tmp_path
):
    """Opening a private room with someone on a server ours refuses to federate with fails
    with 403: it is not retried, the facilitator is told who cannot be reached, and another
    person's private answer still goes out."""
    s = await _atelier(synapse, tmp_path, ["camille", "bruno"])
    bot, people = s.bot, s.people
    try:
        stranger = "@stranger:unreachable.invalid"  # a remote member (federation denied)
        for n, text in enumerate(["!atelier rejoindre", "!atelier aide"]):
            await bot.runtime.receive(
                MessagePosted(
                    room=RoomId(people.room),
                    sender=UserId(stranger),
                    sender_name="Stranger",
                    text=text,
                    message_id=MessageId(f"$stranger-{n}"),
                    event_id=EventId(f"$stranger-{n}"),
                )
            )
        await heard(people, "Je n'arrive pas à écrire en privé à Stranger", to="camille")
        await people.dm("bruno", "aide")
        await heard(people, "Ce que vous pouvez faire", to="bruno")
        pending = await bot.store.pending()
        assert [item for item in pending if "stranger" in repr(item.effect)] == []
    finally:
        await s.close()


async def test_a_message_too_large_for_the_homeserver_is_refused_for_good(synapse, tmp_path):
    """M_TOO_LARGE (413) is permanent: the adapter says so to the runtime."""
    s = await setup(synapse, tmp_path, ["camille"])
    try:
        await s.people.open(facilitator="camille")
        huge = notice("x" * 70_000, ())
        with pytest.raises(DeliveryError) as refused:
            await s.bot.adapter._sender.send(s.people.room, "m.room.message", huge, None)
        assert refused.value.permanent
    finally:
        await s.close()


async def test_a_long_message_arrives_in_numbered_parts_that_each_fit(synapse, tmp_path):
    s = await setup(synapse, tmp_path, ["camille"])
    try:
        await s.people.open(facilitator="camille")
        body = "\n\n".join(f"Paragraphe {n} : " + "une idée <b>forte</b> " * 100 for n in range(60))
        long = Say(room=RoomId(s.people.room), key="test.long", body=body)
        assert await s.bot.adapter.perform(long)
        last = await heard(s.people, "Paragraphe 59")
        parts = [t for t in texts(s.people) if "Paragraphe" in t]
        assert len(parts) >= 3 and last.rstrip().endswith(f"({len(parts)}/{len(parts)})")
    finally:
        await s.close()


def _answer(status: int | None, code: str, retry_after_ms: int | None = None) -> object:
    transport = SimpleNamespace(status=status) if status is not None else None
    return SimpleNamespace(
        status_code=code, retry_after_ms=retry_after_ms, transport_response=transport
    )


def test_homeserver_refusals_are_permanent_rate_limits_wait_and_server_errors_retry():
    """4xx but 429 is for good; 429 waits ``retry_after_ms``; 5xx is tried again."""
    assert refusal(_answer(403, "M_FORBIDDEN"), "x").permanent
    assert refusal(_answer(404, "M_NOT_FOUND"), "x").permanent
    assert refusal(_answer(400, "M_UNKNOWN"), "x").permanent
    assert refusal(_answer(None, "M_TOO_LARGE"), "x").permanent
    limited = refusal(_answer(429, "M_LIMIT_EXCEEDED", 2500), "x")
    assert not limited.permanent and limited.retry_after == 2.5
    assert not refusal(_answer(502, "M_UNKNOWN"), "x").permanent
    assert not refusal(_answer(None, ""), "x").permanent
    assert refusal(_answer(401, "M_UNKNOWN_TOKEN"), "x").permanent
    assert not refusal(_answer(401, "M_UNKNOWN_TOKEN"), "x", may_log_in_again=True).permanent
