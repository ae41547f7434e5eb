"""The complete atelier in a real Matrix room, on a real Synapse, with six matrix-nio users."""

from matrix_kit import CAST, heard, setup, texts
from nio import RoomGetStateEventResponse

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

    said = "\n".join(texts(people))
    for expected in (
        "Bienvenue Elise",  # joined by a ✋ reaction
        "Égalité entre #1, #3",
        "Camille a départagé : ce sera la n° 3",
        "Merci Chloe, c'est entendu",  # the declined consent
        "Chloe, vous avez la parole",  # turn order after Bruno
        "Tout le monde est d'accord : voici la trace",
        "L'atelier est terminé",
    ):
        assert expected in said, expected
    assert any("Ce vote n'est pas compté" in t for t in texts(people, "bruno"))  # over the limit
    assert any("Vote retiré" in t for t in texts(people, "bruno"))  # the redaction
    assert any("Pendant les échanges, vous écoutez" in t for t in texts(people, "alice"))

    # every input is in the store, and the record holds the request, ideas and plan
    kinds = {row["kind"] for row in inputs}
    for kind in ("problem", "vote", "vote_removed", "clarifying_question", "rebound", "action"):
        assert kind in kinds, kind
    rebounds = [row["content"] for row in inputs if row["kind"] == "rebound"]
    assert "Nous envoyons une petite lettre d'été avec des photos." in rebounds
    record = next(t for t in texts(people) if "# Atelier d'entraide du" in t)
    assert "J'aimerais que le groupe m'aide à garder le lien" in record
    assert "Organiser un pique-nique de rentrée (quand : début septembre)" in record
    assert "Une lettre d'été avec des photos garde le lien sans demander d'effort. — Driss" in (
        record
    )

    # Matrix form: notices with HTML, mentions only when someone is given the floor
    room_messages = [h for h in people.heard if h.to is None]
    assert all(h.formatted for h in room_messages)
    floor = next(h for h in room_messages if "Chloe, vous avez la parole" in h.text)
    assert floor.mentions == (accounts["chloe"].user_id,)
    assert any(h.mentions == () for h in room_messages)
    # the ground rules are pinned
    assert isinstance(pinned, RoomGetStateEventResponse)
    rules = next(h for h in room_messages if "Nos règles du jeu" in h.text)
    assert rules.event_id in pinned.content["pinned"]
