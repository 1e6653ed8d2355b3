"""A generated student roster with valid checksummed identifiers, for tests, benchmarks and the demo."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from secops.data.identifiers import id_check_char

HEADER = [
    "学籍号", "姓名", "性别", "身份证号", "出生日期", "班级", "家长电话",
    "身高cm", "体重kg", "出勤天数", "体检日期", "最近刷卡时间", "数学成绩",
]  # fmt: skip
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
_GIVEN = "子涵浩宇欣怡梓轩雨桐一诺思远佳琪博文嘉怡俊杰紫萱明轩诗涵宇航若曦天佑可馨"
_REGIONS = ("320684", "110105", "440305", "330106", "510107", "420102", "610113", "370212")


def student_id(index: int) -> str:
    """A unique valid ID number for each index below 8.7 million."""
    region = _REGIONS[index % len(_REGIONS)]
    rest = index // len(_REGIONS)
    born = date(2010, 1, 1) + timedelta(days=rest // 300 % 1096)
    first17 = f"{region}{born:%Y%m%d}{rest % 300 + (rest // 328_800) * 300:03d}"
    return first17 + id_check_char(first17)


def roster_rows(rows: int, *, seed: int = 1, start: int = 0) -> Iterator[list[str]]:
    """Rows of text cells like a school's export (CSV-style strings)."""
    rng = random.Random(seed)  # noqa: S311 - made-up people, reproducible by seed; no secret here
    for index in range(start, start + rows):
        number = student_id(index)
        born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
        name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
        checked = date(2025, 9, 1) + timedelta(days=rng.randrange(60))
        swiped = datetime(2025, 11, 1, 7) + timedelta(seconds=rng.randrange(30 * 86400))
        yield [
            "G" + number,
            name,
            "男" if int(number[16]) % 2 else "女",
            number,
            born,
            f"七年级{rng.randrange(1, 13)}班",
            f"13{rng.randrange(8) + 2}{rng.randrange(10**8):08d}",
            f"{rng.gauss(158, 9):.1f}",
            f"{rng.gauss(48, 8):.1f}",
            str(rng.randrange(150, 200)),
            checked.isoformat(),
            swiped.strftime("%Y-%m-%d %H:%M:%S"),
            str(rng.randrange(40, 101)),
        ]
