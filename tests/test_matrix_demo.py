"""The README's first command: the complete atelier in a real Matrix room, printed."""

import io

from devkit.matrix_demo import run_matrix_demo


async def test_matrix_demo_plays_the_whole_atelier_and_prints_the_conversation(tmp_path, synapse):
    # `synapse` only makes sure Synapse is installed; the demo starts its own, as a user's would
    out = io.StringIO()
    await run_matrix_demo(tmp_path / "local-matrix", seconds_per_minute=2.0, out=out, pace=0.05)
    text = out.getvalue()
    for expected in (
        "pour regarder avec un client Matrix",
        "[atelier] Étape 1/18 — Accueil",
        "[atelier → bruno (privé)] Ce vote n'est pas compté",
        "Camille a départagé\u202f: ce sera la n° 3",
        "Organiser un pique-nique de rentrée (quand\u202f: début septembre)",
        "L'atelier est terminé",
        "démo Matrix terminée",
    ):
        assert expected in text, expected
    assert not (tmp_path / "local-matrix" / "server" / "homeserver.pid").exists()  # stopped
