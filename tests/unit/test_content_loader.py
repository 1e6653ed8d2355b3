from pathlib import Path

import pytest

from secops.content import LineDict, LineList, content_root, line_of, load_yaml, load_yaml_text
from secops.content.kinds import kind_of
from secops.content.validate import load_units, validate_paths
from secops.errors import ContentError, ContentErrors, SecopsError

DOC = """\
id: sample
title:
  zh: 标题
  en: Title
items:
  - name: first
  - name: second
    extra: [1, 2]
"""


def test_lines_of_keys_and_items() -> None:
    data = load_yaml_text(DOC)
    assert isinstance(data, LineDict) and data.line == 1
    assert data.key_lines == {"id": 1, "title": 2, "items": 5}
    assert isinstance(data["items"], LineList)
    assert data["items"].item_lines == [6, 7]
    assert line_of(data, ["title", "en"]) == 4
    assert line_of(data, ["items", 1, "extra"]) == 8
    assert line_of(data, ["items", 5]) == 5  # beyond the list: the list's own key
    assert line_of(data, ["missing"]) == 1


def test_values_are_plain_python() -> None:
    data = load_yaml_text(DOC)
    assert data == {
        "id": "sample",
        "title": {"zh": "标题", "en": "Title"},
        "items": [{"name": "first"}, {"name": "second", "extra": [1, 2]}],
    }


def test_syntax_error_has_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("id: x\nitems:\n  - a\n  b: c\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_yaml(path)
    assert caught.value.line == 4
    assert str(caught.value).startswith(f"{path}:4: invalid YAML")


def test_duplicate_keys_are_errors() -> None:
    with pytest.raises(ContentError) as caught:
        load_yaml_text("id: a\nname: x\nid: b\n", "dup.yml")
    assert caught.value.line == 3
    assert "duplicate key 'id'" in str(caught.value)


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(ContentError, match="invalid YAML"):
        load_yaml_text("!!python/object/apply:os.system ['true']\n")


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="file not found"):
        load_yaml(tmp_path / "nope.yml")
    path = tmp_path / "latin.yml"
    path.write_bytes("id: a\nname: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ContentError) as caught:
        load_yaml(path)
    assert caught.value.line == 2 and "UTF-8" in str(caught.value)


def test_multi_document_files() -> None:
    docs = load_yaml_text("a: 1\n---\nb: 2\n---\n", multi=True)
    assert docs == [{"a": 1}, {"b": 2}]
    assert docs[1].line == 3


def test_every_content_folder_is_found() -> None:
    for folder in ("rules", "scanners", "playbooks", "reports"):
        assert content_root(folder).is_dir()


def test_kinds_match_by_folder(tmp_path: Path) -> None:
    reports = content_root("reports")
    report_kind = kind_of(reports / "workspace.yml")
    template_kind = kind_of(reports / "templates" / "report.html.j2")
    assert report_kind is not None and report_kind.name == "report"
    assert template_kind is not None and template_kind.name == "template"
    assert kind_of(tmp_path / "notes.yml") is None


def test_shipped_content_is_valid() -> None:
    checked, errors = validate_paths([content_root(f) for f in ("rules", "scanners", "playbooks", "reports")])
    assert errors == []
    assert checked >= 3


def test_validate_reports_every_error_with_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "one.yml").write_text(
        "id: one\ntitle: {zh: 一, en: One}\ndescription: {zh: 一, en: One}\nsource: nowhere\n"
    )
    (folder / "two.yml").write_text("id: two\ntitel: typo\n")
    checked, errors = validate_paths([folder])
    assert checked == 2
    rendered = [str(e) for e in errors]
    assert (
        f"{folder / 'one.yml'}:4: source: unknown data source 'nowhere'; "
        "known: assets, data, dengbao, filing, grading, overview, plan, workspace" in rendered
    )
    assert any(r.startswith(f"{folder / 'two.yml'}:2: titel: unknown key") for r in rendered)
    assert any(r.startswith(f"{folder / 'two.yml'}:1: title: Field required") for r in rendered)


def test_unknown_single_file_and_missing_path(tmp_path: Path) -> None:
    stray = tmp_path / "stray.yml"
    stray.write_text("id: stray\n")
    _, errors = validate_paths([stray, tmp_path / "missing.yml"])
    assert "not a known kind of content" in str(errors[0])
    assert "no such file" in str(errors[1])


def test_load_units_refuses_duplicates_and_collects_all_errors(tmp_path: Path) -> None:
    extra = tmp_path / "more" / "reports"
    extra.mkdir(parents=True)
    (extra / "workspace.yml").write_text(
        "id: workspace\ntitle: {zh: 一, en: One}\ndescription: {zh: 一, en: One}\nsource: workspace\n"
    )
    (extra / "broken.yml").write_text("id: broken\n")
    with pytest.raises(ContentErrors) as caught:
        load_units("report", extra_dirs=[extra])
    text = str(caught.value)
    assert "duplicate id 'workspace'" in text and "broken.yml:1" in text
    assert isinstance(caught.value, SecopsError)


SIGMAHQ = Path(__file__).resolve().parents[3] / "shared" / "data" / "sigmahq"


def test_loads_the_sigmahq_corpus_with_lines() -> None:
    """Real rules: every SigmaHQ file parses, and each rule's `detection` key has its true line."""
    files = sorted(SIGMAHQ.rglob("*.yml"))
    if not files:
        pytest.skip(f"SigmaHQ corpus not found at {SIGMAHQ} (shared/data is provided beside the checkout)")
    checked = 0
    for path in files:
        for doc in load_yaml(path, multi=True):
            if isinstance(doc, LineDict) and "detection" in doc:
                line = doc.key_lines["detection"]
                assert path.read_text(encoding="utf-8").splitlines()[line - 1].startswith("detection:"), path
                checked += 1
    assert checked > 3000
