"""HTML to clean text."""

from __future__ import annotations

import pytest

from content.text import clip, grapheme_boundary, html_to_text, normalize_whitespace, text_and_code, without_footers


def test_tags_are_removed_and_entities_decoded():
    assert html_to_text("<p>Fish &amp; <b>chips</b> &#8211; caf&eacute; &lt;3</p>") == "Fish & chips – café <3"


def test_script_style_and_head_are_dropped():
    markup = "<html><head><title>Tab</title><style>p{}</style></head><body><script>var x = '<p>';</script>Body</body></html>"
    assert html_to_text(markup) == "Body"


def test_blocks_become_paragraphs_and_br_a_line_break():
    markup = "<h2>Heading</h2><p>First\n   paragraph</p><div>Second<br/>line</div><ul><li>one</li><li>two</li></ul>"
    assert html_to_text(markup) == "Heading\n\nFirst paragraph\n\nSecond\nline\n\none\n\ntwo"


def test_inline_elements_do_not_break_words():
    assert html_to_text("smart<em>grid</em> <a href='/x'>pilot</a>") == "smartgrid pilot"


def test_whitespace_is_normalized():
    assert html_to_text("  \t Lots\u00a0of&nbsp;&nbsp;space \n\n\n here  ") == "Lots of space here"
    assert normalize_whitespace("a  b \n\n\n\n c\r\nd") == "a b\n\nc\nd"


def test_plain_text_passes_through():
    assert html_to_text("Nairobi, Kenya: no markup at all.") == "Nairobi, Kenya: no markup at all."
    assert html_to_text("") == ""


def test_unclosed_and_stray_markup_is_tolerated():
    assert html_to_text("<p>Open <b>bold and </i>stray</p></div>") == "Open bold and stray"


def test_attributes_comments_and_stray_brackets_read_as_a_browser_would():
    # Plain tags take a fast path; anything else (a comment, a lone "<") goes through HTMLParser.
    assert html_to_text('<a title="a>b" href=/x>link</a> and <img src="i.png"/>text') == "link and text"
    assert html_to_text("<p>x &amp; y</p><!-- <p>note</p> --><p>z</p>") == "x & y\n\nz"
    assert html_to_text("<p>1 < 2 &lt; 3</p><p>three</p>") == "1 < 2 < 3\n\nthree"
    assert html_to_text("<STYLE>p{}</STYLE><P>Upper</P><BR>case") == "Upper\n\ncase"


def test_what_feeds_append_to_an_entry_is_left_out():
    assert without_footers("Solar farms grow.\n\nRelated: Fact check: wind\n\nContinue reading...") == "Solar farms grow."
    assert without_footers("AI tutors reach 200 schools.\n\nThe post AI tutors appeared first on WP News.") == (
        "AI tutors reach 200 schools."
    )
    assert without_footers("Kenya's grid grows.\n\nShare on Facebook | Share on Twitter") == "Kenya's grid grows."
    assert without_footers("Wind power rises in Kenya, officials said [...]") == "Wind power rises in Kenya, officials said"
    assert without_footers("Wind power rises in Kenya. Read more »") == "Wind power rises in Kenya."


@pytest.mark.parametrize(
    "footer",
    [
        "Sign up for our daily newsletter to get the latest tech news.",
        "Subscribe to the Morning Brief newsletter",
        "Follow us on Twitter and Facebook.",
        "Click here to read the full story.",
        "Photo: Reuters/Jane Doe",
        "Image credit: Getty Images",
        "This article is republished from The Conversation under a Creative Commons license. Read the original article.",
    ],
)
def test_a_call_to_sign_up_or_follow_a_credit_line_or_a_picture_credit_at_the_end_is_left_out(footer):
    text = "Kenya's grid grows.\n\nThe new line reaches Kisumu in May."
    assert without_footers(f"{text}\n\n{footer}") == text
    assert without_footers(f"{footer}\n\n{text}") == f"{footer}\n\n{text}"  # only what ends the entry


