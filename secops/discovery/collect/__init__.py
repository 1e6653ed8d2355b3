"""Host collectors for 等保 evidence: ``linux.sh`` runs on the host (locally or over SSH) and prints raw
sections; ``linux.py`` turns them into the ``linux`` facts object; ``run.py`` does the running."""

from secops.discovery.collect.linux import linux_facts, parse_sections
from secops.discovery.collect.run import CollectorUnavailable, collect_local, collect_ssh

__all__ = ["CollectorUnavailable", "collect_local", "collect_ssh", "linux_facts", "parse_sections"]
