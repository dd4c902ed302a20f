"""Shell completion through click's `_VERIFYCTL_COMPLETE`, as the installed `verifyctl` script answers it."""

from __future__ import annotations

import contextlib
import io

import pytest

from verifyctl.cli.main import main


def _stdout() -> io.TextIOWrapper:
    # A text stream with a binary buffer underneath, like a real stdout: some click versions write the
    # completion output to the buffer as bytes.
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8")


def _text(out: io.TextIOWrapper) -> str:
    out.flush()
    buffer = out.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


def complete(monkeypatch: pytest.MonkeyPatch, words: str, shell: str = "bash") -> str:
    monkeypatch.setenv("_VERIFYCTL_COMPLETE", f"{shell}_complete")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split(" ")) - 1))
    out = _stdout()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code == 0
    return _text(out)


def test_commands_and_choices_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    assert complete(monkeypatch, "verifyctl i").splitlines() == ["plain,import"]
    assert complete(monkeypatch, "verifyctl verify ").splitlines() == ["plain,check", "plain,send"]
    choices = complete(monkeypatch, "verifyctl verify send --channel ").splitlines()
    assert choices == ["plain,sms", "plain,call", "plain,email", "plain,whatsapp"]
    assert "plain,--split" in complete(monkeypatch, "verifyctl import --s").splitlines()


def test_the_source_script_registers_the_verifyctl_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_VERIFYCTL_COMPLETE", "bash_source")
    out = _stdout()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([])
    assert "complete -o nosort -F _verifyctl_completion verifyctl" in _text(out)
