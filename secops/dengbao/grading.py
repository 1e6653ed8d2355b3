"""定级 per GB/T 22240-2020: level = f(受侵害的客体, 侵害程度), graded separately for 业务信息安全 and
系统服务安全; the system level is the higher of the two.

The matrix (same for both dimensions)::

                          一般损害  严重损害  特别严重损害
    公民、法人和其他组织的合法权益    1        2         2
    社会秩序、公共利益              2        3         4
    国家安全                        3        4         5
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OBJECTS: dict[str, str] = {
    "citizen": "公民、法人和其他组织的合法权益",
    "society": "社会秩序、公共利益",
    "nation": "国家安全",
}
DEGREES: dict[str, str] = {
    "general": "一般损害",
    "serious": "严重损害",
    "especially_serious": "特别严重损害",
}
MATRIX: dict[tuple[str, str], int] = {
    ("citizen", "general"): 1,
    ("citizen", "serious"): 2,
    ("citizen", "especially_serious"): 2,
    ("society", "general"): 2,
    ("society", "serious"): 3,
    ("society", "especially_serious"): 4,
    ("nation", "general"): 3,
    ("nation", "serious"): 4,
    ("nation", "especially_serious"): 5,
}
DIMENSIONS: dict[str, str] = {"business": "业务信息安全", "service": "系统服务安全"}
LEVEL_NAMES = {1: "第一级", 2: "第二级", 3: "第三级", 4: "第四级", 5: "第五级"}

# Accepted spellings, so answer files can be written in Chinese or English.
_OBJECT_ALIASES = {
    **{key: key for key in OBJECTS},
    **{value: key for key, value in OBJECTS.items()},
    "公民、法人和其他组织": "citizen",
    "合法权益": "citizen",
    "公民法人和其他组织的合法权益": "citizen",
    "社会秩序和公共利益": "society",
    "社会秩序": "society",
    "公共利益": "society",
    "教学科研秩序": "society",  # GB/T 22240 counts it as 社会秩序
}
_DEGREE_ALIASES = {
    **{key: key for key in DEGREES},
    **{value: key for key, value in DEGREES.items()},
    "especially-serious": "especially_serious",
    "especially serious": "especially_serious",
    "一般": "general",
    "严重": "serious",
    "特别严重": "especially_serious",
}


class GradingInputError(ValueError):
    """An answer that is not one of the accepted objects or degrees (the caller adds file:line)."""


def normalize_object(value: object) -> str:
    key = _OBJECT_ALIASES.get(str(value).strip())
    if key is None:
        raise GradingInputError(
            f"unknown 受侵害的客体 {value!r}; use citizen, society or nation (or the Chinese names)"
        )
    return key


def normalize_degree(value: object) -> str:
    key = _DEGREE_ALIASES.get(str(value).strip())
    if key is None:
        raise GradingInputError(
            f"unknown 侵害程度 {value!r}; use general, serious or especially_serious (一般损害/严重损害/特别严重损害)"
        )
    return key


def dimension_level(obj: str, degree: str) -> int:
    return MATRIX[(normalize_object(obj), normalize_degree(degree))]


@dataclass(frozen=True)
class DimensionGrade:
    dimension: str  # business | service
    object: str
    degree: str
    level: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "dimension_name": DIMENSIONS[self.dimension],
            "object": self.object,
            "object_name": OBJECTS[self.object],
            "degree": self.degree,
            "degree_name": DEGREES[self.degree],
            "level": self.level,
        }


@dataclass(frozen=True)
class Grading:
    business: DimensionGrade
    service: DimensionGrade
    large_personal_data: bool = False
    public_service: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def level(self) -> int:
        return max(self.business.level, self.service.level)

    def reasoning(self) -> list[str]:
        lines = []
        for grade in (self.business, self.service):
            lines.append(
                f"{DIMENSIONS[grade.dimension]}：受侵害的客体为{OBJECTS[grade.object]}，侵害程度为"
                f"{DEGREES[grade.degree]}，对应{LEVEL_NAMES[grade.level]}。"
            )
        lines.append(
            f"定级对象的安全保护等级取两者中的较高者，为{LEVEL_NAMES[self.level]}"
            f"（业务信息安全{LEVEL_NAMES[self.business.level]}，系统服务安全{LEVEL_NAMES[self.service.level]}）。"
        )
        if self.level < 3 and (self.large_personal_data or self.public_service):
            why = "处理大量个人信息" if self.large_personal_data else "面向社会提供公共服务"
            lines.append(f"注意：该系统{why}，按照定级指南原则上不低于第三级，请在专家评审时复核。")
        lines.extend(self.notes)
        return lines

    def consequences(self) -> list[str]:
        level = self.level
        if level == 1:
            return ["第一级由运营使用单位自主保护，无需专家评审和备案；等级变化时应重新定级。"]
        from secops.dengbao.calendar import filing_authority

        steps = [
            "组织专家评审定级结果，并报请行业主管（监管）部门核准（教育系统为上级教育行政部门）。",
            f"定级结果经核准后，向{filing_authority(level)}办理备案，取得备案证明"
            "（有效期 3 年，每完成一次等级测评延长 1 年；2025 年前备案的自 2025 年 1 月 1 日起计算）。",
        ]
        if level >= 3:
            steps.append("第三级及以上系统每年至少开展一次等级测评，并按测评结果整改。")
        else:
            steps.append("按照第二级要求建设安全保护措施，并定期开展等级测评和自查。")
        return steps

    def as_dict(self) -> dict[str, Any]:
        return {
            "business": self.business.as_dict(),
            "service": self.service.as_dict(),
            "level": self.level,
            "level_name": LEVEL_NAMES[self.level],
            "reasoning": self.reasoning(),
            "consequences": self.consequences(),
            "filing_required": self.level >= 2,
            "expert_review_required": self.level >= 2,
            "yearly_assessment": self.level >= 3,
        }


def grade(
    business: tuple[str, str],
    service: tuple[str, str],
    *,
    large_personal_data: bool = False,
    public_service: bool = False,
) -> Grading:
    """Grade both dimensions from (客体, 程度) pairs in any accepted spelling."""
    dims = []
    for name, (obj, degree) in (("business", business), ("service", service)):
        o, d = normalize_object(obj), normalize_degree(degree)
        dims.append(DimensionGrade(name, o, d, MATRIX[(o, d)]))
    return Grading(dims[0], dims[1], large_personal_data=large_personal_data, public_service=public_service)