@pytest.mark.parametrize(
    "footer",
    [
        "submitted by /u/grid_watcher to /r/energy\n[link] [212 comments]",
        "submitted by /u/grid_watcher\n[link] [comments]",
        "submitted bygrid_watchertoenergy\n[link][1 comment]",  # the older feeds' links, with no space around them
    ],
)
def test_a_link_aggregators_line_under_a_post_is_left_out_even_alone(footer):
    post = "Our town's new battery kept the lights on during Tuesday's storm."
    assert without_footers(f"{post}\n\n{footer}") == post
    assert without_footers(footer) == ""  # a link post has nothing else: its title says it all


@pytest.mark.parametrize(
    "footer",
    [
        "The post Gallery: the Garissa solar farm appeared first on WP News.",
        "Ten charts on Kenya's grid was originally published in Grid Notes on Medium, where people are continuing"
        " the conversation by highlighting and responding to this story.",
    ],
)
def test_a_blog_platforms_line_under_a_post_is_left_out_even_alone(footer):
    # a picture or video post has no excerpt: the platform's line naming the post and the blog was all its text
    assert without_footers(footer) == ""


def test_text_that_only_looks_like_a_footer_stays():
    assert without_footers("He said: keep reading the signs.") == "He said: keep reading the signs."
    related = "Related: the board met in Nairobi and chose to extend the grid."
    assert without_footers(related) == related  # the whole text is never dropped
    assert without_footers("Read more about it.\n\nThe grid grows.") == "Read more about it.\n\nThe grid grows."


def test_a_picture_caption_is_no_part_of_the_text():
    markup = "<figure><img src='a.jpg'><figcaption>Workers at the plant in 2019.</figcaption></figure><p>The plant opens.</p>"
    assert html_to_text(markup) == "The plant opens."


def test_a_code_block_is_no_part_of_the_text_but_code_words_in_a_sentence_are():
    markup = (
        "<p>Guard clauses keep code flat.</p><pre>if ready:<br />    start()<br />else:<br />    stop()</pre>"
        "<div class='highlight'><pre><code>x = load()</code></pre></div><p>Call <code>start()</code> first.</p>"
    )
    assert html_to_text(markup) == "Guard clauses keep code flat.\n\nCall start() first."


def test_a_code_block_is_kept_apart_from_the_text_a_paragraph_a_block():
    markup = (
        "<p>Guard clauses keep code flat.</p><pre>if ready:<br />    start()</pre><script>track()</script>"
        "<div class='highlight'><pre><code>x = load()\n  y = 2</code></pre></div><p>Call <code>start()</code> first.</p>"
    )
    assert text_and_code(markup) == ("Guard clauses keep code flat.\n\nCall start() first.", "if ready:\nstart()\n\nx = load() y = 2")
    assert text_and_code("Plain words, no markup.") == ("Plain words, no markup.", "")


def test_a_text_that_is_all_preformatted_is_kept():
    # some mailing lists send a whole message as one <pre>
    assert html_to_text("<pre>The meeting moves to Friday.</pre>") == "The meeting moves to Friday."
    assert text_and_code("<pre>The meeting moves to Friday.</pre>") == ("The meeting moves to Friday.", "")


FLAG, FAMILY, THUMB, ACCENTED = "\U0001F1F0\U0001F1EA", "👩\u200d👩\u200d👧\u200d👦", "👍\U0001F3FD", "e\u0301"


@pytest.mark.parametrize("cluster", [FLAG, FAMILY, THUMB, ACCENTED, "1\ufe0f\u20e3"])
def test_a_cut_never_splits_a_character_as_people_see_it(cluster):
    text = "ab" + cluster * 5
    starts = {2 + len(cluster) * number for number in range(6)}
    for index in range(2, len(text) + 1):
        assert grapheme_boundary(text, index) == max(start for start in starts if start <= index)
        assert clip(text, index) == text[: grapheme_boundary(text, index)]


def test_flags_pair_up_from_the_start_of_their_run():
    assert grapheme_boundary("x" + FLAG * 3, 4) == 3  # the second flag's first half stays with it
    assert grapheme_boundary("x" + FLAG * 3, 5) == 5


def test_one_character_spanning_the_whole_prefix_is_cut_all_the_same():
    zalgo = "Z" + "\u0336" * 1000
    assert grapheme_boundary(zalgo, 100) == 100
    assert clip("short", 80) == "short"
