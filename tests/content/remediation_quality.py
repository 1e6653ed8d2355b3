"""What counts as real 整改建议 for a catalog item: the predicate the catalog's content tests share.

Advice is refused when it is missing or too short, when it only restates the item's summary (the
summary found inside it, the "按要求整改" stock phrase, or too many of its character pairs shared with
the summary), when it names no action, and, for a technical item that an automated check evidences,
when it names no concrete setting or command (a path, a config key, a command, a code span).

The similarity measure is the Jaccard index of character bigrams over the CJK and alphanumeric
characters (punctuation and spaces dropped). ``MAX_SIMILARITY`` was calibrated on the general part:
real step-by-step advice stays far below it, while a summary with a stock prefix, a lightly
reworded summary or a summary with one step tacked on stay above it (see the test's negative
examples and ``test_threshold_separates_advice_from_restatement``).
"""

from __future__ import annotations

import re
from collections.abc import Collection

MIN_LENGTH = 40  # characters; a single short sentence cannot say who does what, where, with what evidence
MAX_SIMILARITY = 0.30  # bigram Jaccard index with the summary; at or above it the advice restates
OWN_WORDS_WINDOW = 15  # a shared run of this many characters with the standard's text counts as copied

# Stock phrases that stand in for advice instead of giving it.
STOCK_PHRASES = ("按要求整改", "按照要求整改", "根据要求整改", "参照要求整改", "请按标准整改", "满足要求即可")

# Verbs and cadences that make a step an action (who does what, how often, with what record).
ACTION_MARKERS = (
    "配置",
    "设置",
    "设为",
    "启用",
    "开启",
    "关闭",
    "停用",
    "禁用",
    "删除",
    "修改",
    "制定",
    "编制",
    "编写",
    "建立",
    "部署",
    "安装",
    "加装",
    "划分",
    "隔离",
    "加密",
    "备份",
    "升级",
    "更新",
    "清理",
    "限制",
    "指定",
    "任命",
    "委托",
    "组织",
    "签订",
    "审批",
    "登记",
    "记录",
    "留存",
    "检查",
    "核查",
    "测试",
    "演练",
    "培训",
    "定期",
    "每日",
    "每周",
    "每月",
    "每季度",
    "每学期",
    "每年",
)

# Words that name what to keep for the 测评 (制度文本、审批记录、配置截图、日志样本 ...).
EVIDENCE_MARKERS = ("留存", "保留", "归档")

# Concrete settings and commands: a code span, a path, a file name, a config key (snake_case,
# CamelCase or key=value), or a command or menu named on common school stacks.
_CONCRETE_PATTERNS = (
    r"`[^`]+`",  # a code span
    r"(?<![\w])/(?:etc|var|usr|sbin|bin)/[\w./-]+",  # a Unix path
    r"\b[\w-]+\.(?:conf|cfg|ini|defs|msc|d|xml|json|yml|yaml|cnf)\b",  # a config file or console
    r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b",  # a snake_case key or module (pam_faillock, sshd_config)
    r"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+\b",  # a CamelCase directive (PermitRootLogin, MaxAuthTries)
    r"\b[A-Za-z_]{3,}\s*=\s*[\w.]+",  # key=value (minlen=8, SELINUX=enforcing)
    r"\b(?:auditd|auditctl|auditpol|chage|passwd|usermod|useradd|systemctl|firewall-cmd|nft|nftables|iptables"
    r"|ufw|logrotate|rsyslog|journald|chrony|chronyc|timesyncd|w32tm|freshclam|ClamAV|mysqldump|shred|aide"
    r"|sudoers|SELinux|BitLocker|LUKS|WSUS|gpedit|secpol|auditpol|sshd|SFTP|SNMPv3|TLSv1\.[23]|802\.1X"
    r"|info-center|password-control|local-user|port-security|packet-filter|traffic-filter|ntp-service"
    r"|validate_password|require_secure_transport|TDE|AlwaysOn|Keepalived|VRRP|IRF|iStack)\b",
)
CONCRETE_TOKEN = re.compile("|".join(f"(?:{p})" for p in _CONCRETE_PATTERNS))

# Technical classes whose automatically checked items must name a setting (安全物理环境 is checked by eye).
CONCRETE_CLASSES = ("CNS", "ABS", "CES", "SMC")

_NOT_TEXT = re.compile(r"[^\w]|_", re.UNICODE)


def normalized(text: str) -> str:
    """Only CJK and alphanumeric characters, lower-cased: what the comparisons look at."""
    return _NOT_TEXT.sub("", text).lower()


def bigrams(text: str) -> set[str]:
    clean = normalized(text)
    return {clean[i : i + 2] for i in range(len(clean) - 1)}


def similarity(advice: str, summary: str) -> float:
    """The Jaccard index of the two texts' character bigrams (0: nothing shared, 1: the same pairs)."""
    ours, theirs = bigrams(advice), bigrams(summary)
    if not ours or not theirs:
        return 0.0
    return len(ours & theirs) / len(ours | theirs)


def shared_run(ours: str, theirs: str, size: int = OWN_WORDS_WINDOW) -> str | None:
    """The first run of ``size`` characters found in both texts, if any."""
    windows = {theirs[i : i + size] for i in range(len(theirs) - size + 1)}
    for i in range(len(ours) - size + 1):
        if ours[i : i + size] in windows:
            return ours[i : i + size]
    return None


def needs_concrete(class_code: str, item_id: str, checked: Collection[str]) -> bool:
    """Whether an item's advice must name a concrete setting: a technical class (安全物理环境 aside)
    and evidenced by an automated check (``checked``: the item IDs of rules/dengbao/checks)."""
    return class_code in CONCRETE_CLASSES and item_id in checked


def names_evidence(advice: str) -> bool:
    """Whether the advice says what to keep as evidence for the 测评."""
    return any(marker in advice for marker in EVIDENCE_MARKERS)


def concrete_tokens(advice: str) -> list[str]:
    return [match.group(0) for match in CONCRETE_TOKEN.finditer(advice)]


def problems(advice: str, summary: str, *, needs_concrete: bool = False) -> list[str]:
    """Why ``advice`` is not acceptable 整改建议 for an item with ``summary`` (empty: acceptable).

    ``needs_concrete``: the item is technical (not 安全物理环境) and an automated check evidences it,
    so the advice must name at least one concrete setting or command."""
    text = advice.strip()
    if not text:
        return ["no remediation"]
    found: list[str] = []
    if len(text) < MIN_LENGTH:
        found.append(f"only {len(text)} characters (at least {MIN_LENGTH})")
    stock = [phrase for phrase in STOCK_PHRASES if phrase in text]
    if stock:
        found.append(f"a stock phrase instead of steps: {stock[0]}")
    core = normalized(summary)
    if core and core in normalized(text):
        found.append("contains the summary word for word")
    score = similarity(text, summary)
    if score >= MAX_SIMILARITY:
        found.append(f"restates the summary (bigram similarity {score:.2f} >= {MAX_SIMILARITY})")
    if not any(marker in text for marker in ACTION_MARKERS):
        found.append("names no action (configure, enable, write, record ...)")
    if needs_concrete and not CONCRETE_TOKEN.search(text):
        found.append("names no concrete setting or command for an automatically checked item")
    return found


def acceptable(advice: str, summary: str, *, needs_concrete: bool = False) -> bool:
    return not problems(advice, summary, needs_concrete=needs_concrete)
