"""The written record (trace) of an atelier: request, kept ideas, action plan, and annexes."""

from bot.state import AtelierState
from bot.texts import render

__all__ = ["build_record"]


def build_record(state: AtelierState, date: str) -> str:
    lang = state.lang

    def t(key: str, **params: object) -> str:
        return render(lang, key, **params)

    offerer = state.name(state.offerer) if state.offerer else "—"
    lines = [t("record.title", title=state.format.title(lang), date=date, offerer=offerer), ""]
    lines.append(t("record.request"))
    lines.append(f"> {state.request}" if state.request else t("record.none"))
    lines.append("")
    lines.append(t("record.kept"))
    kept = [c for c in state.contributions if c.number in state.kept]
    if kept:
        lines.extend(f"{c.number}. {c.text} — {state.name(c.author)}" for c in kept)
    else:
        lines.append(t("record.none"))
    lines.append("")
    lines.append(t("record.actions"))
    if state.actions:
        for action in state.actions:
            when = t("record.when", when=action.when) if action.when else ""
            lines.append(f"- {action.text}{when}")
    else:
        lines.append(t("record.none"))
    if state.questions:
        lines.append("")
        lines.append(t("record.questions"))
        lines.extend(f"- {q.text} ({state.name(q.author)})" for q in state.questions)
    if state.contributions:
        lines.append("")
        lines.append(t("record.contributions"))
        lines.extend(f"{c.number}. {c.text} ({state.name(c.author)})" for c in state.contributions)
    return "\n".join(lines)
