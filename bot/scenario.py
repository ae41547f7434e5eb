"""The complete atelier that the demos and the platform tests play, step by step.

Camille facilitates; Alice, Bruno, Chloé, Driss and Élise take part. They register, write
ground rules, bring problems (in the room and privately), vote by reactions (one vote refused,
one taken back), tie, let the facilitator settle it, decline and accept consent, ask questions
in turn, note rebounds, exchange, harvest, plan, share, give feedback and agree to share the
record. Some steps end on their timer, others when Camille says ``suivant`` privately — as a
real facilitator would. A platform plugs in through ``People``.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TextIO

from bot.formats import StepKind
from bot.reactions import KEY_TO_EMOJI
from bot.state import AtelierState

__all__ = [
    "FACILITATOR",
    "NAMES",
    "PARTICIPANTS",
    "Cast",
    "DemoStuck",
    "Heard",
    "People",
    "full_atelier",
    "wait_for_ref",
]

K = StepKind
FACILITATOR = "camille"
PARTICIPANTS = ("alice", "bruno", "chloe", "driss", "elise")
#: How people appear, in the transcript and to the bot: account ids stay ASCII (Matrix allows
#: no accent in a user id), names keep theirs.
NAMES = {
    "camille": "Camille",
    "alice": "Alice",
    "bruno": "Bruno",
    "chloe": "Chloé",
    "driss": "Driss",
    "elise": "Élise",
}


def name(person: str) -> str:
    """A person's name as people read it (``chloe`` → ``Chloé``)."""
    return NAMES.get(person, person.title())


@dataclass(frozen=True)
class Heard:
    """One message of the bot as people received it: in the room (``to`` None) or privately."""

    to: str | None
    text: str
    event_id: str
    formatted: str | None
    mentions: tuple[str, ...]
    room: str = ""


class DemoStuck(Exception):
    """The demo waited too long for the atelier to reach a point (a bug, never expected)."""


class People(Protocol):
    """How the simulated people reach the bot on one platform."""

    async def say(self, user: str, text: str) -> None:
        """``user`` writes ``text`` in the atelier's room."""
        ...

    async def dm(self, user: str, text: str) -> None:
        """``user`` writes privately to the bot."""
        ...

    async def react(self, user: str, ref: str, key: str, *, remove: bool) -> str:
        """``user`` reacts (or takes back a reaction) to the bot's message labelled ``ref``.

        Returns how to show that message to the reader (``#12``, an event id…).
        """
        ...

    async def state(self) -> AtelierState | None:
        """The atelier as the bot has it now (None once it has ended)."""
        ...

    def user_id(self, person: str) -> str:
        """The platform's id for one of the people (``alice`` → ``@alice:localhost``)."""
        ...


async def wait_for_ref(
    refs: Callable[[str, str], Awaitable[str | None]], room: str, ref: str, limit: float = 30
) -> str:
    """The platform id of the bot's message labelled ``ref``, once the bot has posted it."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = await refs(room, ref)
        if found:
            return found
        await asyncio.sleep(0.05)
    raise DemoStuck(f"the bot never posted a message labelled {ref}")


class Cast:
    """The script's view of the people: it shows what they do, then does it."""

    def __init__(self, people: People, out: TextIO, pace: float) -> None:
        self.people = people
        self.out = out
        self.pace = pace
        self.latest: AtelierState | None = None
        self.atelier_id: str | None = None  # kept after the atelier has ended

    def _show(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def say(self, user: str, text: str) -> None:
        self._show(f"{name(user)} ▸ {text}")
        await self.people.say(user, text)
        await asyncio.sleep(self.pace)

    async def dm(self, user: str, text: str) -> None:
        self._show(f"{name(user)} (en privé au bot) ▸ {text}")
        await self.people.dm(user, text)
        await asyncio.sleep(self.pace)

    async def react(self, user: str, ref: str, key: str, *, remove: bool = False) -> None:
        verb = "retire" if remove else "réagit"
        where = await self.people.react(user, ref, key, remove=remove)
        self._show(f"{name(user)} {verb} {KEY_TO_EMOJI[key]} sur {where}")
        await asyncio.sleep(self.pace)

    async def until(
        self, what: str, check: Callable[[AtelierState | None], bool], limit: float = 120
    ) -> None:
        deadline = time.monotonic() + limit
        while True:
            self.latest = await self.people.state()
            if self.latest is not None:
                self.atelier_id = self.latest.id
            if check(self.latest):
                return
            if time.monotonic() > deadline:
                raise DemoStuck(f"waited too long for: {what}")
            await asyncio.sleep(0.02)

    async def step(self, kind: StepKind) -> None:
        await self.until(kind.value, lambda s: s is not None and s.kind is kind)

    async def floor(self, user: str) -> None:
        await self.until(
            f"{user} to have the floor",
            lambda s: s is not None and s.turns.speaker == self.people.user_id(user),
        )

    async def next(self) -> None:
        await self.dm(FACILITATOR, "suivant")


async def full_atelier(c: Cast) -> None:
    """The complete atelier, from `démarrer` to the shared record."""
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
    await c.react("bruno", "card:2@0", "one", remove=True)  # so he takes it back…
    await c.react("bruno", "card:1@0", "one", remove=True)  # …frees one vote…
    await c.react("bruno", "card:2@0", "one")  # …and votes again
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
    await c.say("elise", "Nous avons créé des binômes entre anciens et nouveaux bénévoles.")
    await c.say("elise", "!atelier fini")
    await c.next()

    await c.step(K.HARVEST)
    await c.say("alice", "!atelier garder 1 2")
    await c.next()

    await c.step(K.ACTION_PLAN)
    await c.say(
        "alice", "!atelier action Organiser un pique-nique de rentrée, quand : début septembre"
    )
    await c.say("alice", "!atelier action Écrire une lettre d'été, quand : juillet")
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
    await c.dm("alice", "oui")  # she has read the draft: it goes to the group
    await c.until("the consent round", lambda s: s is not None and bool(s.record_asked))
    for user in ("bruno", "chloe", "driss", "elise"):
        await c.react(user, "record_consent", "yes")
    await c.until("the end of the atelier", lambda s: s is None)
