"""`follows`, time limits and complaint channels in campaign files: loaded, and every
mistake reported on one line naming the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.campaign.loader import CampaignFileError, load_campaigns, validate_file

from .helpers import CZ, FOLLOWUP, FU, campaigns_with_followup, edited, line_of


def test_the_followup_loads_beside_the_campaign_it_follows(tmp_path: Path) -> None:
    campaigns = load_campaigns(campaigns_with_followup(tmp_path))
    followup = campaigns[FU]
    assert followup.follows is not None and followup.follows.campaign == CZ
    assert followup.follows.units["city-window"] == "changzhou-window"
    window = followup.unit("city-window")
    assert window.complaint_channel is not None
    assert window.complaint_channel.phone == "0519-12345678"
    assert window.complaint_channel.url == "https://example.gov.cn/complaints"
    # A line given as a bare string is its zh-Hans text, which the other locales fall back to.
    assert [t.get("en") for t in window.time_limits][1] == "安全生产培训证明：当场办结"
    assert validate_file(tmp_path / FOLLOWUP.name) == []


def _error(tmp_path: Path, text: str) -> CampaignFileError:
    folder = campaigns_with_followup(tmp_path, text)
    with pytest.raises(CampaignFileError) as caught:
        load_campaigns(folder)
    [same] = validate_file(folder / FOLLOWUP.name)  # `pingyi validate` says the same
    assert str(same) == str(caught.value)
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        # a new id that is no unit of this campaign (checked by the schema)
        (
            "    wujin-window: wujin-window\n",
            "    wujin-windw: wujin-window\n",
            "follows.units.wujin-windw",
            "is not a unit of this campaign",
        ),
        # an old id that is no unit of the campaign followed
        (
            "    xinbei-window: xinbei-window\n",
            "    xinbei-window: xinbei-windo\n",
            "follows.units.xinbei-window",
            "'xinbei-windo' is not a unit of changzhou-2011-safety",
        ),
        # a campaign that is not loaded
        (
            "  campaign: changzhou-2011-safety\n",
            "  campaign: changzhou-2010\n",
            "follows.campaign",
            "'changzhou-2010' is not among the campaign files",
        ),
        (
            "  campaign: changzhou-2011-safety\n",
            "  campaign: changzhou-2012-followup\n",
            "follows.campaign",
            "cannot follow itself",
        ),
    ],
)
def test_follows_mistakes_name_field_and_line(
    tmp_path: Path, old: str, new: str, field: str, words: str
) -> None:
    text = edited(old, new)
    error = _error(tmp_path, text)
    assert error.field == field
    assert words in error.message
    assert error.line == line_of(text, new.strip())
    assert str(error).startswith(f"{tmp_path / FOLLOWUP.name}:{error.line}: {field}: ")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("      phone: 0519-12345678\n", "      phone: call us\n", "phone"),
        (
            "      url: https://example.gov.cn/complaints\n",
            "      url: javascript:alert(1)\n",
            "url",
        ),
        ("      - 安全生产培训证明：当场办结\n", f"      - {'长' * 301}\n", "time_limits"),
    ],
)
def test_outreach_mistakes_name_field_and_line(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    text = edited(old, new)
    error = _error(tmp_path, text)
    assert error.field.startswith("units.0.") and field in error.field
    assert error.line is not None and error.line >= line_of(text, "  - id: city-window")


def test_a_channel_must_name_a_way_to_complain(tmp_path: Path) -> None:
    text = edited(
        """    complaint_channel:
      phone: 0519-12345678
      address:
        zh-Hans: 常州市政务服务中心一楼投诉台
        en: Complaint desk, ground floor, Changzhou Government Service Centre
      url: https://example.gov.cn/complaints
""",
        "    complaint_channel: {}\n",
    )
    error = _error(tmp_path, text)
    assert error.field == "units.0.complaint_channel"
    assert "needs a phone, an address or a url" in error.message
    assert error.line == line_of(text, "complaint_channel: {}")
