"""What a careless user or an attacker types, sends and presses: hypothesis strategies.

Texts cover what broke the bot before (issue 13): very long (past Telegram's 4096),
HTML specials, text that looks like markup, zero-width and right-to-left marks,
emoji with ZWJ sequences, blank or empty after trimming.  Media are every kind
Telegram can put where the bot expects text.  Callback data are random, forged
with a real prefix and wrong ids, or stale (a button the person saw earlier).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from bot.telegram.common.callbacks import (
    AnswerItem,
    BroadcastAddLocale,
    BroadcastAudience,
    BroadcastAudienceMenu,
    BroadcastCancel,
    BroadcastSend,
    BroadcastUnitSearch,
    ChooseLanguage,
    ComplaintAction,
    ComplaintDraftAction,
    Navigate,
    PickCampaign,
    PickUnit,
    PublishConfirm,
    ResultsPage,
    StartSurvey,
    UnitsPage,
)

CAMPAIGN = "changzhou-2011-safety"
UNIT_WORDS = ("wujin", "武进", "liyang", "公安", "Wujin District Administration", "局")
ZERO_WIDTH = ("\u200b", "\ufeff", "\u200c", "\u200d", "\u2060", "\u00ad")
RTL = ("\u202e", "\u202b", "\u200f", "\u061c")
EMOJI = ("😀", "👨‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇨🇳", "❤️", "🧑‍⚖️")
HTML_BITS = ("<", ">", "&", "&amp;", "<b>", "</b>", "<a href='x'>", "</a>", '"', "'", "&#0;")
MARKUP = (
    "<b>粗体</b>",
    "<i>unclosed",
    '<a href="javascript:alert(1)">link</a>',
    "<pre><code class='x'>",
    "**not markdown**",
    "_x_ *y* `z` [l](http://e)",
    "<tg-spoiler>秘</tg-spoiler>",
    "&lt;&gt;&amp;",
    "@admin /start #tag https://t.me/x",
)
BLANKS = ("", " ", "\n", "\t", "\u3000", "\u00a0", " \u200b\ufeff ")

# Every piece that can make up a typed text.
_PIECE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(UNIT_WORDS + ZERO_WIDTH + RTL + EMOJI + HTML_BITS + MARKUP + BLANKS),
    st.text(alphabet="我们对服务不满意窗口人员态度粗暴", min_size=1, max_size=30),
)


@st.composite
def typed_text(draw: st.DrawFn) -> str:
    """A message a person might type: anything from empty to far past 4096 characters."""
    shape = draw(st.sampled_from(["pieces", "long", "invisible", "command-like", "blank"]))
    if shape == "long":
        unit = draw(st.sampled_from(["长", "&", "<b>", "😀", "a", "\u200b", "👨‍👩‍👧‍👦"]))
        return unit * draw(st.integers(min_value=400, max_value=5000)) + draw(_PIECE)
    if shape == "invisible":
        return "".join(draw(st.lists(st.sampled_from(ZERO_WIDTH + BLANKS), max_size=20)))
    if shape == "blank":
        return draw(st.sampled_from(BLANKS))
    text = "".join(draw(st.lists(_PIECE, min_size=1, max_size=6)))
    if shape == "command-like":
        return "/" + text
    return text


def _utf16(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@st.composite
def entities(draw: st.DrawFn, text: str) -> list[dict[str, Any]]:
    """Formatting a client might attach (bold, links …): on character boundaries, as
    Telegram delivers them, counted in UTF-16 code units."""
    if not text:
        return []
    found: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        start = draw(st.integers(min_value=0, max_value=len(text) - 1))
        end = draw(st.integers(min_value=start + 1, max_value=len(text)))
        kind = draw(st.sampled_from(["bold", "italic", "code", "text_link", "spoiler", "url"]))
        entity: dict[str, Any] = {
            "type": kind,
            "offset": _utf16(text[:start]),
            "length": _utf16(text[start:end]),
        }
        if kind == "text_link":
            entity["url"] = draw(
                st.sampled_from(["https://example.org/?a=<b>&c", "tg://user?id=1"])
            )
        found.append(entity)
    return found


MEDIA_KINDS = (
    "photo",
    "document",
    "sticker",
    "voice",
    "video",
    "audio",
    "animation",
    "video_note",
    "location",
    "contact",
    "dice",
    "venue",
)

_PREFIXES = [
    cls.__prefix__
    for cls in (
        AnswerItem,
        BroadcastAddLocale,
        BroadcastAudience,
        BroadcastAudienceMenu,
        BroadcastCancel,
        BroadcastSend,
        BroadcastUnitSearch,
        ChooseLanguage,
        ComplaintAction,
        ComplaintDraftAction,
        Navigate,
        PickCampaign,
        PickUnit,
        PublishConfirm,
        ResultsPage,
        StartSurvey,
        UnitsPage,
    )
]
_FIELD = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.integers(min_value=-2, max_value=60).map(str),
    st.sampled_from(
        [
            "",
            CAMPAIGN,
            "questionnaire",
            "onsite",
            "accept",
            "close",
            "submit",
            "done",
            "anon",
            "unit",
            "kind",
            "TS11-000000000",
            "TS11-ZZZZZZZZZ",
            "zh-Hans",
            "xx",
            "everyone",
            "1.5",
            "None",
            "true",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_characters=":"), max_size=10),
)


@st.composite
def forged_data(draw: st.DrawFn) -> str:
    """Callback data no button of the bot carries: random bytes, or a real prefix with
    wrong or missing fields; at most 64 bytes, as Telegram allows."""
    if draw(st.booleans()):
        data = draw(st.text(min_size=1, max_size=64))
    else:
        fields = draw(st.lists(_FIELD, min_size=0, max_size=6))
        data = ":".join([draw(st.sampled_from(_PREFIXES)), *fields])
    while len(data.encode()) > 64:
        data = data[:-1]
    return data or "x"
