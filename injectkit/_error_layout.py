"""Lay out an error's parts (what, chain, hint) in lines a terminal and a page can show.

A message used to be one line per part, up to 190 characters: a terminal wrapped it in
the middle of words and the docs site hid the hint behind horizontal scrolling.  Each
part is wrapped here at :data:`WIDTH` columns, on its own lines, continuation lines
indented under the part's label.  Only called when an error is created, never per call.
A leaf module: it imports nothing from the library.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["WIDTH", "error_lines", "wrapped"]

# Columns of an error's text, the traceback's "injectkit.ScopeError: " included: an
# 80-column terminal shows every line whole.
WIDTH = 80

_CHAIN = "  chain: "
_HINT = "  hint: "

# What a line may not be broken inside: a word, or a quoted name, code or stand-in with
# its spaces ('user_id: int', `await scope.call(...)`, <X object (its __repr__ raised)>)
# and the punctuation around it.
_UNBREAKABLE = re.compile(r"[(\[]*(?:'[^'\n]*'|`[^`\n]*`|<[^>\n]*>)\S*|\S+")


def error_lines(
    message: str, chain: Sequence[str], hint: str | None, *, lead: int, width: int = WIDTH
) -> str:
    """``message``, ``chain`` and ``hint`` as lines of at most ``width`` columns (a longer
    word stays whole).  The first line leaves ``lead`` columns for what is printed before
    it (a traceback's ``injectkit.ScopeError: ``).
    """
    lines = _wrapped_text(message, width, lead)
    if chain:
        lines.extend(_wrapped_chain(chain, width))
    if hint:
        indent = " " * len(_HINT)
        lines.extend(_fill(hint, width, _HINT, indent))
    return "\n".join(lines)


def wrapped(text: str, *, first: str, indent: str, width: int = WIDTH) -> str:
    """One paragraph of ``text`` in lines of at most ``width`` columns, the first after
    ``first``, the others after ``indent`` (for the command line's own messages)."""
    return "\n".join(_fill(text, width, first, indent))


def _wrapped_text(message: str, width: int, lead: int) -> list[str]:
    """Each line of ``message`` wrapped on its own, keeping its indentation (a combined
    error's numbered list is laid out already and stays as it is when it fits)."""
    lines: list[str] = []
    for number, line in enumerate(message.split("\n")):
        room = width - (lead if number == 0 else 0)
        if len(line) <= room:
            lines.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip(" "))]
        first = " " * (width - room) + indent
        wrapped = _fill(line.strip(" "), width, first, indent)
        wrapped[0] = wrapped[0][width - room :]
        lines.extend(wrapped)
    return lines


def _wrapped_chain(chain: Sequence[str], width: int) -> list[str]:
    """``  chain: a -> b -> c``, broken after an arrow, never inside a name."""
    indent = " " * len(_CHAIN)
    lines: list[str] = []
    line = _CHAIN + chain[0]
    for name in chain[1:]:
        if len(line) + len(" -> ") + len(name) <= width:
            line += " -> " + name
        else:
            lines.append(line + " ->")
            line = indent + name
    lines.append(line)
    return lines


def _fill(text: str, width: int, first: str, indent: str) -> list[str]:
    """``text`` in lines of at most ``width`` columns, the first starting with ``first``,
    the others with ``indent``; a piece longer than a line stays whole."""
    lines: list[str] = []
    line = first
    start = len(first)  # where the line's text begins; a piece always goes there
    for piece in _UNBREAKABLE.findall(text):
        if len(line) == start:
            line += piece
        elif len(line) + 1 + len(piece) <= width:
            line += " " + piece
        else:
            lines.append(line)
            line = indent + piece
            start = len(indent)
    lines.append(line)
    return lines
