"""A word-level diff of two texts, as escaped HTML with <del> and <ins>."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from markupsafe import Markup, escape

_WORD = re.compile(r"(\S+)(\s*)")  # a word and the whitespace after it


def _words(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _WORD.finditer(text.strip())]


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes, with the common start and end matched first.

    difflib's autojunk (on) keeps the cost bounded: without it, a long text repeating a
    few words ("the the the …") takes seconds. Frequent words then cannot start a match,
    but matches still extend through them, and most revisions change a few places in
    the middle, which matching the common start and end first keeps exact.
    """
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    ops: list[tuple[str, int, int, int, int]] = [("equal", 0, start, 0, start)] if start else []
    middle = SequenceMatcher(None, a[start:len(a) - end], b[start:len(b) - end])
    ops += [(op, i1 + start, i2 + start, j1 + start, j2 + start)
            for op, i1, i2, j1, j2 in middle.get_opcodes()]
    if end:
        ops.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return ops


def word_diff(old: str, new: str) -> Markup:
    """Show `new` word by word against `old`: removed words in <del>, added ones in <ins>.

    Words are compared without the spaces between them, so a reflowed line is not a
    change; the spacing and line breaks shown are the new text's (the removed text's
    inside <del>). Every piece of text is escaped: only the tags are markup. Show the
    result in an element that keeps line breaks (`white-space: pre-wrap`).

    >>> str(word_diff("the cat sat <here>", "the dog sat <here>"))
    'the <del>cat</del> <ins>dog</ins> sat &lt;here&gt;'
    """
    a, b = _words(old), _words(new)
    out: list[Markup] = []
    needs_space = False  # the output so far ends in a word, not a space

    def write(tokens: list[tuple[str, str]], tag: str | None, keep_tail: bool = True) -> None:
        nonlocal needs_space
        text = "".join(word + space for word, space in tokens)
        body = text.rstrip()
        tail = text[len(body):] if keep_tail else ""
        if needs_space:
            out.append(Markup(" "))  # two changes, or a change after the last word
        if tag is None:
            out.append(escape(body))
        else:
            out.append(Markup(f"<{tag}>") + escape(body) + Markup(f"</{tag}>"))
        out.append(escape(tail))
        needs_space = bool(body) and not tail

    for op, i1, i2, j1, j2 in _opcodes([w for w, _ in a], [w for w, _ in b]):
        if op == "equal":
            write(b[j1:j2], None)
        elif op == "delete":
            write(a[i1:i2], "del")
        elif op == "insert":
            write(b[j1:j2], "ins")
        else:  # replace: the removed words, then the added ones in their place
            write(a[i1:i2], "del", keep_tail=False)
            write(b[j1:j2], "ins")
    return Markup("").join(out).rstrip()
