"""A campus in a box: real hosts in network namespaces, for discovery tests and benchmarks."""

from tests.campus.campus import Campus, CampusHost, build_campus, campus_unavailable_reason

__all__ = ["Campus", "CampusHost", "build_campus", "campus_unavailable_reason"]
