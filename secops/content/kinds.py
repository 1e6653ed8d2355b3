"""The kinds of content secops knows, where each lives and which schema checks it.

Schemas are named as ``module:attribute`` strings so that ``secops --help`` imports nothing.
A new unit of an existing kind is a new file; a new kind is one entry here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ContentKind:
    name: str
    folder: str  # top-level content folder
    subpath: tuple[str, ...]  # folders below it, e.g. ("sigma",)
    suffixes: tuple[str, ...]
    schema: str | None = None  # "module:Model", a pydantic model for YAML kinds
    checker: str | None = None  # "module:function(path) -> list[ContentError]" for non-YAML kinds
    id_is_file_name: bool = True
    nested: bool = False  # units may sit in sub-folders (e.g. rules/sigma/edu/web/*.yml)
    description: str = ""
    description_zh: str = ""

    def load_schema(self) -> Any:
        return _resolve(self.schema) if self.schema else None

    def load_checker(self) -> Any:
        return _resolve(self.checker) if self.checker else None

    def shipped_files(self) -> list[Path]:
        """This kind's files in the installed content (not in users' own folders)."""
        from secops.content.locate import content_root

        folder = content_root(self.folder).joinpath(*self.subpath)
        if not folder.is_dir():
            return []
        found = folder.rglob("*") if self.nested else folder.glob("*")
        return sorted(p for p in found if p.is_file() and p.name.endswith(self.suffixes))

    def matches(self, path: Path) -> bool:
        """True when ``path`` sits in this kind's folder (in the package or any copy of it)."""
        if not path.name.endswith(self.suffixes):
            return False
        parents = path.parent.parts
        tail = (self.folder, *self.subpath)
        if parents[-len(tail) :] == tail:
            return True
        if self.nested and any(parents[i : i + len(tail)] == tail for i in range(len(parents))):
            return True
        # A user's own folder of rules, e.g. ~/myrules/sigma/x.yml, matches by its last folders.
        return bool(self.subpath) and parents[-len(self.subpath) :] == self.subpath


def _resolve(ref: str) -> Any:
    module, _, attribute = ref.partition(":")
    return getattr(importlib.import_module(module), attribute)


