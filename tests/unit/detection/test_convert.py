"""Sigma -> Elasticsearch conversion (Lucene, ES|QL, EQL) and the case-insensitive index template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secops.detection.convert import TARGETS, ConvertedRule, convert_rules, known_pipelines
from secops.detection.index_template import index_template
from secops.errors import SecopsError

SIGMAHQ = Path("/work/shared/data/sigmahq/rules")
SIGMAHQ_RULES = [
    "windows/process_creation/proc_creation_win_renamed_whoami.yml",
    "web/webserver_generic/web_path_traversal_exploitation_attempt.yml",
    "linux/auditd/lnx_auditd_audio_capture.yml",
]
KEYWORD_ONLY_SIGMAHQ = "linux/builtin/lnx_shell_clear_cmd_history.yml"

needs_sigmahq = pytest.mark.skipif(
    not SIGMAHQ.is_dir(), reason=f"SigmaHQ rule corpus not present at {SIGMAHQ} (a checkout of SigmaHQ/sigma)"
)

BRUTE_FORCE = """\
title: SSH failed password
name: ssh_failed
status: test
logsource: {product: linux, service: sshd}
detection:
  selection: {sshd_action: Failed_Password}
  condition: selection
---
title: SSH brute force
id: 0f5c5e8a-1c0e-4b8e-9d3e-2a7f7b0c1a01
status: test
correlation:
  type: event_count
  rules: ssh_failed
  group-by: [src_ip]
  timespan: 5m
  condition: {gte: 10}
level: high
"""

KEYWORD_RULE = """\
title: Webshell keyword in a log line
id: 7d6f2b1e-5c44-4c1b-a3f1-0c8f6a1e2b02
status: test
logsource: {category: webserver}
detection:
  keywords: ['eval(base64_decode', 'c99shell']
  condition: keywords
"""

FIELD_RULE = """\
title: PHP upload to the image folder
id: 3b9f0b4c-9a7e-4d1f-8f3e-6c2d1a0b9e03
status: test
logsource: {category: webserver}
detection:
  selection:
    cs-method: POST
    cs-uri-stem|contains: '/Uploads/'
    cs-uri-stem|endswith: '.PHP'
  condition: selection
level: high
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def by_title(results: list[ConvertedRule]) -> dict[str, ConvertedRule]:
    return {result.title: result for result in results}


@needs_sigmahq
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_sigmahq_rules_convert_to_every_target(target: str) -> None:
    paths = [SIGMAHQ / rule for rule in SIGMAHQ_RULES]
    results = convert_rules(paths, target, None)
    assert len(results) == len(paths)
    for result in results:
        assert result.error is None, (result.path, result.error)
        assert result.query and result.id
    whoami = by_title(results)["Renamed Whoami Execution"]
    assert whoami.id == "f1086bf7-a0c4-4a37-9102-01e573caf4a0"
    assert "OriginalFileName" in (whoami.query or "")
    if target == "esql":
        assert whoami.query is not None and whoami.query.startswith("from ")
    if target == "eql":
        assert whoami.query is not None and whoami.query.startswith("any where ")


@needs_sigmahq
def test_ecs_windows_pipeline_maps_fields() -> None:
    rule = SIGMAHQ / SIGMAHQ_RULES[0]
    (plain,) = convert_rules([rule], "lucene", None)
    (ecs,) = convert_rules([rule], "lucene", "ecs_windows")
    assert "OriginalFileName:" in (plain.query or "")
    assert "process.pe.original_file_name:" in (ecs.query or "") and "OriginalFileName" not in (ecs.query or "")


@needs_sigmahq
def test_sigmahq_keyword_rule_failure_is_reported_not_raised() -> None:
    paths = [SIGMAHQ / KEYWORD_ONLY_SIGMAHQ, SIGMAHQ / SIGMAHQ_RULES[0]]
    for target in ("esql", "eql"):
        results = by_title(convert_rules(paths, target, None))
        assert results["Linux Command History Tampering"].error
        assert results["Linux Command History Tampering"].query is None
        assert results["Renamed Whoami Execution"].error is None
    lucene = by_title(convert_rules(paths, "lucene", None))  # Lucene can search the whole document
    assert "history\\ \\-c" in (lucene["Linux Command History Tampering"].query or "")


def test_keyword_only_rule_is_reported_and_the_rest_convert(tmp_path: Path) -> None:
    paths = [write(tmp_path, "keyword.yml", KEYWORD_RULE), write(tmp_path, "upload.yml", FIELD_RULE)]
    esql = by_title(convert_rules(paths, "esql", None))
    keyword = esql["Webshell keyword in a log line"]
    assert keyword.error and "not supported" in keyword.error
    assert keyword.path.endswith("keyword.yml") and keyword.id == "7d6f2b1e-5c44-4c1b-a3f1-0c8f6a1e2b02"
    assert esql["PHP upload to the image folder"].error is None
    eql = by_title(convert_rules(paths, "eql", None))
    assert eql["Webshell keyword in a log line"].error == (
        "keyword (field-less) detections have no EQL equivalent; use lucene"
    )
    assert 'cs-method:"POST"' in (eql["PHP upload to the image folder"].query or "")
    lucene = by_title(convert_rules(paths, "lucene", None))
    assert "c99shell" in (lucene["Webshell keyword in a log line"].query or "")


