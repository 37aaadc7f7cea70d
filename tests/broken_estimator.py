"""Estimators that fail on purpose, to prove a failing candidate never stops a run."""

import warnings

from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.dummy import DummyClassifier


class BrokenClassifier(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise ValueError("this model always fails")


class BrokenRegressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        raise ValueError("this model always fails")


class InterruptedClassifier(ClassifierMixin, BaseEstimator):
    """Behaves as if the user pressed Ctrl+C while it was training."""

    def fit(self, X, y):
        raise KeyboardInterrupt


class NoisyClassifier(DummyClassifier):
    """Trains fine but warns, as a solver that did not converge does."""

    def fit(self, X, y, sample_weight=None):
        warnings.warn("this model complains while training", UserWarning, stacklevel=2)
        return super().fit(X, y, sample_weight)


class SlowClassifier(DummyClassifier):
    """Trains for ten minutes unless stopped: a candidate that would blow any small time budget."""

    def fit(self, X, y, sample_weight=None):
        import time

        for _ in range(6000):  # short sleeps: a timer signal is handled between them, as between boosting rounds
            time.sleep(0.1)
        return super().fit(X, y, sample_weight)


class FlakyClassifier(DummyClassifier):
    """Trains with some settings and fails with others, as a search space with an invalid corner would."""

    def __init__(self, *, strategy="prior", random_state=None, constant=None, fail=False):
        super().__init__(strategy=strategy, random_state=random_state, constant=constant)
        self.fail = fail

    def fit(self, X, y, sample_weight=None):
        if self.fail:
            raise ValueError("this setting always fails")
        return super().fit(X, y, sample_weight)
