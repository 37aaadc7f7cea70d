"""What early-stopped boosting rounds would change for histogram boosting's defaults: 5-fold CV score, fit
seconds, rounds grown, and predict ms per 1,000 rows of the first fold's model (fastest of 5), with scikit-learn's
`early_stopping` off and on (10% of the fold's rows held out to stop on). automl-tui's hist_gb uses scikit-learn's
"auto": off up to 10,000 rows, on above (randhie), so "off" is today's default for the smaller tables only.
A measurement for a decision not yet taken (issue 17, item 4).

Usage: python bench/early_stopping.py   (needs the bench extra: statsmodels)
"""

from __future__ import annotations

import time


def tables() -> dict:
    import statsmodels.api as sm
    from sklearn import datasets as sk

    fair = sm.datasets.fair.load_pandas().data
    affairs = (fair.pop("affairs") > 0).astype(int)
    randhie = sm.datasets.randhie.load_pandas().data
    visits = randhie.pop("mdvis")
    diabetes = sk.load_diabetes()
    return {
        "digits": (*sk.load_digits(return_X_y=True), "classes"),
        "breast_cancer": (*sk.load_breast_cancer(return_X_y=True), "classes"),
        "diabetes": (diabetes.data, diabetes.target, "number"),
        "fair": (fair.to_numpy(), affairs.to_numpy(), "classes"),
        "randhie": (randhie.to_numpy(), visits.to_numpy(), "number"),
    }


def main() -> None:
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.model_selection import KFold, StratifiedKFold, cross_validate

    print(f"{'table':<14}{'early_stopping':<15}{'score':>8}{'fit s':>8}{'rounds':>8}{'ms/1k':>8}")
    for name, (X, y, kind) in tables().items():
        classes = kind == "classes"
        for early in (False, True):
            model = (HistGradientBoostingClassifier if classes else HistGradientBoostingRegressor)(
                early_stopping=early, random_state=0
            )
            folds = (StratifiedKFold if classes else KFold)(5, shuffle=True, random_state=0)
            scored = cross_validate(
                model, X, y, cv=folds, return_estimator=True, scoring="accuracy" if classes else "r2"
            )
            first = scored["estimator"][0]
            rows = X[np.random.default_rng(0).integers(0, len(X), 1000)]
            first.predict(rows)
            times = []
            for _ in range(5):
                start = time.perf_counter()
                first.predict(rows)
                times.append(time.perf_counter() - start)
            rounds = np.mean([e.n_iter_ for e in scored["estimator"]])
            print(
                f"{name:<14}{str(early):<15}{scored['test_score'].mean():>8.4f}{scored['fit_time'].mean():>8.3f}"
                f"{rounds:>8.1f}{min(times) * 1000:>8.2f}"
            )


if __name__ == "__main__":
    main()
