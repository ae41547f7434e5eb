"""A person's own data: ``mes-données`` (``my-data``) sends them, privately, what the bot holds
about them; ``oublie-moi`` (``forget-me``) erases their private inputs at once and puts a
neutral mention in place of their name, in the atelier running and in the archived records.

Private inputs are the ones the group never saw: rebonds, notes, a problem not chosen, the hot
feedback. What the group saw with everyone's consent (questions, ideas, rules, the request)
stays the group's, without the name. The engine changes the state; the store does the rest
(``PersonalData`` → ``bot/store_people.py``) and reports back (``PersonalDataFound``).
"""

from bot import cycles
from bot.context import Ctx, Invocation
from bot.effects import PersonalData
from bot.events import PersonalDataFound
from bot.ids import UserId
from bot.state import AtelierState
from bot.texts import catalogue, one_line

__all__ = ["answer", "forget_me", "my_data"]

#: how many of their inputs ``mes-données`` lists in full (the count says if there are more)
_LISTED = 40
#: characters of each
_EXCERPT = 300


def my_data(call: Invocation) -> None:
    _ask(call, forget=False)


def forget_me(call: Invocation) -> None:
    ctx, person = call.ctx, call.user
    if ctx.has_atelier and person in ctx.s.people:
        _forget_in_state(ctx.s, person, ctx.t("privacy.neutral"))
        ctx.record("forgotten", person, "")
    _ask(call, forget=True)


def _ask(call: Invocation, *, forget: bool) -> None:
    ctx = call.ctx
    names = {call.name}
    if ctx.has_atelier and call.user in ctx.s.people:
        names.add(ctx.s.people[call.user].name)
    ctx.effects.append(
        PersonalData(
            room=ctx.room,
            user=UserId(call.user),
            names=tuple(sorted(n for n in names if n)),
            lang=ctx.lang,
            forget=forget,
        )
    )


def _forget_in_state(s: AtelierState, person: str, neutral: str) -> None:
    """Their private inputs go; their name becomes a neutral mention."""
    s.rebounds = [e for e in s.rebounds if e.author != person]
    s.offerer_notes = [e for e in s.offerer_notes if e.author != person]
    s.feelings = [e for e in s.feelings if e.author != person]
    s.problems = [p for p in s.problems if p.author != person or p.number == s.chosen]
    cycles.forget(s, person)
    s.people[person] = s.people[person].model_copy(update={"name": neutral, "forgotten": True})
    if s.facilitator == person:
        s.facilitator_name = neutral


def answer(ctx: Ctx, found: PersonalDataFound, prefix: str) -> None:
    if found.forget:
        ctx.dm(found.user, "privacy.forgotten", count=len(found.inputs), records=found.records)
        return
    if not found.inputs and not found.records:
        ctx.dm(found.user, "privacy.nothing")
        return
    labels = catalogue(ctx.lang)
    lines = [
        ctx.t(
            "privacy.line",
            kind=labels.get(f"privacy.kinds.{kind}", kind),
            text=one_line(text, _EXCERPT),
        )
        for kind, text in found.inputs[:_LISTED]
    ]
    more = len(found.inputs) - _LISTED
    if more > 0:
        lines.append(ctx.t("privacy.more", count=more))
    ctx.dm(
        found.user,
        "privacy.yours",
        count=len(found.inputs),
        lines="\n".join(lines) or "—",
        records=found.records,
        prefix=prefix,
    )
