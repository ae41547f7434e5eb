"""Typed references to the bot's labelled messages, and their one string form.

A step labels some of its messages (the welcome, a problem card, a consent question…) so that
reactions to them come back to the engine. The label travels as a string (``Say.ref``,
``ReactionAdded.ref``) and is kept by the store; ``encode`` and ``decode`` are the only
places that know that string. The forms are fixed: stored databases hold them.

============================  ====================
reference                     string
============================  ====================
``Welcome()``                 ``"welcome"``
``Card(number=3, round=0)``   ``"card:3@0"``
``Consent(number=1)``         ``"consent:1"``
``RecordConsent()``           ``"record_consent"``
``Floor()``                   ``"floor"``
``RulesAgreement()``          ``"rules"``
============================  ====================
"""

from dataclasses import dataclass

from bot.numbers import whole

__all__ = [
    "Card",
    "Consent",
    "Floor",
    "RecordConsent",
    "Ref",
    "RulesAgreement",
    "Welcome",
    "decode",
    "encode",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Welcome:
    """The welcome step's message: ✋ on it registers."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Card:
    """The card of problem ``number`` in vote round ``round`` (0, then 1 after a tie)."""

    number: int
    round: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Consent:
    """The question asking the author of problem ``number`` whether it may be treated."""

    number: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordConsent:
    """The record step's message: ✅/❌ on it says whether the record may be shared."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Floor:
    """The message of a step of raised hands: ✋ on it asks for the floor."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RulesAgreement:
    """The group's rules, pinned: ✅ on it agrees that the facilitator may recall them."""


Ref = Welcome | Card | Consent | RecordConsent | Floor | RulesAgreement

_PLAIN: dict[str, Ref] = {
    "welcome": Welcome(),
    "record_consent": RecordConsent(),
    "floor": Floor(),
    "rules": RulesAgreement(),
}


def encode(ref: Ref) -> str:
    match ref:
        case Welcome():
            return "welcome"
        case Card(number=number, round=round_):
            return f"card:{number}@{round_}"
        case Consent(number=number):
            return f"consent:{number}"
        case RecordConsent():
            return "record_consent"
        case Floor():
            return "floor"
        case RulesAgreement():
            return "rules"


def decode(text: str) -> Ref | None:
    """The reference a label stands for; ``None`` for a label the engine never writes."""
    if text in _PLAIN:
        return _PLAIN[text]
    head, _, body = text.partition(":")
    if head == "card":
        number, _, round_ = body.partition("@")
        if (card := whole(number)) is not None:
            return Card(number=card, round=whole(round_) or 0)
    elif head == "consent" and (problem := whole(body)) is not None:
        return Consent(number=problem)
    return None
