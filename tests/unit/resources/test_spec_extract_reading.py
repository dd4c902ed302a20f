"""The spec extractor reads its file as every reader does: a regular file, through the bound."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from verifyctl.resources.spec_extract import main


def test_a_device_or_a_fifo_named_as_the_spec_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["/dev/zero"]) == 1
    assert "it is a character device, and only a regular file is read" in capsys.readouterr().err
    os.mkfifo(tmp_path / "spec.json")
    assert main([str(tmp_path / "spec.json")]) == 1
    assert "it is a FIFO" in capsys.readouterr().err
