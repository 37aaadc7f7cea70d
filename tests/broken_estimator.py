"""Estimators that fail on purpose, to prove a failing candidate never stops a run."""

from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin


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
