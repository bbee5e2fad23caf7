"""Telegram-flavoured HTML (parse_mode=HTML): validate it and turn it into plain text + entities.

This follows tdlib's parser (`do_parse_html` in td/telegram/MessageEntity.cpp), which
is what api.telegram.org runs, so that markup the real server rejects is rejected here
with the same words and byte offset, and markup it accepts yields the same plain text
(whose length is what the 4096 / 1024 limits are measured on).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JsonDict = dict[str, Any]

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
        "tg-spoiler", "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip

# Tags whose entity needs nothing but the range.
_PLAIN_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler", "code": "code",
}  # fmt: skip

# tdlib's is_space(); NUL counts because tdlib sees the end of its C string there.
_SPACES = frozenset(" \t\r\n\v\f\0")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MAX_CODE_POINT = 0x10FFFF
_LINK_SCHEMES = ("http://", "https://", "tg://", "ton://")


class HTMLParseError(ValueError):
    """Markup Telegram would refuse; `str()` is the text after "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedText:
    """What the user sees: the text without markup, and Bot API entities (UTF-16 offsets)."""

    text: str
    entities: list[JsonDict]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Telegram length limit and offset."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML; raise HTMLParseError with Telegram's description if invalid."""
    if "<" not in source and "&" not in source:
        return ParsedText(source, [])  # the common case needs no scanning
    return _Parser(source).run()


