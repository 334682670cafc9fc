"""Credentials a web address may carry (user:password@host, ?token=…), found so they are never shown."""

from __future__ import annotations

import re

URL_PARAMETER = re.compile(r"(?<=[?&])([^=&\s]+)=([^&\s\"']+)")
# in one address alone, a value unencoded runs to the next "&", its spaces and quotes too ("?key=ab cd")
_ADDRESS_PARAMETER = re.compile(r"(?<=[?&])([^=&]+)=([^&]+)")
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


def address_shown(url: str) -> str:
    """One address as an error may quote it, even one written without its scheme or with it mistyped
    ("https:/user:password@host"): what stands before an @ after a slash masked, and the values of
    credential parameters, each to the next "&". An @ in the query masks what is before it too: the
    user part it could be ends with no "?" ("user:pass?word@host")."""
    return _ADDRESS_PARAMETER.sub(hide_parameter, _USER_INFO.sub("***@", url))
