"""What the Mattermost websocket missed while it was down: posts, edits, reactions, in order.

A websocket opened after an outage replays nothing (the server resumes a connection only for a
client that sends its former ``connection_id`` at upgrade time: api4/websocket.go
``connectWebSocket``; mattermostdriver does not). So after each (re)connection the adapter asks
the REST API what changed, channel by channel, and hands it to the runtime in the order people
acted. The runtime drops an event id it has already handled: posts keep their id, edits are
``post@edit_at``, reactions ``±user:post:emoji:stamp``, so what both the websocket and the
catch-up bring counts once.

How the real server answers (mattermost/mattermost, ``server/channels/…``, and the API
reference ``shared/mattermost-api/openapi-v4.yaml``):

- ``GET /channels/{id}/posts?since=T`` answers every post whose ``update_at`` > T, deleted
  ones included: created; edited (``edit_at`` set, the old text kept as a deleted copy with
  ``original_id``: store/sqlstore/post_store.go ``Update``); deleted (``delete_at`` ≠ 0:
  ``Delete``, which also writes who deleted it in ``props.deleteBy``); reacted to (adding or
  removing a reaction sets the post's ``update_at``:
  store/sqlstore/reaction_store.go ``updatePostForReactionsOnInsert``,
  ``UpdatePostHasReactionsOnDeleteQuery``). At most 1,000, and not necessarily the oldest
  (``GetPostsSince``: ``LIMIT 1000`` with no ORDER BY; the reference: "no guarantee that the
  returned posts will be consecutive", and ``since`` "must not be used with" paging).
- So when an answer holds 1,000 posts, the posts *created* after T are read completely with
  ``before=<post id>`` (live posts created before that one, newest first, at most 200 a page:
  web/params.go ``PerPageMaximum``), each page chained from the oldest post of the previous
  one; and the reactions of every labelled post of the bot in that channel are asked for.
  Edits of posts older than T beyond those 1,000 cannot be found this way (logged).
- ``GET /posts/{id}/reactions`` lists a post's live reactions. A reaction taken back and added
  again keeps its first ``create_at`` and gets a new ``update_at`` (reaction_store.go
  ``Save``: ``ON CONFLICT … DO UPDATE SET UpdateAt, DeleteAt``): ``update_at`` dates an
  addition. The server keeps no date for a removal the client can read.
- The channels to ask: the bot's teams (``GET /users/{id}/teams``), then each team's channels
  for the bot (``GET /users/{id}/teams/{team}/channels``), which include its direct-message
  channels (store/sqlstore/channel_store.go ``GetChannels``: ``TeamId = ? OR TeamId = ''``):
  someone may write to the bot for the first time while it is away.
"""

import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import requests
from mattermostdriver import Driver
from mattermostdriver.exceptions import NotEnoughPermissions, ResourceNotFound

from adapters.mattermost_errors import READ_TRIES, patiently
from bot.ports import KeyValue

__all__ = ["SINCE_LIMIT", "CatchUp", "Gap", "Missed", "ReactionBook", "deleter"]

log = logging.getLogger("atelier.mattermost")

#: the most posts one ``since`` answer holds
SINCE_LIMIT = 1000
#: posts per page when reading a channel with ``before=`` (the server's maximum)
PAGE_SIZE = 200
#: labelled posts whose reactions are remembered, per channel (the most recent ones)
TRACKED_POSTS = 200
#: a channel never heard from is read from this long before the last moment the bot was
#: known to be listening (the bot's and the server's clocks may differ)
MARK_MARGIN_MS = 120_000
#: store key: channel id → the moment (server ms) a catch-up that failed there must read from
OWED = "mattermost.owed"

Rest = Callable[..., Awaitable[Any]]
#: a channel the bot left, or that was deleted: nothing to catch up there
GONE = (NotEnoughPermissions, ResourceNotFound)


def deleter(post: dict[str, Any]) -> str | None:
    """Who deleted a post the server answers deleted: ``props.deleteBy`` (model/post.go
    ``PostPropsDeleteBy``), or None when it is not there (older servers)."""
    by = (post.get("props") or {}).get("deleteBy")
    return str(by) if by else None


