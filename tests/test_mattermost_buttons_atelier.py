"""A complete atelier on Mattermost where nobody types `!atelier` nor reacts: every command
is `/atelier …` and every reaction a button. What people say (rules, problems, questions,
ideas) is still written, as it must be."""

from mattermost_buttons_kit import ButtonPeople, serving_bot
from people_kit import heard, texts, until

from bot.formats import StepKind as K
from bot.scenario import FACILITATOR, PARTICIPANTS, Cast
from bot.state import AtelierState


class Atelier:
    """The script's steps, through slash commands and buttons."""

    def __init__(self, people: ButtonPeople, cast: Cast) -> None:
        self.p = people
        self.c = cast
        self.used: set[str] = set()  # the facilitator's panels clicked, or gone stale

    def _fresh(self) -> list[str]:
        posts = self.p.private_posts(FACILITATOR, "next")
        return [post["id"] for post in posts if post["id"] not in self.used]

    async def next_by_button(self) -> None:
        """The facilitator clicks next on the newest panel (fresh since their last step)."""
        await until("a fresh panel", lambda: bool(self._fresh()))
        panel = self._fresh()[-1]
        self.used.add(panel)
        await self.p.click(FACILITATOR, panel, "next")

    async def next_by_slash(self) -> None:
        """After a step ended on its own, the last panel is stale: `/atelier suivant`."""
        self.used.update(self._fresh())
        await self.p.slash_privately(FACILITATOR, "suivant")

    async def turn(self, user: str, words: str) -> None:
        await self.c.floor(user)
        await self.p.say(user, words)
        await self.p.slash(user, "fini")


async def test_complete_atelier_with_slash_commands_and_buttons_only(mattermost, tmp_path):
    """From `/atelier démarrer` to the record shared by everyone's ✅ button."""
    bot, integrations = await serving_bot(mattermost, tmp_path, spm=2.0)
    p = ButtonPeople(mattermost, (FACILITATOR, *PARTICIPANTS), refs=bot.refs, state=bot.state)
    try:
        await p.open(facilitator=FACILITATOR)
        with open(tmp_path / "transcript.txt", "w") as out:
            c = Cast(p, out=out, pace=0.02)
            a = Atelier(p, c)
            try:
                await _play(p, c, a)
            except Exception:  # where it stopped, for whoever reads the failure
                for h in p.heard[-25:]:
                    print("DEBUG", h.to, h.text[:160].replace("\n", " | "))
                print("DEBUG state", c.latest and (c.latest.kind, c.latest.turns))
                raise
        await heard(p, "L'atelier est terminé")
    finally:
        await bot.stop()

    said = "\n".join(texts(p))
    for expected in (
        "Bienvenue Élise",  # by the join button
        "Merci Chloé, c'est entendu",  # consent declined by the ❌ button
        "Tout le monde est d'accord\u202f: voici la trace",
        "J'aimerais que le groupe m'aide à garder le lien",
    ):
        assert expected in said, expected
    assert any("Ce clic ne change rien" in t for t in texts(p, "bruno"))  # his double click
    for name in (FACILITATOR, *PARTICIPANTS):  # nobody typed a command or reacted
        posts = mattermost.posts_by(p.ids[name])
        assert not any(post["message"].lstrip().startswith("!") for post in posts), name
        assert not any(r["user_id"] == p.ids[name] for r in mattermost.reactions.values())
    assert all(seconds < 3.0 for _, _, seconds in integrations.calls)


