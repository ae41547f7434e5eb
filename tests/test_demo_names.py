"""The demo shows people by their names, accents included, as the README promises."""

import io

from bot.config import load_config
from bot.demo import run_demo
from bot.scenario import NAMES, PARTICIPANTS, name


def test_every_demo_person_has_a_name_and_chloe_and_elise_keep_their_accents():
    assert set(PARTICIPANTS) < set(NAMES)
    assert (name("chloe"), name("elise")) == ("Chloé", "Élise")


async def test_the_terminal_demo_shows_chloe_and_elise_with_their_accents():
    config = load_config(None, environ={})
    config = config.model_copy(
        update={"timing": config.timing.model_copy(update={"seconds_per_minute": 0.25})}
    )
    out = io.StringIO()
    await run_demo(config, out=out, pace=0)
    text = out.getvalue()
    for shown in (
        "Chloé ▸ !atelier rejoindre",  # the transcript
        "Élise réagit ✋",
        "Bienvenue Élise",  # the bot's words, from the display name
        "Merci Chloé, c'est entendu",
        "Chloé, vous avez la parole",
    ):
        assert shown in text, shown
    assert "Chloe" not in text and "Elise" not in text
