"""Registries are data: models and metrics declare what they are; plugins use the same register functions."""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from automl_tui_engine.messages import suggest, t


class Named(Protocol):
    """What a registry keeps a spec by: its name and aliases (ModelSpec, MetricSpec, StepSpec)."""

    @property
    def name(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...


Spec = TypeVar("Spec", bound=Named)


class Registry(Generic[Spec]):
    """Named specs with aliases. Lookups ignore case and accept '-' for '_'."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._specs: dict[str, Spec] = {}
        self._aliases: dict[str, str] = {}

    def register(self, spec: Spec) -> None:
        """Add a spec; names and aliases must be new (a plugin cannot silently replace a built-in)."""
        keys = (spec.name, *spec.aliases)
        taken = [key for key in keys if key in self._aliases]
        if taken:
            raise ValueError(f"{self.kind} name {taken[0]!r} is already registered")
        self._specs[spec.name] = spec
        self._aliases.update(dict.fromkeys(keys, spec.name))

    @staticmethod
    def _key(name: str) -> str:
        return name.strip().lower().replace("-", "_")

    def knows(self, name: str) -> bool:
        return self._key(name) in self._aliases

    def resolve(self, name: str) -> str:
        """The canonical name for a name or alias; unknown names raise ValueError with a suggestion."""
        key = self._key(name)
        if key in self._aliases:
            return self._aliases[key]
        hint = suggest(key, list(self._aliases))
        raise ValueError(t("common.unknown_name", kind=self.kind, name=name, hint=hint, known=", ".join(self._specs)))

    def get(self, name: str) -> Spec:
        return self._specs[self.resolve(name)]

    def all(self) -> list[Spec]:
        return list(self._specs.values())

    def copy(self) -> Registry[Spec]:
        clone: Registry[Spec] = Registry(self.kind)
        clone._specs, clone._aliases = dict(self._specs), dict(self._aliases)
        return clone
