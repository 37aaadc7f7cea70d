"""A plugin (named in a preset: `plugins = ["stress_plugin"]`) whose models make every status a run can record
happen for sure: one trains for ten minutes (stopped by the budget), one always fails, one is regression-only
(skipped on a classification table), and a tree whose search space has clearly bad corners (pruned when tuned)."""

from automl_tui_engine.extension.registry import models


def register() -> None:
    models.register(
        models.ModelSpec(
            name="stress_slow",
            label="trains for ten minutes",
            seed_param=None,
            fit_cost=0.01,  # claims to be the cheapest: tried first, while the others wait
            estimators={"classification": "broken_estimator:SlowClassifier"},
        )
    )
    models.register(
        models.ModelSpec(
            name="stress_broken",
            label="always fails",
            seed_param=None,
            estimators={"classification": "broken_estimator:BrokenClassifier"},
        )
    )
    models.register(
        models.ModelSpec(
            name="stress_regression_only",
            label="no classifier",
            estimators={"regression": "sklearn.tree:DecisionTreeRegressor"},
        )
    )
    models.register(
        models.ModelSpec(
            name="stress_tree",
            label="a decision tree with shallow and deep settings",
            estimators={"classification": "sklearn.tree:DecisionTreeClassifier"},
            default_params={"classification": {"max_depth": 6}},
            search_space={"max_depth": [1, 2, 6, 12], "min_samples_leaf": [1, 5, 60]},
        )
    )
