"""Incidents: GB/T 20986 categories, grading, deadlines by policy, playbooks, escalation and the audit trail."""
