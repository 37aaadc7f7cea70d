"""Plugins add models, metrics and preprocessing steps with the same register functions the built-ins use.

Two ways in: an installed package's entry point in the group `automl_tui.plugins` (loaded for every run), or
a module named in a preset or config (`plugins = ["package.module"]`). The entry point or module gives a
`register()` function (a module's own, or the named callable). A plugin that fails to load or register is a
warning naming it, never a crash.

Importing a plugin runs its code. An installed entry point was chosen by whoever installed it; a module named in a
preset file or a run's config may come from anyone who shared the file, so it is imported only once the user has
trusted it (`--allow-plugin MODULE`, or the wizard's question), and that choice is remembered in the user's
configuration folder (`trusted_plugins.txt`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import t

GROUP = "automl_tui.plugins"


@dataclass
class PluginRecord:
    name: str
    source: str  # "entry point" | "config"
    target: str  # what was imported: "package.module" or "package.module:function"
    error: str | None = None
    added: list[str] = field(default_factory=list)  # "model:name", "metric:name", "step:name"


_RECORDS: dict[str, PluginRecord] = {}
_ENTRY_POINTS_LOADED = False
_TRUSTED_HERE: set[str] = set()  # trusted for this process only (an agent running a run it was given)


def trust_file() -> Path:
    """Where the modules the user trusted are remembered: one per line."""
    from automl_tui_engine import user_config

    return user_config.folder() / "trusted_plugins.txt"


def trusted() -> set[str]:
    path = trust_file()
    remembered = set(path.read_text(encoding="utf-8").split()) if path.is_file() else set()
    return remembered | _TRUSTED_HERE


def untrusted(modules: list[str]) -> list[str]:
    """The modules among `modules` the user has not trusted yet, in order."""
    known = trusted()
    return [module for module in dict.fromkeys(modules) if module not in known]


def trust(modules: list[str], remember: bool = True) -> None:
    """The user trusts `modules`: remembered for later runs, or (`remember=False`) for this process only."""
    new = untrusted(modules)
    if not new:
        return
    if not remember:
        _TRUSTED_HERE.update(new)
        return
    path = trust_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("".join(f"{module}\n" for module in new))


def _registered() -> set[str]:
    from automl_tui_engine.extension.registry import metrics, models, steps

    return {
        *(f"model:{s.name}" for s in models.REGISTRY.all()),
        *(f"metric:{s.name}" for s in metrics.REGISTRY.all()),
        *(f"step:{s.name}" for s in steps.REGISTRY.all()),
    }


def load(name: str, target: str, source: str) -> PluginRecord:
    """Import `target` and call its register(); a failure is recorded, not raised. Each plugin loads once."""
    if name in _RECORDS:
        return _RECORDS[name]
    record = PluginRecord(name=name, source=source, target=target)
    before = _registered()
    try:
        module_name, _, attribute = target.partition(":")
        loaded = importlib.import_module(module_name)
        register = getattr(loaded, attribute or "register")
        register()
    except Exception as exc:  # any error in someone else's code: name the plugin and go on
        record.error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    record.added = sorted(_registered() - before)
    _RECORDS[name] = record
    return record


def load_entry_points() -> list[PluginRecord]:
    global _ENTRY_POINTS_LOADED
    if not _ENTRY_POINTS_LOADED:
        from importlib.metadata import entry_points

        _ENTRY_POINTS_LOADED = True
        for point in entry_points(group=GROUP):
            load(point.name, point.value, "entry point")
    return [r for r in _RECORDS.values() if r.source == "entry point"]


def load_modules(names: list[str]) -> list[PluginRecord]:
    """Import the modules a config names, all of them trusted, or none: a UserError names the others."""
    refused = untrusted(names)
    if refused:
        flags = " ".join(f"--allow-plugin {module}" for module in refused)
        raise UserError("plugins.not_trusted", modules=", ".join(refused), flags=flags)
    return [load(name, name, "config") for name in names]


def load_all(config_modules: list[str] | None = None) -> list[PluginRecord]:
    return [*load_entry_points(), *load_modules(config_modules or [])]


def records() -> list[PluginRecord]:
    return list(_RECORDS.values())


def warnings() -> list[str]:
    return [t("plugins.failed", name=r.name, target=r.target, error=r.error) for r in _RECORDS.values() if r.error]


def origin(kind: str, name: str) -> str:
    """Where a registered model, metric or step comes from: "built-in" or the plugin's name."""
    for record in _RECORDS.values():
        if f"{kind}:{name}" in record.added:
            return t("plugins.from_plugin", name=record.name, source=record.source)
    return t("plugins.builtin")
