"""GB/T 20986-2023 categories (``playbooks/taxonomy``): validation of an incident's category."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from secops.content.validate import ContentUnit
from secops.errors import SecopsError


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^(0[1-9]|10)$")
    name: str = Field(min_length=2)
    subcategories: tuple[str, ...] = Field(min_length=1)

    def subcategory_code(self, name: str) -> str:
        return f"{self.code}{self.subcategories.index(name) + 1:03d}"


class Taxonomy(ContentUnit):
    standard: str
    categories: tuple[Category, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Taxonomy:
        codes = [c.code for c in self.categories]
        if len(codes) != len(set(codes)):
            raise ValueError("category codes must be unique")
        return self

    def category(self, value: str) -> Category:
        """A category by code (02) or name (网络攻击事件); SecopsError lists the choices."""
        for category in self.categories:
            if value in (category.code, category.name):
                return category
        choices = "; ".join(f"{c.code} {c.name}" for c in self.categories)
        raise SecopsError(f"unknown incident category {value!r}", hint=f"choose one of: {choices}")

    def check(self, category: str, subcategory: str) -> tuple[Category, str]:
        found = self.category(category)
        if subcategory not in found.subcategories:
            raise SecopsError(
                f"unknown subcategory {subcategory!r} of {found.code} {found.name}",
                hint="choose one of: " + "、".join(found.subcategories),
            )
        return found, subcategory


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    from secops.content.validate import load_units

    units = load_units("incident-taxonomy")
    if not units:
        raise SecopsError("no incident taxonomy found in playbooks/taxonomy")
    taxonomy: Taxonomy = units[0]
    return taxonomy
