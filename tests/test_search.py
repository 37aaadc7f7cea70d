from engine import data, evaluate, preprocess, search
from engine.registry import models


def test_cheap_models_come_first_counting_prediction():
    names = [s.name for s in search.order([models.get(n) for n in ("random_forest", "knn", "linear", "hist_gb")])]
    assert names == ["linear", "hist_gb", "knn", "random_forest"]


def test_estimate_grows_with_models_and_folds(penguins_csv):
    dataset = data.load(penguins_csv, "species")
    split = evaluate.split(dataset.X, dataset.y, dataset.task, 0.2, 3, 0)
    baseline = search.measure_baseline(
        preprocess.plan(dataset.profiles), split.X_train, split.y_train, dataset.task, seed=0
    )
    assert baseline.fit_s > 0 and baseline.batch_s > 0 and baseline.call_s > 0
    one = search.estimate_seconds(baseline, [models.get("linear")], cv_folds=3, repeats=3)
    many = search.estimate_seconds(baseline, [models.get(n) for n in ("linear", "hist_gb")], cv_folds=3, repeats=3)
    more_folds = search.estimate_seconds(baseline, [models.get(n) for n in ("linear", "hist_gb")], 10, 3)
    assert 0 < one < many < more_folds
