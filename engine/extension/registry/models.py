"""The model registry: each entry declares its estimators, defaults, search space and cost hints.

Estimators are named as "module:Class" strings and imported only when a model is built, so reading
the registry (for `--help`, config validation or the wizard) stays cheap.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from automl_tui_engine.extension.registry import Registry
from automl_tui_engine.messages import t_or
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # scikit-learn loads with the models, not with the registry
    from sklearn.base import BaseEstimator

FAMILIES = ("classification", "regression")
# a coarser form of a boosting (ModelSpec.coarser_params) keeps at least this many rounds and moves at most this far
# in each: FLAML's cheapest LightGBM has 4 trees; a rate beyond a half overshoots more than it gains
FEWEST_ROUNDS = 5
COARSEST_RATE = 0.5


@dataclass(frozen=True)
class ModelSpec:
    name: str
    # "classification" and/or "regression" -> "module:Class"
    estimators: dict[str, str]
    label: str = ""  # plain words for people; built-ins take theirs from the message catalogue
    aliases: tuple[str, ...] = ()
    dependency: str | None = None
    default_params: dict[str, dict[str, Any]] = field(default_factory=dict)  # family -> params
    # parameter -> a list of choices, or a range {"low", "high", "log": bool, "int": bool}; either for every task,
    # or per family under "classification" / "regression" keys (parameters differ, e.g. C against alpha)
    search_space: dict[str, Any] = field(default_factory=dict)
    # Relative cost hints (linear model = 1), after FLAML's per-estimator cost: used to order the search.
    fit_cost: float = 1.0
    predict_cost: float = 1.0
    needs_scaling: bool = False
    seed_param: str | None = "random_state"
    # the parameter an estimator takes its thread count by, when its default is every core (LightGBM's n_jobs):
    # set from core/threads.py, so no fit starts more threads than there are free cores
    threads_param: str | None = None
    # the parameter that says how many parts (trees) the model is made of, where fewer still make a sound model:
    # a default that would not be done in the time it can be given is made with as many as fit (search/training.py)
    size_param: str | None = None
    # the parameter that says how far each round of a boosting moves (its learning rate): fewer rounds at a higher
    # rate are a coarser form of the same model that takes less time (coarser_params)
    rate_param: str | None = None
    # family -> its cheapest useful form, over `default_params` (fewer trees, fewer rounds at a coarser rate): the
    # search tries every kind in this form first, so each gives a result on a busy machine too, and grows it to its
    # defaults while the budget allows (issue 36). Empty: the defaults are already the cheapest form.
    first_form: dict[str, dict[str, Any]] = field(default_factory=dict)
    # a point of the search space the tuning tries first, laid out as `search_space`: regularised settings (more
    # rows per leaf, fewer leaves, shrinkage) that hold up on small noisy tables, as the best peers start there
    tuning_start: dict[str, Any] = field(default_factory=dict)
    # the same laid out on the other side of the defaults (more leaves, fewer rows per leaf): tried next when the
    # regularised start scored below the kind's defaults, so tuning moves from its start in the direction the table
    # asks for, as FLAML's local search does (Computers: lightgbm's start CV R² 0.911, defaults 0.927, this 0.929).
    # Empty: the defaults are already this side (a forest grows its trees to one row per leaf).
    capacity_start: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return t_or(f"models.{self.name}", self.label or self.name)

    def supports(self, task: Task) -> bool:
        return family(task) in self.estimators

    def space(self, task: Task) -> dict[str, Any]:
        return _for_task(self.search_space, task)

    def start(self, task: Task) -> dict[str, Any]:
        return _for_task(self.tuning_start, task)

    def capacity(self, task: Task) -> dict[str, Any]:
        return _for_task(self.capacity_start, task)

    def default(self, task: Task, param: str) -> Any:
        """The value `param` takes when nothing sets it: the registry's default, else None (the estimator's)."""
        return self.default_params.get(family(task), {}).get(param)

    def first_params(self, task: Task) -> dict[str, Any]:
        return dict(self.first_form.get(family(task), {}))

    def count_params(self, task: Task) -> list[str]:
        """Its counts of trees or rounds: the whole-number settings its first form sets."""
        return [p for p, v in self.first_params(task).items() if isinstance(v, int)]

    def grown_params(self, task: Task) -> dict[str, Any]:
        """The settings its first form grows to: the registry's defaults for what the first form sets."""
        return {param: self.default(task, param) for param in self.first_params(task)}

    def fewest_parts(self, task: Task) -> dict[str, int]:
        """The fewest trees or rounds its tuned candidates can have: the low end of its search space for each count
        its first form sets (none for a kind whose space does not tune them: a tuned forest has its form's)."""
        space = self.space(task)
        return {
            p: space[p]["low"]
            for p in self.count_params(task)
            if isinstance(space.get(p), dict) and space[p].get("int")
        }

    def cost_ratio(self, task: Task, params: dict[str, Any], reference: dict[str, Any]) -> float:
        """How many times the cost of the model with `reference` settings one with `params` takes, by their counts of
        trees or rounds (count_params): a tuned boosting of 800 rounds is not estimated from the 100 of the form it
        is made like."""
        ratios = []
        for name in self.count_params(task):
            mine, theirs = params.get(name, self.default(task, name)), reference.get(name, self.default(task, name))
            if isinstance(mine, int) and isinstance(theirs, int) and theirs > 0:
                ratios.append(mine / theirs)
        return max(ratios, default=1.0)

    def coarser_params(self, task: Task, params: dict[str, Any], share: float) -> dict[str, Any] | None:
        """`params` made to take about `share` (below 1) of their time: the rounds (count_params) cut to that share,
        FEWEST_ROUNDS at least, and the rate (rate_param) raised as much, up to COARSEST_RATE, so the rounds still
        move about as far in all; None when it has no rate or no fewer rounds."""
        rate = params.get(self.rate_param, self.default(task, self.rate_param)) if self.rate_param else None
        counts = {p: params.get(p, self.default(task, p)) for p in self.count_params(task)}
        no_counts = not counts or not all(isinstance(n, int) for n in counts.values())
        if self.rate_param is None or not isinstance(rate, float) or no_counts:
            return None
        cut = {p: max(int(rounds * share), FEWEST_ROUNDS) for p, rounds in counts.items()}
        if any(cut[p] >= rounds for p, rounds in counts.items()):
            return None
        kept = max(cut[p] / rounds for p, rounds in counts.items())
        return {**params, **cut, self.rate_param: round(min(rate / kept, max(rate, COARSEST_RATE)), 3)}

    def is_installed(self) -> bool:
        return self.dependency is None or importlib.util.find_spec(self.dependency) is not None

    def build(self, task: Task, seed: int, params: dict[str, Any] | None = None) -> BaseEstimator:
        module_name, class_name = self.estimators[family(task)].split(":")
        estimator_class = getattr(importlib.import_module(module_name), class_name)
        merged = {**self.default_params.get(family(task), {}), **(params or {})}
        if self.seed_param:
            merged.setdefault(self.seed_param, seed)
        if self.threads_param:
            from automl_tui_engine.core import threads

            merged.setdefault(self.threads_param, threads.count())
        return estimator_class(**merged)


