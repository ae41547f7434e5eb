"""Long messages are split into numbered parts within the platform's limit, nothing lost."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.markup import spans, strip, user
from bot.split import fitting, parts


def test_a_message_that_fits_is_sent_as_is():
    assert parts("Bonjour à toutes et à tous", 100) == ["Bonjour à toutes et à tous"]


def test_a_long_record_is_cut_between_paragraphs_and_numbered():
    paragraphs = [f"Paragraphe {n} : " + "idée " * 40 for n in range(30)]
    body = "\n\n".join(paragraphs)
    pieces = parts(body, 1_000)
    assert len(pieces) > 1
    assert all(len(piece) <= 1_000 for piece in pieces)
    assert pieces[0].endswith(f"(1/{len(pieces)})")
    assert all(piece.split(" (")[0].startswith("Paragraphe") for piece in pieces)


def test_a_40_kb_word_is_cut_anyway():
    pieces = parts("é" * 40_000, 16_383)
    assert len(pieces) == 3 and all(len(p) <= 16_383 for p in pieces)


@settings(max_examples=300)
@given(st.text(min_size=0, max_size=5_000), st.integers(min_value=40, max_value=3_000))
def test_every_part_fits_and_no_word_is_lost(body, limit):
    pieces = parts(body, limit)
    assert all(len(piece) <= limit for piece in pieces)
    if len(pieces) > 1:
        joined = "".join(p.rsplit(" (", 1)[0] for p in pieces)
        assert "".join(strip(joined).split()) == "".join(strip(body).split())


def test_a_span_of_user_text_cut_in_two_stays_user_text_in_both_parts():
    body = "**Trace**\n" + user("mot " * 500) + "\nfin"
    pieces = parts(body, 600)
    assert len(pieces) > 2
    for piece in pieces[1:-1]:
        assert spans(piece)[0][0] is True  # plain user text, not markup
    assert strip("".join(pieces)).count("mot") == 500


def test_fitting_shrinks_the_parts_until_the_formatted_message_fits():
    body = user("@tout le monde " * 400)
    pieces = fitting(body, lambda piece: len(piece) * 2 <= 3_000)
    assert all(len(piece) * 2 <= 3_000 for piece in pieces)
