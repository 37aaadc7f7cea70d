"""The questions a table can answer (a run's task), named once: what the target is, and which of them pick a class."""

from __future__ import annotations

from enum import StrEnum


class Task(StrEnum):
    """A str: run.json, config.toml and events carry the plain name, and "binary" == Task.BINARY."""

    BINARY = "binary"  # two classes
    MULTICLASS = "multiclass"  # three classes or more
    REGRESSION = "regression"  # a number


CLASSIFICATION = (Task.BINARY, Task.MULTICLASS)
