"""Article links as both platforms take them, or None when no platform would.

A feed's link may hold spaces, quotes or letters outside ASCII, which a browser escapes as it
follows the link; Discord refuses such an embed URL with the whole message, and so it does an
address whose host has no dot ("http://localhost/post", "http://intranet/a"), so these go.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

URL_LIMIT = 2048  # a longer link is dropped rather than sent
_KEPT_AS_WRITTEN = "/?#[]@!$&'()*+,;=:~%"  # URL syntax, and the escapes already made


def web_address(url: str | None) -> str | None:
    """The absolute http(s) URL with whatever a browser would escape escaped, else None
    (javascript:, data:, relative, a host without a dot, over URL_LIMIT once escaped)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:  # "https://[broken/x", a port that is no number
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or "." not in host.strip("."):
        return None
    netloc = _ascii_netloc(parts.netloc, host, port)
    if netloc is None:
        return None
    escaped = urlunsplit((parts.scheme, netloc, *(quote(part, safe=_KEPT_AS_WRITTEN) for part in parts[2:])))
    return escaped if len(escaped) <= URL_LIMIT else None


def _ascii_netloc(netloc: str, host: str, port: int | None) -> str | None:
    if not netloc.isascii():
        try:
            ascii_host = host.encode("idna").decode("ascii")  # maps a no-break or ideographic space to " "
        except UnicodeError:
            return None
        user = netloc.rpartition("@")[0]
        netloc = (quote(user, safe=":%") + "@" if user else "") + ascii_host + (f":{port}" if port is not None else "")
    return netloc if netloc.isprintable() and " " not in netloc else None