KINDS: tuple[ContentKind, ...] = (
    ContentKind(
        name="scan-profile",
        folder="scanners",
        subpath=("profiles",),
        suffixes=(".yml", ".yaml"),
        schema="secops.discovery.profiles:ScanProfile",
        description="scan profiles: nmap options, rate limits, time windows",
        description_zh="扫描策略：nmap 参数、速率限制与允许时段",
    ),
    ContentKind(
        name="fingerprint",
        folder="scanners",
        subpath=("fingerprints",),
        suffixes=(".yml", ".yaml"),
        schema="secops.inventory.fingerprints:Fingerprint",
        description="fingerprints: ports, banners and MAC vendors to asset types",
        description_zh="资产指纹：端口、服务标识与 MAC 厂商到资产类型",
    ),
    ContentKind(
        name="alert-rule",
        folder="scanners",
        subpath=("alerts",),
        suffixes=(".yml", ".yaml"),
        schema="secops.inventory.alert_rules:AlertRule",
        description="alert rules: which inventory changes raise alerts",
        description_zh="告警规则：哪些资产变化需要告警",
    ),
    ContentKind(
        name="port-list",
        folder="scanners",
        subpath=("ports",),
        suffixes=(".yml", ".yaml"),
        schema="secops.discovery.portlists:PortList",
        description="port lists: ports profiles add to nmap's most common ones, each with its reason",
        description_zh="端口清单：扫描策略在 nmap 常用端口之外加扫的端口及原因",
    ),
    ContentKind(
        name="dengbao-catalog",
        folder="rules",
        subpath=("dengbao", "catalog"),
        suffixes=(".yml", ".yaml"),
        schema="secops.dengbao.catalog:CatalogFile",
        description="等保 2.0 requirement catalog: test-unit IDs, clauses, summaries, evidence",
        description_zh="等保 2.0 要求项目录：测评单元编号、条款、要求概述与取证方式",
    ),
    ContentKind(
        name="dengbao-highrisk",
        folder="rules",
        subpath=("dengbao", "highrisk"),
        suffixes=(".yml", ".yaml"),
        schema="secops.dengbao.catalog:HighRiskGuide",
        description="等保 high-risk cases (2025 guide) linked to catalog items",
        description_zh="高风险判定指引案例及其对应的要求项",
    ),
    ContentKind(
        name="dengbao-preset",
        folder="rules",
        subpath=("dengbao", "presets"),
        suffixes=(".yml", ".yaml"),
        schema="secops.dengbao.presets:GradingPreset",
        description="grading presets for typical school systems (suggestions)",
        description_zh="典型教育系统的定级建议",
    ),
    ContentKind(
        name="dengbao-check",
        folder="rules",
        subpath=("dengbao", "checks"),
        suffixes=(".yml", ".yaml"),
        schema="secops.dengbao.checks:Check",
        description="等保 automated evidence checks over scan and host facts",
        description_zh="等保自动取证检查项（基于扫描与主机配置事实）",
    ),
    ContentKind(
        name="sigma-rule",
        folder="rules",
        subpath=("sigma",),
        suffixes=(".yml", ".yaml"),
        checker="secops.detection.sigma.content:check_rule_file",
        nested=True,
        description="Sigma rules (SigmaHQ format, correlations included): the education pack",
        description_zh="Sigma 检测规则（SigmaHQ 格式，含关联规则）：教育行业规则包",
    ),
    ContentKind(
        name="yara-rule",
        folder="rules",
        subpath=("yara",),
        suffixes=(".yar", ".yara"),
        checker="secops.detection.yara.ruleset:check_rule_file",
        description="YARA rules: webshells (PHP/JSP/ASPX families), obfuscation, miners, ransom notes",
        description_zh="YARA 规则：网页后门（PHP/JSP/ASPX 各家族）、混淆、挖矿程序与勒索信",
    ),
    ContentKind(
        name="playbook",
        folder="playbooks",
        subpath=(),
        suffixes=(".yml", ".yaml"),
        schema="secops.incident.playbooks:Playbook",
        description="incident playbooks: steps with role, evidence and deadline",
        description_zh="事件处置预案：步骤、角色、证据与时限",
    ),
    ContentKind(
        name="drill-scenario",
        folder="playbooks",
        subpath=("drills",),
        suffixes=(".yml", ".yaml"),
        schema="secops.incident.drill.scenarios:DrillScenario",
        description="drill scenarios: injects, artifacts and questions of an 应急演练",
        description_zh="应急演练情景：注入的告警与消息、现场文件和问题",
    ),
    ContentKind(
        name="incident-policy",
        folder="playbooks",
        subpath=("policy",),
        suffixes=(".yml", ".yaml"),
        schema="secops.incident.policy:IncidentPolicy",
        description="incident policy: deadlines per grade, escalation, important periods, grading thresholds",
        description_zh="事件处置策略：各级别时限、升级提醒、重要时段与分级标准",
    ),
    ContentKind(
        name="incident-taxonomy",
        folder="playbooks",
        subpath=("taxonomy",),
        suffixes=(".yml", ".yaml"),
        schema="secops.incident.taxonomy:Taxonomy",
        description="incident categories and subcategories (GB/T 20986-2023)",
        description_zh="网络安全事件分类（GB/T 20986-2023）",
    ),
    ContentKind(
        name="report",
        folder="reports",
        subpath=(),
        suffixes=(".yml", ".yaml"),
        schema="secops.reporting.definition:ReportDefinition",
        description="report definitions: title, template and data source",
        description_zh="报告定义：标题、模板与数据来源",
    ),
    ContentKind(
        name="template",
        folder="reports",
        subpath=("templates",),
        suffixes=(".j2",),
        checker="secops.render.html:check_template",
        id_is_file_name=False,
        description="Jinja2 templates for HTML and PDF reports",
        description_zh="HTML 与 PDF 报告的 Jinja2 模板",
    ),
    ContentKind(
        name="mask-policy",
        folder="rules",
        subpath=("data", "policies"),
        suffixes=(".yml", ".yaml"),
        schema="secops.data.mask_policy:MaskPolicy",
        description="data mask policies: categories and columns to masking operators",
        description_zh="数据脱敏策略：数据类别与列到脱敏算子的映射",
    ),
    ContentKind(
        name="data-category",
        folder="rules",
        subpath=("data", "categories"),
        suffixes=(".yml", ".yaml"),
        schema="secops.data.categories:CategoryTable",
        description="data category tables: categories, levels 1-4, sensitive flags, scale thresholds",
        description_zh="数据分类分级表：类别、级别、敏感个人信息标记与重要数据识别阈值",
    ),
)


def kind_named(name: str) -> ContentKind:
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise KeyError(name)


def kind_of(path: Path) -> ContentKind | None:
    for kind in KINDS:
        if kind.matches(path):
            return kind
    return None
