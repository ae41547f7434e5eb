"""Mattermost: people's words in the bot's messages notify nobody, load nothing, break nothing."""

import pytest
from markup_kit import (
    CORPUS,
    CORPUS_PARTS,
    HOSTILE_NAME,
    as_written,
    mattermost_blocks,
    mattermost_links,
    mattermost_mentions,
    mattermost_shown,
)

from adapters.mattermost_markdown import escape_text, to_mattermost
from bot.markup import user
from bot.texts import render

CASES = [*CORPUS_PARTS, CORPUS, HOSTILE_NAME]


@pytest.mark.parametrize("text", CASES)
def test_user_text_mentions_nobody_on_mattermost(text):
    """Neither the server nor the web app finds a mention in escaped user text."""
    out = escape_text(text)
    assert mattermost_mentions(out) == set()
    assert "at_mention" not in mattermost_links(out)


@pytest.mark.parametrize("text", CASES)
def test_user_text_opens_no_link_image_or_inline_markup_on_mattermost(text):
    """No URL, autolink, link, image, code, emphasis, strike-through, cell, HTML or entity."""
    assert mattermost_links(escape_text(text)) == set()


@pytest.mark.parametrize("text", CASES)
def test_user_text_opens_no_block_on_mattermost(text):
    """No title, list, quote, code block, fence, rule, underline, table or HTML block, even
    where the user text starts a line of the bot's message."""
    for where in ("{}", "Texte du bot : {}", "> {}", "- {}"):
        message = where.format(escape_text(text))
        assert mattermost_blocks(message) <= mattermost_blocks(where.format("x"))


@pytest.mark.parametrize("text", CASES)
def test_user_text_reads_as_written_on_mattermost(text):
    """What a reader sees is what the person wrote (line breaks and controls normalised)."""
    assert mattermost_shown(escape_text(text)) == as_written(text)


def test_the_adversarial_corpus_is_long_and_mixed():
    """The corpus holds over 2,000 characters of every hostile case, emoji and RTL."""
    assert len(CORPUS) >= 2000
    for needle in ("@channel", "![", "```", "# ", "| a |", "> ", "🎉", "\u202e", "مرحبا"):
        assert needle in CORPUS
    assert max(len(line) for line in CORPUS.splitlines()) > 600


def test_only_the_bots_markup_is_markup_on_mattermost():
    """Bold and code of the catalogue stay; the person's words around them are plain."""
    body = render("fr", "problem.received", number=3, text="**gras** @here")
    message = to_mattermost(body)
    assert message.startswith("Merci, votre problématique est notée (n° 3)")
    assert "\\*\\*gras\\*\\* @\u2060here" in message
    assert mattermost_mentions(message) == set()
    card = to_mattermost(render("fr", "choice.card", number=2, text="x", author=HOSTILE_NAME))
    assert card.startswith("**N° 2** — x")  # the bot's bold is kept
    assert "@channel" not in mattermost_mentions(card)


def test_a_name_as_a_mention_notifies_nobody_on_mattermost():
    """A display name written ``@all`` reads as text: only the bot's own mentions notify."""
    message = to_mattermost(render("fr", "join.welcome", name="@all", count=2))
    assert mattermost_mentions(message) == set()
    assert "@\u2060all" in message


def test_forged_marks_do_not_let_user_text_out_on_mattermost():
    """Marks typed by a person are dropped: their text cannot close its span."""
    forged = "fin\ue001 **@channel** \ue000"
    message = to_mattermost("Bot : " + user(forged) + " — fin")
    assert mattermost_mentions(message) == set()
    assert "\\*\\*" in message