async def _play(p: ButtonPeople, c: Cast, a: Atelier) -> None:
    await p.slash(FACILITATOR, "démarrer")
    await c.step(K.WELCOME)
    for user in ("alice", "bruno", "chloe", "driss"):
        await p.slash(user, "rejoindre")
    await p.click_ref("elise", "welcome", "join")
    await heard(p, "Bienvenue Élise")
    await a.next_by_button()

    await c.step(K.GROUND_RULES)  # the presentation ends on its timer
    await p.say("alice", "On s'écoute sans s'interrompre")
    await p.slash("chloe", "règle Pas de jugement, que de la bienveillance")
    await a.next_by_slash()

    await c.step(K.PROBLEM_SEARCH)
    for n, (user, problem) in enumerate(
        (
            ("alice", "Comment garder les bénévoles motivés toute l'année ?"),
            ("bruno", "Je n'arrive pas à déléguer la comptabilité de l'association"),
            ("chloe", "Une réunion publique s'est mal passée, comment rétablir le dialogue ?"),
            ("driss", "/problème Faire venir des jeunes à nos ateliers"),
            ("elise", "Préparer la fusion de deux associations voisines"),
        ),
        start=1,
    ):
        if problem.startswith("/"):
            await p.slash(user, problem[1:])
        else:
            await p.dm(user, problem)
        await c.until(f"problem {n}", lambda s, n=n: s is not None and len(s.problems) == n)
    await a.next_by_button()

    await c.step(K.PROBLEM_SHARING)
    for user in PARTICIPANTS:
        await a.turn(user, "Voici ma situation, en quelques mots…")

    await c.step(K.CHOICE)
    await p.slash_privately(FACILITATOR, "prolonger 5")
    await p.click_ref("alice", "card:3@0", "two")
    await p.click_ref("alice", "card:1@0", "one")
    await p.click_ref("bruno", "card:3@0", "two")
    await p.click_ref("bruno", "card:1@0", "one")
    await p.click_ref("bruno", "card:1@0", "one")  # a double click: counted once
    await p.slash("chloe", "vote 3 3 1")
    await p.click_ref("driss", "card:1@0", "two")
    await p.click_ref("driss", "card:4@0", "one")
    await p.click_ref("elise", "card:4@0", "one")
    await p.click_ref("elise", "card:5@0", "one")
    await c.until("every vote", lambda s: s is not None and _votes(s) == 14)
    await a.next_by_slash()  # n° 3 has 6 votes, n° 1 has 5

    await c.step(K.CONSENT)
    await p.click_ref("bruno", "consent:3", "yes")  # not his to give: refused kindly
    await p.click_ref("chloe", "consent:3", "no")
    await c.until("Alice's consent question", lambda s: s is not None and s.chosen == 1)
    await p.click_ref("alice", "consent:1", "yes")

    await c.step(K.SITUATION)
    await p.say("alice", "Nous sommes 40 bénévoles, mais après l'été la moitié ne revient pas.")

    await c.step(K.CLARIFICATION)  # the situation ends on its timer
    await p.slash("bruno", "main")
    await p.slash("chloe", "main")
    await c.floor("bruno")
    await p.say("bruno", "Depuis combien d'années observes-tu ce phénomène ?")
    await p.say("alice", "Depuis trois ans environ.")
    await p.slash("bruno", "fini")
    await c.floor("chloe")
    await p.say("chloe", "Les bénévoles qui partent te disent-ils pourquoi ?")
    await p.slash("chloe", "fini")
    await a.next_by_slash()

    await c.step(K.REFORMULATION)
    await p.say(
        "alice",
        "J'aimerais que le groupe m'aide à garder le lien avec les bénévoles pendant l'été.",
    )
    await a.next_by_button()

    await c.step(K.REFLECTION)
    await p.dm("bruno", "Au club de foot, on faisait un pique-nique de rentrée.")

    await c.step(K.EXCHANGES)  # the reflection ends on its timer
    for user, idea in (
        ("bruno", "Chez nous, un pique-nique de rentrée a fait revenir beaucoup de monde."),
        ("driss", "Une lettre d'été avec des photos garde le lien sans demander d'effort."),
    ):
        await p.slash(user, "main")
        await c.floor(user)
        await p.say(user, idea)
        await p.slash(user, "fini")
    await a.next_by_slash()

    await c.step(K.HARVEST)
    await p.slash("alice", "garder 1 2")
    await a.next_by_button()

    await c.step(K.ACTION_PLAN)
    await p.slash("alice", "action Organiser un pique-nique de rentrée, quand : début septembre")
    await a.next_by_button()

    await c.step(K.OFFERER_SHARING)
    await p.say("alice", "Je repars avec deux idées simples et un calendrier. Merci à vous !")

    await c.step(K.CONTRIBUTOR_SHARING)  # the offerer's sharing ends on its timer
    for user in ("bruno", "chloe", "driss", "elise"):
        await a.turn(user, "J'emporte l'idée de la lettre d'été.")

    await c.step(K.HOT_FEEDBACK)
    await p.slash("alice", "ressenti 5 soulagée")
    await a.next_by_slash()

    await c.step(K.RECORD)
    await p.slash_privately("alice", "oui")  # she has read the draft
    await c.until("the consent round", lambda s: s is not None and bool(s.record_asked))
    for user in ("bruno", "chloe", "elise"):
        await p.click_ref(user, "record_consent", "yes")
    await p.click_private("driss", "yes")  # on the private preview
    await c.until("the end of the atelier", lambda s: s is None)


def _votes(s: AtelierState) -> int:
    return sum(v.weight for v in s.current_votes)
