"""GB/T 20986-2023 categories (``playbooks/taxonomy``): validation of an incident's category, names
secops used before (mapped to the standard's), and the crosswalk from the 2007 seven classes."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from secops.content.validate import ContentUnit
from secops.errors import SecopsError
from secops.i18n import _


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^(0[1-9]|10)$")
    name: str = Field(min_length=2)
    subcategories: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Category:
        if len(self.subcategories) != len(set(self.subcategories)):
            raise ValueError(_("subcategories of {code} must be unique").format(code=self.code))
        return self

    def subcategory_code(self, name: str) -> str:
        """Category + position (勒索软件 = 01007); verify against Annex B before citing it."""
        return f"{self.code}{self.subcategories.index(name) + 1:03d}"


class Renamed(BaseModel):
    """A subcategory name secops used before that the standard does not have."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    category: str
    old: str = Field(min_length=2)
    new: str = Field(min_length=2)


class OldClass(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    name: str = Field(alias="class", min_length=2)
    category: str


class Crosswalk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    standard: str = Field(min_length=2)
    classes: tuple[OldClass, ...] = Field(min_length=1)


class Taxonomy(ContentUnit):
    standard: str
    categories: tuple[Category, ...] = Field(min_length=1)
    renamed: tuple[Renamed, ...] = ()
    crosswalk_2007: Crosswalk | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Taxonomy:
        codes = [c.code for c in self.categories]
        if len(codes) != len(set(codes)):
            raise ValueError(_("category codes must be unique"))
        by_code = {c.code: c for c in self.categories}
        for item in self.renamed:
            found = by_code.get(item.category)
            if found is None:
                raise ValueError(_("renamed: unknown category {category!r}").format(category=item.category))
            if item.new not in found.subcategories:
                raise ValueError(
                    _("renamed: {name!r} is not a subcategory of {code} {category}").format(
                        name=item.new, code=found.code, category=found.name
                    )
                )
            if item.old in found.subcategories:
                raise ValueError(
                    _("renamed: {name!r} is still a subcategory of {code} {category}").format(
                        name=item.old, code=found.code, category=found.name
                    )
                )
        if self.crosswalk_2007 is not None:
            names = [c.name for c in self.crosswalk_2007.classes]
            if len(names) != len(set(names)):
                raise ValueError(_("crosswalk_2007: each old class appears once"))
            unknown = [c.category for c in self.crosswalk_2007.classes if c.category not in by_code]
            if unknown:
                raise ValueError(_("crosswalk_2007: unknown categories {codes}").format(codes=unknown))
        return self

    def category(self, value: str) -> Category:
        """A category by code (02) or name (网络攻击事件); SecopsError lists the choices."""
        for category in self.categories:
            if value in (category.code, category.name):
                return category
        choices = "; ".join(f"{c.code} {c.name}" for c in self.categories)
        raise SecopsError(
            _("unknown incident category {category!r}").format(category=value),
            hint=_("choose one of: {choices}").format(choices=choices),
        )

    def current_name(self, category: str, subcategory: str) -> str:
        """The standard's name of a subcategory stored under a name secops used before (else as is)."""
        for item in self.renamed:
            if subcategory == item.old and category in (item.category, self._name_of(item.category)):
                return item.new
        return subcategory

    def _name_of(self, code: str) -> str:
        return next((c.name for c in self.categories if c.code == code), code)

    def check(self, category: str, subcategory: str) -> tuple[Category, str]:
        found = self.category(category)
        subcategory = self.current_name(found.code, subcategory)
        if subcategory not in found.subcategories:
            raise SecopsError(
                _("unknown subcategory {subcategory!r} of {code} {category}").format(
                    subcategory=subcategory, code=found.code, category=found.name
                ),
                hint=_("choose one of: {choices}").format(choices="、".join(found.subcategories)),
            )
        return found, subcategory

    def from_2007(self, old_class: str) -> Category:
        """The 2023 category of a GB/Z 20986-2007 class (older education plans still use them)."""
        classes = self.crosswalk_2007.classes if self.crosswalk_2007 else ()
        for item in classes:
            if item.name == old_class:
                return self.category(item.category)
        raise SecopsError(
            _("unknown 2007 incident class {name!r}").format(name=old_class),
            hint=_("choose one of: {choices}").format(choices="、".join(c.name for c in classes))
            if classes
            else _("no 2007 crosswalk in the taxonomy"),
        )

    def to_2007(self, category: str) -> str:
        """The 2007 class an older plan files a 2023 category under (其他事件 when it has none of its own)."""
        code = self.category(category).code
        classes = self.crosswalk_2007.classes if self.crosswalk_2007 else ()
        return next((c.name for c in classes if c.category == code), "其他事件")


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    from secops.content.validate import load_units

    units = load_units("incident-taxonomy")
    if not units:
        raise SecopsError(_("no incident taxonomy found in playbooks/taxonomy"))
    taxonomy: Taxonomy = units[0]
    return taxonomy
