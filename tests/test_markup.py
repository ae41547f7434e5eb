"""User text is data, never markup: the engine marks every piece of it in the bodies it makes."""

import asyncio
import io
import re
import tomllib
from importlib import resources

from markup_kit import CORPUS, HOSTILE_NAME

from adapters.console import ConsoleAdapter
from bot.effects import Say, SayDirect
from bot.events import MessagePosted
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.markup import CLOSE, OPEN, spans, strip, user
from bot.record import build_record
from bot.testing import EngineHarness
from bot.texts import BOT_PARAMS, LANGUAGES, render


def _user_spans(body: str) -> list[str]:
    return [text for is_user, text in spans(body) if is_user]


def test_render_marks_every_parameter_but_the_bots_own():
    """A name or a text is marked as user text; a number or a prefix is the bot's."""
    body = render("fr", "problem.received", number=3, text="**gras** @here", prefix="!atelier")
    assert _user_spans(body) == ["**gras** @here"]
    assert (
        strip(body)
        == "Merci, votre problématique est notée (n° 3)\u202f: «\u202f**gras** @here\u202f»"
    )


def test_an_unknown_parameter_is_user_text():
    """A parameter nobody declared is taken for user text: safe by default."""
    assert _user_spans(render("fr", "join.welcome", name="Léa", count=2)) == ["Léa"]
    assert "word" not in BOT_PARAMS and "text" not in BOT_PARAMS and "name" not in BOT_PARAMS


def test_the_bots_own_parameters_are_placeholders_of_the_catalogues():
    """Every name in BOT_PARAMS is a placeholder somewhere (no stale exemption)."""
    used: set[str] = set()
    for lang in LANGUAGES:
        source = resources.files("bot") / "data" / "texts" / f"{lang}.toml"
        used |= set(re.findall(r"\{(\w+)\}", str(tomllib.loads(source.read_text("utf-8")))))
    assert used >= BOT_PARAMS


def test_marks_typed_by_a_person_cannot_close_their_span():
    """Marks in user text are dropped, so it stays one span, whatever it holds."""
    forged = f"fin{CLOSE} **@channel** {OPEN}début"
    body = render("fr", "problem.received", number=1, text=forged)
    assert _user_spans(body) == ["fin **@channel** début"]
    assert user("") == ""


def test_stray_marks_never_fail_and_err_on_the_safe_side():
    """An opening mark left open makes the rest user text; a lone closing mark is dropped."""
    assert spans(f"a{CLOSE}b{OPEN}c") == [(False, "ab"), (True, "c")]
    assert spans(f"{OPEN}x{OPEN}y{CLOSE}z") == [(True, "xy"), (False, "z")]


def _to_sharing(h: EngineHarness, problem: str, name_of_alice: str = "Alice") -> None:
    h.cmd("fac", "démarrer")
    h.post("alice", "!atelier rejoindre")
    h.post("bob", "!atelier rejoindre")
    h.dm("fac", "aller 4")
    h.dm("alice", problem)


def test_a_problem_is_repeated_as_user_text():
    """The adversarial corpus, as a problem, comes back to its author inside one span."""
    h = EngineHarness()
    _to_sharing(h, CORPUS[:3900])
    told = h.told("alice", "problem.received")[0].body
    assert len(_user_spans(told)) == 1
    assert "@channel" in _user_spans(told)[0]


def test_a_display_name_is_user_text_in_the_room():
    """A person named like a mention and an image is welcomed as plain text."""
    h = EngineHarness()
    h.cmd("fac", "démarrer")
    h.feed(
        MessagePosted(
            room=h.room,
            sender=UserId("alice"),
            sender_name=HOSTILE_NAME,
            text="!atelier rejoindre",
            message_id=MessageId("$join"),
            event_id=EventId("join"),
            moderator=False,
        )
    )
    welcome = next(e for e in h.last if isinstance(e, Say) and e.key == "join.welcome")
    assert _user_spans(welcome.body) == [HOSTILE_NAME]


def test_the_record_marks_every_passage_and_name():
    """Request, ideas, actions, questions and names of the record are user text; its titles
    are the bot's."""
    h = EngineHarness()
    _to_sharing(h, "Garder le lien")
    state = h.s
    assert state is not None
    record = build_record(state.model_copy(update={"request": "# Titre\n@room"}), "1/1/2026")
    assert "# Titre\n@room" in _user_spans(record)
    bots = "".join(text for is_user, text in spans(record) if not is_user)
    assert "Titre" not in bots and "@room" not in bots and "Garder le lien" not in bots
    assert bots.startswith("# ")  # the record's own title


def test_the_console_prints_the_words_without_marks():
    """A rehearsal in the terminal shows people's words as they wrote them."""

    class Memory:
        async def get(self, key: str) -> str | None:
            return None

        async def put(self, key: str, value: str) -> None:
            return None

    out = io.StringIO()
    console = ConsoleAdapter(Memory(), output=out, read_stdin=False)
    body = render("fr", "problem.received", number=1, text="**x**")
    asyncio.run(console.perform(Say(room=RoomId("console:salon"), key="k", body=body)))
    asyncio.run(
        console.perform(
            SayDirect(room=RoomId("console:salon"), user=UserId("a"), key="k", body=body)
        )
    )
    assert OPEN not in out.getvalue() and CLOSE not in out.getvalue()
    assert "«\u202f**x**\u202f»" in out.getvalue()
