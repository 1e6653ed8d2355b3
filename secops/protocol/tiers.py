"""Between centers: a lower center tells the one above the names of the schools it covers
(``POST /api/v1/covered``); which codes it may speak for is decided above, at registration."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

COVERED_PATH = "/api/v1/covered"


class CoveredSchool(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^\d{10}$")
    name: str = Field(min_length=1, max_length=200)


class CoveredSchools(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    center: str = Field(pattern=r"^\d{10}$")  # the lower center sending them
    schools: list[CoveredSchool] = Field(max_length=100_000)
