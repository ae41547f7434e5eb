"""What a Mattermost failure means, from its HTTP status: one home for the sender and the reads.

mattermostdriver raises its own classes in place of the ``HTTPError``, without the response
(mattermostdriver/client.py ``make_request``), for 400, 401, 403, 404, 405, 413 and 501; any
other status is the plain ``requests.HTTPError``, with it.

- **For good** (``PERMANENT``): 400 (a post over 16,383 characters, a deactivated user…), 403
  (a channel the bot is no longer in), 404, 405, 413 (a request too large), 501 (a feature the
  administrator turned off). No retry changes them.
- **The session ended**: 401 (``NoAccessTokenProvided``), see ``adapters.mattermost_session``.
- **Wait as told**: 429, ``Retry-After`` (seconds until a request is allowed again), else
  ``X-RateLimit-Reset`` (seconds until the window resets: the API reference, "rate limiting";
  app/ratelimit.go ``setRateLimitHeaders``).
- **Try again later**: 5xx (a proxy in front of a server restarting answers 502) and network
  faults.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import requests
from mattermostdriver.exceptions import (
    ContentTooLarge,
    FeatureDisabled,
    InvalidOrMissingParameters,
    MethodNotAllowed,
    NoAccessTokenProvided,
    NotEnoughPermissions,
    ResourceNotFound,
)

from bot.backoff import Backoff

__all__ = ["PERMANENT", "READ_TRIES", "patiently", "rate_limit_delay", "transient"]

PERMANENT = (
    InvalidOrMissingParameters,
    NotEnoughPermissions,
    ResourceNotFound,
    MethodNotAllowed,
    ContentTooLarge,
    FeatureDisabled,
)
#: an ``X-RateLimit-Reset`` this large is a moment (epoch seconds), not a delay
EPOCH_SECONDS = 1_000_000_000
#: the longest wait a rate limit may ask of the bot, in seconds
LONGEST_WAIT = 3600.0
#: tries of one read before giving up on it (waits 1, 2, 4, 8, 16 s, or as a 429 asks)
READ_TRIES = 6


def rate_limit_delay(error: requests.RequestException) -> float | None:
    """The seconds a 429 asks to wait (None for any other failure)."""
    response = error.response if isinstance(error, requests.HTTPError) else None
    if response is None or response.status_code != 429:
        return None
    headers = response.headers
    wait = headers.get("Retry-After") or headers.get("X-RateLimit-Reset")
    try:
        delay = float(wait or 1)
    except ValueError:
        delay = 1.0
    if delay > EPOCH_SECONDS:  # the reference's example gives an epoch time: accept both
        delay -= time.time()
    return min(max(delay, 0.1), LONGEST_WAIT)


def transient(error: requests.RequestException) -> bool:
    """Whether trying again later may succeed: a rate limit, a 5xx, a network fault."""
    return not isinstance(error, (*PERMANENT, NoAccessTokenProvided))


async def patiently(
    rest: Callable[..., Awaitable[Any]], call: Callable[..., Any], *args: Any, tries: int = 0
) -> Any:
    """A read, tried again while the failure may pass (a 429, waiting as it asks; a 5xx or a
    network fault, with the shared backoff); ``tries`` (``READ_TRIES`` by default) at most.
    Giving up at once would lose what the read was for: what the websocket missed, who
    someone is, whether they are an admin."""
    backoff = Backoff()
    for _ in range((tries or READ_TRIES) - 1):
        try:
            return await rest(call, *args)
        except requests.RequestException as error:
            if not transient(error):
                raise
            await asyncio.sleep(backoff.next(rate_limit_delay(error)))
    return await rest(call, *args)
