"""The light Markdown of the bot's texts, as Matrix HTML."""

from adapters.matrix_html import to_html, to_plain


def test_bold_code_and_lists_become_html_and_text_is_escaped():
    html = to_html("**Étape 1** : écrivez `!atelier main` <ici>\n- un\n- deux")
    assert html == (
        "<strong>Étape 1</strong> : écrivez <code>!atelier main</code> &lt;ici&gt;"
        "<ul><li>un</li><li>deux</li></ul>"
    )


def test_stars_inside_code_are_kept_as_typed():
    assert to_html("`**pas gras**`") == "<code>**pas gras**</code>"


def test_titles_and_quotes_of_the_record_become_html():
    html = to_html("# Atelier du 23/11\n\nDemande\n> garder le lien")
    assert html.startswith("<h4>Atelier du 23/11</h4>")
    assert "<blockquote>garder le lien</blockquote>" in html


def test_plain_body_drops_the_bold_stars():
    assert to_plain("**Bienvenue** Alice") == "Bienvenue Alice"
