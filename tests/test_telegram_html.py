"""Unit tests of the Telegram-HTML parser (bot/services/telegram_html.py)."""

import pytest

from bot.services.telegram_html import TelegramHtmlError, parse_html, utf16_len


def test_utf16_len_counts_astral_characters_twice() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("Кыргызстан өңү") == 14
    assert utf16_len("🇰🇬") == 4
    assert utf16_len("a😀b") == 4


def test_plain_text_has_no_entities() -> None:
    assert parse_html("Салам, дүйнө!") == ("Салам, дүйнө!", [])


def test_simple_tags_give_entities_with_utf16_offsets() -> None:
    text, entities = parse_html("😀 <b>bold</b> <i>it</i> <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler>")
    assert text == "😀 bold it u s x"
    assert entities == [
        {"offset": 3, "length": 4, "type": "bold"},
        {"offset": 8, "length": 2, "type": "italic"},
        {"offset": 11, "length": 1, "type": "underline"},
        {"offset": 13, "length": 1, "type": "strikethrough"},
        {"offset": 15, "length": 1, "type": "spoiler"},
    ]


@pytest.mark.parametrize(
    ("tag", "kind"),
    [("strong", "bold"), ("em", "italic"), ("ins", "underline"), ("strike", "strikethrough"), ("del", "strikethrough")],
)
def test_tag_synonyms(tag: str, kind: str) -> None:
    assert parse_html(f"<{tag}>x</{tag}>") == ("x", [{"offset": 0, "length": 1, "type": kind}])


def test_nested_entities_are_sorted_outer_first() -> None:
    text, entities = parse_html("<b>a <i>b</i></b>")
    assert text == "a b"
    assert entities == [
        {"offset": 0, "length": 3, "type": "bold"},
        {"offset": 2, "length": 1, "type": "italic"},
    ]


def test_html_entities_are_decoded_and_count_as_one_character() -> None:
    text, entities = parse_html("<b>&lt;&gt;&amp;&quot;&#65;&#x42;&#128512;</b>")
    assert text == '<>&"AB😀'
    assert entities == [{"offset": 0, "length": 8, "type": "bold"}]


def test_links() -> None:
    text, entities = parse_html('<a href="https://example.org/?a=1&amp;b=2">site</a> <a href="tg://user?id=1">u</a>')
    assert text == "site u"
    assert entities == [
        {"offset": 0, "length": 4, "type": "text_link", "url": "https://example.org/?a=1&b=2"},
        {"offset": 5, "length": 1, "type": "text_link", "url": "tg://user?id=1"},
    ]


def test_link_without_scheme_gets_http_and_unusable_link_is_dropped() -> None:
    assert parse_html("<a href='example.org'>x</a>")[1] == [
        {"offset": 0, "length": 1, "type": "text_link", "url": "http://example.org"}
    ]
    assert parse_html('<a href="javascript://alert(1)">x</a>') == ("x", [])


def test_pre_with_language_and_plain_code() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre> <code>y</code>')
    assert text == "x = 1 y"
    assert entities == [
        {"offset": 0, "length": 5, "type": "pre", "language": "python"},
        {"offset": 6, "length": 1, "type": "code"},
    ]
    assert parse_html("<pre>z</pre>")[1] == [{"offset": 0, "length": 1, "type": "pre"}]


def test_blockquotes_spoiler_span_and_custom_emoji() -> None:
    text, entities = parse_html(
        '<blockquote>q</blockquote><blockquote expandable>e</blockquote><span class="tg-spoiler">s</span>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert text == "qes👍"
    assert entities == [
        {"offset": 0, "length": 1, "type": "blockquote"},
        {"offset": 1, "length": 1, "type": "expandable_blockquote"},
        {"offset": 2, "length": 1, "type": "spoiler"},
        {"offset": 3, "length": 2, "type": "custom_emoji", "custom_emoji_id": "5368324170671202286"},
    ]


def test_empty_tags_give_no_entity_and_end_tag_name_may_be_omitted() -> None:
    assert parse_html("a<b></b>c") == ("ac", [])
    assert parse_html("<b>x</>") == ("x", [{"offset": 0, "length": 1, "type": "bold"}])


def test_bare_greater_than_is_literal() -> None:
    assert parse_html("2 > 1") == ("2 > 1", [])


@pytest.mark.parametrize(
    ("source", "description"),
    [
        ("a <br> b", 'Unsupported start tag "br" at byte offset 2'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Ө <p>x</p>", 'Unsupported start tag "p" at byte offset 3'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b class>x</b>", 'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0'),
        ("<a href=x/y>z</a>", "Unexpected end of name token at byte offset 8"),
        ("<tg-emoji emoji-id='abc'>x</tg-emoji>", "Invalid custom emoji identifier specified"),
        ("Tom & Jerry", 'Unescaped "&" (use &amp;) at byte offset 4'),
        ("&nbsp;", 'Unescaped "&" (use &amp;) at byte offset 0'),
        ("&#0;", 'Unescaped "&" (use &amp;) at byte offset 0'),
    ],
)
def test_invalid_markup_is_rejected_with_telegram_wording(source: str, description: str) -> None:
    with pytest.raises(TelegramHtmlError) as error:
        parse_html(source)
    assert error.value.description == description
