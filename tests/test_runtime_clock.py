"""The runtime on a test clock: timers fire when the test moves time, in order, through the
runtime, and a restart re-arms them with the same remaining time."""

import pytest
from runtime_kit import ROOM, posted

from bot.engine import Engine, EngineSettings
from bot.formats import load_formats
from bot.ids import UserId
from bot.inbound import DirectIn
from bot.runtime import Runtime
from bot.store import Store
from bot.testing import FrozenClock, ManualScheduler, RecordingAdapter


def _runtime(store: Store, clock: FrozenClock, adapter: RecordingAdapter) -> Runtime:
    engine = Engine(EngineSettings(), load_formats())
    return Runtime(engine, store, [adapter], clock=clock, scheduler=ManualScheduler)


async def _started(runtime: Runtime) -> None:
    """An atelier past its welcome (which waits for the facilitator): a step with a deadline."""
    await runtime.start()
    await runtime.process(posted("fac", "!atelier démarrer", 1))
    await runtime.receive(
        DirectIn(platform="test", sender=UserId("fac"), sender_name="Fac", text="suivant")
    )


def _scheduler(runtime: Runtime) -> ManualScheduler:
    assert isinstance(runtime.scheduler, ManualScheduler)
    return runtime.scheduler


@pytest.fixture
async def store(tmp_path):
    store = await Store.open(tmp_path / "atelier.db")
    yield store
    await store.close()


async def test_no_timer_fires_until_the_test_clock_moves(store):
    """A step deadline waits for the test clock, not for wall-clock time."""
    clock, adapter = FrozenClock(), RecordingAdapter()
    runtime = _runtime(store, clock, adapter)
    await _started(runtime)
    step = runtime.states[ROOM].step.id
    deadline = runtime.states[ROOM].timers["step"]
    await _scheduler(runtime).advance(deadline - clock.now - 1)
    assert runtime.states[ROOM].step.id == step
    await _scheduler(runtime).advance(2)
    assert runtime.states[ROOM].step.id != step
    fired = [at for _, _, at in _scheduler(runtime).fired]
    assert fired == sorted(fired) and _scheduler(runtime).fired[-1][1] == "step"
    await runtime.stop()


async def test_a_restart_rearms_the_deadline_with_the_same_remaining_time(store):
    """Stopped halfway through a step, the bot resumes it with the time that was left."""
    clock, adapter = FrozenClock(), RecordingAdapter()
    runtime = _runtime(store, clock, adapter)
    await _started(runtime)
    deadline = runtime.states[ROOM].timers["step"]
    await _scheduler(runtime).advance((deadline - clock.now) / 2)
    await runtime.stop()
    again = _runtime(store, clock, adapter)
    await again.start()
    assert _scheduler(again).jobs[(ROOM, "step")] == deadline
    await again.stop()


async def test_a_deadline_passed_while_the_bot_was_down_fires_at_the_next_advance(store):
    """Downtime over a deadline: the step moves on as soon as time is looked at again."""
    clock, adapter = FrozenClock(), RecordingAdapter()
    runtime = _runtime(store, clock, adapter)
    await _started(runtime)
    step = runtime.states[ROOM].step.id
    await runtime.stop()
    clock.advance(3_600)  # an hour down
    again = _runtime(store, clock, adapter)
    await again.start()
    await _scheduler(again).advance(0)
    assert again.states[ROOM].step.id != step
    await again.stop()
