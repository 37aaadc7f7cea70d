"""The busy machine the benches measure on: `with machine(name):` runs the block idle, or with two busy-loop
processes on the two cores (what a user's laptop running something else looks like)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager

MACHINES = ("idle", "two busy loops")


def _spin() -> None:
    while True:
        pass


@contextmanager
def machine(name: str) -> Iterator[None]:
    loops = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(2 if name == MACHINES[1] else 0)]
    for loop in loops:
        loop.start()
    try:
        yield
    finally:
        for loop in loops:
            loop.terminate()
