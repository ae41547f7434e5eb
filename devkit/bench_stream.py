"""A recorded event stream of a complete 9-person atelier, for the benchmarks.

A facilitator and nine participants go through every step with the engine harness: they
register, write rules, bring problems (in the room and privately), vote by reactions, consent,
ask questions in turn, note rebounds, exchange, harvest, plan, share, give feedback and agree to
share the record. Steps end when the facilitator says so or on their timers. Every event given
to ``decide`` is recorded with the clock time it was given at, so it can be replayed.
"""

from dataclasses import dataclass

from bot.events import Event
from bot.formats import StepKind as K
from bot.testing import EngineHarness

__all__ = ["Recorded", "record_atelier"]

FACILITATOR = "fac"
PEOPLE = [f"p{i}" for i in range(1, 10)]


@dataclass(frozen=True)
class Recorded:
    event: Event
    now: float


class _Recorder(EngineHarness):
    def __init__(self) -> None:
        super().__init__(room="!bench:localhost")
        self.recorded: list[Recorded] = []

    def feed(self, event: Event):  # type: ignore[no-untyped-def]
        self.recorded.append(Recorded(event, self.clock.now))
        return super().feed(event)

    def kind(self) -> K | None:
        return None if self.state is None else self.state.kind

    def until_step(self, kind: K) -> None:
        for _ in range(200):
            if self.kind() is kind:
                return
            self.dm(FACILITATOR, "suivant")
        raise RuntimeError(f"never reached {kind}")

    def turns(self, people: list[str], text: str) -> None:
        for person in people:
            self.post(person, text)
            self.cmd(person, "fini")


def record_atelier() -> list[Recorded]:
    h = _Recorder()
    h.cmd(FACILITATOR, "démarrer")
    for person in PEOPLE:
        h.cmd(person, "rejoindre")
    h.until_step(K.GROUND_RULES)
    for person in PEOPLE[:4]:
        h.post(person, f"Une règle de {person}")
    h.until_step(K.PROBLEM_SEARCH)
    for index, person in enumerate(PEOPLE):
        if index % 2:
            h.dm(person, f"Problématique de {person} : comment faire mieux ensemble ?")
        else:
            h.cmd(person, f"problème Problématique de {person}")
    h.until_step(K.PROBLEM_SHARING)
    for person in PEOPLE:
        if h.state is not None and h.state.turns.speaker == person:
            h.post(person, "Voici ma situation en quelques mots.")
            h.cmd(person, "fini")
    h.until_step(K.CHOICE)
    for index, person in enumerate(PEOPLE):
        h.react(person, "card:1@0", "two")
        h.react(person, f"card:{2 + index % 8}@0", "one")
    h.react(PEOPLE[0], "card:3@0", "one")
    h.unreact(PEOPLE[0], "card:3@0", "one")
    h.until_step(K.CONSENT)
    author = h.state.problem(h.state.chosen).author if h.state and h.state.chosen else PEOPLE[0]
    h.cmd(author, "oui")
    h.until_step(K.SITUATION)
    h.post(author, "Voici ma situation, plus en détail.")
    h.until_step(K.CLARIFICATION)
    others = [p for p in PEOPLE if p != author]
    for person in others[:5]:
        h.cmd(person, "main")
    for person in others[:5]:
        h.post(person, f"Une question de {person} ?")
        h.post(author, "Une réponse.")
        h.cmd(person, "fini")
    h.until_step(K.REFORMULATION)
    h.cmd(author, "demande J'aimerais que le groupe m'aide à avancer.")
    h.until_step(K.REFLECTION)
    for person in others:
        h.dm(person, f"Un rebond de {person}")
    h.until_step(K.EXCHANGES)
    for person in others:
        h.cmd(person, "main")
    h.turns(others, "Chez nous, nous avons essayé ceci.")
    h.until_step(K.HARVEST)
    h.cmd(author, "garder 1 2")
    h.until_step(K.ACTION_PLAN)
    h.cmd(author, "action Essayer l'idée 1 @quand lundi")
    h.cmd(author, "action Essayer l'idée 2 @quand mardi")
    h.until_step(K.OFFERER_SHARING)
    h.post(author, "Je repars avec des idées.")
    h.until_step(K.CONTRIBUTOR_SHARING)
    h.turns(others, "J'emporte une idée.")
    h.until_step(K.HOT_FEEDBACK)
    for person in PEOPLE:
        h.cmd(person, "ressenti 4 content")
    h.until_step(K.RECORD)
    h.dm(author, "oui")  # the offerer puts the draft to the group
    for person in PEOPLE:
        h.react(person, "record_consent", "yes")
    h.advance(3600)
    return h.recorded
