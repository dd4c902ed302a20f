"""Reading the Markdown pages: code blocks, headings and their GitHub anchors, links, documented commands."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"

LINK = re.compile(r"(?<!!)\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
FENCE = re.compile(r"^\s*(```+|~~~+)")


def pages() -> list[Path]:
    """README.md, CHANGELOG.md and every page under docs/."""
    found = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    changelog = ROOT / "CHANGELOG.md"
    return [*found, changelog] if changelog.exists() else found


@dataclass(frozen=True)
class Line:
    """One line of a page, and whether it is inside a fenced code block."""

    number: int
    text: str
    in_code: bool


def lines(path: Path) -> list[Line]:
    """The page's lines, each marked as prose or code (fence lines count as code)."""
    result = []
    fence: str | None = None
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        opened = FENCE.match(text)
        if fence is None and opened:
            fence = opened.group(1)[0] * 3
            result.append(Line(number, text, True))
        elif fence is not None:
            result.append(Line(number, text, True))
            if text.strip().startswith(fence) and text.strip().strip(fence[0]) == "":
                fence = None
        else:
            result.append(Line(number, text, False))
    return result


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: markup dropped, lower case, punctuation removed, spaces as dashes."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = text.replace("`", "").strip().lower()
    return "".join(ch for ch in text if ch.isalnum() or ch in " -_").replace(" ", "-")


def headings(path: Path) -> list[tuple[int, str]]:
    """(level, text) of every ATX heading outside code blocks."""
    found = []
    for line in lines(path):
        match = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line.text)
        if match and not line.in_code:
            found.append((len(match.group(1)), match.group(2)))
    return found


def anchors(path: Path) -> set[str]:
    """Every anchor GitHub makes for the page (a repeated heading gets -1, -2, ...)."""
    seen: dict[str, int] = {}
    result = set()
    for _, text in headings(path):
        slug = anchor(text)
        if slug in seen:
            seen[slug] += 1
            slug = f"{slug}-{seen[slug]}"
        else:
            seen[slug] = 0
        result.add(slug)
    return result


def links(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, target) of every Markdown link in prose (not in code blocks or code spans)."""
    for line in lines(path):
        if line.in_code:
            continue
        prose = INLINE_CODE.sub("", line.text)
        for match in LINK.finditer(prose):
            yield line.number, match.group(1)


def _segments(text: str) -> Iterator[str]:
    """The parts of a shell line between `&&`, `;` and a pipe or redirection outside [brackets]."""
    depth = 0
    current = ""
    i = 0
    while i < len(text):
        ch = text[i]
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth <= 0 and (text.startswith("&&", i) or ch == ";" or text.startswith(" | ", i)):
            yield current
            current = ""
            i += 2 if text.startswith("&&", i) else 1
            continue
        if depth <= 0 and re.match(r"\s\d?>", text[i:]):
            yield current
            current = ""
            while i < len(text) and not (text.startswith("&&", i) or text[i] == ";"):
                i += 1
            continue
        current += ch
        i += 1
    yield current


def _commands_in(text: str) -> Iterator[list[str]]:
    text = re.sub(r"(^|\s)#\s.*$", "", text)  # a shell comment
    for segment in _segments(text):
        words = segment.split()
        while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):  # VAR=value before a command
            words.pop(0)
        if len(words) > 1 and words[0].rsplit("/", 1)[-1] == "verifyctl":
            yield words[1:]


@dataclass(frozen=True)
class Documented:
    """A verifyctl command line found in a page: where, and its words after `verifyctl`."""

    path: Path
    number: int
    words: tuple[str, ...]


def documented_commands(path: Path) -> Iterator[Documented]:
    """Every `verifyctl ...` command line in code blocks (synopses joined) and in inline code spans."""
    page = lines(path)
    i = 0
    while i < len(page):
        line = page[i]
        if line.in_code:
            text = re.sub(r"^\s*\$\s+", "", line.text)
            start = line.number
            # A synopsis goes on in indented lines that start with `[`; a shell line with a trailing `\`.
            while (
                i + 1 < len(page)
                and page[i + 1].in_code
                and (re.match(r"^\s+\[", page[i + 1].text) or text.rstrip().endswith("\\"))
            ):
                i += 1
                text = text.rstrip().rstrip("\\") + " " + page[i].text.strip()
            if re.search(r"(^|[\s/])verifyctl\s", text):
                for words in _commands_in(text):
                    yield Documented(path, start, tuple(words))
        else:
            for match in INLINE_CODE.finditer(line.text):
                code = match.group(2).strip()
                if code.startswith("verifyctl "):
                    for words in _commands_in(code):
                        yield Documented(path, line.number, tuple(words))
        i += 1
