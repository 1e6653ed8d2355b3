"""Shipped drill scenarios: they load, cover the four the plans name, point at real playbook steps,
and every artifact is what it says: the real scanner finds the planted ones (positive) and passes
the clean ones (negative)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from secops.cli.main import cli
from secops.incident.drill.scenarios import DrillScenario, load_scenarios
from secops.incident.playbooks import load_playbooks

SCENARIOS = load_scenarios()
ARTIFACTS = [(s, a) for s in SCENARIOS for a in s.artifacts]


def test_the_four_scenarios_ship() -> None:
    assert {s.id for s in SCENARIOS} >= {"webshell-portal", "ransomware-xueji", "student-data-leak", "exam-ddos"}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_playbook_steps_and_texts(scenario: DrillScenario) -> None:
    playbooks = {p.id: p for p in load_playbooks()}
    assert scenario.playbook in playbooks
    steps = {s.id for s in playbooks[scenario.playbook].steps}
    assert all(q.step is None or q.step in steps for q in scenario.questions)
    assert scenario.injects[0].offset.total_seconds() == 0  # something happens at the start
    offsets = [i.offset for i in scenario.injects]
    assert offsets == sorted(offsets)
    for text in (scenario.briefing, *scenario.objectives, *(q.text for q in scenario.questions)):
        assert "； " not in text and "， " not in text  # no space left by a folded YAML line


@pytest.mark.parametrize(("scenario", "artifact"), ARTIFACTS, ids=lambda v: getattr(v, "path", getattr(v, "id", "")))
def test_artifacts_are_what_they_claim(scenario: DrillScenario, artifact: object, tmp_path: Path) -> None:
    from secops.incident.drill.scenarios import Artifact

    assert isinstance(artifact, Artifact)
    path = tmp_path.joinpath(*artifact.path.split("/"))
    path.parent.mkdir(parents=True)
    path.write_text(artifact.content, encoding="utf-8")
    runner = CliRunner()
    if artifact.scanner == "yara":
        result = runner.invoke(cli, ["yara", "scan", str(path), "--format", "json"])
        hits = json.loads(result.stdout)
        found = bool(hits)
    else:
        result = runner.invoke(cli, ["data", "scan", str(path)])
        assert result.exit_code in (0, 1), result.output
        found = result.exit_code == 1  # 1: sensitive personal information found
    assert found == (artifact.expect == "detected"), (scenario.id, artifact.path, result.output[-500:])
