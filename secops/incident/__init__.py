"""Incidents: GB/T 20986 categories, grading, deadlines by policy, playbooks (issue #6, in progress)."""
