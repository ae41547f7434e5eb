"""A shared record as files (issue 16 §4): a Markdown file and a self-contained HTML page,
posted in the room when the group shares the record, and on request (`exporter N`). People's
words are data in both files; the outbox keeps and retries a file like any message."""

import re

from conftest import FAC, PEOPLE, goto, with_offerer
from replay_kit import replay
from waiting import until

from bot.effects import PostFile, Say
from bot.engine import Engine, EngineSettings
from bot.events import MessagePosted
from bot.export import html_page, markdown_file
from bot.formats import StepKind, load_formats
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.markup import user
from bot.runtime import Runtime
from bot.serialize import effect_from_json, effect_to_json
from bot.store import Store
from bot.testing import EngineHarness, RecordingAdapter
from devkit.bench_stream import record_atelier

HOSTILE = '# Titre <script>alert(1)</script> [lien](http://evil.example) **gras** `code` & "q"'


def _shared_with_hostile_words(h: EngineHarness) -> list[PostFile]:
    """Alice's request holds markup-looking text; everyone agrees to share."""
    with_offerer(h)
    goto(h, StepKind.REFORMULATION)
    h.cmd("alice", "demande " + HOSTILE)
    goto(h, StepKind.RECORD)
    h.dm("alice", "oui")
    for person in PEOPLE[1:]:
        h.dm(person, "oui")
    assert h.said("record.shared", h.effects)
    return [e for e in h.effects if isinstance(e, PostFile)]


def test_a_shared_record_is_posted_in_the_room_as_markdown_and_html(h: EngineHarness):
    """When the group shares the record, the room receives both files, with a caption."""
    files = _shared_with_hostile_words(h)
    assert [(f.filename.rsplit(".", 1)[1], f.mime, f.user) for f in files] == [
        ("md", "text/markdown", None),
        ("html", "text/html", None),
    ]
    assert files[0].filename.startswith("trace-2026-01-01")
    assert "la trace en fichiers" in files[0].caption


def test_people_s_words_are_data_in_the_markdown_file(h: EngineHarness):
    """Nothing a person wrote becomes a title, a link, code or HTML in the Markdown file."""
    markdown = _shared_with_hostile_words(h)[0].text
    assert "\\# Titre \\<script\\>alert\\(1\\)\\<\\/script\\>" in markdown
    assert "\\[lien\\]\\(http\\:\\/\\/evil\\.example\\)" in markdown
    assert "\\*\\*gras\\*\\*" in markdown and "\\`code\\`" in markdown
    assert markdown.startswith("# ")  # the bot's own title stays a title


def test_the_html_page_escapes_everything_people_wrote_and_stands_alone(h: EngineHarness):
    """The page: escaped words, its language, a phone-sized viewport, nothing fetched."""
    page = _shared_with_hostile_words(h)[1].text
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<a " not in page and "<strong>gras</strong>" not in page
    assert '<html lang="fr">' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert not re.search(r"(src|href)=", page)
    assert "<h1>" in page and "</html>" in page


def test_a_long_text_with_line_breaks_and_emoji_stays_whole_in_both_files():
    """A 40 KB passage with line breaks, accents and emoji: every word is in both files, its
    lines kept, in one block of the bot's."""
    long = "\n".join(f"Ligne {n} — Élise 🌱 dit « oui »" for n in range(1300))
    assert len(long) > 40_000
    body = "# Trace\n\n- " + user(long)
    markdown = markdown_file("Trace", body)
    page = html_page("Trace", body, "en")
    assert markdown.count("Élise 🌱") == page.count("Élise 🌱") == 1300
    assert "Ligne 1299" in markdown and "Ligne 1299" in page
    assert page.count("<li>") == 1 and page.count("<br>") == 1299
    assert '<html lang="en">' in page


def test_a_file_waiting_in_the_outbox_survives_as_json():
    """The outbox stores a file like any effect: the same after a round trip."""
    effect = PostFile(
        room=RoomId("!r:test"),
        key="archive.files",
        filename="trace-1.md",
        mime="text/markdown",
        text="# Trace 🌱\n\n« é »",
        caption="📎",
        user=UserId("@a:test"),
    )
    assert effect_from_json(effect_to_json(effect)) == effect


ROOM = RoomId("!bench:localhost")


def _typed(text: str, message_id: str) -> MessagePosted:
    """P3 writes ``text`` in the replayed atelier's room."""
    return MessagePosted(
        room=ROOM,
        sender=UserId("p3"),
        sender_name="P3",
        text=text,
        message_id=MessageId(message_id),
        event_id=EventId(message_id),
    )


