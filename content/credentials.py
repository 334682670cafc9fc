"""Credentials a web address may carry (user:password@host, ?token=…), found so they are never shown."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# a parameter of a query, a fragment ("#access_token=…") or a path (";token=…"); a value runs to the
# next "&" or "#", or to a ";" or "?" that starts another parameter: "?key=ab;cd" is one value
URL_PARAMETER = re.compile(r"(?<=[?&;#])([^=&;?#\s]+)=((?:[^&;?#\s\"']|[;?](?![^=&;?#\s]*=))+)")
# in one address alone, a value unencoded runs on over spaces, quotes and "?" too ("?key=ab cd")
_ADDRESS_PARAMETER = re.compile(r"(?<=[?&;#])([^=&;#]+)=((?:[^&;#]|;(?![^=&;#]*=))+)")
# a user:password@ before a host, wherever a slash or the start puts it, its password's "?" or space
# unencoded too; "/@name.rss", a path's, is none
_USER_INFO = re.compile(r"[^/]+@")
# words of a parameter's name that make it a credential: "client_secret", "x-api-key", "accessToken"; not "author"
_SECRET_WORDS = frozenset(
    "token key apikey accesskey accesstoken authtoken password passwd pass passkey pwd secret auth sig signature "
    "session sessionid credential credentials".split()
)
_NAME_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")  # "accessToken2" → access, Token, 2; "API_KEY" → API, KEY


def names_a_credential(name: str) -> bool:
    parts = {part.lower() for part in _NAME_PARTS.findall(name)}
    return name.lower() in _SECRET_WORDS or not parts.isdisjoint(_SECRET_WORDS)


def hide_parameter(parameter: re.Match) -> str:
    return f"{parameter[1]}=***" if names_a_credential(parameter[1]) else parameter[0]


def credential_values(url: str) -> list[str]:
    """The whole value of each credential parameter of one address, its spaces and quotes too: in its
    query, its fragment and its path, each part apart ("/feed;token=a b?page=1": "a b", not "a b?page=1")."""
    parts = urlsplit(url)
    return [
        value
        for part in (parts.path, f"?{parts.query}", f"#{parts.fragment}")
        for name, value in _ADDRESS_PARAMETER.findall(part)
        if names_a_credential(name)
    ]


def address_shown(url: str) -> str:
    """One address as an error may quote it, even one written without its scheme or with it mistyped
    ("https:/user:password@host"): what stands before an @ after a slash masked, and the values of
    credential parameters, each to the next "&". An @ in the query masks what is before it too: the
    user part it could be ends with no "?" ("user:pass?word@host"). The parameters are masked first
    too, so that an @ in one's value ("?password=p@ssw0rd") is no end of a user part that leaves the
    rest shown."""
    return _ADDRESS_PARAMETER.sub(hide_parameter, _USER_INFO.sub("***@", _ADDRESS_PARAMETER.sub(hide_parameter, url)))
