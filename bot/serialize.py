"""Effects to and from JSON, for the outbox."""

import json
from dataclasses import asdict
from typing import Any

from bot.effects import (
    Button,
    CancelTimer,
    Effect,
    PostFile,
    React,
    Record,
    Say,
    SayDirect,
    StartTimer,
)

__all__ = ["effect_from_json", "effect_to_json"]

_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (Say, SayDirect, React, PostFile, Record, StartTimer, CancelTimer)
}


def effect_to_json(effect: Effect) -> str:
    return json.dumps({"type": type(effect).__name__, **asdict(effect)}, ensure_ascii=False)


def effect_from_json(text: str) -> Effect:
    data = json.loads(text)
    cls = _TYPES[data.pop("type")]
    if "mentions" in data:
        data["mentions"] = tuple(data["mentions"])
    if "buttons" in data:
        data["buttons"] = tuple(Button(**button) for button in data["buttons"])
    effect: Effect = cls(**data)
    return effect
