"""What ``secops notify test`` sends (marked as a test, with the school and the local time) and which
channels a name, a type or a number picks."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from secops.errors import SecopsError
from secops.i18n import speaking
from secops.notify import make_channel
from secops.notify.trial import pick, trial_message

CHANNELS = [
    make_channel("dingtalk", url="https://oapi.dingtalk.com/robot/send?access_token=x", name="值班群"),
    make_channel("wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"),
    make_channel("wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=y", name="网络中心"),
    make_channel("log"),
]


def test_the_message_is_marked_and_shows_school_and_local_time() -> None:
    moment = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
    with speaking("zh"):
        text = trial_message("示例中学", moment, ZoneInfo("Asia/Shanghai"))
    assert text.startswith("【secops 测试消息】示例中学")
    assert "2026-12-07 10:30:00+08:00" in text
    with speaking("en"):
        assert trial_message("示例中学", moment, ZoneInfo("UTC")).startswith("[secops test message] 示例中学")


def test_without_a_choice_every_channel_in_order() -> None:
    assert [n for n, _c in pick(CHANNELS, None)] == [1, 2, 3, 4]


@pytest.mark.parametrize(("which", "numbers"), [("值班群", [1]), ("wecom", [2, 3]), ("网络中心", [3]), ("4", [4])])
def test_a_name_a_type_or_a_number(which: str, numbers: list[int]) -> None:
    assert [n for n, _c in pick(CHANNELS, which)] == numbers


def test_an_unknown_choice_lists_what_there_is() -> None:
    with pytest.raises(SecopsError) as error:
        pick(CHANNELS, "pager")
    assert str(error.value) == (
        "no notifier 'pager' in notifiers.yaml "
        "(choose a name, a type or a number among: 1:值班群, 2:wecom, 3:网络中心, 4:log)"
    )
