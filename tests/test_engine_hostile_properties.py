"""Hostile and careless input, at random: any command word with any arguments (odd digits,
markup, control characters, huge numbers, long texts), from anyone, at any step, never raises,
and no answer the bot writes grows with what was typed beyond the input cap."""

from conftest import FAC, PEOPLE, at_step
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import COMMANDS
from bot.effects import Say, SayDirect
from bot.formats import StepKind
from bot.sizes import INPUT_MAX

USERS = [FAC, *PEOPLE, "mod"]
WORDS = sorted({word for spec in COMMANDS for word in (spec.name, *spec.aliases)})
ODD = "0123456789²³٣١１½⁴#n°,;:.-+ @*_`~<>[]()!?«»\u202f\u00a0\u200b\u2028\ue000\ue001\n\téà🌻"
ARGS = st.one_of(
    st.tuples(st.sampled_from(list("²³٣١１½⁴")), st.text(alphabet=ODD, max_size=8)).map(" ".join),
    st.text(alphabet=ODD, max_size=30),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.just("9" * 5_000),
    st.just("mot " * 1_200),
)
STEP = st.tuples(
    st.sampled_from(["cmd", "dm"]), st.sampled_from(USERS), st.sampled_from(WORDS), ARGS
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(list(StepKind)), st.lists(STEP, max_size=25))
def test_any_command_with_any_arguments_never_raises(kind, steps):
    h = at_step(kind)
    for how, user, word, args in steps:
        line = f"{word} {args}"
        if how == "cmd":
            h.post(user, f"!atelier {line}", moderator=user == "mod")
        else:
            h.dm(user, line)
        h.clock.advance(3)
        for effect in h.last:
            if isinstance(effect, Say | SayDirect) and effect.key not in ("record.shared",):
                assert len(effect.body) < 3 * INPUT_MAX, effect.key
