"""People's display names can change while an atelier runs."""

from bot.events import MessagePosted
from bot.ids import MessageId, UserId
from bot.testing import EngineHarness


def test_a_new_display_name_is_taken_without_changing_the_given_state():
    """Someone renamed on the platform keeps taking part; the state given to decide is kept."""
    h = EngineHarness()
    h.cmd("fac", "start")
    h.cmd("alice", "join")
    before = h.s
    h.feed(
        MessagePosted(
            room=h.room,
            sender=UserId("alice"),
            sender_name="Alice B",
            text="bonjour",
            message_id=MessageId("$renamed"),
        )
    )
    assert h.s.people["alice"].name == "Alice B"
    assert before.people["alice"].name == "Alice"
