"""Planned sessions through the runtime, on a real SQLite file and a test clock: days pass,
the bot restarts between reminders, and is down over a start — nothing lost, nothing twice."""

import pytest
from runtime_kit import ROOM, posted

from bot.effects import Archive, ArchiveNote, ArchiveQuery, Say, SayDirect
from bot.engine import Engine, EngineSettings
from bot.events import ArchiveFound, MemberLeft
from bot.formats import StepKind, load_formats
from bot.ids import EventId, MessageId, UserId
from bot.inbound import DirectIn, ReactionIn
from bot.runtime import Runtime
from bot.store import Store
from bot.testing import FrozenClock, ManualScheduler, RecordingAdapter

DAY = 86_400.0


class Bot:
    """The bot on a store, a clock and an adapter that outlive its restarts."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.clock = FrozenClock()  # Thursday 1 January 2026, 10:00 in Paris
        self.adapter = RecordingAdapter()
        self.runtime: Runtime | None = None
        self._n = 0

    async def start(self) -> Runtime:
        engine = Engine(EngineSettings(), load_formats())
        self.runtime = Runtime(
            engine, self.store, [self.adapter], clock=self.clock, scheduler=ManualScheduler
        )
        await self.runtime.start()
        return self.runtime

    async def stop(self) -> None:
        assert self.runtime is not None
        await self.runtime.stop()
        self.runtime = None

    @property
    def rt(self) -> Runtime:
        assert self.runtime is not None
        return self.runtime

    async def advance(self, seconds: float) -> None:
        scheduler = self.rt.scheduler
        assert isinstance(scheduler, ManualScheduler)
        await scheduler.advance(seconds)
        await self.rt.settled()

    async def post(self, user: str, text: str) -> None:
        self._n += 1
        await self.rt.process(posted(user, text, self._n))

    async def react_to_invitation(self, user: str, name: str) -> None:
        self._n += 1
        await self.rt.receive(
            ReactionIn(
                room=ROOM,
                sender=UserId(user),
                sender_name=name,
                message_id=MessageId(self.sent_id("agenda.invitation")),
                key="hand",
                event_id=EventId(f"$r{self._n}"),
            )
        )

    def sent_id(self, key: str) -> str:
        """The platform id of the last message of ``key`` the bot posted."""
        posted_says = [e for e in self.adapter.performed if isinstance(e, Say)]
        index = max(i for i, e in enumerate(posted_says) if e.key == key)
        return f"$sent{index + 1}"

    def count(self, key: str) -> int:
        return self.adapter.said_keys().count(key)

    async def planned_start(self) -> float:
        agendas = await self.store.agendas()
        return agendas[ROOM].sessions[0].start


@pytest.fixture
async def bot(tmp_path):
    store = await Store.open(tmp_path / "atelier.db")
    bot = Bot(store)
    await bot.start()
    yield bot
    if bot.runtime is not None:
        await bot.stop()
    await store.close()


async def test_invitation_then_people_come_then_reminders_then_the_atelier_opens_with_them(bot):
    """Eleven days pass on the test clock: reminders at 24 h and 15 min, then the atelier opens
    with its facilitator and everyone who reacted ✋ to the invitation."""
    await bot.post("camille", "!atelier planifier 12/01 14h --fin 16h30")
    await bot.react_to_invitation("alice", "Alice")
    await bot.react_to_invitation("zoe", "Zoé 🌸")
    await bot.post("bruno", "je viens")
    start = await bot.planned_start()
    await bot.advance(start - DAY - bot.clock.now)
    assert bot.count("agenda.reminder_first") == 1
    assert bot.count("agenda.reminder_first_dm") == 4  # Camille and the three coming
    await bot.advance(DAY)
    assert bot.count("agenda.reminder_last") == 1 and bot.count("agenda.opening") == 1
    state = bot.rt.states[ROOM]
    assert state.facilitator == "camille"
    assert state.participants == ["alice", "zoe", "bruno"]
    assert state.name("zoe") == "Zoé 🌸"
    assert ROOM not in await bot.store.agendas()  # nothing of it is kept once it opened


async def test_a_restart_between_reminders_sends_each_once(bot):
    """Stopped after the day-before reminder, started again: it is not repeated; the last one
    and the opening still come."""
    await bot.post("camille", "!atelier planifier 12/01 14h")
    await bot.react_to_invitation("alice", "Alice")
    start = await bot.planned_start()
    await bot.advance(start - DAY - bot.clock.now + 60)
    await bot.stop()
    await bot.start()
    await bot.advance(0)
    assert bot.count("agenda.reminder_first") == 1
    await bot.advance(start - bot.clock.now)
    assert bot.count("agenda.reminder_first") == 1
    assert bot.count("agenda.reminder_last") == 1
    assert bot.rt.states[ROOM].participants == ["alice"]


async def test_downtime_over_the_start_opens_late_with_a_word(bot):
    """Down from an hour before until 10 min after the start: one word, then the atelier."""
    await bot.post("camille", "!atelier planifier 12/01 14h")
    await bot.react_to_invitation("alice", "Alice")
    start = await bot.planned_start()
    await bot.advance(start - 3_600 - bot.clock.now)
    await bot.stop()
    bot.clock.advance(3_600 + 600)
    await bot.start()
    await bot.advance(0)
    assert bot.count("agenda.opening_late") == 1
    assert bot.count("agenda.reminder_last") == 0  # it would no longer be true
    assert bot.rt.states[ROOM].participants == ["alice"]


async def test_downtime_far_over_the_start_reports_the_session_missed(bot):
    """Down for a day over the start: no atelier out of the blue, but a word to all."""
    await bot.post("camille", "!atelier planifier 12/01 14h")
    await bot.react_to_invitation("alice", "Alice")
    start = await bot.planned_start()
    await bot.stop()
    bot.clock.advance(start - bot.clock.now + DAY)
    await bot.start()
    await bot.advance(0)
    assert bot.count("agenda.missed") == 1 and bot.count("agenda.missed_dm") == 2
    assert ROOM not in bot.rt.states


async def test_a_reaction_to_an_invitation_counts_after_an_atelier_ended_in_the_room(bot):
    """The references of an ended atelier are dropped, not those of the room's invitations."""
    await bot.post("camille", "!atelier planifier 12/01 14h")
    await bot.post("dora", "!atelier démarrer")
    await bot.post("dora", "!atelier terminer")
    assert ROOM not in bot.rt.states and bot.count("atelier.finished") == 1
    await bot.react_to_invitation("alice", "Alice")
    assert bot.count("agenda.coming_noted") == 1


