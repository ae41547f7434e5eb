"""Commands typed in the room without the prefix, by people who read an example too fast.

``fini`` typed alone by the speaker means "I am done", not a contribution that says "fini";
``garder 2 5`` typed by the offerer at the harvest means what the example sent privately said.
A word is understood this way only where the current step takes that command — so the
offerer's "Non." answering a clarifying question stays an answer. What is understood goes
through the same permission checks as a prefixed command: a ``fini`` from someone who does not
have the floor gets the same kind private answer, and is not recorded as content.
"""

from bot.commands import Command

__all__ = ["understood_without_prefix"]

#: understood when typed alone ("fini", "Main !", "oui.")
ALONE = frozenset({"hand", "done", "pass", "yes", "no"})
#: understood at the start of a message ("garder 2 5", "vote 2 2 5", "ressenti 4 serein")
LEADING = frozenset({"keep", "vote", "action", "feeling"})


def understood_without_prefix(command: Command, text: str, step_commands: set[str]) -> bool:
    """Whether ``text``, typed without the prefix, is this step's ``command``, not content."""
    name = command.name
    if name not in step_commands:
        return False
    if name in ALONE:
        return len([word for word in text.split() if any(c.isalnum() for c in word)]) == 1
    return name in LEADING and bool(command.args)