def use_threads(pipeline: BaseEstimator, count: int) -> None:
    """A loaded model's own thread count (ModelSpec.threads_param: the count of the machine it was fit on, then)
    set to `count`, as a run gives the models it builds: for a saved model about to be used here and now."""
    estimator = pipeline[-1] if hasattr(pipeline, "steps") else pipeline
    kind = f"{type(estimator).__module__.split('.')[0]}:{type(estimator).__name__}"
    for spec in REGISTRY.all():
        if spec.threads_param and kind in spec.estimators.values():
            estimator.set_params(**{spec.threads_param: count})


def _for_task(settings: dict[str, Any], task: Task) -> dict[str, Any]:
    """`settings` laid out for every task, or per family under "classification" / "regression" keys: the task's."""
    if any(key in settings for key in FAMILIES):
        return settings.get(family(task), {})
    return settings


def family(task: Task) -> str:
    return "classification" if task.classifies else "regression"


REGISTRY: Registry[ModelSpec] = Registry("model")


def register(spec: ModelSpec) -> None:
    """Add a model; a plugin calls exactly this."""
    REGISTRY.register(spec)


def resolve(name: str) -> str:
    return REGISTRY.resolve(name)


def get(name: str) -> ModelSpec:
    return REGISTRY.get(name)


def title_of(name: str) -> str:
    """A model's words for people; its name as written when no registered model has it (yet: a preset's plugin
    adds it when the preset runs)."""
    try:
        return get(name).title
    except ValueError:
        return name


