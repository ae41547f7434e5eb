"""The demo (the README's first command) runs a whole atelier to its record."""

import io

from bot.config import load_config
from bot.demo import run_demo


async def test_demo_runs_a_complete_atelier_to_the_shared_record():
    config = load_config(None, environ={})
    config = config.model_copy(
        update={"timing": config.timing.model_copy(update={"seconds_per_minute": 0.25})}
    )
    out = io.StringIO()
    await run_demo(config, out=out, pace=0)
    text = out.getvalue()
    for expected in (
        "Bienvenue Élise",  # joined by a ✋ reaction
        "Ce vote n'est pas compté",  # the fourth vote is refused
        "Vote retiré",
        "Égalité entre n° 1, n° 3",
        "Camille a départagé\u202f: ce sera la n° 3",
        "Merci Chloé, c'est entendu",  # the declined consent
        "Merci Alice pour la générosité",
        "Chloé, vous avez la parole",  # turn order after Bruno
        "Pendant les échanges, vous écoutez",  # the offerer reminded
        "Tout le monde est d'accord\u202f: voici la trace",
        "Organiser un pique-nique de rentrée (quand\u202f: début septembre)",
        "L'atelier est terminé",
    ):
        assert expected in text, expected
