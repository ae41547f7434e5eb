"""Record consent on a real platform (issue 10, section 1): the steps both platforms play.

Camille facilitates; Alice's problem is chosen; Driss and Bruno ask her a question each,
Chloé shares an idea: the record holds the words of all four. The facilitator jumps from step
to step by private message (``aller …``), so the record's consent round comes in seconds.

Each scenario ends the atelier, then reads the room back *from the server* (``room_messages``)
and checks what it holds: a refused record must never be there, whatever people did.
A platform plugs in through ``RecordPeople``.
"""

from typing import Protocol

from people_kit import heard

from bot.scenario import name as display_name

__all__ = [
    "CAST",
    "FACILITATOR",
    "RecordPeople",
    "a_no_stands_when_the_person_who_said_it_leaves",
    "everyone_says_yes",
    "someone_left_before_the_question",
]

FACILITATOR = "camille"
OFFERER = "alice"
CAST = (FACILITATOR, OFFERER, "bruno", "chloe", "driss")

PROBLEM = "Comment garder nos bénévoles après l'été ?"
QUESTIONS = {
    "driss": "Driss demande : depuis quand les bénévoles partent-ils ?",
    "bruno": "Bruno demande : combien de bénévoles sur quarante ?",
}
REQUEST = "J'aimerais que le groupe m'aide à garder le lien pendant l'été."
IDEA = "Chloé raconte : chez nous, une lettre d'été avec des photos."
#: the first line of every record (``record.title``)
RECORD_TITLE = "# Atelier d'entraide du"
THE_END = "L'atelier est terminé"


class RecordPeople(Protocol):
    """What the scenarios need of a platform's simulated people (``bot.scenario.People`` and
    a ``heard`` list, plus leaving and reading the room back)."""

    async def say(self, user: str, text: str) -> object: ...

    async def dm(self, user: str, text: str) -> None: ...

    async def react(self, user: str, ref: str, key: str, *, remove: bool) -> str: ...

    async def leave(self, user: str) -> None:
        """``user`` leaves the atelier's room, as people do on that platform."""
        ...

    async def room_messages(self) -> list[tuple[str | None, str]]:
        """The room as the server holds it, oldest first: (author, None for the bot; text)."""
        ...


# -- the way to the record ---------------------------------------------------------------------
async def _step(people: RecordPeople, number: int) -> None:
    await people.dm(FACILITATOR, f"aller {number}")
    await heard(people, f"Étape {number}/18")


async def _turn(people: RecordPeople, person: str, words: str) -> None:
    """``person`` asks for the floor, says ``words`` in the room, and hands the floor back."""
    await people.say(person, "!atelier main")
    await heard(people, f"{display_name(person)}, vous avez la parole")
    await people.say(person, words)
    await people.say(person, "!atelier fini")
    await heard(people, f"Merci {display_name(person)}\u202f!")


async def to_the_consent_round(people: RecordPeople, *, leaving: str | None = None) -> None:
    """From ``démarrer`` to the record's consent round; ``leaving`` leaves the room once their
    words are in, before the record step begins."""
    await people.say(FACILITATOR, "!atelier démarrer")
    for person in CAST[1:]:
        await people.say(person, "!atelier rejoindre")
        await heard(people, f"Bienvenue {display_name(person)}")
    await _step(people, 4)
    await people.dm(OFFERER, PROBLEM)
    await heard(people, "votre problématique est notée (n° 1)", to=OFFERER)
    await _step(people, 6)
    await people.say(OFFERER, "!atelier vote 1 1")
    await heard(people, "Vote compté", to=OFFERER)
    await people.dm(FACILITATOR, "suivant")
    await heard(people, "votre problématique n° 1 a été choisie")
    await people.say(OFFERER, "!atelier oui")
    await heard(people, "Merci Alice pour la générosité de ce partage")

    await _step(people, 9)  # clarifying questions
    for person, question in QUESTIONS.items():
        await _turn(people, person, question)
    await _step(people, 10)  # the request
    await people.say(OFFERER, REQUEST)
    await heard(people, "Demande d'aide notée")
    await _step(people, 12)  # the exchanges
    await _turn(people, "chloe", IDEA)
    if leaving is not None:
        await people.leave(leaving)
        await heard(people, f"{display_name(leaving)} a quitté l'atelier")

    await _step(people, 18)  # the record: the offerer reviews the draft first
    draft = await heard(people, "pour l'instant, vous êtes la seule personne à la voir", to=OFFERER)
    assert all(words in draft for words in (*QUESTIONS.values(), REQUEST, IDEA))
    await people.dm(OFFERER, "oui")
    await heard(people, "Alice a relu la trace")