@dataclass(frozen=True, slots=True, order=True)
class Missed:
    """One thing that happened while the websocket was down, at ``at`` (server ms)."""

    at: float
    seq: int
    kind: str = field(compare=False)  # "post", "edit", "delete", "reaction+", "reaction-"
    channel: str = field(compare=False)
    post: dict[str, Any] = field(compare=False)
    user: str = field(default="", compare=False)
    emoji: str = field(default="", compare=False)
    stamp: int = field(default=0, compare=False)  # when the reaction was added


@dataclass(frozen=True, slots=True)
class Gap:
    """What a catch-up found."""

    missed: list[Missed]  # oldest first, across channels
    channels: dict[str, dict[str, Any]]  # the bot's channels, as the server lists them
    gone: list[str]  # channels the bot can no longer read
    complete: bool  # every channel could be read
    started: float  # when the catch-up began (local time)


class ReactionBook:
    """The reactions the adapter has counted on the bot's labelled posts, kept in the store.

    Per channel, ``{post id: {"user:emoji": stamp}}``, the most recent ``TRACKED_POSTS``
    posts. A labelled post without reactions is kept too: when a ``since`` answer is full, the
    catch-up asks for the reactions of every post listed here.
    """

    def __init__(self, store: KeyValue) -> None:
        self.store = store
        self._channels: dict[str, dict[str, dict[str, int]]] = {}

    async def posts(self, channel: str) -> dict[str, dict[str, int]]:
        if channel not in self._channels:
            raw = await self.store.get(f"mattermost.reactions:{channel}")
            self._channels[channel] = json.loads(raw) if raw else {}
        return self._channels[channel]

    async def known(self, channel: str, post: str) -> dict[str, int]:
        return dict((await self.posts(channel)).get(post, {}))

    async def track(self, channel: str, post: str) -> None:
        posts = await self.posts(channel)
        if post not in posts:
            posts[post] = {}
            await self._save(channel)

    async def counted(self, channel: str, post: str, user: str, emoji: str) -> int | None:
        """The stamp of this reaction if it is counted, else None."""
        return (await self.posts(channel)).get(post, {}).get(f"{user}:{emoji}")

    async def add(self, channel: str, post: str, user: str, emoji: str, stamp: int) -> None:
        posts = await self.posts(channel)
        posts.setdefault(post, {})[f"{user}:{emoji}"] = stamp
        await self._save(channel)

    async def remove(self, channel: str, post: str, user: str, emoji: str) -> None:
        posts = await self.posts(channel)
        if posts.get(post, {}).pop(f"{user}:{emoji}", None) is not None:
            await self._save(channel)

    async def _save(self, channel: str) -> None:
        posts = self._channels[channel]
        for old in list(posts)[: max(0, len(posts) - TRACKED_POSTS)]:
            del posts[old]
        await self.store.put(f"mattermost.reactions:{channel}", json.dumps(posts))