def _decode_entity(src: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at `src[pos] == "&"`; None leaves the `&` literal.

    As in tdlib, the closing `;` is optional and unknown names are not an error.
    """
    end = pos + 1
    if src.startswith("#", end):
        end += 1
        hexadecimal = src.startswith("x", end)
        end += hexadecimal
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        start = end
        while end < len(src) and src[end] in digits and end - start < 8:
            end += 1
        if end == start:
            return None
        code = int(src[start:end], 16 if hexadecimal else 10)
        if code == 0 or code >= _MAX_CODE_POINT or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < len(src) and src[end].isascii() and src[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(src[pos + 1 : end])
        if named is None:
            return None
        char = named
    if src.startswith(";", end):
        end += 1
    return char, end


@dataclass
class _OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    argument: str
    utf16_offset: int
    out_index: int  # where its content starts in the output pieces


class _Parser:
    """One pass over the source, tracking open tags and the UTF-16 position of the output."""

    def __init__(self, source: str) -> None:
        """Prepare to parse `source`."""
        self.src = source
        self.n = len(source)
        self.i = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def run(self) -> ParsedText:
        """Parse everything and return the plain text with its entities."""
        while self.i < self.n:
            char = self.src[self.i]
            if char == "&" and (decoded := _decode_entity(self.src, self.i)) is not None:
                self._emit(decoded[0])
                self.i = decoded[1]
            elif char != "<":
                self._emit(char)
                self.i += 1
            elif self.src.startswith("/", self.i + 1):
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            name = self.stack[-1].name
            raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        for entity in entities:
            if entity["type"] == "code":
                entity.pop("language", None)  # only meaningful inside <pre>
        return ParsedText("".join(self.out), entities)

    # -- helpers ---------------------------------------------------------------------

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += utf16_len(text)

    def _byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8", "surrogatepass"))

    def _skip_spaces(self, i: int) -> int:
        while i < self.n and self.src[i] in _SPACES:
            i += 1
        return i

    def _scan_name(self, i: int, stop: str = ">") -> int:
        while i < self.n and self.src[i] not in _SPACES and self.src[i] not in stop:
            i += 1
        return i

    def _fail(self, message: str, index: int) -> HTMLParseError:
        return HTMLParseError(f"{message} at byte offset {self._byte_offset(index)}")

    # -- tags ------------------------------------------------------------------------

    def _start_tag(self) -> None:
        begin = self.i
        i = self._scan_name(begin + 1)
        if i >= self.n:
            raise self._fail("Unclosed start tag", begin)
        name = self.src[begin + 1 : i].lower()
        if name not in SUPPORTED_TAGS:
            raise self._fail(f'Unsupported start tag "{name}"', begin)
        argument, i = self._attributes(name, begin, i)
        if name == "span" and argument != "spoiler":
            raise self._fail('Tag "span" must have class "tg-spoiler"', begin)
        self.stack.append(_OpenTag(name, argument, self.utf16, len(self.out)))
        self.i = i + 1

    def _attributes(self, tag: str, begin: int, i: int) -> tuple[str, int]:
        """Read attributes up to the closing `>`; return the tag's argument and its index."""
        argument = ""
        while True:
            i = self._skip_spaces(i)
            if i >= self.n:
                raise self._fail("Unclosed start tag", begin)
            if self.src[i] == ">":
                return argument, i
            name_start = i
            i = self._scan_name(i, stop="=>")
            attribute = self.src[name_start:i].lower()
            if not attribute:
                raise self._fail(f'Empty attribute name in the tag "{tag}"', begin)
            i = self._skip_spaces(i)
            if not self.src.startswith("=", i):
                if tag == "blockquote" and attribute == "expandable":
                    argument = "expandable"
                    continue
                raise self._fail(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}"', begin
                )
            i = self._skip_spaces(i + 1)
            if i >= self.n:
                raise self._fail(f'Unclosed start tag "{tag}"', begin)
            value, i = self._attribute_value(i)
            argument = _tag_argument(tag, attribute, value, argument)

    def _attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.src[i]
        if quote not in "'\"":
            # An unquoted name token: letters, digits, periods and hyphens (case-insensitive).
            start = i
            while i < self.n and (
                (self.src[i].isascii() and self.src[i].isalnum()) or self.src[i] in ".-"
            ):
                i += 1
            if i < self.n and self.src[i] not in _SPACES and self.src[i] != ">":
                raise self._fail("Unexpected end of name token", start)
            return self.src[start:i].lower(), i
        i += 1
        chars: list[str] = []
        while i < self.n and self.src[i] != quote:
            decoded = _decode_entity(self.src, i) if self.src[i] == "&" else None
            if decoded is not None:
                chars.append(decoded[0])
                i = decoded[1]
            else:
                chars.append(self.src[i])
                i += 1
        return "".join(chars), i + 1

    def _end_tag(self) -> None:
        begin = self.i
        if not self.stack:
            raise self._fail("Unexpected end tag", begin)
        i = self._scan_name(begin + 2)
        end_name = self.src[begin + 2 : i].lower()
        i = self._skip_spaces(i)
        if not self.src.startswith(">", i):
            raise self._fail("Unclosed end tag", begin)
        tag = self.stack.pop()
        if end_name and end_name != tag.name:
            raise HTMLParseError(
                f"Unmatched end tag at byte offset {self._byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        self._close(tag)
        self.i = i + 1

    def _close(self, tag: _OpenTag) -> None:
        """Add the entity for a tag just closed (empty ranges make none, as in tdlib)."""
        if self.utf16 <= tag.utf16_offset:
            return
        span: JsonDict = {"offset": tag.utf16_offset, "length": self.utf16 - tag.utf16_offset}
        entity = self._entity_for(tag, span)
        if entity is not None:
            self.entities.append(entity)

    def _entity_for(self, tag: _OpenTag, span: JsonDict) -> JsonDict | None:
        if tag.name == "code" and tag.argument:
            return {"type": "code", **span, "language": tag.argument}
        if tag.name in _PLAIN_ENTITY_TYPES:
            return {"type": _PLAIN_ENTITY_TYPES[tag.name], **span}
        if tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            return {"type": kind, **span}
        if tag.name == "pre":
            return self._pre_entity(span)
        if tag.name == "tg-emoji":
            if not tag.argument:
                return None
            return {"type": "custom_emoji", **span, "custom_emoji_id": tag.argument}
        url = _normalize_link(tag.argument or "".join(self.out[tag.out_index :]))
        return {"type": "text_link", **span, "url": url} if url else None

    def _pre_entity(self, span: JsonDict) -> JsonDict:
        """`<pre><code class="language-x">` is one pre entity carrying the language."""
        last = self.entities[-1] if self.entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == span["offset"]
            and last["length"] == span["length"]
        ):
            self.entities.pop()
            if "language" in last:
                return {"type": "pre", **span, "language": last["language"]}
        return {"type": "pre", **span}


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    """The one attribute each tag cares about; others are ignored as tdlib does."""
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    return current


def _normalize_link(url: str) -> str | None:
    """Telegram silently drops links it cannot use and adds http:// to bare domains."""
    url = url.strip()
    if url.lower().startswith(_LINK_SCHEMES):
        return url
    if url and "." in url and not any(c in _SPACES for c in url) and "://" not in url:
        return f"http://{url}"
    return None