async def test_export_n_posts_the_record_where_it_was_asked(tmp_path):
    """`exporter 1` in the room posts both files there; a number not in the archive, or none,
    gets a kind answer and no file."""
    played = await replay(tmp_path / "atelier.db", record_atelier())
    try:
        shared = [e for e in played.adapter.performed if isinstance(e, PostFile)]
        assert len(shared) == 2  # posted when the group shared it
        for n, text in enumerate(("exporter 1", "exporter 9", "exporter", "export 1")):
            before = len(played.adapter.performed)
            await played.runtime.process(_typed(f"!atelier {text}", f"$x{n}"))
            await played.runtime.settled()
            new = played.adapter.performed[before:]
            files = [e for e in new if isinstance(e, PostFile)]
            if text.endswith("1"):
                assert [f.filename for f in files] == ["trace-1.md", "trace-1.html"]
                assert "Chez nous, nous avons essayé ceci." in files[1].text
            else:
                said = [e for e in new if isinstance(e, Say)]
                assert not files and said
                assert ("n° 9" in said[0].body) if "9" in text else ("exporter 3" in said[0].body)
    finally:
        await played.close()


async def test_a_file_is_retried_until_the_platform_is_back(tmp_path):
    """The platform is down when the record is exported: the files wait in the outbox, in
    order, and are posted once when it is back."""
    played = await replay(tmp_path / "atelier.db", record_atelier())
    try:
        played.adapter.down = True
        await played.runtime.process(_typed("!atelier exporter 1", "$y"))
        await played.runtime.settled()
        pending = await played.store.pending(ROOM)
        assert [type(i.effect).__name__ for i in pending] == ["PostFile", "PostFile"]
        played.adapter.down = False
        await played.runtime.delivery.deliver_owed("test")  # as when the platform reconnects
        files = [e for e in played.adapter.performed if isinstance(e, PostFile)]
        assert [f.filename for f in files[-2:]] == ["trace-1.md", "trace-1.html"]
        assert len(files) == 4 and not await played.store.pending(ROOM)
    finally:
        await played.close()


def test_export_asked_privately_comes_privately(h: EngineHarness):
    """Asked in a private message, the files go to that person only (the engine asks the
    archive; the answer is posted to them)."""
    h.cmd(FAC, "démarrer")
    h.dm("alice", "exporter 2")
    queries = [e for e in h.last if type(e).__name__ == "ArchiveQuery"]
    assert queries and queries[0].direct and queries[0].export and queries[0].number == 2  # type: ignore[attr-defined]


def test_in_an_atelier_run_in_a_thread_the_files_go_to_that_thread(h: EngineHarness):
    """'démarrer --fil': the shared record's files are posted in the atelier's thread."""
    h.cmd(FAC, "démarrer --fil")
    root = h.last_message_id
    for person in PEOPLE:
        h.cmd(person, "rejoindre", thread=root)
    while h.s.kind is not StepKind.PROBLEM_SEARCH:
        h.dm(FAC, "next")
    for person in PEOPLE:
        h.dm(person, f"Le problème de {person}")
    goto(h, StepKind.CHOICE)
    h.cmd("alice", "vote 1 1", thread=root)
    h.dm(FAC, "next")
    h.cmd("alice", "oui", thread=root)
    goto(h, StepKind.RECORD)
    h.dm("alice", "oui")
    for person in PEOPLE[1:]:
        h.dm(person, "oui")
    files = [e for e in h.effects if isinstance(e, PostFile)]
    assert len(files) == 2 and all(f.thread == root for f in files)


def test_export_asked_in_a_side_thread_is_answered_there(h: EngineHarness):
    """'exporter 1' typed in a thread: the question remembers the thread, for the files."""
    h.cmd("alice", "exporter 1", thread="$side")
    queries = [e for e in h.last if type(e).__name__ == "ArchiveQuery"]
    assert queries and queries[0].thread == "$side"  # type: ignore[attr-defined]


async def test_files_owed_when_the_bot_stops_are_posted_once_after_a_restart(tmp_path):
    """The platform is down, the bot stops with both files in its outbox: the next start posts
    them, in order, once each."""
    played = await replay(tmp_path / "atelier.db", record_atelier())
    played.adapter.down = True
    await played.runtime.process(_typed("!atelier exporter 1", "$z"))
    await played.runtime.settled()
    await played.close()
    later = played.now[0] + 5  # the replay's clock, a moment later
    store = await Store.open(tmp_path / "atelier.db")
    adapter = RecordingAdapter()
    runtime = Runtime(
        Engine(EngineSettings(), load_formats()), store, [adapter], clock=lambda: later
    )
    try:
        await runtime.start()
        await until("the files are posted", lambda: len(adapter.performed) >= 2)
        files = [e for e in adapter.performed if isinstance(e, PostFile)]
        assert [f.filename for f in files] == ["trace-1.md", "trace-1.html"]
        assert not await store.pending(ROOM)
    finally:
        await runtime.stop()
        await store.close()
