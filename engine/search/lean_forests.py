"""Forests that sum their trees' predictions in a plain loop when they predict with one thread.

scikit-learn's forests hand every tree to a joblib pool even with one job, and each tree checks again that it is
fitted and that its input is right; for the small batches a saved model mostly sees, that costs more than the trees
themselves (bench/predict_parts.py, penguins: 200 trees predicting one row took 9.5 ms, nearly all of it overhead).
The forest checks its input once; the loop then adds each fitted tree's leaf values (`tree_.predict`, the array the
trees' own predict methods return a slice of) in the same order to the same zeros, so the numbers are the forest's
own, bit for bit (tests/test_lean_forests.py holds that against scikit-learn's path, so a release that changes what
a tree returns fails there). Several jobs or several outputs take scikit-learn's path unchanged. The registry builds
these classes, so every saved forest predicts this way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from joblib import effective_n_jobs
from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.utils.validation import check_is_fitted

if TYPE_CHECKING:
    import pandas as pd


class _SumsTreesInALoop:
    # what the scikit-learn forest it is mixed into has (annotations only: a value here would shadow the forest's)
    n_outputs_: int
    n_jobs: int | None
    estimators_: list[Any]
    _validate_X_predict: Callable[[Any], Any]
    n_classes_: int  # a classifier's, of its one output
    predict: Callable[[pd.DataFrame | np.ndarray], np.ndarray]
    predict_proba: Callable[[pd.DataFrame | np.ndarray], np.ndarray]

    def _loops(self) -> bool:
        return self.n_outputs_ == 1 and effective_n_jobs(self.n_jobs) == 1

    def _mean_of_trees(self, X: pd.DataFrame | np.ndarray, outputs: slice | int) -> np.ndarray:
        """The trees' mean leaf value: `outputs` picks the class columns, or the one number of a regression."""
        check_is_fitted(self)
        X = self._validate_X_predict(X)
        total: np.ndarray | None = None
        for tree in self.estimators_:
            leaf_values = tree.tree_.predict(X)[:, outputs]
            if total is None:
                total = np.zeros(leaf_values.shape, dtype=np.float64)
            total += leaf_values
        assert total is not None  # a fitted forest has trees
        total /= len(self.estimators_)
        return total


class _LeanForestClassifier(_SumsTreesInALoop):
    def predict_proba(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        if not self._loops():
            return super().predict_proba(X)
        return self._mean_of_trees(X, slice(None, int(self.n_classes_)))


class _LeanForestRegressor(_SumsTreesInALoop):
    def predict(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        if not self._loops():
            return super().predict(X)
        return self._mean_of_trees(X, 0)


class LeanRandomForestClassifier(_LeanForestClassifier, RandomForestClassifier):
    pass


class LeanRandomForestRegressor(_LeanForestRegressor, RandomForestRegressor):
    pass


class LeanExtraTreesClassifier(_LeanForestClassifier, ExtraTreesClassifier):
    pass


class LeanExtraTreesRegressor(_LeanForestRegressor, ExtraTreesRegressor):
    pass
