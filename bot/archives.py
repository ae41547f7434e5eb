"""``archives``: the group's shared records, found again.

``archives`` lists the latest, ``archives bénévoles été`` those holding these words,
``archives 3`` shows record n° 3, ``archives supprimer 3`` deletes it (a room moderator, or
the facilitator of the atelier running), ``exporter 3`` posts it as a Markdown file and an
HTML page (``bot/export.py``; a record is also posted so when the group shares it). Works
with or without an atelier running. The engine asks the runtime to look (``ArchiveQuery``)
and answers when it hears back (``ArchiveFound``); only records everyone agreed to share are
there (``bot/steps/record.py``).
"""

import dataclasses

from bot import clock, export
from bot.context import Ctx, Invocation
from bot.effects import ArchiveQuery, PostFile
from bot.events import ArchiveFound
from bot.ids import UserId
from bot.numbers import whole
from bot.texts import one_line

__all__ = ["answer", "ask", "export_record", "history", "post_files"]

_DELETE = ("supprimer", "delete", "effacer")
#: characters of a request shown in a list
_EXCERPT = 160


def ask(call: Invocation) -> None:
    ctx, words = call.ctx, call.args.strip()
    head, _, rest = words.partition(" ")
    number: int | None = None
    delete = head.lower() in _DELETE
    if delete:
        number = whole(rest.strip().lstrip("#n°"))
        steering = ctx.has_atelier and call.user == ctx.s.facilitator
        if not (call.moderator or steering):
            call.tell("archive.delete_refused", prefix=call.prefix)
            return
        if number is None:
            call.tell("archive.how", prefix=call.prefix)
            return
        words = ""
    elif whole(words.lstrip("#n°")) is not None:
        number, words = whole(words.lstrip("#n°")), ""
    ctx.effects.append(
        ArchiveQuery(
            room=ctx.room,
            user=UserId(call.user),
            direct=call.direct,
            words=words,
            number=number,
            delete=delete,
            thread=ctx.reply_thread,
        )
    )


def export_record(call: Invocation) -> None:
    """``exporter 3`` (``export 3``): record n° 3 as files, where it was asked."""
    number = whole(call.args.strip().lstrip("#n°"))
    if number is None:
        call.answer("archive.export_how", prefix=call.prefix)
        return
    query = ArchiveQuery(
        room=call.ctx.room, user=UserId(call.user), direct=call.direct, thread=call.ctx.reply_thread
    )
    call.ctx.effects.append(dataclasses.replace(query, number=number, export=True))


def post_files(
    ctx: Ctx, title: str, body: str, stem: str, user: str | None = None, *, reply: bool = False
) -> None:
    """The record as a Markdown file and an HTML page, in the room (or to ``user``): in the
    atelier's thread, or with ``reply`` where the person asked (as ``Ctx.say_text``)."""
    to = UserId(user) if user is not None else None
    thread = ctx.thread_for(reply) if to is None else None
    caption = ctx.t("archive.files", title=title)
    for suffix, mime, text in (
        ("md", "text/markdown", export.markdown_file(title, body)),
        ("html", "text/html", export.html_page(title, body, ctx.lang)),
    ):
        ctx.effects.append(
            PostFile(
                room=ctx.room,
                key="archive.files",
                filename=f"{stem}.{suffix}",
                mime=mime,
                text=text,
                caption=caption if suffix == "md" else "",
                user=to,
                thread=thread,
            )
        )


def history(call: Invocation) -> None:
    """``historique``: the room's past sessions, with their record's number when shared."""
    query = ArchiveQuery(
        room=call.ctx.room, user=UserId(call.user), direct=call.direct, thread=call.ctx.reply_thread
    )
    call.ctx.effects.append(dataclasses.replace(query, history=True))


def answer(ctx: Ctx, found: ArchiveFound, prefix: str) -> None:
    query = found.query
    user, direct = query.user, query.direct
    ctx.reply_thread, ctx.from_room = query.thread, not direct
    if found.history is not None:
        _history(ctx, found, prefix)
        return
    if query.delete:
        key = "archive.deleted" if found.deleted else "archive.unknown_number"
        ctx.answer(user, direct, key, number=query.number, prefix=prefix)
        return
    if query.number is not None:
        if not found.found:
            ctx.answer(user, direct, "archive.unknown_number", number=query.number, prefix=prefix)
            return
        record = found.found[0]
        if query.export:
            stem = ctx.t("archive.file_stem", number=record.number)
            post_files(ctx, record.title, record.text, stem, user if direct else None, reply=True)
            return
        intro = ctx.t("archive.shown", number=record.number, prefix=prefix)
        body = intro + "\n\n" + record.text
        if direct:
            ctx.dm_text(user, "archive.shown", body)
        else:
            ctx.say_text("archive.shown", body, mentions=(user,), reply=True)
        return
    if not found.found:
        key = "archive.none" if query.words else "archive.empty"
        ctx.answer(user, direct, key, words=query.words, prefix=prefix)
        return
    lines = [
        ctx.t(
            "archive.line",
            number=record.number,
            title=record.title,
            request=one_line(record.request, _EXCERPT) or "—",
        )
        for record in found.found
    ]
    key = "archive.found" if query.words else "archive.latest"
    ctx.answer(
        user,
        direct,
        key,
        words=query.words,
        count=len(found.found),
        lines="\n".join(lines),
        prefix=prefix,
    )


def _history(ctx: Ctx, found: ArchiveFound, prefix: str) -> None:
    sessions = found.history or ()
    if not sessions:
        ctx.answer(found.query.user, found.query.direct, "archive.history_none", prefix=prefix)
        return
    lines = []
    for session in sessions:
        when = clock.date(session.started_at, session.timezone)
        if session.number is None:
            lines.append(ctx.t("archive.history_private", date=when))
        else:
            title = session.title or when
            lines.append(ctx.t("archive.history_shared", number=session.number, title=title))
    ctx.answer(
        found.query.user,
        found.query.direct,
        "archive.history",
        count=len(sessions),
        lines="\n".join(lines),
        prefix=prefix,
    )
