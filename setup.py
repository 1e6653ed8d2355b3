"""Everything lives in setup.cfg; this shim only adds the content folders to the package list,
which ``packages = find:`` cannot see because they sit outside ``secops/`` in a checkout."""

from setuptools import find_packages, setup

CONTENT = ["secops.rules", "secops.scanners", "secops.playbooks", "secops.reports"]

setup(packages=find_packages(include=["secops", "secops.*"]) + CONTENT)
