"""Splitting long HTML messages: every chunk fits, parses as Telegram HTML, and nothing is lost."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.telegram_html import parse_html
from bot.services.text import split_html


def words(chunks: list[str]) -> list[str]:
    return " ".join(parse_html(chunk)[0] for chunk in chunks).split()


def test_short_text_is_one_chunk() -> None:
    assert split_html("<b>hi</b>") == ["<b>hi</b>"]


def test_long_bold_text_is_closed_and_reopened() -> None:
    text = "<b>" + "сөз " * 3000 + "</b>"
    chunks = split_html(text)
    assert len(chunks) == 3
    for chunk in chunks:
        assert len(chunk) <= 4096
        assert chunk.startswith("<b>") and chunk.endswith("</b>")
        parse_html(chunk)
    assert words(chunks) == ["сөз"] * 3000


def test_cuts_prefer_paragraph_breaks() -> None:
    paragraph = "word " * 150
    text = "\n\n".join([paragraph.strip()] * 12)
    chunks = split_html(text, limit=2000)
    assert all(chunk.rstrip().endswith("word") for chunk in chunks)
    assert words(chunks) == text.split()


def test_entities_are_never_cut() -> None:
    text = "a" * 4094 + "&amp;" + "b" * 10
    chunks = split_html(text)
    for chunk in chunks:
        parse_html(chunk)
    assert "".join(parse_html(chunk)[0] for chunk in chunks) == "a" * 4094 + "&" + "b" * 10


def test_links_keep_their_href_across_a_cut() -> None:
    text = '<a href="https://example.org/x">' + "link " * 1200 + "</a>"
    for chunk in split_html(text):
        assert re.match(r'^<a href="https://example.org/x">', chunk)
        parse_html(chunk)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["", "b", "i", "code"]), st.text(alphabet="abc жүө\n", min_size=1, max_size=400)),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=60, max_value=600),
)
def test_any_html_splits_into_valid_chunks(parts: list[tuple[str, str]], limit: int) -> None:
    text = "".join(f"<{tag}>{body}</{tag}>" if tag else body for tag, body in parts)
    chunks = split_html(text, limit=limit)
    for chunk in chunks:
        assert len(chunk) <= limit
        parse_html(chunk)
    without_spaces = "".join(parse_html(chunk)[0] for chunk in chunks).split()
    assert "".join(without_spaces) == "".join(parse_html(text)[0].split())  # a word longer than a chunk is cut


def test_chunks_are_measured_in_utf16_units_as_telegram_counts() -> None:
    from bot.services.telegram_html import utf16_len

    text = "<i>" + "😀 " * 3000 + "</i>"  # 9,000 characters, 12,000 UTF-16 units
    chunks = split_html(text)
    assert all(utf16_len(chunk) <= 4096 for chunk in chunks)
    assert len(chunks) == 3
    assert words(chunks) == ["😀"] * 3000


def test_a_run_without_spaces_is_cut_between_characters_never_inside_one() -> None:
    from bot.services.telegram_html import utf16_len

    chunks = split_html("😀" * 5000)
    assert [utf16_len(chunk) for chunk in chunks] == [4096, 4096, 1808]
    assert "".join(chunks) == "😀" * 5000


def test_pages_within_keep_every_line_in_order_under_the_limit() -> None:
    from bot.services.telegram_html import utf16_len
    from bot.services.text import pages_within

    lines = [f"{n} " + "📝" * (n % 40) for n in range(300)]
    pages = pages_within(lines, 500)
    assert [line for page in pages for line in page] == lines
    assert all(utf16_len("\n".join(page)) <= 500 for page in pages)
    assert pages_within([], 100) == [[]]
    [[cut]] = pages_within(["😀" * 100], 51)
    assert utf16_len(cut) <= 51 and cut.endswith("…")
