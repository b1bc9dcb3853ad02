"""Where to send a user after signing in: a path on this site, never anywhere else."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def safe_next(target: str | None, default: str) -> str:
    """Return `target` if it is a plain path on this site, else `default`.

    Browsers drop tabs and newlines and read a backslash as a slash, so "/\\tevil",
    "/\\\\evil" and "//evil" all leave the site; so may the same after one more
    round of percent-decoding. Anything with a control character, a backslash, a
    scheme or a host is refused, as typed and once decoded.

    >>> safe_next("/my/comments?x=1", "/"), safe_next("/%09/evil.example/x", "/")
    ('/my/comments?x=1', '/')
    >>> [safe_next(t, "/") for t in ("//x", "/\\\\x", "%2F%2Fx", "https:x", "/\\r\\nSet-Cookie:x")]
    ['/', '/', '/', '/', '/']
    """
    if not target:
        return default
    for candidate in (target, unquote(target)):
        if any(ord(c) < 0x20 or c in "\\\x7f" for c in candidate):
            return default
        if not candidate.startswith("/") or candidate.startswith("//"):
            return default
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return default
    return target