class CatchUp:
    """Asks the server what changed after a moment, channel by channel (see the module).

    Channels already heard from are read from their last post handled; the others the bot is
    in (new direct messages included) from the *mark*, the moment until which the bot was
    known to hear everything (kept in the store; None until it has listened once). The mark
    moves when a connection that caught up completely ends, or after such a catch-up.
    """

    def __init__(
        self,
        driver: Driver,
        rest: Rest,
        store: KeyValue,
        book: ReactionBook,
        *,
        emojis: Collection[str],
        labelled: Callable[[str, str], Awaitable[bool]],
    ) -> None:
        self.driver = driver
        self.rest = rest
        self.store = store
        self.book = book
        self.bot = ""  # the bot's user id, once logged in
        self.emojis = emojis  # the reactions that mean something to the engine
        self.labelled = labelled  # (channel, post id) → is it one of the bot's labelled posts?
        self.mark: int | None = None  # server ms
        self.owed: dict[str, int] = {}  # channel → where a failed catch-up must read from
        self._caught_up = False  # the current connection has heard everything since the mark
        self._seq = 0

    async def load(self) -> None:
        mark = await self.store.get("mattermost.mark")
        self.mark = int(mark) if mark else None
        self.owed = {k: int(v) for k, v in json.loads(await self.store.get(OWED) or "{}").items()}

    async def replayed(self, gap: Gap) -> None:
        """The gap was handed to the runtime: if it was complete, everything is heard."""
        if gap.complete:
            await self._heard_until(gap.started)
            self._caught_up = True

    async def lost(self) -> None:
        """The websocket is gone: what it did not bring will be read from now on."""
        if self._caught_up:
            self._caught_up = False
            await self._heard_until(time.time())

    async def _heard_until(self, at: float) -> None:
        self.mark = int(at * 1000) - MARK_MARGIN_MS
        await self.store.put("mattermost.mark", str(self.mark))

    async def run(self, heard: dict[str, int]) -> Gap:
        """Everything missed in the bot's channels; ``heard``: channel → ``create_at`` of the
        last post handled there."""
        self._caught_up = False
        started = time.time()
        listed = await self.channels()
        since = dict(heard)
        if self.mark is not None:
            for channel in listed or {}:
                since.setdefault(channel, self.mark)
        for channel, floor in self.owed.items():  # a failed catch-up's channel, from its floor
            since[channel] = min(since.get(channel, floor), floor)
        owed = dict(self.owed)
        missed: list[Missed] = []
        gone: list[str] = []
        complete = listed is not None
        for channel, floor in since.items():
            try:
                missed += await self.missed(channel, floor)
                owed.pop(channel, None)
            except GONE:
                gone.append(channel)
                owed.pop(channel, None)
            except requests.RequestException as error:
                log.warning("cannot catch up on %s (%s); next time", channel, type(error).__name__)
                complete = False
                owed[channel] = floor  # not lost when a live post moves the channel on
        if owed != self.owed:
            self.owed = owed
            await self.store.put(OWED, json.dumps(owed))
        # in the order people acted, across channels (first come, first served)
        return Gap(sorted(missed), listed or {}, gone, complete, started)

    async def channels(self) -> dict[str, dict[str, Any]] | None:
        """Every channel the bot is in, direct messages included; None if it cannot be read."""
        found: dict[str, dict[str, Any]] = {}
        try:
            for team in await self._read(self.driver.teams.get_user_teams, self.bot) or []:
                listing = self.driver.channels.get_channels_for_user
                for channel in await self._read(listing, self.bot, team["id"]) or []:
                    found[str(channel["id"])] = channel
        except requests.RequestException as error:
            log.warning(
                "cannot list the bot's channels (%s); catching up on known ones",
                type(error).__name__,
            )
            return None
        return found

    async def missed(self, channel: str, since: int) -> list[Missed]:
        """What changed in ``channel`` after ``since`` (server ms), oldest first.

        Raises ``requests.RequestException`` when the server cannot say (then nothing of this
        channel is replayed, and the next catch-up starts from the same point).
        """
        listing = await self._read(
            self.driver.posts.get_posts_for_channel, channel, {"since": since}
        )
        order = listing.get("order") or []
        posts = {pid: listing["posts"][pid] for pid in order}
        full = len(order) >= SINCE_LIMIT
        if full:
            log.warning(
                "more than %d posts changed in %s while away: reading it page by page "
                "(edits of older posts may be missed)",
                SINCE_LIMIT,
                channel,
            )
            for post in await self._created_after(channel, since):
                posts[post["id"]] = post
        items: list[Missed] = []
        reacted: list[dict[str, Any]] = []
        for post in posts.values():
            if post.get("delete_at"):
                # the old text of an edited post (``original_id``) is never an input; a post
                # the bot had seen and that was deleted meanwhile may withdraw one
                if not post.get("original_id") and int(post["create_at"]) <= since:
                    items.append(self._missed(post["delete_at"], "delete", channel, post))
                continue
            if int(post["create_at"]) > since:
                items.append(self._missed(post["create_at"], "post", channel, post))
            elif int(post.get("edit_at") or 0) > since:
                items.append(self._missed(post["edit_at"], "edit", channel, post))
            if post.get("user_id") == self.bot:
                reacted.append(post)
        if full:  # the labelled posts the answer may have left out
            tracked = await self.book.posts(channel)
            reacted += [{"id": pid} for pid in tracked if pid not in posts]
        items += await self._reactions(channel, reacted)
        return sorted(items)

    async def deleted_by(self, channel: str, post: dict[str, Any]) -> str | None:
        """Who deleted ``post`` (as it was before), from ``props.deleteBy`` of the deleted post
        in a ``since`` answer (store/sqlstore/post_store.go ``Delete`` writes it); None when
        the server does not say."""
        try:
            listing = await self._read(
                self.driver.posts.get_posts_for_channel,
                channel,
                {"since": int(post.get("update_at") or 0)},
            )
        except requests.RequestException as error:
            log.warning("cannot tell who deleted a post in %s (%s)", channel, type(error).__name__)
            return None
        found = (listing.get("posts") or {}).get(str(post["id"])) or {}
        if not found.get("delete_at"):
            return None
        return deleter(found)

    async def _created_after(self, channel: str, since: int) -> list[dict[str, Any]]:
        """Every live post created after ``since``, from the newest back, page by page."""
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {"per_page": PAGE_SIZE}
        while True:
            page = await self._read(self.driver.posts.get_posts_for_channel, channel, params)
            posts = [page["posts"][pid] for pid in page.get("order") or []]
            fresh = [p for p in posts if int(p["create_at"]) > since]
            found += fresh
            if len(posts) < PAGE_SIZE or len(fresh) < len(posts):
                return found
            oldest = min(posts, key=lambda p: int(p["create_at"]))
            params = {"before": oldest["id"], "per_page": PAGE_SIZE}

    async def _reactions(self, channel: str, posts: list[dict[str, Any]]) -> list[Missed]:
        """Reactions added to, and taken back from, the bot's labelled posts.

        The server keeps no date for a removal. It is placed at the post's last change (which it
        is, unless something else happened to the post afterwards), and before any reaction the
        same person added since the removed one (moving a vote from one card to another must
        not be refused as a fourth vote). A post the ``since`` answer left out has no known last
        change: its removals come first.
        """
        added: list[Missed] = []
        gone: list[tuple[dict[str, Any], str, str, int]] = []
        for post in posts:
            pid = str(post["id"])
            if not await self.labelled(channel, pid):
                continue
            try:
                # (the driver's ``get_reactions_of_post`` asks for ``/posts/{id}//reactions``)
                current = await self._read(self.driver.client.get, f"/posts/{pid}/reactions")
            except GONE:
                continue  # deleted meanwhile
            now: dict[str, int] = {}
            for reaction in current or []:  # Go may answer null for none
                user, emoji = str(reaction["user_id"]), str(reaction["emoji_name"])
                if user != self.bot and emoji in self.emojis:
                    now[f"{user}:{emoji}"] = int(reaction.get("update_at") or reaction["create_at"])
            known = await self.book.known(channel, pid)
            for key, stamp in now.items():
                if key not in known:
                    user, emoji = key.split(":", 1)
                    added.append(
                        self._missed(stamp, "reaction+", channel, post, user, emoji, stamp)
                    )
            for key, stamp in known.items():
                if key not in now:
                    user, emoji = key.split(":", 1)
                    gone.append((post, user, emoji, stamp))
        removed = []
        for post, user, emoji, stamp in gone:
            later = [a.at for a in added if a.user == user and a.at > stamp]
            at = min([int(post.get("update_at") or stamp + 1), *later]) - 0.5
            removed.append(self._missed(at, "reaction-", channel, post, user, emoji, stamp))
        return added + removed

    async def _read(self, call: Callable[..., Any], *args: Any) -> Any:
        """One read of the catch-up, tried again while the failure may pass: giving up at once
        would leave what was missed to a next connection that may be hours away."""
        return await patiently(self.rest, call, *args, tries=READ_TRIES)

    def _missed(
        self,
        at: float,
        kind: str,
        channel: str,
        post: dict[str, Any],
        user: str = "",
        emoji: str = "",
        stamp: int = 0,
    ) -> Missed:
        self._seq += 1
        return Missed(float(at), self._seq, kind, channel, post, user, emoji, stamp)
