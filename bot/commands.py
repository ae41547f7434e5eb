"""The command contract of COMMANDS.md as data, and the parser of what people type.

Each command has an English name, French aliases, who may use it and in which steps. The engine
checks these rules before acting, and ``help`` lists the commands that make sense now, for
this person, from the same table.
"""

import difflib
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.formats import StepKind

__all__ = [
    "COMMANDS",
    "Command",
    "CommandSpec",
    "Unknown",
    "Who",
    "normalize",
    "parse",
]


class Who(StrEnum):
    ANYONE = "anyone"
    NEWCOMER = "newcomer"  # anyone not registered yet and not the facilitator
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    OFFERER = "offerer"
    CONTRIBUTOR = "contributor"
    SPEAKER = "speaker"
    MODERATOR = "moderator"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    aliases: tuple[str, ...]
    who: Who
    steps: frozenset[StepKind] | None = None  # None: at any step
    facilitation: bool = False  # a steering command (DM, or room from the facilitator)
    takes_text: bool = False


S = StepKind
_TURN_FREE = frozenset({S.CLARIFICATION, S.EXCHANGES})
_ALL_TURNS = frozenset({S.PROBLEM_SHARING, S.CLARIFICATION, S.EXCHANGES, S.CONTRIBUTOR_SHARING})
_BEFORE_SEARCH = frozenset({S.WELCOME, S.PRESENTATION, S.GROUND_RULES})

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", ("demarrer",), Who.ANYONE),
    CommandSpec("join", ("rejoindre",), Who.NEWCOMER, _BEFORE_SEARCH),
    CommandSpec("leave", ("quitter",), Who.PARTICIPANT),
    CommandSpec("status", ("etat",), Who.ANYONE),
    CommandSpec("help", ("aide",), Who.ANYONE),
    CommandSpec("rules", ("regles",), Who.ANYONE),
    CommandSpec("rule", ("regle",), Who.ANYONE, frozenset({S.GROUND_RULES}), takes_text=True),
    CommandSpec(
        "problem", ("probleme",), Who.PARTICIPANT, frozenset({S.PROBLEM_SEARCH}), takes_text=True
    ),
    CommandSpec("vote", ("voter",), Who.PARTICIPANT, frozenset({S.CHOICE}), takes_text=True),
    CommandSpec("yes", ("oui",), Who.PARTICIPANT, frozenset({S.CONSENT, S.RECORD})),
    CommandSpec("no", ("non",), Who.PARTICIPANT, frozenset({S.CONSENT, S.RECORD})),
    CommandSpec(
        "request", ("demande",), Who.OFFERER, frozenset({S.REFORMULATION}), takes_text=True
    ),
    CommandSpec("hand", ("main",), Who.CONTRIBUTOR, _TURN_FREE),
    CommandSpec("done", ("fini",), Who.SPEAKER, _ALL_TURNS),
    CommandSpec("pass", ("passe",), Who.SPEAKER, _ALL_TURNS),
    CommandSpec("keep", ("garder",), Who.OFFERER, frozenset({S.HARVEST}), takes_text=True),
    CommandSpec("action", (), Who.OFFERER, frozenset({S.ACTION_PLAN}), takes_text=True),
    CommandSpec(
        "feeling", ("ressenti",), Who.PARTICIPANT, frozenset({S.HOT_FEEDBACK}), takes_text=True
    ),
    CommandSpec("facilitate", ("faciliter",), Who.MODERATOR),
    CommandSpec("next", ("suivant", "skip"), Who.FACILITATOR, facilitation=True),
    CommandSpec("extend", ("prolonger",), Who.FACILITATOR, facilitation=True, takes_text=True),
    CommandSpec("shorten", ("raccourcir",), Who.FACILITATOR, facilitation=True, takes_text=True),
    CommandSpec("pause", (), Who.FACILITATOR, facilitation=True),
    CommandSpec("resume", ("reprendre",), Who.FACILITATOR, facilitation=True),
    CommandSpec("back", ("retour",), Who.FACILITATOR, facilitation=True),
    CommandSpec("goto", ("aller",), Who.FACILITATOR, facilitation=True, takes_text=True),
    CommandSpec("end", ("terminer",), Who.FACILITATOR, facilitation=True),
    CommandSpec(
        "choose", ("choisir",), Who.FACILITATOR, frozenset({S.CHOICE}), True, takes_text=True
    ),
)

_BY_WORD: dict[str, CommandSpec] = {}
for _spec in COMMANDS:
    for _word in (_spec.name, *_spec.aliases):
        _BY_WORD[_word] = _spec


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
