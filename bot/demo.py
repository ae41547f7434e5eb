"""``atelier-bot demo``: a complete atelier with six simulated people, printed in the terminal.

Camille facilitates; Alice, Bruno, Chloé, Driss and Élise take part. They register, write
ground rules, bring problems, vote by reactions (one vote refused, one taken back), tie, let the
facilitator settle it, decline and accept consent, ask questions in turn, note rebounds,
exchange, harvest, plan, share, give feedback and agree to share the record. Some steps end
on their timer (time compressed by ``[timing] seconds_per_minute``), others when Camille says
``suivant`` privately — as a real facilitator would.
"""

import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from adapters.console import ROOM, ConsoleAdapter
from bot.app import build_engine
from bot.config import Config
from bot.formats import StepKind
from bot.reactions import KEY_TO_EMOJI
from bot.runtime import Runtime
from bot.state import AtelierState
from bot.store import Store

__all__ = ["DemoStuck", "run_demo"]

K = StepKind
FACILITATOR = "camille"


class DemoStuck(Exception):
    """The demo waited too long for the atelier to reach a point (a bug, never expected)."""


class _Cast:
    """The simulated people: they type through the console adapter, as a user would."""

    def __init__(
        self, runtime: Runtime, console: ConsoleAdapter, store: Store, out: TextIO, pace: float
    ) -> None:
        self.runtime = runtime
        self.console = console
        self.store = store
        self.out = out
        self.pace = pace

    def _show(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def say(self, user: str, text: str) -> None:
        self._show(f"{user} ▸ {text}")
        await self.console.type_line(f"{user}: {text}")
        await asyncio.sleep(self.pace)

    async def dm(self, user: str, text: str) -> None:
        self._show(f"{user} (en privé au bot) ▸ {text}")
        await self.console.type_line(f"@bot {user}: {text}")
        await asyncio.sleep(self.pace)

    async def react(self, user: str, ref: str, key: str, *, remove: bool = False) -> None:
        message = await self.store.message_for_ref(ROOM, ref)
        if message is None:
            raise DemoStuck(f"no message labelled {ref}")
        sign = "-" if remove else "+"
        verb = "retire" if remove else "réagit"
        self._show(f"{user} {verb} {KEY_TO_EMOJI[key]} sur #{message}")
        await self.console.type_line(f"{user} {sign}{message} {key}")
        await asyncio.sleep(self.pace)

    def state(self) -> AtelierState | None:
        return self.runtime.states.get(ROOM)

    async def until(
        self, what: str, check: Callable[[AtelierState | None], bool], limit: float = 120
    ) -> None:
        deadline = time.monotonic() + limit
        while not check(self.state()):
            if time.monotonic() > deadline:
                raise DemoStuck(f"waited too long for: {what}")
            await asyncio.sleep(0.01)

    async def step(self, kind: StepKind) -> None:
        await self.until(kind.value, lambda s: s is not None and s.kind is kind)

    async def floor(self, user: str) -> None:
        await self.until(
            f"{user} to have the floor", lambda s: s is not None and s.turns.speaker == user
        )

    async def next(self) -> None:
        await self.dm(FACILITATOR, "suivant")


async def _script(c: _Cast) -> None:
    await c.say(FACILITATOR, "!atelier démarrer")
    await c.step(K.WELCOME)
    for user in ("alice", "bruno", "chloe", "driss"):
        await c.say(user, "!atelier rejoindre")
    await c.react("elise", "welcome", "hand")
    await c.next()

    await c.step(K.GROUND_RULES)  # the presentation ends on its timer
    await c.say("alice", "On s'écoute sans s'interrompre")
    await c.say("bruno", "Ce qui se dit ici reste ici")
    await c.say("chloe", "!atelier règle Pas de jugement, que de la bienveillance")
    await c.next()

    await c.step(K.PROBLEM_SEARCH)
    await c.dm("alice", "Comment garder les bénévoles motivés toute l'année ?")
    await c.dm("bruno", "Je n'arrive pas à déléguer la comptabilité de l'association")
    await c.dm("chloe", "Une réunion publique s'est mal passée, comment rétablir le dialogue ?")
    await c.say("driss", "!atelier problème Faire venir des jeunes à nos ateliers")
    await c.dm("elise", "Préparer la fusion de deux associations voisines")
    await c.dm("alice", "Comment garder nos bénévoles motivés après l'été ?")
    await c.next()

    await c.step(K.PROBLEM_SHARING)
    for user in ("alice", "bruno", "chloe", "driss", "elise"):
        await c.floor(user)
        await c.say(user, "Voici ma situation, en quelques mots…")
        await c.say(user, "!atelier fini")

    await c.step(K.CHOICE)
    await c.dm(FACILITATOR, "prolonger 5")  # voting takes a little longer than planned
    await c.react("alice", "card:3@0", "two")
    await c.react("alice", "card:1@0", "one")
    await c.react("bruno", "card:3@0", "two")
    await c.react("bruno", "card:1@0", "one")
    await c.react("bruno", "card:2@0", "one")  # a fourth vote: refused privately
    await c.react("bruno", "card:1@0", "one", remove=True)
    await c.react("bruno", "card:2@0", "one")
    await c.say("chloe", "!atelier vote 1 1 3")
    await c.react("driss", "card:1@0", "two")
    await c.react("driss", "card:4@0", "one")
    await c.react("elise", "card:4@0", "one")
    await c.react("elise", "card:5@0", "one")
    await c.next()  # 5 votes each for #1 and #3: a tie
    await c.until("the tie", lambda s: s is not None and s.tie is not None)
    await c.dm(FACILITATOR, "choisir 3")

    await c.step(K.CONSENT)
    await c.say("chloe", "!atelier non")
    await c.until("Alice's consent question", lambda s: s is not None and s.chosen == 1)
    await c.react("alice", "consent:1", "yes")

    await c.step(K.SITUATION)
    await c.say("alice", "Nous sommes 40 bénévoles, mais après l'été la moitié ne revient pas.")
    await c.say("alice", "J'ai essayé un planning partagé, sans grand succès.")

    await c.step(K.CLARIFICATION)  # the situation ends on its timer
    await c.say("bruno", "!atelier main")
    await c.react("chloe", "floor", "hand")
    await c.say("bruno", "Depuis combien d'années observes-tu ce phénomène ?")
    await c.say("alice", "Depuis trois ans environ.")
    await c.say("bruno", "!atelier fini")
    await c.floor("chloe")
    await c.say("chloe", "Les bénévoles qui partent te disent-ils pourquoi ?")
    await c.say("alice", "Rarement, ils disparaissent sans prévenir.")
    await c.say("chloe", "!atelier fini")
    await c.next()

    await c.step(K.REFORMULATION)
    await c.say(
        "alice",
        "J'aimerais que le groupe m'aide à garder le lien avec les bénévoles pendant l'été.",
    )
    await c.next()

    await c.step(K.REFLECTION)
    await c.dm("bruno", "Au club de foot, on faisait un pique-nique de rentrée.")
    await c.dm("driss", "Nous envoyons une petite lettre d'été avec des photos.")

    await c.step(K.EXCHANGES)  # the reflection ends on its timer
    await c.say("bruno", "!atelier main")
    await c.say("bruno", "Chez nous, un pique-nique de rentrée a fait revenir beaucoup de monde.")
    await c.say("bruno", "!atelier fini")
    await c.say("driss", "!atelier main")
    await c.say("driss", "Une lettre d'été avec des photos garde le lien sans demander d'effort.")
    await c.say("alice", "Oh, bonne idée !")  # the offerer is reminded privately
    await c.say("driss", "!atelier fini")
    await c.say("elise", "!atelier main")
    await c.say("elise", "Nous avons créé un binôme ancien·ne / nouveau·elle bénévole.")
    await c.say("elise", "!atelier fini")
    await c.next()

    await c.step(K.HARVEST)
    await c.say("alice", "!atelier garder 1 2")
    await c.next()

    await c.step(K.ACTION_PLAN)
    await c.say(
        "alice", "!atelier action Organiser un pique-nique de rentrée @quand début septembre"
    )
    await c.say("alice", "!atelier action Écrire une lettre d'été @quand juillet")
    await c.next()

    await c.step(K.OFFERER_SHARING)
    await c.say("alice", "Je repars avec deux idées simples et un calendrier. Merci à vous !")

    await c.step(K.CONTRIBUTOR_SHARING)  # the offerer's sharing ends on its timer
    for user in ("bruno", "chloe", "driss", "elise"):
        await c.floor(user)
        await c.say(user, "J'emporte l'idée de la lettre d'été pour ma propre association.")
        await c.say(user, "!atelier fini")

    await c.step(K.HOT_FEEDBACK)
    await c.say("alice", "!atelier ressenti 5 soulagée")
    await c.say("driss", "!atelier ressenti 4 inspiré")
    await c.next()

    await c.step(K.RECORD)
    for user in ("alice", "bruno", "chloe", "driss", "elise"):
        await c.react(user, "record_consent", "yes")
    await c.until("the end of the atelier", lambda s: s is None)


async def run_demo(config: Config, *, out: TextIO | None = None, pace: float = 0.08) -> float:
    """Run the whole demo; return its wall time in seconds."""
    out = out or sys.stdout
    started = time.monotonic()
    engine = build_engine(config)
    with tempfile.TemporaryDirectory(prefix="atelier-demo-") as folder:
        store = await Store.open(Path(folder) / "demo.db")
        console = ConsoleAdapter(store, output=out, read_stdin=False)
        runtime = Runtime(engine, store, [console])
        await runtime.start()
        try:
            await _script(_Cast(runtime, console, store, out, pace))
        finally:
            await runtime.stop()
            await store.close()
    elapsed = time.monotonic() - started
    out.write(f"\n— démo terminée en {elapsed:.1f} s —\n")
    out.flush()
    return elapsed
