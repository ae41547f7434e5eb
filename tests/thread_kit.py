"""Threads, played the same way on Matrix and on Mattermost (issue 12 §3).

Each platform's test gives ``people`` (a ``MatrixPeople`` or ``MattermostPeople``, whose ``say``
takes ``thread=``) and ``thread_of(message id) -> root id or None``, read back from the server.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from people_kit import heard

from bot.scenario import name as display_name

ThreadOf = Callable[[str], Awaitable[str | None]]


async def _room_posts_since(people: Any, count: int) -> list[str]:
    return [h.event_id for h in people.heard if h.to is None][count:]


async def an_atelier_started_with_fil_lives_in_its_thread(people: Any, thread_of: ThreadOf) -> None:
    """``démarrer --fil``: every message of the bot in the room is a reply in the thread of the
    command; people taking part there are heard; a plain reply elsewhere is not an input."""
    root = await people.say("camille", "!atelier démarrer --fil")
    await heard(people, "Bienvenue")
    await people.say("elise", "!atelier rejoindre", thread=root)
    await heard(people, f"Bienvenue {display_name('elise')}")
    await people.say("alice", "!atelier rejoindre", thread=root)
    await heard(people, f"Bienvenue {display_name('alice')}")
    posts = await _room_posts_since(people, 0)
    assert len(posts) >= 3
    for post in posts:
        assert await thread_of(post) == root, "a message of the atelier outside its thread"


async def a_command_in_a_side_thread_is_answered_there(people: Any, thread_of: ThreadOf) -> None:
    """The atelier runs in the room; ``état`` asked in a reply to someone's message is
    answered in that thread, and the room's own flow stays in the room."""
    await people.say("camille", "!atelier démarrer")
    await heard(people, "Bienvenue")
    await people.say("alice", "!atelier rejoindre")
    await heard(people, f"Bienvenue {display_name('alice')}")
    chat = await people.say("elise", "Quelqu'un a le lien du document ?")
    await people.say("alice", "!atelier état", thread=chat)
    await heard(people, "fin annoncée")
    status = next(h for h in people.heard if h.to is None and "fin annoncée" in h.text)
    assert await thread_of(status.event_id) == chat
    welcome = next(h for h in people.heard if h.to is None and "Bienvenue" in h.text)
    assert await thread_of(welcome.event_id) is None
