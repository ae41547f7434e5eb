"""Matrix: people's words are escaped HTML and plain lines, never a title, list, quote or ping."""

import html
import re

import pytest
from markup_kit import CORPUS, CORPUS_PARTS, HOSTILE_NAME, WORD_JOINER, as_lines

from adapters.matrix_html import to_html, to_plain
from bot.markup import user
from bot.texts import render

CASES = [*CORPUS_PARTS, CORPUS, HOSTILE_NAME]
_BLOCKS = re.compile(r"<(h\d|ul|ol|li|blockquote|pre|table|hr|p)\b")
_ROOM_PING = re.compile(r"(^|\W)@room(\W|$)")


@pytest.mark.parametrize("where", ["{}", "Texte du bot : {}", "> {}", "- {}", "**{}**"])
@pytest.mark.parametrize("text", CASES)
def test_user_text_adds_no_html_block_or_tag_on_matrix(text, where):
    """The HTML has the blocks and tags of the bot's text only; the user text is escaped."""
    alone = to_html(where.format("x"))
    formatted = to_html(where.format(user(text)))
    assert sorted(_BLOCKS.findall(formatted)) == sorted(_BLOCKS.findall(alone))
    tags = re.findall(r"<(\w+)", formatted)
    assert set(tags) <= set(re.findall(r"<(\w+)", alone)) | {"br"}


@pytest.mark.parametrize("text", CASES)
def test_user_text_reads_as_written_on_matrix(text):
    """Line breaks become ``<br>``; the text is what the person wrote, @ made inert."""
    formatted = to_html(user(text))
    shown = html.unescape(formatted.replace("<br>", "\n")).replace(WORD_JOINER, "")
    assert shown == as_lines(text)
    assert to_plain(user(text)).replace(WORD_JOINER, "") == shown


@pytest.mark.parametrize("text", CASES)
def test_no_room_ping_from_user_text_on_matrix(text):
    """Neither body carries ``@room`` (nor a user id) that a client would notify on."""
    body = render("fr", "problem.received", number=1, text=text + " @room")
    assert not _ROOM_PING.search(to_plain(body))
    assert not _ROOM_PING.search(html.unescape(to_html(body)))
    assert not re.search(r"@[a-z]", to_plain(body))


def test_the_bots_own_markup_still_becomes_html():
    """Bold, code, lists and quotes of the catalogue are HTML, with the user text inside."""
    body = render(
        "fr", "choice.card", number=2, text="# pas un titre\n- pas une liste", author="Léa"
    )
    formatted = to_html(body)
    assert formatted.startswith("<strong>N° 2</strong> — # pas un titre<br>- pas une liste")
    assert "<h4>" not in formatted and "<ul>" not in formatted
    quoted = to_html("> " + user("ligne 1\n# ligne 2"))
    assert quoted == "<blockquote>ligne 1<br># ligne 2</blockquote>"
    assert to_plain("**N° 1** " + user("**à moi**")) == "N° 1 **à moi**"
