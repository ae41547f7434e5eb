"""Shared helpers: an engine harness and short paths to each step of an atelier."""

import pytest

from bot.formats import StepKind
from bot.testing import EngineHarness

PEOPLE = ["alice", "bob", "chloe", "dan", "eve"]
FAC = "fac"


@pytest.fixture
def h() -> EngineHarness:
    return EngineHarness()


def started(h: EngineHarness, people: list[str] = PEOPLE) -> EngineHarness:
    h.cmd(FAC, "start")
    for person in people:
        h.cmd(person, "join")
    return h


def at_problem_search(h: EngineHarness, people: list[str] = PEOPLE) -> EngineHarness:
    started(h, people)
    while h.s.kind is not StepKind.PROBLEM_SEARCH:
        h.dm(FAC, "next")
    return h


def at_choice(h: EngineHarness, people: list[str] = PEOPLE) -> EngineHarness:
    """Every person has problem n° (their index + 1); the choice step has begun."""
    at_problem_search(h, people)
    for person in people:
        h.dm(person, f"Le problème de {person}")
    h.dm(FAC, "next")
    for person in people:
        assert h.s.turns.speaker == person
        h.cmd(person, "done")
    assert h.s.kind is StepKind.CHOICE
    return h


def with_offerer(h: EngineHarness, number: int = 1, people: list[str] = PEOPLE) -> EngineHarness:
    """Problem ``number`` won the vote and its author agreed: we are at the situation step."""
    at_choice(h, people)
    h.cmd(people[0], f"vote {number} {number}")
    h.dm(FAC, "next")
    author = people[number - 1]
    h.cmd(author, "yes")
    assert h.s.offerer == author
    assert h.s.kind is StepKind.SITUATION
    return h


def goto(h: EngineHarness, kind: StepKind) -> EngineHarness:
    h.dm(FAC, f"goto {kind.value}")
    assert h.s.kind is kind
    return h


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One real Synapse on 127.0.0.1 for the whole test session (installed from PyPI if new)."""
    from matrix_kit import Homeserver

    from devkit.synapse_local import SYNAPSE_VENV, LocalSynapse, ensure_installed

    server = LocalSynapse(tmp_path_factory.mktemp("synapse"), ensure_installed(SYNAPSE_VENV))
    server.start()
    try:
        yield Homeserver(server)
    finally:
        server.stop()


@pytest.fixture
async def mattermost():  # type: ignore[no-untyped-def]
    """A fresh Mattermost test server; any request or answer off the published API fails."""
    from mattermost_server import MattermostServer
    from mattermost_server_files import serve_files

    server = MattermostServer()
    serve_files(server)  # the files API, as a real server has (exported records)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    assert server.violations == [], "\n".join(server.violations[:20])


def at_step(kind: StepKind) -> EngineHarness:
    """A new atelier at the step ``kind``: by 'next' up to the ground rules, else with an
    offerer chosen (the steps before the choice are entered with a jump)."""
    h = EngineHarness()
    if kind in (StepKind.WELCOME, StepKind.PRESENTATION, StepKind.GROUND_RULES):
        started(h)
        while h.s.kind is not kind:
            h.dm(FAC, "next")
        return h
    with_offerer(h)
    if h.s.kind is not kind:
        h.dm(FAC, f"goto {kind.value}")
    assert h.s.kind is kind
    return h
