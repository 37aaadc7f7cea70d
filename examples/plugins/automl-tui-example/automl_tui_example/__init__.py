"""An automl-tui plugin: a shallow decision tree, the Matthews correlation coefficient, and PCA as a step.

automl-tui calls `register()` once per process (see docs/EXTENDING.md). Each register call uses the same
function the built-ins use; names must be new, and aliases too.
"""

from automl_tui_engine.extension.registry import metrics, models, steps


def register() -> None:
    models.register(
        models.ModelSpec(
            name="decision_tree",
            label="A single decision tree (shallow: easy to read, small and fast)",
            aliases=("tree", "cart"),
            estimators={
                "classification": "sklearn.tree:DecisionTreeClassifier",
                "regression": "sklearn.tree:DecisionTreeRegressor",
            },
            default_params={"classification": {"max_depth": 5}, "regression": {"max_depth": 5}},
            search_space={"max_depth": [3, 5, 8], "min_samples_leaf": [1, 5, 20]},
            fit_cost=0.5,
            predict_cost=0.5,
        )
    )
    metrics.register(
        metrics.MetricSpec(
            name="mcc",
            label="Matthews correlation",
            scorers={"binary": _mcc_scorer(), "multiclass": _mcc_scorer()},
            greater_is_better=True,
            aliases=("matthews",),
        )
    )
    steps.register(
        steps.StepSpec(
            name="pca",
            label="Principal components keeping 95% of the variance",
            estimator="sklearn.decomposition:PCA",
            default_params={"n_components": 0.95},
            seed_param="random_state",
        )
    )


def _mcc_scorer():
    from sklearn.metrics import make_scorer, matthews_corrcoef

    return make_scorer(matthews_corrcoef)
