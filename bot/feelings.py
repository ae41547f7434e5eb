"""The group's hot feedback, summarised without names: how many answered, the average score,
and the words people chose (each person's last answer; words in alphabetical order, so that
their order says nothing of who wrote them). The record leaves out the answers of the people
whose words it may not share (``withheld``)."""

from bot.state import AtelierState
from bot.texts import one_line, render

__all__ = ["feelings_summary"]

#: a word longer than this is cut (the summary is a glance, not a transcript)
LONGEST = 80


def feelings_summary(state: AtelierState, withheld: frozenset[str] = frozenset()) -> str | None:
    """One line about the hot feedback, or None when nobody gave any."""
    last = {e.author: e for e in state.feelings if e.author not in withheld}
    if not last:
        return None
    scores = [e.score for e in last.values() if e.score is not None]
    words = sorted(
        {one_line(e.text, LONGEST) for e in last.values() if e.text.strip()},
        key=lambda w: w.casefold(),
    )
    lang = state.lang
    parts = [render(lang, "feeling.summary_count", count=len(last))]
    if scores:
        average = f"{sum(scores) / len(scores):.1f}".removesuffix(".0")
        if lang == "fr":
            average = average.replace(".", ",")
        parts.append(render(lang, "feeling.summary_score", average=average))
    if words:
        parts.append(render(lang, "feeling.summary_words", words=", ".join(words)))
    separator = render(lang, "feeling.summary_separator")
    return render(lang, "feeling.summary", parts=separator.join(parts))
