"""The written record (trace) of an atelier: request, kept ideas, action plan, and annexes.

Each passage belongs to the person who wrote it. ``authors`` says whose words a record holds,
and ``build_record`` can leave out the passages of some people (``withheld``): each one is
then replaced by a neutral mention, and their name does not appear. Every passage and name is
marked as user text (``bot.markup``): the record's own headings stay its only markup.
"""

from bot.feelings import feelings_summary
from bot.markup import user
from bot.state import AtelierState, Entry
from bot.texts import render

__all__ = ["authors", "build_record"]


def authors(state: AtelierState) -> list[str]:
    """Everyone whose words the record holds, the offerer first (the request and the plan);
    the words of the hot feedback count, although the summary does not name who wrote them."""
    people: list[str] = [state.offerer] if state.offerer else []
    kept = [c for c in state.contributions if c.number in state.kept]
    feelings = [f.author for f in state.feelings if f.text.strip()]
    for author in (*(e.author for e in (*kept, *state.questions, *state.contributions)), *feelings):
        if author not in people:
            people.append(author)
    return people


def build_record(state: AtelierState, date: str, withheld: frozenset[str] = frozenset()) -> str:
    lang = state.lang

    def t(key: str, **params: object) -> str:
        return render(lang, key, **params)

    def passage(entry: Entry, shape: str) -> str:
        if entry.author in withheld:
            return t("record.withheld")
        return shape.format(text=user(entry.text), name=user(state.name(entry.author)))

    offerer = state.name(state.offerer) if state.offerer else "—"
    lines = [t("record.title", title=state.format.title(lang), date=date, offerer=offerer), ""]
    lines.append(t("record.request"))
    lines.append(f"> {user(state.request)}" if state.request else t("record.none"))
    lines.append("")
    lines.append(t("record.kept"))
    kept = [c for c in state.contributions if c.number in state.kept]
    if kept:
        lines.extend(f"{c.number}. " + passage(c, "{text} — {name}") for c in kept)
    else:
        lines.append(t("record.none"))
    lines.append("")
    lines.append(t("record.actions"))
    if state.actions:
        for action in state.actions:
            when = t("record.when", when=action.when) if action.when else ""
            lines.append(f"- {user(action.text)}{when}")
    else:
        lines.append(t("record.none"))
    feelings = feelings_summary(state, withheld)
    if feelings is not None:
        lines.append("")
        lines.append(feelings)
    if state.questions:
        lines.append("")
        lines.append(t("record.questions"))
        lines.extend("- " + passage(q, "{text} ({name})") for q in state.questions)
    if state.contributions:
        lines.append("")
        lines.append(t("record.contributions"))
        lines.extend(f"{c.number}. " + passage(c, "{text} ({name})") for c in state.contributions)
    return "\n".join(lines)