def test_esql_values_are_lowercased_for_the_secops_index_template(tmp_path: Path) -> None:
    path = write(tmp_path, "upload.yml", FIELD_RULE)
    (esql,) = convert_rules([path], "esql", None)
    query = esql.query or ""
    assert 'ends_with(`cs-uri-stem`, ".php")' in query and "/uploads/" in query
    (as_written,) = convert_rules([path], "esql", None, lowercase_values=False)
    assert ".PHP" in (as_written.query or "")
    (lucene,) = convert_rules([path], "lucene", None)  # the normalizer lowercases Lucene's terms itself
    assert "PHP" in (lucene.query or "")


def test_correlations_convert_to_esql_and_eql_only(tmp_path: Path) -> None:
    path = write(tmp_path, "brute.yml", BRUTE_FORCE)
    esql = by_title(convert_rules([path], "esql", None))
    correlation = esql["SSH brute force"]
    assert correlation.kind == "correlation" and correlation.error is None
    assert "date_trunc(5minutes" in (correlation.query or "") and "event_count >= 10" in (correlation.query or "")
    base = esql["SSH failed password"]
    assert base.query is None and base.error is None  # generate: false -> only inside the correlation
    assert base.note == "part of correlation 'SSH brute force'"
    eql = by_title(convert_rules([path], "eql", None))
    assert "sequence by src_ip with maxspan=5m" in (eql["SSH brute force"].query or "")
    assert "with runs=10" in (eql["SSH brute force"].query or "")
    lucene = by_title(convert_rules([path], "lucene", None))
    assert lucene["SSH brute force"].error == "lucene cannot express correlation rules; convert them to esql or eql"
    assert lucene["SSH failed password"].query == "sshd_action:Failed_Password"


def test_invalid_rules_are_reported_with_their_location(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.yml", "title: x\ndetection: [unclosed\n")
    unknown_modifier = write(
        tmp_path,
        "modifier.yml",
        "title: bad modifier\nlogsource: {category: webserver}\n"
        "detection:\n  sel:\n    c-uri|nosuchmodifier: x\n  condition: sel\n",
    )
    good = write(tmp_path, "upload.yml", FIELD_RULE)
    results = convert_rules([broken, unknown_modifier, good], "lucene", None)
    errors = {Path(r.path).name: r for r in results if r.error}
    assert set(errors) == {"broken.yml", "modifier.yml"}
    assert errors["broken.yml"].line is not None
    assert "nosuchmodifier" in (errors["modifier.yml"].error or "")
    assert [r.title for r in results if r.ok] == ["PHP upload to the image folder"]
    assert json.dumps([r.as_dict() for r in results])  # serialisable for --format jsonl


def test_directories_are_walked(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    write(tmp_path / "web", "upload.yml", FIELD_RULE)
    write(tmp_path, "keyword.yml", KEYWORD_RULE)
    assert len(convert_rules([tmp_path], "lucene", None)) == 2


def test_unknown_target_and_pipeline_are_one_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "upload.yml", FIELD_RULE)
    with pytest.raises(SecopsError, match="unknown conversion target 'splunk'") as target_error:
        convert_rules([path], "splunk", None)
    assert "lucene, esql, eql" in str(target_error.value)
    with pytest.raises(SecopsError, match="unknown Sigma pipeline") as pipeline_error:
        convert_rules([path], "lucene", "no_such_pipeline")
    for name in ("ecs_windows", "ecs_windows_old", "sysmon", "windows-logsources"):
        assert name in str(pipeline_error.value)
        assert name in known_pipelines()


def test_pipeline_from_a_yaml_file(tmp_path: Path) -> None:
    pipeline = write(
        tmp_path,
        "web_ecs.yml",
        "name: web to ecs\npriority: 20\ntransformations:\n"
        "  - id: web_fields\n    type: field_name_mapping\n    mapping:\n      cs-method: http.request.method\n",
    )
    (result,) = convert_rules([write(tmp_path, "upload.yml", FIELD_RULE)], "lucene", str(pipeline))
    assert "http.request.method:POST" in (result.query or "")


# --- the index template ---------------------------------------------------------------------------


def test_index_template_normalizes_every_dynamic_string_to_lowercase() -> None:
    template = index_template()
    assert template["index_patterns"] == ["secops-events-*"]
    settings = template["template"]["settings"]
    normalizers = settings["analysis"]["normalizer"]
    assert len(normalizers) == 1
    (name, normalizer) = next(iter(normalizers.items()))
    assert normalizer == {"type": "custom", "char_filter": [], "filter": ["lowercase"]}
    mappings = template["template"]["mappings"]
    (dynamic,) = mappings["dynamic_templates"]
    rule = next(iter(dynamic.values()))
    assert rule["match_mapping_type"] == "string"  # every string field, including unlisted ones
    assert rule["mapping"]["type"] == "keyword"
    assert rule["mapping"]["normalizer"] == name
    assert rule["mapping"]["fields"]["text"]["type"] == "text"
    assert rule["mapping"]["ignore_above"] * 4 <= 32766  # a keyword term never exceeds Lucene's limit
    assert mappings["date_detection"] is False and mappings["numeric_detection"] is False
    assert mappings["properties"]["@timestamp"] == {"type": "date"}
    assert mappings["properties"]["raw"]["normalizer"] == name


def test_index_template_is_a_fresh_json_document_each_time() -> None:
    first = index_template(["school-logs-*"])
    first["template"]["mappings"]["dynamic_templates"].clear()
    second = index_template()
    assert first["index_patterns"] == ["school-logs-*"]
    assert second["template"]["mappings"]["dynamic_templates"]
    assert json.loads(json.dumps(second)) == second
