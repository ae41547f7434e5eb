"""The same complete atelier in a Mattermost channel, through the real mattermostdriver."""

from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from people_kit import check_complete_atelier, heard, texts

from bot.scenario import FACILITATOR, PARTICIPANTS, Cast, full_atelier


async def test_complete_atelier_runs_in_a_mattermost_channel_to_the_shared_record(
    mattermost, tmp_path
):
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=2.0)).start()
    people = MattermostPeople(
        mattermost, (FACILITATOR, *PARTICIPANTS), refs=bot.refs, state=bot.state
    )
    try:
        await people.open(facilitator=FACILITATOR)
        with open(tmp_path / "transcript.txt", "w") as transcript:
            cast = Cast(people, out=transcript, pace=0.02)
            await full_atelier(cast)
        await heard(people, "L'atelier est terminé")
        assert bot.store is not None and cast.atelier_id is not None
        inputs = await bot.store.inputs(cast.atelier_id)
    finally:
        await bot.stop()

    check_complete_atelier(people, inputs)
    # Mattermost form: @-mention when giving the floor, rules pinned
    floor = next(t for t in texts(people) if "Chloé, vous avez la parole" in t)
    assert floor.startswith("@chloe ")
    rules = next(h for h in people.heard if h.to is None and "Nos règles du jeu" in h.text)
    assert rules.event_id in mattermost.pinned
