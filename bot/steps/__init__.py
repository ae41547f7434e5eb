"""The steps of a format: one module per step or family of steps, and the table of them.

``STEPS`` is the truth, as h11's ``_state.py`` tables are: for each kind of step, its rules
(``StepRules``): entering and finishing it, its deadline, what room and private text mean
there, the commands it accepts and whether a jump may enter it. Adding a step to a format
means writing its module, adding its row here and its ``kind`` in ``bot/formats.py``.

Every function takes the ``Ctx`` of one ``decide`` call and changes its state in place.
"""

from bot.formats import StepKind
from bot.steps import choice, closing, consent, exchanges, inquiry, opening, problems, record
from bot.steps.base import CommandHandler, StepRules, planned_end, title
from bot.steps.choice import on_card_reaction, on_card_reaction_removed
from bot.steps.consent import author_of_chosen, on_consent_reaction
from bot.steps.edits import on_edit, on_removed
from bot.steps.floor import hand, next_speaker, on_turn_timeout
from bot.steps.flow import advance, finish_atelier, on_deadline, on_warning, start_step
from bot.steps.inquiry import set_request
from bot.steps.opening import join, on_rules_reaction, on_welcome_hand, rules_text
from bot.steps.problems import submit_problem
from bot.steps.record import conclude_record, on_record_reaction
from bot.steps.record import take_back as take_back_record_answer
from bot.steps.timekeeping import END_TIMER, on_announced_end, watch_plan

__all__ = [
    "END_TIMER",
    "STEPS",
    "CommandHandler",
    "StepRules",
    "accepted_in",
    "advance",
    "author_of_chosen",
    "conclude_record",
    "finish_atelier",
    "hand",
    "join",
    "next_speaker",
    "on_announced_end",
    "on_card_reaction",
    "on_card_reaction_removed",
    "on_consent_reaction",
    "on_deadline",
    "on_edit",
    "on_record_reaction",
    "on_removed",
    "on_rules_reaction",
    "on_turn_timeout",
    "on_warning",
    "on_welcome_hand",
    "planned_end",
    "rules_text",
    "set_request",
    "start_step",
    "submit_problem",
    "take_back_record_answer",
    "title",
    "watch_plan",
]

K = StepKind

STEPS: dict[StepKind, StepRules] = {
    K.WELCOME: opening.WELCOME,
    K.PRESENTATION: opening.PRESENTATION,
    K.GROUND_RULES: opening.GROUND_RULES,
    K.PROBLEM_SEARCH: problems.PROBLEM_SEARCH,
    K.PROBLEM_SHARING: problems.PROBLEM_SHARING,
    K.CHOICE: choice.CHOICE,
    K.CONSENT: consent.CONSENT,
    K.SITUATION: inquiry.SITUATION,
    K.CLARIFICATION: inquiry.CLARIFICATION,
    K.REFORMULATION: inquiry.REFORMULATION,
    K.REFLECTION: exchanges.REFLECTION,
    K.EXCHANGES: exchanges.EXCHANGES,
    K.HARVEST: closing.HARVEST,
    K.ACTION_PLAN: closing.ACTION_PLAN,
    K.OFFERER_SHARING: closing.OFFERER_SHARING,
    K.CONTRIBUTOR_SHARING: closing.CONTRIBUTOR_SHARING,
    K.HOT_FEEDBACK: closing.HOT_FEEDBACK,
    K.RECORD: record.RECORD,
}

_missing = set(StepKind) - set(STEPS)
if _missing:
    raise RuntimeError(f"steps without rules: {sorted(_missing)}")

#: The steps that accept each step-bound command (the others are accepted in any step).
_ACCEPTED: dict[str, frozenset[StepKind]] = {
    name: frozenset(kind for kind, rules in STEPS.items() if name in rules.commands)
    for name in {name for rules in STEPS.values() for name in rules.commands}
}


def accepted_in(command: str) -> frozenset[StepKind] | None:
    """The steps in which a command makes sense; ``None``: in any step."""
    return _ACCEPTED.get(command)
