"""The adapters' logs hold ids, counts, event types and error classes: never what people wrote,
nor their names, even when handling their message fails."""

import asyncio
import json
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from nio import MatrixRoom, ReactionEvent, RoomMessageText

from adapters.matrix_receive import Receiver as MatrixReceiver
from adapters.matrix_rooms import Rooms
from adapters.matrix_send import Sender
from adapters.matrix_session import Session
from adapters.mattermost_catchup import CatchUp, ReactionBook
from adapters.mattermost_directory import Directory
from adapters.mattermost_receive import EMOJI_NAMES
from adapters.mattermost_receive import Receiver as MattermostReceiver
from bot.config import MatrixSection
from bot.inbound import Inbound

BODY = "my manager Bernadette shouts at me every morning"
NAME = "Zéphyrine Secretname"
BOT = "@bot:example.org"
PERSON = "@zephyrine:example.org"
ROOM = "!room:example.org"


class MemoryStore:
    """The key-value port, in memory; every post counts as one of the bot's labelled ones."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    async def get(self, key: str) -> str | None:
        return self.values.get(key)

    async def put(self, key: str, value: str) -> None:
        self.values[key] = value

    async def ref_for(self, room: str, message_id: str) -> str | None:
        return "card:1"


class Runtime:
    """A sink that receives what the adapter hands over, or fails (quoting it, as a bug might)."""

    def __init__(self, *, fails: bool) -> None:
        self.fails = fails
        self.received: list[Inbound] = []

    async def __call__(self, inbound: Inbound) -> None:
        self.received.append(inbound)
        if self.fails:
            raise RuntimeError(f"the runtime choked on {inbound!r}")


def _leaks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [line for line in caplog.text.splitlines() if BODY in line or NAME in line]


# -- Matrix --------------------------------------------------------------------------------------
def _matrix_events() -> list[object]:
    message = RoomMessageText.from_dict(
        {
            "type": "m.room.message",
            "event_id": "$message",
            "sender": PERSON,
            "origin_server_ts": 1,
            "content": {"msgtype": "m.text", "body": BODY},
        }
    )
    reaction = ReactionEvent.from_dict(
        {
            "type": "m.reaction",
            "event_id": "$reaction",
            "sender": PERSON,
            "origin_server_ts": 2,
            "content": {
                "m.relates_to": {"rel_type": "m.annotation", "event_id": "$card", "key": "👍"}
            },
        }
    )
    return [message, reaction]


async def _matrix_handles(runtime: Runtime, key_dir: Path) -> None:
    settings = MatrixSection(homeserver="http://localhost", user_id=BOT, password="unused")
    store = MemoryStore()
    session = Session(settings, store, key_dir=key_dir)
    room = MatrixRoom(ROOM, BOT)
    room.add_member(PERSON, NAME, None)
    session.client = SimpleNamespace(rooms={ROOM: room})  # all the receiver asks of nio here
    rooms = Rooms(session, store)
    receiver = MatrixReceiver(
        session,
        rooms,
        Sender(session, rooms),
        store,
        language="fr",
        emit=runtime,
        closing=lambda: False,
    )
    timeline = SimpleNamespace(events=_matrix_events(), limited=False, prev_batch=None)
    joined = SimpleNamespace(state=[], timeline=timeline)
    batch = SimpleNamespace(rooms=SimpleNamespace(invite={}, leave=[], join={ROOM: joined}))
    await receiver.handle(batch, since="s1")


async def test_matrix_failure_to_handle_a_message_logs_its_type_not_its_text(tmp_path, caplog):
    """The runtime fails on each event: the log says which kind, in which room, and why."""
    caplog.set_level(logging.DEBUG)
    runtime = Runtime(fails=True)
    await _matrix_handles(runtime, tmp_path)
    assert len(runtime.received) == 2  # the message and the reaction did reach the runtime
    failures = [r for r in caplog.records if r.name == "atelier.matrix"]
    assert [r.levelno for r in failures] == [logging.ERROR, logging.ERROR]
    assert "RoomMessageText" in failures[0].getMessage()
    assert "RuntimeError" in failures[0].getMessage()
    assert _leaks(caplog) == []


async def test_matrix_messages_handled_leave_no_text_in_the_logs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    runtime = Runtime(fails=False)
    await _matrix_handles(runtime, tmp_path)
    assert [type(i).__name__ for i in runtime.received] == ["MessagePosted", "ReactionIn"]
    assert _leaks(caplog) == []


# -- Mattermost ----------------------------------------------------------------------------------
async def _rest(call: Any, *args: Any) -> Any:
    """The few REST answers the receiver asks for: who someone is, their channel and team
    roles."""
    if call == "get_user":
        return {"id": "zeph", "username": "zephyrine", "nickname": NAME}
    if call == "get_channel_member":
        return {"roles": "channel_user"}
    if call == "get_channel":
        return {"id": args[0], "team_id": "team"}
    if call == "get_team_member":
        return {"roles": "team_user"}
    raise AssertionError(f"unexpected call {call}")


def _mattermost_events() -> list[str]:
    def post(channel: str, post_id: str, at: int) -> dict[str, Any]:
        return {"id": post_id, "channel_id": channel, "user_id": "zeph", "create_at": at}

    return [
        json.dumps(
            {
                "event": "posted",
                "data": {
                    "channel_type": kind,
                    "channel_display_name": "lyon",
                    "post": json.dumps({**post(channel, f"p{at}", at), "message": BODY}),
                },
            }
        )
        for kind, channel, at in (("O", "town", 1), ("D", "direct", 2))
    ] + [
        json.dumps(
            {
                "event": "post_edited",
                "data": {
                    "post": json.dumps({**post("town", "p1", 1), "message": BODY, "edit_at": 4})
                },
            }
        ),
        json.dumps(
            {
                "event": "reaction_added",
                "data": {
                    "reaction": json.dumps(
                        {
                            "user_id": "zeph",
                            "post_id": "card",
                            "channel_id": "town",
                            "emoji_name": "+1",
                            "create_at": 3,
                        }
                    )
                },
            }
        ),
    ]


async def _mattermost_handles(runtime: Runtime) -> None:
    store = MemoryStore()
    driver = SimpleNamespace(
        users=SimpleNamespace(get_user="get_user"),
        channels=SimpleNamespace(
            get_channel_member="get_channel_member", get_channel="get_channel"
        ),
        teams=SimpleNamespace(get_team_member="get_team_member"),
    )
    directory = Directory(driver, _rest, store)
    directory.user_id = "bot"
    book = ReactionBook(store)
    catchup = CatchUp(driver, _rest, store, book, emojis=EMOJI_NAMES, labelled=directory.labelled)
    receiver = MattermostReceiver(
        directory,
        book,
        catchup,
        store,
        emit=runtime,
        connected=asyncio.Event(),
        platform="mattermost",
    )
    for raw in _mattermost_events():
        await receiver.on_message(raw)


async def test_mattermost_failure_to_handle_an_event_logs_its_type_not_its_text(caplog):
    caplog.set_level(logging.DEBUG)
    runtime = Runtime(fails=True)
    await _mattermost_handles(runtime)
    assert len(runtime.received) == 4
    failures = [r.getMessage() for r in caplog.records if r.name == "atelier.mattermost"]
    assert len(failures) == 4
    assert "posted" in failures[0] and "RuntimeError" in failures[0]
    assert _leaks(caplog) == []


async def test_mattermost_events_handled_leave_no_text_in_the_logs(caplog):
    caplog.set_level(logging.DEBUG)
    runtime = Runtime(fails=False)
    await _mattermost_handles(runtime)
    assert [type(i).__name__ for i in runtime.received] == [
        "MessagePosted",
        "DirectIn",
        "MessageEdited",
        "ReactionIn",
    ]
    assert _leaks(caplog) == []
