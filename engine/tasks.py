"""The questions a table can answer (a run's task), named once: what the target is, and which of them pick a class."""

from __future__ import annotations

from enum import StrEnum


class Task(StrEnum):
    """A str: run.json, config.toml and events carry the plain name, and "binary" == Task.BINARY; read back from
    them with Task(name)."""

    BINARY = "binary"  # two classes
    MULTICLASS = "multiclass"  # three classes or more
    REGRESSION = "regression"  # a number

    @property
    def classifies(self) -> bool:
        """Whether the answer is a class (binary or multiclass) rather than a number."""
        return self is not Task.REGRESSION


CLASSIFICATION = tuple(task for task in Task if task.classifies)  # the metric registry's scorers, keyed by task
