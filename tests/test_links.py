"""Article links as Telegram and Discord take them: escaped as a browser would, or left out."""

from __future__ import annotations

import pytest

from bot.adapters.links import web_address


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://a.example/x?y=1&z=2", "https://a.example/x?y=1&z=2"),
        ("HTTP://A.EXAMPLE", "http://A.EXAMPLE"),
        (" https://a.example/x\n", "https://a.example/x"),
        ("https://a.example/a%20b?q=%C3%A9#top", "https://a.example/a%20b?q=%C3%A9#top"),
        ("http://127.0.0.1:8080/p", "http://127.0.0.1:8080/p"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("/relative/path", None),
        ("a.example/x", None),
        ("https://", None),
        ("https://[broken/x", None),
        ("https://a.example:port/x", None),
        ("https://a.example/" + "a" * 3000, None),
        (None, None),
    ],
)
def test_only_absolute_http_links_are_kept(url, expected):
    assert web_address(url) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://a.example/My Story.html", "https://a.example/My%20Story.html"),
        ('https://a.example/"quoted"<b>', "https://a.example/%22quoted%22%3Cb%3E"),
        ("https://a.example/caf\u00e9?q=\u00fc", "https://a.example/caf%C3%A9?q=%C3%BC"),
        ("https://\u4f8b\u3048.jp/\u30d1\u30b9", "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9"),
        ("https://a.example/\u202eexe.txt", "https://a.example/%E2%80%AEexe.txt"),
    ],
)
def test_what_a_browser_escapes_is_escaped_not_dropped(url, expected):
    assert web_address(url) == expected


@pytest.mark.parametrize("url", ["http://localhost:8080/post", "http://intranet/a", "https://wordpress./x"])
def test_a_host_without_a_dot_is_no_link(url):
    assert web_address(url) is None


def test_a_link_escaped_past_the_limit_is_dropped():
    assert web_address("https://a.example/" + "\u00e9" * 400) is None  # 2,418 characters escaped


@pytest.mark.parametrize("url", ["https://news.example\u00a0/a", "https://news.example\u3000/a", "https://news.\u2002example/a"])
def test_a_host_holding_a_space_outside_ascii_is_no_link(url):
    # IDNA turns a no-break or ideographic space into a plain one, and Discord refuses such a link with the whole message
    assert web_address(url) is None
