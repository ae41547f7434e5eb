"""Buttons: which messages carry them, and a click is the reaction or command it stands for.

The engine says which buttons a message carries (``Say.buttons``, ``SayDirect.buttons``); a
click comes back as the reaction or the private command, with the ``guard`` of the step it
was offered in. Platforms without buttons ignore them.
"""

from conftest import FAC, PEOPLE, at_choice, started, with_offerer

from bot.effects import Button, Say, SayDirect
from bot.events import DirectMessage, ReactionAdded
from bot.formats import StepKind
from bot.ids import RoomId, UserId
from bot.serialize import effect_from_json, effect_to_json
from bot.testing import EngineHarness

K = StepKind


def _click(h: EngineHarness, user: str, ref: str, button: Button) -> list[object]:
    assert button.reaction is not None
    return list(
        h.feed(
            ReactionAdded(
                room=h.room,
                sender=UserId(user),
                sender_name=user.title(),
                ref=ref,
                key=button.reaction,
                guard=button.guard,
            )
        )
    )


def _press(h: EngineHarness, user: str, button: Button) -> list[object]:
    assert button.command is not None
    return list(
        h.feed(
            DirectMessage(
                room=h.room,
                sender=UserId(user),
                sender_name=user.title(),
                text=button.command,
                guard=button.guard,
            )
        )
    )


def test_welcome_message_carries_a_join_button_standing_for_the_raised_hand(h):
    """The welcome has one button, join, which is ✋ on it."""
    h.cmd(FAC, "démarrer")
    welcome = next(e for e in h.effects if isinstance(e, Say) and e.ref == "welcome")
    assert [(b.action, b.reaction, b.guard) for b in welcome.buttons] == [("join", "hand", "")]
    h.feed(
        ReactionAdded(
            room=h.room, sender=UserId("alice"), sender_name="Alice", ref="welcome", key="hand"
        )
    )
    assert "alice" in h.s.participants


def test_facilitator_guide_has_next_extend_and_pause_and_next_advances_once(h):
    """The private guide's buttons steer; the second click on the same next is refused."""
    started(h)
    guide = next(e for e in h.effects if isinstance(e, SayDirect) and e.key == "guide.facilitator")
    assert [b.command for b in guide.buttons] == ["next", "extend 5", "pause"]
    nxt = guide.buttons[0]
    index = h.s.step_index
    _press(h, FAC, nxt)
    assert h.s.step_index == index + 1
    done = h.told(FAC, "facilitator.done", h.last)
    assert done and done[0].buttons[0].guard != nxt.guard  # a fresh panel for the new step
    effects = _press(h, FAC, nxt)  # a double click
    assert h.s.step_index == index + 1
    assert [e.key for e in effects if isinstance(e, SayDirect)] == ["buttons.stale"]


def test_vote_buttons_count_as_the_reactions_and_a_stale_card_click_changes_nothing(h):
    """1 vote on a card is 1️⃣; after the choice, the same click is answered and ignored."""
    at_choice(h)
    card = next(e for e in h.effects if isinstance(e, Say) and (e.ref or "").startswith("card:"))
    assert [b.reaction for b in card.buttons] == ["one", "two"]
    assert card.ref is not None
    _click(h, "bob", card.ref, card.buttons[0])
    assert sum(v.weight for v in h.s.votes if v.voter == "bob") == 1
    h.dm(FAC, "suivant")
    before = h.s.model_dump()
    effects = _click(h, "chloe", card.ref, card.buttons[1])
    assert [e.key for e in effects if isinstance(e, SayDirect)] == ["buttons.stale"]
    assert h.s.model_dump() == before


def test_consent_question_carries_yes_and_no(h):
    """The chosen author's question has ✅ / ❌ buttons, valid while the consent step lasts."""
    with_offerer(h)
    ask = next(e for e in h.effects if isinstance(e, Say) and e.key == "consent.ask")
    assert [b.reaction for b in ask.buttons] == ["yes", "no"]


def test_buttons_survive_the_outbox(h):
    """An effect with buttons is stored and read back the same."""
    effect = SayDirect(
        room=RoomId("!r"),
        user=UserId(PEOPLE[0]),
        key="k",
        body="b",
        buttons=(Button(action="next", label="Suivant", command="next", guard="3@1"),),
    )
    assert effect_from_json(effect_to_json(effect)) == effect


def test_a_click_that_changes_nothing_is_answered_privately(h):
    """The facilitator pressing join, or a second click on a vote, gets a kind word."""
    at_choice(h)
    card = next(e for e in h.effects if isinstance(e, Say) and (e.ref or "").startswith("card:"))
    assert card.ref is not None
    _click(h, "bob", card.ref, card.buttons[0])
    effects = _click(h, "bob", card.ref, card.buttons[0])  # a double click
    assert [e.key for e in effects if isinstance(e, SayDirect)] == ["buttons.nothing"]
    assert sum(v.weight for v in h.s.votes if v.voter == "bob") == 1
