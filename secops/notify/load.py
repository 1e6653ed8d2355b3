"""``load_notifiers``: the workspace's ``notifiers.yaml`` built into channels from the registry,
every mistake a ``file:line`` error."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from secops.content.yamlload import LineDict, load_yaml
from secops.errors import ContentError
from secops.notify.channels import CHANNELS, URL_MESSAGE, URL_SCHEMES, Channel, Log, LogSettings

FILE_NAME = "notifiers.yaml"


def load_notifiers(workspace_dir: Path) -> list[Channel]:
    """The channels of ``workspace_dir/notifiers.yaml``; the local log alone without the file or
    when every entry is commented out (as the template ``secops init`` writes)."""
    path = Path(workspace_dir) / FILE_NAME
    if not path.exists():
        return [Log(LogSettings())]
    data = load_yaml(path)
    if data is None:
        return [Log(LogSettings())]
    if not isinstance(data, list):
        raise ContentError(path, 1, "notifiers.yaml must be a list of notifiers")
    found: list[Channel] = []
    names: set[str] = set()
    for index, entry in enumerate(data):
        line = data.item_lines[index] if hasattr(data, "item_lines") else None
        channel = _channel(path, line, index + 1, entry)
        if channel.settings.name is not None:
            if channel.settings.name in names:
                raise ContentError(path, line, f"notifier {index + 1}: name {channel.settings.name!r} is used twice")
            names.add(channel.settings.name)
        found.append(channel)
    return found


def _channel(path: Path, line: int | None, number: int, entry: object) -> Channel:
    kind = entry.get("type") if isinstance(entry, LineDict) else None
    if not isinstance(entry, LineDict) or not isinstance(kind, str) or kind not in CHANNELS:
        raise ContentError(path, line, f"notifier {number}: type must be one of {', '.join(CHANNELS)}")
    cls = CHANNELS[kind]
    required = [f.alias or name for name, f in cls.settings_model.model_fields.items() if f.is_required()]
    missing = [key for key in required if not entry.get(key)]
    if missing:
        raise ContentError(path, line, f"notifier {number} ({kind}): missing {', '.join(missing)}")
    if "url" in entry and not str(entry["url"]).startswith(URL_SCHEMES):
        raise ContentError(path, line, f"notifier {number}: {URL_MESSAGE}")
    settings = {key: value for key, value in entry.items() if key != "type"}
    try:
        return cls(cls.settings_model.model_validate(settings))
    except ValidationError as error:
        first = error.errors()[0]
        key = first["loc"][0] if first["loc"] else None
        where = f"{key}: " if key is not None else ""
        message = first["msg"].removeprefix("Value error, ")
        raise ContentError(
            path, entry.key_lines.get(key, line), f"notifier {number} ({kind}): {where}{message}"
        ) from None
