"""Who and where on Mattermost: people's names and channel roles (cached for a minute), the
channels' types and names, one direct channel per person, and the bot's labelled posts."""

import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import requests
from mattermostdriver.exceptions import NotEnoughPermissions, ResourceNotFound

from adapters.mattermost_errors import patiently
from bot.ports import KeyValue

__all__ = ["CACHE_SECONDS", "PREFIX", "Directory", "RefStore", "Rest"]

#: room ids of Mattermost channels are the channel id after this prefix
PREFIX = "mattermost:"
#: how long a user's display name and channel role are trusted before asking again
CACHE_SECONDS = 60.0
#: store key: user id → their direct channel with the bot
DIRECT = "mattermost.direct"

#: a synchronous driver call run in a worker thread: ``await rest(call, *args)``
Rest = Callable[..., Awaitable[Any]]


class RefStore(KeyValue, Protocol):
    """What the Mattermost adapter keeps: key-value pairs, and which posts the bot labelled."""

    async def ref_for(self, room: str, message_id: str) -> str | None: ...


class Directory:
    def __init__(self, driver: Any, rest: Rest, store: RefStore) -> None:
        self.driver = driver
        self.rest = rest
        self.store = store
        self.user_id = ""  # the bot's, once logged in
        self.direct: dict[str, str] = {}  # user id → direct channel id
        self.kinds: dict[str, str] = {}  # channel id → type ("O", "P", "D", "G")
        self.channel_names: dict[str, str] = {}  # channel id → display name, from events
        self.teams: dict[str, str] = {}  # channel id → its team's id ("" for none)
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}  # user → (at, as answered)
        self._roles: dict[tuple[str, str], tuple[float, bool]] = {}

    async def load(self) -> None:
        self.direct = json.loads(await self.store.get(DIRECT) or "{}")

    def kind(self, channel: str) -> str:
        known = self.kinds.get(channel)
        return known or ("D" if self.is_direct(channel) else "O")

    def is_direct(self, channel: str) -> bool:
        return channel in self.direct.values()

    def not_a_room(self, channel: str) -> bool:
        """Direct and group messages hold no atelier: their edits and deletions are no input."""
        return self.is_direct(channel) or self.kinds.get(channel) == "G"

    def note(self, channel: str, kind: str, display_name: str | None) -> None:
        """What a websocket event says about its channel."""
        if display_name:
            self.channel_names[channel] = display_name
        self.kinds[channel] = kind

    async def learn(self, channels: dict[str, dict[str, Any]]) -> None:
        """Types and names of the bot's channels; the person behind each direct message."""
        direct = dict(self.direct)
        for channel, about in channels.items():
            self.kinds[channel] = str(about.get("type") or "O")
            self.teams[channel] = str(about.get("team_id") or "")
            if about.get("type") == "D":
                for user in str(about.get("name", "")).split("__"):
                    if user and user != self.user_id:
                        self.direct.setdefault(user, channel)
            elif about.get("display_name"):
                self.channel_names.setdefault(channel, str(about["display_name"]))
        if self.direct != direct:
            await self.store.put(DIRECT, json.dumps(self.direct))

    async def wrote_directly(self, user: str, channel: str) -> None:
        """``user`` wrote to the bot in the direct channel ``channel``."""
        if user not in self.direct:
            self.direct[user] = channel
            await self.store.put(DIRECT, json.dumps(self.direct))

    async def direct_channel(self, user: str) -> str:
        """The direct channel with ``user``, created (and remembered) the first time."""
        known = self.direct.get(user)
        if known:
            return known
        channel = await self.rest(
            self.driver.channels.create_direct_message_channel, [self.user_id, user]
        )
        self.direct[user] = str(channel["id"])
        await self.store.put(DIRECT, json.dumps(self.direct))
        return self.direct[user]

    async def labelled(self, channel: str, post: str) -> bool:
        """Whether the post is one of the bot's labelled messages (cards, votes…)."""
        return await self.store.ref_for(PREFIX + channel, post) is not None

    async def _user(self, user: str) -> dict[str, Any] | None:
        """The user as ``GET /users/{id}`` answers, cached for a minute (None if unknown)."""
        cached = self._users.get(user)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            found = dict(await patiently(self.rest, self.driver.users.get_user, user))
        except (requests.RequestException, ResourceNotFound):
            return None
        self._users[user] = (time.monotonic(), found)
        return found

    async def is_bot(self, user: str) -> bool:
        """Whether ``user`` is a bot account (``is_bot``, model/user.go)."""
        found = await self._user(user)
        return bool(found and found.get("is_bot"))

    async def who(self, user: str) -> tuple[str, str]:
        """(display name, username), cached for a minute."""
        found = await self._user(user)
        if found is None:
            return user, user
        username = str(found.get("username") or user)
        display = str(found.get("nickname") or found.get("first_name") or username)
        return display, username

    async def _team_roles(self, channel: str, user: str) -> list[str]:
        """The user's roles on the channel's team (``GET /teams/{id}/members/{user_id}``)."""
        if channel not in self.teams:
            about = await patiently(self.rest, self.driver.channels.get_channel, channel)
            self.teams[channel] = str(about.get("team_id") or "")
        if not self.teams[channel]:
            return []  # direct and group messages belong to no team
        team = self.teams[channel]
        member = await patiently(self.rest, self.driver.teams.get_team_member, team, user)
        return str(member.get("roles", "")).split()

    async def is_admin(self, channel: str, user: str) -> bool:
        """Channel, team and system admins may take over facilitation and withdraw others'
        inputs. A channel member's ``roles`` name ``channel_admin``; a team member's
        ``team_admin`` (the default roles let team admins, not channel admins, delete others'
        posts: model/role.go); ``system_admin`` is in the user's own ``roles``
        (``GET /users/{id}``), not the memberships'."""
        cached = self._roles.get((channel, user))
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            member = await patiently(
                self.rest, self.driver.channels.get_channel_member, channel, user
            )
        except (requests.RequestException, ResourceNotFound, NotEnoughPermissions):
            return False
        roles = str(member.get("roles", "")).split()
        found = await self._user(user)
        roles += str((found or {}).get("roles", "")).split()
        if not {"channel_admin", "system_admin"} & set(roles):
            # not known as a team admin: what the channel says stands
            with contextlib.suppress(
                requests.RequestException, ResourceNotFound, NotEnoughPermissions
            ):
                roles += await self._team_roles(channel, user)
        admin = bool({"channel_admin", "system_admin", "team_admin"} & set(roles))
        self._roles[(channel, user)] = (time.monotonic(), admin)
        return admin
