"""A lab campus: real hosts in Linux network namespaces for the demo, tests and benchmarks.

Nothing here touches a real network: every host lives in a namespace this module creates, and
every scan runs inside the lab's own scanner namespace.
"""

from secops.lab.campus import Campus, CampusHost, build_campus, campus_unavailable_reason

__all__ = ["Campus", "CampusHost", "build_campus", "campus_unavailable_reason"]
