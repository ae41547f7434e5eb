"""An administrator rewords texts in their own folder; a broken file is refused at start-up."""

import pytest

from bot.app import build_engine
from bot.config import load_config
from bot.formats import FormatError
from bot.markup import strip
from bot.testing import EngineHarness
from bot.texts import render, use_texts_dir


@pytest.fixture(autouse=True)
def _shipped_texts_afterwards():
    yield
    use_texts_dir(None)


def _config(tmp_path, folder):
    path = tmp_path / "config.toml"
    path.write_text(f'[bot]\ntexts_dir = "{folder}"\n', encoding="utf-8")
    return load_config(path)


def test_a_reworded_text_is_what_the_group_reads(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "fr.toml").write_text(
        '[turns]\nthanks = "Merci beaucoup, {name} !"\n', encoding="utf-8"
    )
    engine = build_engine(_config(tmp_path, folder))
    h = EngineHarness(engine=engine)
    assert strip(render("fr", "turns.thanks", name="Léa")) == "Merci beaucoup, Léa !"
    assert strip(render("en", "turns.thanks", name="Léa")) == "Thank you Léa!"  # untouched
    h.cmd("fac", "démarrer")
    assert h.s is not None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[turns]\nthank = "Merci"\n', "no text is called 'turns.thank'"),
        ('[turns]\nthanks = "Merci {nom}"\n', "{nom}"),
        ("[turns\n", "cannot be read as TOML"),
    ],
)
def test_a_broken_text_file_is_refused_at_start_up_saying_where(tmp_path, content, message):
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "fr.toml").write_text(content, encoding="utf-8")
    with pytest.raises(FormatError) as error:
        build_engine(_config(tmp_path, folder))
    assert message in str(error.value)
    assert "fr.toml" in str(error.value)
