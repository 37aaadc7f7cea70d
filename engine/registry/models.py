"""The model registry: each entry declares its estimators, defaults, search space and cost hints.

Estimators are named as "module:Class" strings and imported only when a model is built, so reading
the registry (for `--help`, config validation or the wizard) stays cheap.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import Any

from engine.messages import t_or
from engine.registry import Registry

CLASSIFICATION = ("binary", "multiclass")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    # "classification" and/or "regression" -> "module:Class"
    estimators: dict[str, str]
    label: str = ""  # plain words for people; built-ins take theirs from the message catalogue
    aliases: tuple[str, ...] = ()
    dependency: str | None = None
    default_params: dict[str, dict[str, Any]] = field(default_factory=dict)  # family -> params
    search_space: dict[str, list[Any]] = field(default_factory=dict)
    # Relative cost hints (linear model = 1), after FLAML's per-estimator cost: used to order the search.
    fit_cost: float = 1.0
    predict_cost: float = 1.0
    needs_scaling: bool = False
    seed_param: str | None = "random_state"

    @property
    def title(self) -> str:
        return t_or(f"models.{self.name}", self.label or self.name)

    def supports(self, task: str) -> bool:
        return family(task) in self.estimators

    def is_installed(self) -> bool:
        return self.dependency is None or importlib.util.find_spec(self.dependency) is not None

    def build(self, task: str, seed: int, params: dict[str, Any] | None = None) -> Any:
        module_name, class_name = self.estimators[family(task)].split(":")
        estimator_class = getattr(importlib.import_module(module_name), class_name)
        merged = {**self.default_params.get(family(task), {}), **(params or {})}
        if self.seed_param:
            merged.setdefault(self.seed_param, seed)
        return estimator_class(**merged)


def family(task: str) -> str:
    return "classification" if task in CLASSIFICATION else "regression"


REGISTRY: Registry[ModelSpec] = Registry("model")


def register(spec: ModelSpec) -> None:
    """Add a model; a plugin calls exactly this."""
    REGISTRY.register(spec)


def resolve(name: str) -> str:
    return REGISTRY.resolve(name)


def get(name: str) -> ModelSpec:
    return REGISTRY.get(name)


def all_models() -> list[ModelSpec]:
    return REGISTRY.all()


def candidates(names: list[str], task: str) -> tuple[list[ModelSpec], list[tuple[str, str]]]:
    """(usable specs in order, [(name, reason)] for the ones left out) for a task."""
    usable, skipped = [], []
    for name in names:
        spec = get(name)
        if not spec.supports(task):
            skipped.append((spec.name, "task"))
        elif not spec.is_installed():
            skipped.append((spec.name, "dependency"))
        else:
            usable.append(spec)
    return usable, skipped


_BUILTIN = (
    ModelSpec(
        name="linear",
        aliases=("logistic", "logistic_regression", "ridge", "lr"),
        estimators={
            "classification": "sklearn.linear_model:LogisticRegression",
            "regression": "sklearn.linear_model:Ridge",
        },
        default_params={"classification": {"max_iter": 2000}},
        search_space={"C": [0.01, 0.1, 1.0, 10.0], "alpha": [0.1, 1.0, 10.0]},
        fit_cost=1.0,
        predict_cost=1.0,
        needs_scaling=True,
    ),
    ModelSpec(
        name="knn",
        aliases=("k_nearest_neighbours", "kneighbors", "k_neighbors"),
        estimators={
            "classification": "sklearn.neighbors:KNeighborsClassifier",
            "regression": "sklearn.neighbors:KNeighborsRegressor",
        },
        default_params={"classification": {"n_neighbors": 15}, "regression": {"n_neighbors": 15}},
        search_space={"n_neighbors": [5, 15, 31], "weights": ["uniform", "distance"]},
        fit_cost=0.5,
        predict_cost=20.0,
        needs_scaling=True,
        seed_param=None,
    ),
    ModelSpec(
        name="hist_gb",
        aliases=("hist_gradient_boosting", "histgradientboosting", "hgb", "gbm"),
        estimators={
            "classification": "sklearn.ensemble:HistGradientBoostingClassifier",
            "regression": "sklearn.ensemble:HistGradientBoostingRegressor",
        },
        search_space={"learning_rate": [0.03, 0.1, 0.3], "max_leaf_nodes": [15, 31, 63]},
        fit_cost=8.0,
        predict_cost=3.0,
    ),
    ModelSpec(
        name="random_forest",
        aliases=("rf", "randomforest"),
        estimators={
            "classification": "sklearn.ensemble:RandomForestClassifier",
            "regression": "sklearn.ensemble:RandomForestRegressor",
        },
        default_params={"classification": {"n_estimators": 200}, "regression": {"n_estimators": 200}},
        search_space={"max_features": ["sqrt", 0.5, 1.0], "min_samples_leaf": [1, 3, 10]},
        fit_cost=15.0,
        predict_cost=10.0,
    ),
    ModelSpec(
        name="extra_trees",
        aliases=("extratrees", "et"),
        estimators={
            "classification": "sklearn.ensemble:ExtraTreesClassifier",
            "regression": "sklearn.ensemble:ExtraTreesRegressor",
        },
        default_params={"classification": {"n_estimators": 200}, "regression": {"n_estimators": 200}},
        search_space={"max_features": ["sqrt", 0.5, 1.0], "min_samples_leaf": [1, 3, 10]},
        fit_cost=10.0,
        predict_cost=10.0,
    ),
    ModelSpec(
        name="lightgbm",
        aliases=("lgbm", "lgb"),
        dependency="lightgbm",
        estimators={
            "classification": "lightgbm:LGBMClassifier",
            "regression": "lightgbm:LGBMRegressor",
        },
        default_params={
            "classification": {"n_estimators": 200, "learning_rate": 0.05, "verbose": -1},
            "regression": {"n_estimators": 200, "learning_rate": 0.05, "verbose": -1},
        },
        search_space={"num_leaves": [15, 31, 63], "learning_rate": [0.03, 0.05, 0.1]},
        fit_cost=6.0,
        predict_cost=3.0,
    ),
)

for _spec in _BUILTIN:
    register(_spec)
