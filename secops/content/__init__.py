"""Content: the rules, profiles, playbooks and templates that live outside the code."""

from secops.content.locate import content_root, content_roots
from secops.content.yamlload import LineDict, LineList, line_of, load_yaml, load_yaml_text

__all__ = [
    "LineDict",
    "LineList",
    "content_root",
    "content_roots",
    "line_of",
    "load_yaml",
    "load_yaml_text",
]
