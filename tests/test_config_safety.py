"""check-config never prints a secret, and says what is unsafe (plain http:// to another
machine, TLS checks turned off)."""

from bot.cli import main

SECRET = "s3cr3t-Ünïque"


def _write(tmp_path, body: str):
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_a_wrongly_typed_password_is_named_but_never_printed(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ATELIER_MATRIX_PASSWORD", raising=False)
    path = _write(
        tmp_path,
        '[matrix]\nhomeserver = "https://m.example.org"\nuser_id = "@bot:example.org"\n'
        f'password = ["{SECRET}"]\n',
    )
    assert main(["check-config", path]) == 2
    out = capsys.readouterr()
    assert "password" in out.err
    assert SECRET not in out.err + out.out


def test_plain_http_to_another_machine_and_unchecked_tls_are_warned(tmp_path, capsys):
    path = _write(
        tmp_path,
        '[mattermost]\nurl = "http://chat.example.org"\ntoken = "'
        + SECRET
        + '"\nverify_tls = false\n',
    )
    assert main(["check-config", "--offline", path]) == 0  # no server to ask in a test
    out = capsys.readouterr()
    assert "[mattermost] url: plain http://" in out.err
    assert "verify_tls = false" in out.err
    assert SECRET not in out.err + out.out


def test_a_local_homeserver_over_http_is_fine(tmp_path, capsys):
    path = _write(
        tmp_path,
        '[matrix]\nhomeserver = "http://127.0.0.1:8008"\nuser_id = "@bot:localhost"\n'
        f'password = "{SECRET}"\n',
    )
    assert main(["check-config", path]) == 0
    assert "Warning" not in capsys.readouterr().err
