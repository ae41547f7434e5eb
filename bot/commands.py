"""The command contract of COMMANDS.md as data, and the parser of what people type.

Each command has an English name, French aliases and who may use it; the steps that accept a
command list it with its handler (``bot/steps``), the others are in ``bot/everyone.py`` and
``bot/facilitation.py``. The engine checks these rules before acting, and ``help`` lists the
commands that make sense now, for this person, from the same tables.
"""

import difflib
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "COMMANDS",
    "Command",
    "CommandSpec",
    "Unknown",
    "Who",
    "normalize",
    "parse",
    "spec",
]


class Who(StrEnum):
    ANYONE = "anyone"
    NEWCOMER = "newcomer"  # anyone not registered yet and not the facilitator
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    OFFERER = "offerer"
    CONTRIBUTOR = "contributor"
    SPEAKER = "speaker"
    FLOOR = "floor"  # the speaker, or the facilitator for a speaker who is absent or silent
    MODERATOR = "moderator"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A command's words and who may use it; the steps that accept it say when (``bot/steps``)."""

    name: str
    aliases: tuple[str, ...]
    who: Who
    facilitation: bool = False  # a steering command (DM, or room from the facilitator)


#: In the order ``help`` lists them.
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", ("demarrer",), Who.ANYONE),
    CommandSpec("join", ("rejoindre",), Who.NEWCOMER),
    CommandSpec("leave", ("quitter",), Who.PARTICIPANT),
    CommandSpec("status", ("etat",), Who.ANYONE),
    CommandSpec("help", ("aide",), Who.ANYONE),
    CommandSpec("rules", ("regles",), Who.ANYONE),
    CommandSpec("rule", ("regle",), Who.ANYONE),
    CommandSpec("problem", ("probleme",), Who.PARTICIPANT),
    CommandSpec("vote", ("voter",), Who.PARTICIPANT),
    CommandSpec("yes", ("oui",), Who.PARTICIPANT),
    CommandSpec("no", ("non",), Who.PARTICIPANT),
    CommandSpec("request", ("demande",), Who.OFFERER),
    CommandSpec("hand", ("main",), Who.CONTRIBUTOR),
    CommandSpec("done", ("fini",), Who.SPEAKER),
    CommandSpec("pass", ("passe", "passer"), Who.FLOOR),
    CommandSpec("keep", ("garder",), Who.OFFERER),
    CommandSpec("action", (), Who.OFFERER),
    CommandSpec("feeling", ("ressenti",), Who.PARTICIPANT),
    CommandSpec("carry", ("reporter",), Who.PARTICIPANT),
    CommandSpec("facilitate", ("faciliter",), Who.MODERATOR),
    CommandSpec("archives", ("archive",), Who.ANYONE),
    CommandSpec("history", ("historique",), Who.ANYONE),
    CommandSpec("export", ("exporter",), Who.ANYONE),
    CommandSpec("my-data", ("mes-donnees",), Who.ANYONE),
    CommandSpec("forget-me", ("oublie-moi", "oubliez-moi"), Who.ANYONE),
    CommandSpec("next", ("suivant", "skip"), Who.FACILITATOR, facilitation=True),
    CommandSpec("extend", ("prolonger",), Who.FACILITATOR, facilitation=True),
    CommandSpec("shorten", ("raccourcir",), Who.FACILITATOR, facilitation=True),
    CommandSpec("pause", (), Who.FACILITATOR, facilitation=True),
    CommandSpec("resume", ("reprendre",), Who.FACILITATOR, facilitation=True),
    CommandSpec("back", ("retour",), Who.FACILITATOR, facilitation=True),
    CommandSpec("goto", ("aller",), Who.FACILITATOR, facilitation=True),
    CommandSpec("end", ("terminer",), Who.FACILITATOR, facilitation=True),
    CommandSpec("choose", ("choisir",), Who.FACILITATOR, facilitation=True),
    CommandSpec("redact", ("masquer",), Who.FACILITATOR, facilitation=True),
)

_BY_WORD: dict[str, CommandSpec] = {}
for _spec in COMMANDS:
    for _word in (_spec.name, *_spec.aliases):
        _BY_WORD[_word] = _spec


def spec(name: str) -> CommandSpec:
    """The command of that English name."""
    return _BY_WORD[name]


@dataclass(frozen=True, slots=True)
class Command:
    spec: CommandSpec
    args: str  # the rest of the line, as typed
    prefixed: bool = True  # typed with the prefix (always so in a room)

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True, slots=True)
class Unknown:
    word: str
    suggestion: str | None


def normalize(text: str) -> str:
    """Lower case, no accents, single spaces: ``"  Problème "`` → ``"probleme"``."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def _strip_prefix(text: str, prefix: str) -> str | None:
    stripped = text.strip()
    head, _, rest = stripped.partition(" ")
    if normalize(head) == normalize(prefix):
        return rest.strip()
    # tolerate "!atelier:" or "!Atelier," typed in a hurry
    if normalize(head).rstrip(":,") == normalize(prefix):
        return rest.strip()
    return None


def parse(text: str, prefix: str, *, direct: bool) -> Command | Unknown | None:
    """What the text asks for, or ``None`` when it is not a command (a plain message).

    In a room a command starts with the prefix; in a direct message the prefix is optional and
    a first word that is no command makes the whole text a plain message.
    """
    body = _strip_prefix(text, prefix)
    if body is None:
        if not direct:
            return None
        body = text.strip()
        prefixed = False
    else:
        prefixed = True
    if not body:
        return Command(_BY_WORD["help"], "", prefixed) if prefixed else None
    word, _, rest = body.partition(" ")
    key = normalize(word).rstrip(":,.!")
    spec = _BY_WORD.get(key)
    if spec is not None:
        return Command(spec, rest.strip(), prefixed)
    if not prefixed:
        return None
    close = difflib.get_close_matches(key, list(_BY_WORD), n=1, cutoff=0.6)
    suggestion = _BY_WORD[close[0]].name if close else None
    return Unknown(word, suggestion)
