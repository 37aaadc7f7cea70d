"""Texts compared as a person reads them: their words exactly, their numbers as numbers. Another CPU, or the same
libraries built for it, may sum in another order and differ in the 16th digit: that is not a change of the
product. A figure shown to a person moves by far more than the tolerance when it really changes."""

from __future__ import annotations

import math
import re

NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-12  # for figures near zero, where a relative tolerance is no tolerance at all


def differences(actual: str, expected: str) -> list[str]:
    """Each line where `actual` and `expected` differ in a word, or in a number by more than the tolerance."""
    got, wanted = actual.splitlines(), expected.splitlines()
    found = [f"{len(got)} lines, {len(wanted)} expected"] if len(got) != len(wanted) else []
    for number, (line, reference) in enumerate(zip(got, wanted, strict=False), start=1):
        if NUMBER.sub("#", line) != NUMBER.sub("#", reference) or not all(
            math.isclose(float(a), float(b), rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)
            for a, b in zip(NUMBER.findall(line), NUMBER.findall(reference), strict=True)
        ):
            found.append(f"line {number}:\n  got      {line}\n  expected {reference}")
    return found
