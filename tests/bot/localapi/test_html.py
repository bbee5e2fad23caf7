"""Telegram-HTML parsing: the plain text users see and tdlib's error wording."""

from __future__ import annotations

import pytest

from bot.localapi import HTMLParseError, parse_html, utf16_len


@pytest.mark.parametrize(
    ("source", "plain"),
    [
        ("no markup", "no markup"),
        ("<b>粗</b><strong>体</strong><i>斜</i><em>e</em><u>u</u><ins>i</ins>", "粗体斜eui"),
        ("<s>s</s><strike>t</strike><del>d</del><tg-spoiler>x</tg-spoiler>", "stdx"),
        ('<span class="tg-spoiler">秘</span>', "秘"),
        ('<a href="https://example.org/?a=1&amp;b=2">链接</a>', "链接"),
        ("<code>x</code> <pre>y</pre> <blockquote expandable>z</blockquote>", "x y z"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("&lt;&gt;&amp;&quot; &#20013;&#x6587; &nbsp; a & b", '<>&" 中文 &nbsp; a & b'),
        ("<B>upper</B>", "upper"),
        ("<b>x</>", "x"),
    ],
)
def test_accepted(source: str, plain: str) -> None:
    assert parse_html(source).text == plain


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("Hello <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 6'),
        ("中文<br>", 'Unsupported start tag "br" at byte offset 6'),  # offsets count UTF-8 bytes
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b foo>x</b>", 'Expected equal sign in declaration of an attribute of the tag "b"'),
    ],
)
def test_rejected(source: str, error: str) -> None:
    with pytest.raises(HTMLParseError) as raised:
        parse_html(source)
    assert str(raised.value).startswith(error)


def test_entities_use_utf16_offsets() -> None:
    parsed = parse_html("😀<b>粗</b>")
    assert parsed.entities == [{"type": "bold", "offset": 2, "length": 1}]
    assert utf16_len("😀粗") == 3


def test_pre_with_language_is_one_entity() -> None:
    parsed = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert parsed.entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
