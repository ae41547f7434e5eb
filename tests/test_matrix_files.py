"""Exported records on Matrix, on a real Synapse (issue 16 §4): the bot uploads the file to
the media repository and posts an ``m.file`` (encrypted in an encrypted room); a member
downloads exactly what was exported; a file over the homeserver's limit is refused for good."""

import dataclasses

import pytest
from matrix_kit import heard, setup, until
from nio import AsyncClient, DownloadResponse, MessageDirection, RoomMessagesResponse
from nio.crypto.attachments import decrypt_attachment

from bot.effects import PostFile
from bot.ids import RoomId, UserId
from bot.ports import DeliveryError

RECORD = "# Trace du 01/01/2026 🌱\n\n> Élise\\: « \\<b\\>oui\\</b\\> »\n"


async def _file_events(client: AsyncClient, room: str) -> list[dict[str, object]]:
    """The ``m.file`` contents of the room's latest events, as this member's client sees them
    (decrypted by nio where the room is encrypted), once there is one."""
    found: list[dict[str, object]] = []

    async def some() -> bool:
        answer = await client.room_messages(room, start="", direction=MessageDirection.back)
        assert isinstance(answer, RoomMessagesResponse)
        found[:] = [
            content
            for event in answer.chunk
            if (content := dict(getattr(event, "source", {}).get("content", {}))).get("msgtype")
            == "m.file"
        ]
        return bool(found)

    await until("an m.file in the room", some)
    return found


async def _download(client: AsyncClient, content: dict[str, object]) -> bytes:
    secret = content.get("file")
    url = str(secret["url"] if isinstance(secret, dict) else content["url"])
    server, media = url.removeprefix("mxc://").split("/", 1)
    answer = await client.download(server_name=server, media_id=media)
    assert isinstance(answer, DownloadResponse), answer
    data = bytes(answer.body)
    if isinstance(secret, dict):
        data = decrypt_attachment(
            data, secret["key"]["k"], secret["hashes"]["sha256"], secret["iv"]
        )
    return data


async def test_an_exported_record_reaches_the_room_as_a_file(synapse, tmp_path):
    """An m.file with the caption, the name, the type and size; the download is the file."""
    s = await setup(synapse, tmp_path, ["alice", "bob"])
    try:
        room = await s.people.open(facilitator="alice")
        effect = PostFile(
            room=RoomId(room),
            key="archive.files",
            filename="trace-1.md",
            mime="text/markdown",
            text=RECORD,
            caption="📎 **Trace n° 1** : la trace en fichiers",
        )
        await s.bot.adapter.perform(effect, idempotency_key="atelier-1")
        await s.bot.adapter.perform(effect, idempotency_key="atelier-1")  # resent after a crash
        bob = s.people.clients["bob"]
        files = await _file_events(bob, room)
        assert len(files) == 1  # the same transaction id: posted once
        content = files[0]
        assert content["filename"] == "trace-1.md"
        assert content["info"] == {"mimetype": "text/markdown", "size": len(RECORD.encode())}
        assert "Trace n° 1" in str(content["body"]) and "<strong>" in str(content["formatted_body"])
        assert (await _download(bob, content)).decode() == RECORD
    finally:
        await s.close()


async def test_in_an_encrypted_room_the_file_is_encrypted_and_readable_by_members(
    synapse, tmp_path
):
    """In an encrypted room the upload is ciphertext; a member decrypts it to the record."""
    s = await setup(synapse, tmp_path, ["alice", "bob"])
    try:
        room = await s.people.open(facilitator="alice", encrypted=True)
        await s.people.say("alice", "!atelier démarrer")  # the bot knows the room's devices
        await heard(s.people, "Étape 1/18")
        effect = PostFile(
            room=RoomId(room),
            key="archive.files",
            filename="trace-1.html",
            mime="text/html",
            text="<!DOCTYPE html><p>é 🌱</p>",
        )
        attempts = [0]

        async def posted() -> bool:  # the bot learns the room is encrypted from its sync
            attempts[0] += 1
            try:
                # a transaction id of its own: Synapse answers a reused one (the outbox's
                # "atelier-N") with the event it made then, and posts nothing
                await s.bot.adapter.perform(effect, idempotency_key=f"export-try-{attempts[0]}")
            except DeliveryError:
                return False
            return True

        await until("the file posted in the encrypted room", posted)
        bob = s.people.clients["bob"]
        files = await _file_events(bob, room)
        assert files and "file" in files[0] and "url" not in files[0]
        assert (await _download(bob, files[0])).decode() == effect.text
    finally:
        await s.close()


async def test_a_file_over_the_homeserver_limit_is_refused_for_good(synapse, tmp_path):
    """Over ``m.upload.size`` nothing is uploaded and the refusal is permanent (the outbox does
    not retry it); a file sent privately goes to the person's private room."""
    s = await setup(synapse, tmp_path, ["alice"])
    try:
        room = await s.people.open(facilitator="alice")
        files = s.bot.adapter._sender.files
        limit = await files._upload_limit(files.session.require())
        assert limit is not None and limit > 1_000_000  # Synapse's own (50 MB by default)
        big = PostFile(
            room=RoomId(room),
            key="archive.files",
            filename="trace-1.md",
            mime="text/markdown",
            text="x" * (limit + 1),
        )
        with pytest.raises(DeliveryError) as refused:
            await s.bot.adapter.perform(big, idempotency_key="atelier-1")
        assert refused.value.permanent
        alice = s.people.user_id("alice")
        private = dataclasses.replace(big, text=RECORD, user=UserId(alice))
        await s.bot.adapter.perform(private, idempotency_key="atelier-2")
        direct = s.people.direct["alice"]
        got = await _file_events(s.people.clients["alice"], direct)
        assert got and (await _download(s.people.clients["alice"], got[0])).decode() == RECORD
    finally:
        await s.close()
