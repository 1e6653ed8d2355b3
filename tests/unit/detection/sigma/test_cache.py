"""The compiled-rule cache: a hit gives the same matches as compiling afresh, and any change to what
the compiled form depends on (a rule file, placeholders) misses it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from secops.detection.events import ReadStats
from secops.detection.sigma.cache import digest, load_engine
from tests.unit.detection.sigma_helpers import batch_of, matched, rule_yaml

ROOT = Path(__file__).resolve().parents[4]
PACK = ROOT / "rules" / "sigma"
SAMPLES = ROOT / "tests" / "content" / "sigma_samples"
SIGMAHQ = Path(os.environ.get("SECOPS_SIGMAHQ", ROOT.parent / "shared" / "data" / "sigmahq"))


def _rules(folder: Path, *texts: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index, text in enumerate(texts):
        (folder / f"r{index}.yml").write_text(text, encoding="utf-8")
    return folder


def test_a_second_load_comes_from_the_cache_and_matches_the_same(tmp_path: Path) -> None:
    rules = _rules(tmp_path / "rules", rule_yaml("sel:\n  Image|endswith: '\\evil.exe'\ncondition: sel"))
    cache = tmp_path / "cache"
    fresh, hit = load_engine([rules], cache_dir=cache)
    assert not hit and len(list(cache.glob("*.pickle"))) == 1
    cached, hit = load_engine([rules], cache_dir=cache)
    assert hit and cached.rules[0].rule is None and cached.rules[0].origin == (rules / "r0.yml", 1)
    batch = batch_of({"Image": "C:\\x\\evil.exe"}, {"Image": "C:\\x\\good.exe"})
    assert matched(cached, batch) == matched(fresh, batch) == [1]
    assert (cache / next(cache.iterdir()).name).stat().st_mode & 0o077 == 0


def test_a_cache_hit_matches_without_importing_pysigma(tmp_path: Path) -> None:
    """pySigma takes a fifth of a second to import: a run served from the cache must not need it,
    Windows log sources included (their channel tables travel with the compiled specs)."""
    rules = _rules(tmp_path / "rules", rule_yaml("sel:\n  Image|endswith: '\\evil.exe'\ncondition: sel"))
    cache = tmp_path / "cache"
    load_engine([rules], cache_dir=cache)
    script = textwrap.dedent(
        f"""
        import sys
        from datetime import UTC, datetime
        from pathlib import Path
        from secops.detection.events import BatchBuilder
        from secops.detection.sigma.cache import load_engine
        engine, hit = load_engine([Path({str(rules)!r})], cache_dir=Path({str(cache)!r}))
        builder = BatchBuilder("evtx", "x.evtx")
        when = datetime(2026, 12, 7, tzinfo=UTC)
        image, sysmon = "C:" + chr(92) + "evil.exe", "Microsoft-Windows-Sysmon/Operational"
        builder.add(1, when, "{{}}", {{"Channel": sysmon, "EventID": 1, "Image": image}})
        builder.add(2, when, "{{}}", {{"Channel": "Security", "EventID": 4624, "Image": image}})
        found = [m.record for m in engine.match(builder.take())]
        print(hit, found, sorted(m for m in sys.modules if m == "sigma" or m.startswith("sigma.")))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.stdout.strip() == "True [1] []", done.stdout + done.stderr


def test_a_changed_rule_or_placeholder_misses_the_cache(tmp_path: Path) -> None:
    rules = _rules(tmp_path / "rules", rule_yaml("sel:\n  Image|endswith: '\\evil.exe'\ncondition: sel"))
    cache = tmp_path / "cache"
    load_engine([rules], cache_dir=cache)
    before = digest([rules], None)
    (rules / "r0.yml").write_text(rule_yaml("sel:\n  Image|endswith: '\\worse.exe'\ncondition: sel"))
    assert digest([rules], None) != before
    changed, hit = load_engine([rules], cache_dir=cache)
    assert not hit and matched(changed, batch_of({"Image": "C:\\worse.exe"})) == [1]
    assert digest([rules], {"admins": ["alice"]}) != digest([rules], None)


def test_a_damaged_cache_file_is_compiled_again(tmp_path: Path) -> None:
    rules = _rules(tmp_path / "rules", rule_yaml("sel:\n  Image|endswith: '\\evil.exe'\ncondition: sel"))
    cache = tmp_path / "cache"
    load_engine([rules], cache_dir=cache)
    [entry] = cache.glob("*.pickle")
    entry.write_bytes(entry.read_bytes()[:100])
    engine, hit = load_engine([rules], cache_dir=cache)
    assert not hit and len(engine.rules) == 1


def test_rule_errors_are_never_cached(tmp_path: Path) -> None:
    broken = _rules(tmp_path / "broken", rule_yaml("sel:\n  Image|bogus: 'x'\ncondition: sel"))
    engine, _ = load_engine([broken], cache_dir=tmp_path / "c1")
    assert engine.errors and not list((tmp_path / "c1").glob("*.pickle"))
    again, hit = load_engine([broken], cache_dir=tmp_path / "c1")
    assert not hit and again.errors  # shown again on every run


def test_the_shipped_pack_matches_the_same_from_the_cache(tmp_path: Path) -> None:
    """Every shipped rule over every shipped sample: a cached engine finds exactly what a fresh one does."""
    cache = tmp_path / "cache"
    fresh, _ = load_engine([PACK], cache_dir=cache)
    cached, hit = load_engine([PACK], cache_dir=cache)
    assert hit and len(cached.rules) == len(fresh.rules)
    samples = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
    assert len(samples) > 50
    found = [
        sorted((m.rule_id, m.record, m.log_file) for m in engine.run(samples, stats=ReadStats()))
        for engine in (fresh, cached)
    ]
    assert found[0] == found[1] and found[0]


@pytest.mark.skipif(not (SIGMAHQ / "rules" / "windows").is_dir(), reason=f"SigmaHQ rules not at {SIGMAHQ}")
def test_sigmahq_windows_rules_load_from_the_cache_with_every_atom(tmp_path: Path) -> None:
    windows = SIGMAHQ / "rules" / "windows"
    fresh, _ = load_engine([windows], cache_dir=tmp_path)
    cached, hit = load_engine([windows], cache_dir=tmp_path)
    assert (
        hit
        and cached.table.atoms == fresh.table.atoms
        and [r.tree for r in cached.rules] == [r.tree for r in fresh.rules]
    )
    assert [r.key for r in cached.rules] == [r.key for r in fresh.rules]


def test_the_chinese_title_of_a_rule_survives_the_cache(tmp_path: Path) -> None:
    text = rule_yaml("sel:\n  Image|endswith: '\\evil.exe'\ncondition: sel").replace(
        "title:", "title_zh: 可疑程序 evil.exe 启动\ntitle:", 1
    )
    rules = _rules(tmp_path / "rules", text)
    fresh, hit = load_engine([rules], cache_dir=tmp_path / "cache")
    cached, hit = load_engine([rules], cache_dir=tmp_path / "cache")
    assert hit and fresh.rules[0].title_zh == cached.rules[0].title_zh == "可疑程序 evil.exe 启动"
    batch = batch_of({"Image": "C:\\x\\evil.exe"})
    assert [m.rule_title_zh for m in cached.match(batch)] == ["可疑程序 evil.exe 启动"]