async def test_a_restart_arms_one_job_per_room_and_the_cycle_still_runs_in_order(bot):
    """Thirteen sessions planned: one job armed for the room after a restart; each invitation
    of the cycle still comes in its turn, a week before its session."""
    await bot.post("camille", "!atelier planifier 12/01 14h --tous-les 1s --fois 13")
    await bot.stop()
    await bot.start()
    scheduler = bot.rt.scheduler
    assert isinstance(scheduler, ManualScheduler)
    assert [name for room, name in scheduler.jobs if room == ROOM] == ["plan:1:first"]
    await bot.advance(await bot.planned_start() - bot.clock.now + 60)
    await bot.post("camille", "!atelier terminer")  # the first atelier, opened, ends
    await bot.advance(7 * DAY)
    assert bot.count("agenda.invitation") == 3  # n° 1 at once, n° 2 and n° 3 a week ahead
    assert bot.count("agenda.opening") == 2


async def test_forget_me_takes_the_person_out_of_every_rooms_agenda(bot):
    """After `oublie-moi`, no agenda holds their name, in this room or another one; a session
    they planned keeps only their id, to open with them as facilitator."""
    other = "!autre:test"
    await bot.post("camille", "!atelier planifier 12/01 14h")
    await bot.post("alice", "je viens")
    bot._n += 1
    await bot.rt.process(posted("alice", "!atelier planifier 13/01 18h", bot._n, room=other))
    await bot.post("alice", "!atelier oublie-moi")
    await bot.rt.settled()
    agendas = await bot.store.agendas()
    assert agendas[ROOM].sessions[0].coming == {}
    stored = "".join(agenda.model_dump_json() for agenda in agendas.values())
    assert "Alice" not in stored
    [planned] = agendas[other].sessions
    assert planned.facilitator == "alice" and planned.facilitator_name == "une personne du groupe"


