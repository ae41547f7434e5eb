"""The complete atelier in a real Matrix room, on a real Synapse, with six matrix-nio users."""

from matrix_kit import CAST, heard, setup
from nio import RoomGetStateEventResponse
from people_kit import check_complete_atelier

from bot.scenario import FACILITATOR, Cast, full_atelier


async def test_complete_atelier_runs_in_a_matrix_room_to_the_shared_record(synapse, tmp_path):
    s = await setup(synapse, tmp_path, CAST, spm=2.0)  # a margin for slow machines
    bot, people, accounts = s.bot, s.people, s.people.accounts
    try:
        room = await people.open(facilitator=FACILITATOR, bot_power=50)
        with open(tmp_path / "transcript.txt", "w") as transcript:
            cast = Cast(people, out=transcript, pace=0.05)
            await full_atelier(cast)
        await heard(people, "L'atelier est terminé")
        assert bot.store is not None and cast.atelier_id is not None
        inputs = await bot.store.inputs(cast.atelier_id)
        pinned = await people.clients[FACILITATOR].room_get_state_event(
            room, "m.room.pinned_events"
        )
    finally:
        await s.close()

    check_complete_atelier(people, inputs)

    # Matrix form: notices with HTML, mentions only when someone is given the floor
    room_messages = [h for h in people.heard if h.to is None]
    assert all(h.formatted for h in room_messages)
    floor = next(h for h in room_messages if "Chloé, vous avez la parole" in h.text)
    assert floor.mentions == (accounts["chloe"].user_id,)
    assert any(h.mentions == () for h in room_messages)
    # the ground rules are pinned
    assert isinstance(pinned, RoomGetStateEventResponse)
    rules = next(h for h in room_messages if "Nos règles du jeu" in h.text)
    assert rules.event_id in pinned.content["pinned"]
