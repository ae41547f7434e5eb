"""What the bot may write to the logs about a failure: its class and where it happened.

Logs are read by whoever runs the bot, not by the people in an atelier: what they write (message
bodies, names, answers) never reaches them. An exception's message or a platform's error text may
quote it, so the runtime and the adapters log ids, counts, event types and *error classes* only;
``failure`` keeps enough of a traceback (the innermost frame) to find the bug without its
message.
"""

import traceback
from pathlib import Path

__all__ = ["failure"]


def failure(error: BaseException) -> str:
    """``KeyError at matrix_receive.py:120 in on_event``: the class and the innermost frame."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return type(error).__name__
    last = frames[-1]
    return f"{type(error).__name__} at {Path(last.filename).name}:{last.lineno} in {last.name}"