async def test_a_private_answer_to_the_check_in_reaches_the_facilitator_only(bot):
    """Asked the day before, Alice answers privately: Camille reads it, the room does not;
    the atelier opens holding her answer, to offer it back at the problem search."""
    await bot.post("camille", "!atelier planifier 12/01 14h --questionnaire")
    await bot.react_to_invitation("alice", "Alice")
    start = await bot.planned_start()
    await bot.advance(start - DAY - bot.clock.now + 1)
    assert bot.count("agenda.check_in_question") == 1
    await bot.rt.receive(
        DirectIn(platform="test", sender=UserId("alice"), sender_name="Alice", text="Mon été")
    )
    [to_camille] = [
        e
        for e in bot.adapter.performed
        if isinstance(e, SayDirect) and e.key == "agenda.check_in_for_facilitator"
    ]
    assert to_camille.user == "camille" and "Mon été" in to_camille.body
    assert not any("Mon été" in e.body for e in bot.adapter.performed if isinstance(e, Say))
    await bot.advance(DAY)
    assert bot.rt.states[ROOM].seeds == {"alice": "Mon été"}
    assert ROOM not in await bot.store.agendas()  # the answer is not kept


async def _dm(bot: Bot, user: str, text: str) -> None:
    await bot.rt.receive(
        DirectIn(platform="test", sender=UserId(user), sender_name=user.title(), text=text)
    )


async def _atelier_with_offerer(bot: Bot) -> None:
    """Camille facilitates; Alice's problem is chosen and she agrees."""
    await bot.post("camille", "!atelier démarrer")
    await bot.post("alice", "!atelier rejoindre")
    await bot.post("bruno", "!atelier rejoindre")
    while bot.rt.states[ROOM].kind is not StepKind.PROBLEM_SEARCH:
        await _dm(bot, "camille", "suivant")
    await _dm(bot, "alice", "Garder nos bénévoles")
    await _dm(bot, "bruno", "Trouver un local")
    await _dm(bot, "camille", "suivant")
    for person in ("alice", "bruno"):
        await bot.post(person, "!atelier fini")
    await bot.post("alice", "!atelier vote 1 1")
    await _dm(bot, "camille", "suivant")
    await bot.post("alice", "!atelier oui")
    assert bot.rt.states[ROOM].offerer == "alice"


async def test_two_weeks_after_an_atelier_its_offerer_is_asked_how_it_went(bot):
    """The cold follow-up: 14 days after the end, Alice is asked privately; her answer is
    thanked for, and nothing of it stays in the agenda."""
    await _atelier_with_offerer(bot)
    while ROOM in bot.rt.states:
        await _dm(bot, "camille", "terminer")
    await bot.advance(14 * DAY - 60)
    assert bot.count("agenda.follow_up_question") == 0
    await bot.advance(120)
    assert bot.count("agenda.follow_up_question") == 1
    await _dm(bot, "alice", "J'ai appelé la mairie, et deux bénévoles sont revenus.")
    assert bot.count("agenda.follow_up_noted") == 1
    assert ROOM not in await bot.store.agendas()


async def test_a_problem_sent_privately_in_a_new_atelier_is_not_taken_as_a_follow_up(bot):
    """Alice was asked how it went and has not answered yet; in the next atelier she sends
    her problem privately: it is her problem there, and the follow-up question still waits."""
    await _atelier_with_offerer(bot)
    while ROOM in bot.rt.states:
        await _dm(bot, "camille", "terminer")
    await bot.advance(14 * DAY + 60)
    assert bot.count("agenda.follow_up_question") == 1
    await bot.post("camille", "!atelier démarrer")
    await bot.post("alice", "!atelier rejoindre")
    while bot.rt.states[ROOM].kind is not StepKind.PROBLEM_SEARCH:
        await _dm(bot, "camille", "suivant")
    await _dm(bot, "alice", "Trouver des fonds pour l'été")
    problems = bot.rt.states[ROOM].problems
    assert [(p.author, p.text) for p in problems] == [("alice", "Trouver des fonds pour l'été")]
    assert bot.count("agenda.follow_up_noted") == 0
    assert (await bot.store.agendas())[ROOM].following("alice") is not None