def registered(names: list[str]) -> list[str]:
    """The names among `names` a registered model has."""
    return [name for name in names if REGISTRY.knows(name)]


def all_models() -> list[ModelSpec]:
    return REGISTRY.all()


def candidates(names: list[str], task: Task) -> tuple[list[ModelSpec], list[tuple[str, str]]]:
    """(usable specs in order, [(name, why in words)] for the ones left out) for a task."""
    from automl_tui_engine.messages import t

    usable, skipped = [], []
    for name in names:
        spec = get(name)
        if not spec.supports(task):
            skipped.append((spec.name, t("run.skipped_task", task=task)))
        elif not spec.is_installed():
            skipped.append((spec.name, t("run.skipped_dependency")))
        else:
            usable.append(spec)
    return usable, skipped


def _log(low: float, high: float, integer: bool = False) -> dict[str, Any]:
    return {"low": low, "high": high, "log": True, "int": integer}


def _per_family(shared: dict[str, Any], classification_only: dict[str, Any]) -> dict[str, Any]:
    return {"classification": {**shared, **classification_only}, "regression": shared}


# class weights help when classes are imbalanced and the metric counts each class (balanced accuracy, F1)
_CLASS_WEIGHT = [None, "balanced"]
_FOREST_SPACE = _per_family(
    {"max_features": ["sqrt", 0.3, 0.6, 1.0], "min_samples_leaf": _log(1, 20, integer=True)},
    {"class_weight": [None, "balanced", "balanced_subsample"]},
)

_FOREST_START = _per_family({"max_features": 0.6, "min_samples_leaf": 5}, {"class_weight": None})
# a quarter of the trees: scores close to all of them (extra_trees on digits: CV accuracy 0.974 against 0.983)
_FIRST_FOREST = {"classification": {"n_estimators": 50}, "regression": {"n_estimators": 50}}

