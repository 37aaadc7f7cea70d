"""Preprocessing steps that run between the prepared columns and the model (e.g. feature selection, PCA).

There are no built-in steps: they come from plugins, and a preset turns them on with `steps = ["name"]`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from automl_tui_engine.extension.registry import Registry
from automl_tui_engine.messages import t_or


@dataclass(frozen=True)
class StepSpec:
    name: str
    estimator: str  # "module:Class" of a scikit-learn transformer
    default_params: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    aliases: tuple[str, ...] = ()
    seed_param: str | None = None

    @property
    def title(self) -> str:
        return t_or(f"steps.{self.name}", self.label or self.name)

    def build(self, seed: int) -> Any:
        module_name, class_name = self.estimator.split(":")
        params = dict(self.default_params)
        if self.seed_param:
            params.setdefault(self.seed_param, seed)
        return getattr(importlib.import_module(module_name), class_name)(**params)


REGISTRY: Registry[StepSpec] = Registry("preprocessing step")


def register(spec: StepSpec) -> None:
    REGISTRY.register(spec)


def resolve(name: str) -> str:
    return REGISTRY.resolve(name)


def get(name: str) -> StepSpec:
    return REGISTRY.get(name)
