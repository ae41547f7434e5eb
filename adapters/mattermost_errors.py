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

import time

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

__all__ = ["PERMANENT", "rate_limit_delay", "transient"]

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