_BUILTIN = (
    ModelSpec(
        name="linear",
        aliases=("logistic", "logistic_regression", "ridge", "lr"),
        estimators={
            "classification": "sklearn.linear_model:LogisticRegression",
            "regression": "sklearn.linear_model:Ridge",
        },
        default_params={"classification": {"max_iter": 2000}},
        search_space={
            "classification": {"C": _log(1e-3, 100.0), "class_weight": _CLASS_WEIGHT},
            "regression": {"alpha": _log(1e-3, 1e3)},
        },
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
        search_space={"n_neighbors": _log(3, 60, integer=True), "weights": ["uniform", "distance"]},
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
        default_params={f: {"max_iter": 100, "learning_rate": 0.1} for f in FAMILIES},  # scikit-learn's own
        # boosting's first form: a quarter of the rounds at twice the rate, most of the fit for a quarter of the time
        first_form={f: {"max_iter": 25, "learning_rate": 0.2} for f in FAMILIES},
        rate_param="learning_rate",
        search_space=_per_family(
            {
                "learning_rate": _log(0.02, 0.3),
                "max_iter": _log(50, 1000, integer=True),  # more rounds at a finer rate: smooth targets need them
                "max_leaf_nodes": _log(7, 127, integer=True),
                "min_samples_leaf": _log(5, 100, integer=True),
                "l2_regularization": [0.0, 0.1, 1.0],
            },
            {"class_weight": _CLASS_WEIGHT},
        ),
        tuning_start=_per_family(
            {
                "learning_rate": 0.05,
                "max_iter": 200,
                "max_leaf_nodes": 15,
                "min_samples_leaf": 40,
                "l2_regularization": 1.0,
            },
            {"class_weight": None},
        ),
        capacity_start=_per_family(
            {
                "learning_rate": 0.05,
                "max_iter": 200,
                "max_leaf_nodes": 63,
                "min_samples_leaf": 10,
                "l2_regularization": 0.0,
            },
            {"class_weight": None},
        ),
        fit_cost=8.0,
        predict_cost=3.0,
    ),
    ModelSpec(
        name="random_forest",
        aliases=("rf", "randomforest"),
        estimators={
            "classification": "automl_tui_engine.search.lean_forests:LeanRandomForestClassifier",
            "regression": "automl_tui_engine.search.lean_forests:LeanRandomForestRegressor",
        },
        default_params={"classification": {"n_estimators": 200}, "regression": {"n_estimators": 200}},
        first_form=_FIRST_FOREST,
        search_space=_FOREST_SPACE,
        tuning_start=_FOREST_START,
        size_param="n_estimators",
        fit_cost=15.0,
        predict_cost=10.0,
    ),
    ModelSpec(
        name="extra_trees",
        aliases=("extratrees", "et"),
        estimators={
            "classification": "automl_tui_engine.search.lean_forests:LeanExtraTreesClassifier",
            "regression": "automl_tui_engine.search.lean_forests:LeanExtraTreesRegressor",
        },
        default_params={"classification": {"n_estimators": 200}, "regression": {"n_estimators": 200}},
        first_form=_FIRST_FOREST,
        search_space=_FOREST_SPACE,
        tuning_start=_FOREST_START,
        size_param="n_estimators",
        fit_cost=10.0,
        predict_cost=10.0,
    ),
    ModelSpec(
        name="lightgbm",
        aliases=("lgbm", "lgb"),
        threads_param="n_jobs",
        dependency="lightgbm",
        estimators={
            "classification": "lightgbm:LGBMClassifier",
            "regression": "lightgbm:LGBMRegressor",
        },
        default_params={
            "classification": {"n_estimators": 200, "learning_rate": 0.05, "verbose": -1},
            "regression": {"n_estimators": 200, "learning_rate": 0.05, "verbose": -1},
        },
        first_form={f: {"n_estimators": 50, "learning_rate": 0.1} for f in FAMILIES},
        rate_param="learning_rate",
        search_space=_per_family(
            {
                "num_leaves": _log(7, 127, integer=True),
                "learning_rate": _log(0.02, 0.3),
                "n_estimators": _log(50, 1000, integer=True),
                "min_child_samples": _log(5, 100, integer=True),
                "colsample_bytree": {"low": 0.5, "high": 1.0},
                "reg_lambda": _log(1e-3, 10.0),
            },
            {"class_weight": _CLASS_WEIGHT},
        ),
        tuning_start=_per_family(
            {
                "num_leaves": 15,
                "learning_rate": 0.05,
                "n_estimators": 200,
                "min_child_samples": 40,
                "colsample_bytree": 0.8,
                "reg_lambda": 1.0,
            },
            {"class_weight": None},
        ),
        capacity_start=_per_family(
            {
                "num_leaves": 63,
                "learning_rate": 0.05,
                "n_estimators": 200,
                "min_child_samples": 10,
                "colsample_bytree": 1.0,
                "reg_lambda": 0.001,
            },
            {"class_weight": None},
        ),
        fit_cost=6.0,
        predict_cost=3.0,
    ),
)

for _spec in _BUILTIN:
    register(_spec)