async def test_a_follow_up_answer_is_appended_to_the_shared_record(bot):
    """The note goes at the end of the archived record of that atelier."""
    record = Archive(room=ROOM, atelier_id="a1", title="Atelier", request="Aide", text="Trace")
    note = ArchiveNote(room=ROOM, atelier_id="a1", text="\n\n## Des nouvelles\n\nÇa va mieux")
    for effects in ([record], [note]):
        await bot.store.commit_decision(
            room=ROOM, state=None, event_id=None, effects=effects, now=bot.clock.now
        )
    found = await bot.store.answer(
        ArchiveQuery(room=ROOM, user=UserId("alice"), direct=True, number=1)
    )
    assert isinstance(found, ArchiveFound)
    assert found.found[0].text.endswith("Ça va mieux")


async def test_my_data_shows_what_the_agenda_holds_about_me(bot):
    """`mes-données` lists the session Alice said she comes to and her check-in answer."""
    await bot.post("camille", "!atelier planifier 12/01 14h --questionnaire")
    await bot.react_to_invitation("alice", "Alice")
    await bot.advance(await bot.planned_start() - DAY - bot.clock.now + 1)
    await _dm(bot, "alice", "Parler de mon été")
    await bot.post("alice", "!atelier mes-données")
    await bot.rt.settled()
    [yours] = [
        e for e in bot.adapter.performed if isinstance(e, SayDirect) and e.key == "privacy.yours"
    ]
    assert "Parler de mon été" in yours.body and "12/01/2026 14:00" in yours.body


async def test_removing_the_bot_from_the_room_cancels_what_was_planned_there(bot):
    """The bot can no longer open anything there: those coming are told privately, and
    nothing of the room's agenda is kept or armed."""
    await bot.post("camille", "!atelier planifier 12/01 14h")
    await bot.react_to_invitation("alice", "Alice")
    await bot.rt.process(MemberLeft(room=ROOM, sender=UserId("@bot:test"), bot_removed=True))
    assert bot.count("agenda.cancelled_dm") == 2  # Alice and Camille
    assert ROOM not in await bot.store.agendas() and ROOM not in bot.rt.agendas
    scheduler = bot.rt.scheduler
    assert isinstance(scheduler, ManualScheduler) and not scheduler.jobs


async def test_who_asked_for_news_receives_the_offerers_answer_privately(bot):
    """Bruno types `nouvelles` during the atelier; two weeks later Alice is told her answer
    will reach those who asked, and Bruno receives it privately — the room does not."""
    await _atelier_with_offerer(bot)
    await bot.post("bruno", "!atelier nouvelles")
    await bot.post("alice", "!atelier nouvelles")  # the offerer is the one asked, not told
    while ROOM in bot.rt.states:
        await _dm(bot, "camille", "terminer")
    await bot.advance(14 * DAY + 60)
    assert bot.count("agenda.follow_up_question_shared") == 1 and bot.count("news.offerer") == 1
    await _dm(bot, "alice", "Deux bénévoles sont revenus.")
    [news] = [
        e
        for e in bot.adapter.performed
        if isinstance(e, SayDirect) and e.key == "agenda.follow_up_news"
    ]
    assert news.user == "bruno" and "Deux bénévoles sont revenus." in news.body
    assert not any("Deux bénévoles" in e.body for e in bot.adapter.performed if isinstance(e, Say))


async def test_my_data_lists_the_news_one_asked_for(bot):
    """Bruno asked for news: `mes-données` says so until the news comes."""
    await _atelier_with_offerer(bot)
    await bot.post("bruno", "!atelier nouvelles")
    while ROOM in bot.rt.states:
        await _dm(bot, "camille", "terminer")
    await bot.post("bruno", "!atelier mes-données")
    await bot.rt.settled()
    [yours] = [
        e for e in bot.adapter.performed if isinstance(e, SayDirect) and e.key == "privacy.yours"
    ]
    assert yours.user == "bruno" and "nouvelles demandées" in yours.body
