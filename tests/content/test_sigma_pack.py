"""The education Sigma pack (rules/sigma/edu): every rule is valid SigmaHQ-style content, and every
rule file fires on its match sample and stays quiet on its no-match sample when run through the real
readers and engine.

Samples live in tests/content/sigma_samples/<rule-file-stem>/{match,nomatch}.<ext>; the extension
names the log format (nginx access log, auth.log, syslog, auditd, Windows JSON lines). For a file that
holds a correlation, the correlation at the top of the chain is the rule under test (its base rules
do not alert on their own); otherwise every detection rule of the file must fire.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.rule import SigmaRule

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "rules" / "sigma"
EDU = PACK / "edu"
SAMPLES = Path(__file__).resolve().parent / "sigma_samples"

# sample file extension -> log format passed to the readers (their reader names)
FORMATS = {
    "access.log": "web",
    "auth.log": "syslog",
    "syslog": "syslog",
    "audit.log": "auditd",
    "jsonl": "jsonl",
}
LEVELS = {"informational", "low", "medium", "high", "critical"}
STATUSES = {"stable", "test", "experimental"}
TAG = re.compile(r"^(attack\.([a-z]+(-[a-z]+)*|t\d{4}(\.\d{3})?|[gs]\d{4})|cve\.\d{4}-\d+)$")

RULE_FILES = sorted(EDU.rglob("*.yml"))


def _documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def _collection(path: Path) -> SigmaCollection:
    return SigmaCollection.from_yaml(path.read_text(encoding="utf-8"))


def _all_rules() -> Iterator[tuple[Path, SigmaRule | SigmaCorrelationRule]]:
    for path in RULE_FILES:
        for rule in _collection(path).rules:
            yield path, rule


def _sample(stem: str, kind: str) -> Path:
    found = sorted((SAMPLES / stem).glob(f"{kind}.*"))
    assert len(found) == 1, f"{stem}: expected exactly one {kind}.<ext> sample, found {found}"
    return found[0]


def _format_of(sample: Path) -> str:
    ext = sample.name.split(".", 1)[1]
    assert ext in FORMATS, f"{sample}: unknown sample extension {ext!r}"
    return FORMATS[ext]


def _primary_ids(path: Path) -> set[str]:
    """The rules a file is about: correlations no other correlation builds on, else its detection rules."""
    rules = _collection(path).rules
    correlations = [r for r in rules if isinstance(r, SigmaCorrelationRule)]
    referenced = {ref.reference for c in correlations for ref in c.rules or []}
    top = [c for c in correlations if str(c.id) not in referenced and c.name not in referenced]
    return {str(r.id) for r in (top or rules)}


# -------------------------------------------------------------------------------------- (a) content
def test_pack_has_enough_rules_in_topic_folders() -> None:
    assert (PACK / "README.md").is_file()
    assert len(RULE_FILES) >= 45
    assert sum(1 for _ in _all_rules()) >= 40
    topics = {path.parent.name for path in RULE_FILES}
    assert {"webshell", "web_injection", "web_recon", "linux_ssh", "ransomware", "miner"} <= topics
    assert all(path.parent.parent == EDU for path in RULE_FILES), "rules go in rules/sigma/edu/<topic>/"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_file_is_valid_sigma_with_required_metadata(path: Path) -> None:
    collection = SigmaCollection.from_yaml(path.read_text(encoding="utf-8"), collect_errors=True)
    assert not collection.errors, collection.errors
    assert collection.rules, f"{path}: no rule"
    for rule in collection.rules:
        assert not rule.errors, f"{path}: {rule.title}: {rule.errors}"
        assert rule.id is not None and uuid.UUID(str(rule.id)).version == 4, f"{path}: id must be a UUID v4"
        assert rule.title and len(rule.title) <= 110, f"{path}: title"
        assert rule.description and rule.description.strip(), f"{path}: description"
        assert rule.level is not None and rule.level.name.lower() in LEVELS, f"{path}: level"
        assert rule.status is not None and rule.status.name.lower() in STATUSES, f"{path}: status"
        assert rule.author and rule.date, f"{path}: author and date"
        assert rule.references, f"{path}: references"
        assert rule.falsepositives, f"{path}: falsepositives"
        tags = [str(tag) for tag in rule.tags]
        assert tags and all(TAG.match(tag) for tag in tags), f"{path}: tags {tags}"
        assert any(tag.startswith("attack.t") for tag in tags), f"{path}: needs an ATT&CK technique tag"
        if isinstance(rule, SigmaRule):
            source = rule.logsource
            assert source.product or source.category, f"{path}: logsource"
        else:
            assert rule.timespan is not None and rule.group_by, f"{path}: correlation needs timespan and group-by"
            assert rule.rules, f"{path}: correlation names its rules"
            for reference in rule.rules or []:
                assert isinstance(reference.rule, SigmaRule | SigmaCorrelationRule), f"{path}: {reference}"
    # base rules of a correlation are referenced by name; names must be unique in the file
    names = [doc.get("name") for doc in _documents(path) if doc.get("name")]
    assert len(names) == len(set(names))


def test_ids_and_names_are_unique_across_the_pack() -> None:
    ids: dict[str, Path] = {}
    names: dict[str, Path] = {}
    for path, rule in _all_rules():
        key = str(rule.id)
        assert key not in ids, f"duplicate id {key} in {path} and {ids[key]}"
        ids[key] = path
        if rule.name:
            assert rule.name not in names, f"duplicate name {rule.name} in {path} and {names[rule.name]}"
            names[rule.name] = path


def test_no_duplicate_yaml_keys() -> None:
    """PyYAML keeps the last of two equal keys silently, which would drop half a selection."""

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader: Strict, node: yaml.MappingNode, deep: bool = False) -> dict:
        keys = [loader.construct_object(key, deep=deep) for key, _ in node.value]
        duplicates = {key for key in keys if keys.count(key) > 1}
        assert not duplicates, f"duplicate keys {duplicates} at {node.start_mark}"
        return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    for path in RULE_FILES:
        list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=Strict))


def test_every_rule_file_has_samples_and_no_sample_is_orphaned() -> None:
    stems = {path.stem for path in RULE_FILES}
    assert len(stems) == len(RULE_FILES), "rule file names must be unique across topics"
    folders = {path.name for path in SAMPLES.iterdir() if path.is_dir()}
    assert stems == folders, f"missing samples: {stems - folders}; orphaned samples: {folders - stems}"
    for stem in stems:
        match, nomatch = _sample(stem, "match"), _sample(stem, "nomatch")
        assert match.name.split(".", 1)[1] == nomatch.name.split(".", 1)[1], stem


# the shapes the readers expect, so a sample cannot silently turn into malformed lines
_LINE_SHAPES = {
    "access.log": re.compile(
        r'^\S+ \S+ \S+ \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "[A-Z]+ \S+ HTTP/1\.[01]" '
        r'\d{3} \d+ "[^"]*" "[^"]*"$'
    ),
    "auth.log": re.compile(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ [\w.-]+(\[\d+\])?: .+$"),
    "syslog": re.compile(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ [\w.-]+(\[\d+\])?: .+$"),
    "audit.log": re.compile(r"^type=[A-Z_]+ msg=audit\(\d+\.\d{3}:\d+\): .+$"),
}


@pytest.mark.parametrize("stem", sorted(path.stem for path in RULE_FILES))
def test_samples_are_well_formed_log_lines(stem: str) -> None:
    for kind in ("match", "nomatch"):
        sample = _sample(stem, kind)
        ext = sample.name.split(".", 1)[1]
        lines = sample.read_text(encoding="utf-8").splitlines()
        assert lines, f"{sample}: empty"
        for number, line in enumerate(lines, 1):
            if ext == "jsonl":
                event = json.loads(line)
                assert {"Channel", "EventID", "Provider_Name", "TimeCreated"} <= event.keys(), f"{sample}:{number}"
                assert isinstance(event["EventID"], int), f"{sample}:{number}"
            else:
                assert _LINE_SHAPES[ext].match(line), f"{sample}:{number}: {line}"


# ------------------------------------------------------------------------------------- (b) behaviour
def _engine_or_skip() -> tuple[Any, Any, Any]:
    try:
        from secops.detection.events import ReadStats
        from secops.detection.readers import read_paths  # noqa: F401
        from secops.detection.sigma import Engine, load_rules
    except ImportError as error:
        pytest.skip(f"Sigma engine or log readers not importable yet: {error}")
    return Engine, load_rules, ReadStats


def _run(path: Path, sample: Path) -> tuple[list[str], Any]:
    engine_cls, load_rules, read_stats = _engine_or_skip()
    ruleset = load_rules([path])
    assert not ruleset.errors, ruleset.errors
    engine = engine_cls(ruleset)
    assert not engine.errors, engine.errors
    stats = read_stats()
    matches = list(engine.run([sample], log_format=_format_of(sample), stats=stats))
    assert stats.events > 0 and not stats.malformed, f"{sample}: events={stats.events} malformed={stats.malformed}"
    return [m.rule_id for m in matches], stats


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_fires_on_its_match_sample(path: Path) -> None:
    fired, _ = _run(path, _sample(path.stem, "match"))
    wanted = _primary_ids(path)
    missing = {rule_id for rule_id in wanted if rule_id not in fired}
    assert not missing, f"{path.stem}: no match for {missing} (matched: {sorted(set(fired))})"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_is_quiet_on_its_nomatch_sample(path: Path) -> None:
    fired, _ = _run(path, _sample(path.stem, "nomatch"))
    noisy = _primary_ids(path) & set(fired)
    assert not noisy, f"{path.stem}: unexpected matches of {noisy}"


def test_whole_pack_loads_together_and_fires_on_the_demo_logs() -> None:
    """All files at once (as `secops detect run --rules rules/sigma` loads them) and the bundled demo logs."""
    engine_cls, load_rules, read_stats = _engine_or_skip()
    ruleset = load_rules([PACK])
    assert not ruleset.errors, ruleset.errors
    engine = engine_cls(ruleset)
    assert not engine.errors, engine.errors
    demo = ROOT / "secops" / "lab" / "samples"
    titles = {m.rule_title for m in engine.run([demo / "web-access.log", demo / "auth.log"], stats=read_stats())}
    assert "SSH Login Succeeds After Repeated Failures From the Same Address" in titles
    assert "Webshell Upload - Upload Followed by Access to a Script in an Upload Directory" in titles
    assert "SQL Injection - UNION SELECT in Request" in titles
    assert "ThinkPHP Remote Code Execution Probe" in titles
    assert "Directory and File Brute Force - Many Distinct 404 URIs From One Client" in titles
