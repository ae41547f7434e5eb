"""Formats, texts, commands and configuration as data: valid, complete, and clear when wrong."""

from pathlib import Path

import pytest

from bot.commands import COMMANDS, Command, Unknown, normalize, parse
from bot.config import ConfigError, load_config
from bot.formats import FormatError, StepKind, load_format, load_formats
from bot.texts import catalogue, placeholders, render

ROOT = Path(__file__).resolve().parents[1]


def test_both_catalogues_have_the_same_keys_and_placeholders():
    fr, en = catalogue("fr"), catalogue("en")
    assert set(fr) == set(en)
    mismatched = [k for k in fr if placeholders(fr[k]) != placeholders(en[k])]
    assert mismatched == []


def test_every_step_kind_and_command_has_its_texts():
    fr = catalogue("fr")
    for kind in StepKind:
        assert f"step.{kind}" in fr and f"howto.{kind}" in fr
    for spec in COMMANDS:
        if spec.name not in ("start", "help"):
            assert f"help.{spec.name}" in fr
        if spec.aliases:
            assert f"command.word.{spec.name}" in fr


def test_every_text_key_used_in_the_code_exists():
    import re

    fr = catalogue("fr")
    used: set[str] = set()
    tooling = {"synapse_local.py", "matrix_people.py", "matrix_demo.py"}  # no catalogue texts
    for path in (ROOT / "bot").glob("*.py"):
        if path.name in tooling:
            continue
        used |= set(re.findall(r'"((?:[a-z_]+)\.(?:[a-z_]+)(?:\.[a-z_]+)?)"', path.read_text()))
    for path in (ROOT / "adapters").glob("*.py"):  # adapters name their texts in render(…)
        used |= set(re.findall(r'render\([^,()]+,\s*"([a-z_.]+)"', path.read_text()))
    not_keys = {"atelier.runtime", "synapse.app.homeserver"}  # logger and module names
    files = re.compile(r"\.(db|yaml|log|pid|key|toml|json)$")  # file names
    missing = sorted(k for k in used - not_keys if k not in fr and not files.search(k))
    assert missing == []


def test_render_falls_back_to_the_key_instead_of_failing():
    assert render("fr", "no.such.key") == "no.such.key"
    assert "{count}" in render("fr", "join.welcome", name="A")


def test_french_texts_name_roles_the_neutral_way_of_the_kit():
    fr = catalogue("fr")
    assert "la personne qui **facilite**" in fr["howto.presentation"]
    assert "vous **offrez la situation**" in fr["roles.offerer"]
    assert "vous **contribuez**" in fr["roles.contributor"]


def test_shipped_format_follows_the_kit():
    fmt = load_formats()["atelier_entraide"]
    minutes = {s.id: s.minutes for s in fmt.steps}
    assert minutes["choice"] == 2 and minutes["consent"] == 3 and minutes["clarification"] == 10
    assert [s.kind for s in fmt.steps][-1] is StepKind.RECORD


def test_user_format_may_drop_hot_feedback(tmp_path):
    text = (ROOT / "bot/data/formats/atelier_entraide.toml").read_text()
    text = text.replace('id = "atelier_entraide"', 'id = "court"')
    text = text.replace(
        '[[steps]]\nid = "hot_feedback"\nkind = "hot_feedback"\nminutes = 3\noptional = true\n', ""
    )
    (tmp_path / "court.toml").write_text(text)
    formats = load_formats(tmp_path)
    assert StepKind.HOT_FEEDBACK not in [s.kind for s in formats["court"].steps]


HEAD = 'id = "x"\ntitle_fr = "X"\ntitle_en = "X"\n'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            HEAD + '[[steps]]\nid = "a"\nkind = "dance"\nminutes = 2\n',
            "steps.0.kind",
        ),
        (
            HEAD + '[[steps]]\nid = "a"\nkind = "choice"\nminutes = 2\n',
            "needs a 'problem_search' step",
        ),
        (
            HEAD + '[[steps]]\nid = "a"\nkind = "welcome"\nminutes = -1\n',
            "steps.0.minutes",
        ),
        (
            'id = "x"\ntitle_fr = "X"\n[[steps]]\nid = "a"\nkind = "welcome"\nminutes = 1\n',
            "title_en",
        ),
        ('id = "x"\ntitle_fr = "X"\ntitle_en = "X"\nsteps = [\n', "not valid TOML"),
    ],
)
def test_bad_format_file_names_the_file_key_and_reason(tmp_path, body, expected):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(FormatError) as error:
        load_format(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_parse_understands_french_aliases_without_accents():
    parsed = parse("!atelier Problème mon souci", "!atelier", direct=False)
    assert isinstance(parsed, Command) and parsed.name == "problem" and parsed.args == "mon souci"
    assert normalize("  Réglès ") == "regles"


def test_parse_plain_room_message_is_not_a_command():
    assert parse("bonjour à tous", "!atelier", direct=False) is None


def test_parse_direct_message_without_prefix():
    parsed = parse("Prolonger 5", "!atelier", direct=True)
    assert isinstance(parsed, Command) and parsed.name == "extend" and parsed.args == "5"


def test_parse_suggests_the_closest_command():
    parsed = parse("!atelier rejoindr", "!atelier", direct=False)
    assert isinstance(parsed, Unknown) and parsed.suggestion == "join"


def test_example_config_is_valid():
    config = load_config(ROOT / "config.example.toml", environ={})
    assert config.bot.language == "fr"


def _config_error(tmp_path, text: str, environ: dict[str, str] | None = None) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_config(path, environ or {})
    return str(error.value)


def test_unknown_key_is_named(tmp_path):
    assert "[bot] langage: unknown key" in _config_error(tmp_path, '[bot]\nlangage = "fr"\n')


def test_wrong_type_is_named(tmp_path):
    message = _config_error(tmp_path, '[timing]\nseconds_per_minute = "vite"\n')
    assert "[timing] seconds_per_minute" in message


def test_bad_timezone_is_named(tmp_path):
    assert "[bot] timezone" in _config_error(tmp_path, '[bot]\ntimezone = "Mars/Base"\n')


def test_matrix_without_credentials_is_refused(tmp_path):
    text = '[matrix]\nhomeserver = "http://127.0.0.1:8008"\nuser_id = "@atelier:localhost"\n'
    assert "password" in _config_error(tmp_path, text)


def test_secret_from_environment_overrides_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[matrix]\nhomeserver = "http://127.0.0.1:8008"\nuser_id = "@a:localhost"\n')
    config = load_config(path, {"ATELIER_MATRIX_PASSWORD": "s3cret"})
    assert config.matrix is not None and config.matrix.password == "s3cret"


def test_check_config_command_reports_one_clear_error(tmp_path, capsys):
    from bot.cli import main

    path = tmp_path / "config.toml"
    path.write_text("[storage]\npath = 3\nextra = 1\n")
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "[storage]" in err
