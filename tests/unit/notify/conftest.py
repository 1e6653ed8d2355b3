"""The robot endpoint on 127.0.0.1 (see servers.py) as a fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.notify.servers import RobotServer, robot_server


@pytest.fixture
def robot() -> Iterator[RobotServer]:
    with robot_server() as server:
        yield server
