"""The YAML loaders refuse alias bombs, self-referring aliases and runaway nesting as one error."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from secops.content.yamlload import MAX_ALIAS_EXPANSION, load_yaml, load_yaml_text, safe_load, safe_load_all
from secops.errors import ContentError


def laughs(levels: int = 9, width: int = 9) -> str:
    """The classic billion-laughs document: each anchor is a list of ``width`` aliases of the last."""
    lines = ["title: bomb", "detection:", '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        lines.append(f"  a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    lines += ["  selection:", f"    CommandLine: *a{levels}", "  condition: selection"]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_the_anchor_line_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yml"
    path.write_text(laughs(), encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(ContentError) as caught:
        load_yaml(path)
    assert time.perf_counter() - start < 0.5
    assert caught.value.line == 12  # the deepest anchor, a9
    assert str(caught.value).startswith(f"{path}:12: too many YAML aliases/anchors expansion")


def test_plain_loaders_raise_a_yaml_error_so_existing_handlers_catch_it() -> None:
    with pytest.raises(yaml.YAMLError, match="too many YAML aliases"):
        safe_load_all(laughs())
    with pytest.raises(yaml.YAMLError, match="too many YAML aliases"):
        safe_load(laughs())
    with pytest.raises(yaml.YAMLError, match="too many YAML aliases"):
        safe_load(laughs().encode())  # a byte stream is checked too (no anchor pre-scan there)


def test_modest_sharing_through_anchors_still_loads() -> None:
    text = "base: &b {a: 1, b: [1, 2, 3]}\nx: *b\ny: {<<: *b, c: 2}\nlist: [*b, *b, *b]\n"
    data = load_yaml_text(text)
    assert data["x"] == data["list"][2] == {"a": 1, "b": [1, 2, 3]}
    assert data["y"] == {"a": 1, "b": [1, 2, 3], "c": 2}
    # an expansion just under the bound is fine, just over it is not
    under = "a: &a [" + ", ".join(["1"] * 1000) + "]\nb: [" + ", ".join(["*a"] * (MAX_ALIAS_EXPANSION // 1001)) + "]\n"
    assert len(load_yaml_text(under)["b"]) == MAX_ALIAS_EXPANSION // 1001
    over = under.replace("]\n", ", *a, *a]\n").replace("1, *a, *a]", "1]", 1)
    with pytest.raises(ContentError, match="too many YAML aliases"):
        load_yaml_text(over)


def test_an_alias_of_its_own_anchor_is_refused() -> None:
    with pytest.raises(ContentError, match="refers to its own anchor") as caught:
        load_yaml_text("ok: 1\nloop: &l [1, *l]\n", "x.yml")
    assert caught.value.line == 2
    with pytest.raises(yaml.YAMLError, match="refers to its own anchor"):
        safe_load("loop: &l {a: *l}\n")


def test_runaway_nesting_is_one_error_not_a_recursion_traceback() -> None:
    for text in ("a: " + "[" * 300 + "]" * 300, "[" * 20_000):
        with pytest.raises(ContentError, match="nest"):
            load_yaml_text(text, "deep.yml")
    with pytest.raises(yaml.YAMLError, match="nest"):
        safe_load("a: &x " + "[" * 900 + "]" * 900 + "\nb: *x\n")


def test_multi_document_files_check_each_document() -> None:
    ok = "a: &a [1, 2]\nb: *a\n"
    docs = load_yaml_text(ok + "---\n" + ok, multi=True)
    assert len(docs) == 2
    with pytest.raises(ContentError, match="too many YAML aliases") as caught:
        load_yaml_text(ok + "---\n" + laughs(), "multi.yml", multi=True)
    assert caught.value.line == 3 + 12


def test_sigma_rule_loading_keeps_going_after_a_bomb(tmp_path: Path) -> None:
    from secops.detection.sigma.rules import load_rules

    (tmp_path / "bomb.yml").write_text(laughs(), encoding="utf-8")
    (tmp_path / "good.yml").write_text(
        "title: ok\nlogsource: {product: linux}\ndetection: {sel: {a: 1}, condition: sel}\n", encoding="utf-8"
    )
    start = time.perf_counter()
    ruleset = load_rules([tmp_path])
    assert time.perf_counter() - start < 1.0
    assert len(ruleset.rules) == 1
    [error] = ruleset.errors
    assert (error.path.name, error.line) == ("bomb.yml", 12)
    assert "too many YAML aliases/anchors expansion" in error.message