async def _agrees(people: RecordPeople, person: str) -> None:
    await heard(people, "votre accord pour partager la trace est noté", to=person)


# -- reading the room back ---------------------------------------------------------------------
def _body(text: str) -> str:
    """A record as the bot sends it, without its one-paragraph introduction."""
    return text.split("\n\n", 1)[1]


def records_in(room: list[tuple[str | None, str]]) -> list[str]:
    """Every message of the room that holds a record, whoever posted it."""
    return [text for _, text in room if RECORD_TITLE in text]


def bot_said(room: list[tuple[str | None, str]], words: str) -> bool:
    return any(author is None and words in text for author, text in room)


# -- the scenarios -----------------------------------------------------------------------------
async def someone_left_before_the_question(people: RecordPeople) -> None:
    """Driss asked a question, then left before the record step. He is asked privately, with
    the exact text; without his yes his words never reach the room — neither when everyone
    still there agrees, nor when the facilitator shares the record without his passages."""
    await to_the_consent_round(people, leaving="driss")
    asked = await heard(people, "vous avez quitté l'atelier, mais vous y avez pris part", "driss")
    assert QUESTIONS["driss"] in asked  # he sees what would be shared: his words too

    await people.react("bruno", "record_consent", "yes", remove=False)
    await people.dm("chloe", "oui")
    for person in ("bruno", "chloe"):
        await _agrees(people, person)
    await people.dm(FACILITATOR, "masquer")  # share without the passages of who did not agree
    await heard(people, "Camille a choisi\u202f: si quelqu'un ne donne pas son accord")
    assert records_in(await people.room_messages()) == []  # everyone present agreed: not enough

    await people.dm(FACILITATOR, "suivant")
    await heard(people, THE_END)
    room = await people.room_messages()
    [shared] = records_in(room)
    assert "Les passages des personnes qui n'ont pas donné leur accord n'y figurent pas" in shared
    assert QUESTIONS["bruno"] in shared and IDEA in shared
    assert "_(passage non partagé)_" in shared
    assert "Driss" not in _body(shared)
    assert not bot_said(room, QUESTIONS["driss"])


async def a_no_stands_when_the_person_who_said_it_leaves(people: RecordPeople) -> None:
    """Bruno says no, everyone else yes, then Bruno leaves: his departure is the last thing
    that happens, and still the record stays out of the room; Alice gets her private copy."""
    await to_the_consent_round(people)
    await people.react("bruno", "record_consent", "no", remove=False)
    await heard(people, "la trace ne sera pas partagée avec le groupe", to="bruno")
    await people.react("chloe", "record_consent", "yes", remove=False)
    await people.dm("driss", "oui")
    for person in ("chloe", "driss"):
        await _agrees(people, person)
    await heard(people, "Tout le monde a répondu, mais pas unanimement oui", to=FACILITATOR)
    await people.leave("bruno")
    await heard(people, "Bruno a quitté l'atelier")

    await people.dm(FACILITATOR, "suivant")
    await heard(
        people, "La trace n'est pas partagée avec le groupe\u202f; Alice la reçoit en privé"
    )
    copy = await heard(people, "pour vous seulement", to=OFFERER)
    await heard(people, THE_END)
    record = _body(copy)
    assert all(words in record for words in (*QUESTIONS.values(), REQUEST, IDEA))
    room = await people.room_messages()
    assert records_in(room) == []
    assert not any(record in text for _, text in room)
    for words in (*QUESTIONS.values(), IDEA):  # people's own messages hold them, the bot's not
        assert not bot_said(room, words)


async def everyone_says_yes(people: RecordPeople) -> None:
    """With everyone's yes — by reaction, in private, in the room — the record is posted in
    the room at once, exactly as each person was shown it."""
    await to_the_consent_round(people)
    shown = {
        person: await heard(people, "voici exactement la trace qui serait partagée", person)
        for person in ("bruno", "chloe", "driss")
    }
    await people.react("bruno", "record_consent", "yes", remove=False)
    await people.dm("chloe", "oui")
    await people.say("driss", "!atelier oui")
    await heard(people, "Tout le monde est d'accord\u202f: voici la trace de l'atelier")
    await heard(people, THE_END)
    room = await people.room_messages()
    [shared] = records_in(room)
    assert all(words in shared for words in (*QUESTIONS.values(), REQUEST, IDEA))
    assert all(_body(preview) == _body(shared) for preview in shown.values())
