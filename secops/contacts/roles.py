"""The response roles a school's plan names: a stable English id, the Chinese title officials use,
the other spellings people and playbooks write, and what the role does in an incident."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    id: str
    zh: str
    en: str
    duties: str  # 职责, as the plan states it
    aliases: tuple[str, ...] = ()
    external: bool = False  # an outside body (教育局, 公安, 网信, 服务商), not school staff
    mandatory: bool = False  # the plan is incomplete without it: `contacts check` warns

    def names(self) -> tuple[str, ...]:
        return (self.id, self.zh, self.en, *self.aliases)


ROLES: tuple[Role, ...] = (
    Role(
        "first-responsible",
        "网络安全第一责任人",
        "Person with first responsibility for cybersecurity",
        "对本校网络安全和数据安全工作负总责；批准启动和终止应急响应，决定重大事项，组织较大及以上事件的报告和处置。",
        aliases=("第一责任人", "主要负责人"),
        mandatory=True,
    ),
    Role(
        "leader",
        "分管领导",
        "Leader in charge",
        "协助第一责任人，具体指挥应急处置，审核事件报告，协调校内各部门和外部支援。",
        aliases=("分管校领导",),
        mandatory=True,
    ),
    Role(
        "security-admin",
        "网络安全管理员",
        "Security administrator",
        "日常安全监测与预警研判，组织初判和定级，登记事件并按时限报告，收集证据，编写续报和总结报告。",
        aliases=("安全管理员",),
        mandatory=True,
    ),
    Role(
        "system-admin",
        "系统管理员",
        "System administrator",
        "负责所管系统的隔离、止损、备份恢复和加固，配合取证，保留日志和现场。",
        mandatory=True,
    ),
    Role(
        "data-officer",
        "数据安全负责人",
        "Data security officer",
        "负责学生和教职工个人信息等数据安全事件的研判、告知和报告，评估泄露范围和影响。",
        aliases=("数据管理员",),
    ),
    Role(
        "on-duty",
        "值班人员",
        "On-duty staff",
        "按值班表值守，接收告警和通报，第一时间核实并报告网络安全管理员，做好值班记录。",
        aliases=("值班员",),
        mandatory=True,
    ),
    Role(
        "education-bureau",
        "上级主管部门（区县教育局）",
        "Supervising education bureau",
        "接收学校的事件报告，指导处置，按教育系统要求逐级上报。",
        aliases=("上级主管部门", "区县教育局", "教育局"),
        external=True,
        mandatory=True,
    ),
    Role(
        "police",
        "属地公安网安部门",
        "Local police (cybersecurity)",
        "接受涉嫌违法犯罪事件的报案，开展侦查和调查取证。",
        aliases=("属地公安网安", "公安网安", "公安机关"),
        external=True,
        mandatory=True,
    ),
    Role(
        "cac",
        "网信部门",
        "Cyberspace administration",
        "接收较大及以上网络安全事件报告（属地省级网信部门）。",
        aliases=("属地网信部门",),
        external=True,
    ),
    Role(
        "vendor",
        "技术支撑单位（服务商）",
        "Technical support provider",
        "按合同提供应急技术支援：系统恢复、漏洞修复、日志分析和取证。",
        aliases=("技术支撑单位", "服务商"),
        external=True,
    ),
)
_BY_NAME = {name.casefold(): role for role in ROLES for name in role.names()}


def find_role(name: str) -> Role | None:
    """The role ``name`` spells (its id, Chinese title, English name or an alias), else None."""
    return _BY_NAME.get(str(name).strip().casefold())


def role_ids() -> tuple[str, ...]:
    return tuple(role.id for role in ROLES)
