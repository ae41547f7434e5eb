"""Formats (déroulés): the ordered steps of a kind of session, loaded from TOML and validated.

The kit's atelier d'entraide ships in ``bot/data/formats/``; a deployment may add its own
files in a folder named by ``[bot] formats_dir``. A bad file fails at start-up with the file,
the key and the reason (``FormatError``).
"""

import tomllib
from enum import StrEnum
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

__all__ = [
    "DEFAULT_FORMAT_ID",
    "Format",
    "FormatError",
    "Step",
    "StepKind",
    "load_format",
    "load_formats",
]

DEFAULT_FORMAT_ID = "atelier_entraide"


class StepKind(StrEnum):
    WELCOME = "welcome"
    PRESENTATION = "presentation"
    GROUND_RULES = "ground_rules"
    PROBLEM_SEARCH = "problem_search"
    PROBLEM_SHARING = "problem_sharing"
    CHOICE = "choice"
    CONSENT = "consent"
    SITUATION = "situation"
    CLARIFICATION = "clarification"
    REFORMULATION = "reformulation"
    REFLECTION = "reflection"
    EXCHANGES = "exchanges"
    HARVEST = "harvest"
    ACTION_PLAN = "action_plan"
    OFFERER_SHARING = "offerer_sharing"
    CONTRIBUTOR_SHARING = "contributor_sharing"
    HOT_FEEDBACK = "hot_feedback"
    RECORD = "record"


#: Steps in which people speak in turn, and whether the order is fixed (True) or by raised hands.
TURN_STEPS: dict[StepKind, bool] = {
    StepKind.PROBLEM_SHARING: True,
    StepKind.CLARIFICATION: False,
    StepKind.EXCHANGES: False,
    StepKind.CONTRIBUTOR_SHARING: True,
}

#: Steps that need a chosen offerer; they must come after the consent step.
NEEDS_OFFERER = frozenset(
    {
        StepKind.SITUATION,
        StepKind.CLARIFICATION,
        StepKind.REFORMULATION,
        StepKind.REFLECTION,
        StepKind.EXCHANGES,
        StepKind.HARVEST,
        StepKind.ACTION_PLAN,
        StepKind.OFFERER_SHARING,
        StepKind.CONTRIBUTOR_SHARING,
    }
)

#: Each kind that needs another kind earlier in the format.
REQUIRES_BEFORE: dict[StepKind, StepKind] = {
    StepKind.PROBLEM_SHARING: StepKind.PROBLEM_SEARCH,
    StepKind.CHOICE: StepKind.PROBLEM_SEARCH,
    StepKind.CONSENT: StepKind.CHOICE,
    StepKind.HARVEST: StepKind.EXCHANGES,
    **{kind: StepKind.CONSENT for kind in NEEDS_OFFERER},
}


class FormatError(Exception):
    """A format file that cannot be used; the message names the file, the key and the reason."""


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: StepKind
    minutes: float | None = Field(default=None, gt=0, le=600)
    turn_minutes: float | None = Field(default=None, gt=0, le=60)
    waits_for_facilitator: bool = False
    optional: bool = False
    #: a step that takes what the time allows, between these bounds (the kit's exchanges:
    #: 20 to 45 minutes), sized from the announced end when it begins
    min_minutes: float | None = Field(default=None, gt=0, le=600)
    max_minutes: float | None = Field(default=None, gt=0, le=600)

    @model_validator(mode="after")
    def _duration_is_known(self) -> "Step":
        if self.minutes is None and self.turn_minutes is None:
            raise ValueError("give `minutes`, or `turn_minutes` for a step made of turns")
        if self.turn_minutes is not None and self.kind not in TURN_STEPS:
            raise ValueError(
                f"`turn_minutes` only applies to steps of turns, not {self.kind.value!r}"
            )
        return self

    @model_validator(mode="after")
    def _bounds_hold_the_duration(self) -> "Step":
        low, high = self.min_minutes, self.max_minutes
        if (low is None) != (high is None):
            raise ValueError("give both `min_minutes` and `max_minutes`, or neither")
        if (
            low is not None
            and high is not None
            and (self.minutes is None or not low <= self.minutes <= high)
        ):
            raise ValueError("`minutes` must lie between `min_minutes` and `max_minutes`")
        return self

    @property
    def takes_turns(self) -> bool:
        return self.kind in TURN_STEPS

    @property
    def fixed_order(self) -> bool:
        return TURN_STEPS.get(self.kind, False)


class Format(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title_fr: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    #: the group the format is made for (the kit: an offerer and 6–7 contributors, 3 at least)
    min_participants: int = Field(default=3, ge=1)
    max_participants: int = Field(default=8, ge=1)
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _steps_are_coherent(self) -> "Format":
        seen_ids: set[str] = set()
        seen_kinds: set[StepKind] = set()
        for index, step in enumerate(self.steps):
            if step.id in seen_ids:
                raise ValueError(f"steps[{index}].id: {step.id!r} is used twice")
            if step.kind in seen_kinds:
                raise ValueError(f"steps[{index}].kind: {step.kind.value!r} appears twice")
            needed = REQUIRES_BEFORE.get(step.kind)
            if needed is not None and needed not in seen_kinds:
                raise ValueError(
                    f"steps[{index}].kind: a {step.kind.value!r} step needs"
                    f" a {needed.value!r} step before it"
                )
            seen_ids.add(step.id)
            seen_kinds.add(step.kind)
        if self.steps[-1].kind is not StepKind.RECORD and StepKind.RECORD in seen_kinds:
            raise ValueError("steps: the 'record' step must be the last one")
        return self

    def title(self, lang: str) -> str:
        return self.title_fr if lang == "fr" else self.title_en

    def index_of(self, kind: StepKind) -> int | None:
        for index, step in enumerate(self.steps):
            if step.kind is kind:
                return index
        return None


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    return f"{key}: {message}" if key else message


def load_format(path: Path) -> Format:
    """Read and validate one format file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FormatError(f"{path}: cannot read the file ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"{path}: not valid TOML ({exc})") from exc
    try:
        return Format.model_validate(data)
    except ValidationError as exc:
        raise FormatError(f"{path}: {_describe(exc)}") from exc


def load_formats(extra_dir: Path | None = None) -> dict[str, Format]:
    """The shipped formats, plus every ``*.toml`` of ``extra_dir`` (which may override them)."""
    formats: dict[str, Format] = {}
    shipped = resources.files("bot") / "data" / "formats"
    for entry in sorted(shipped.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            with resources.as_file(entry) as path:
                fmt = load_format(path)
            formats[fmt.id] = fmt
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise FormatError(f"{extra_dir}: the formats folder does not exist")
        for path in sorted(extra_dir.glob("*.toml")):
            fmt = load_format(path)
            formats[fmt.id] = fmt
    return formats
