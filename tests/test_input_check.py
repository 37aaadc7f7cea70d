"""The check of new rows against what training saw (table/input_check.py), on tables of known shifts."""

import numpy as np
import pandas as pd
import pytest
from automl_tui_engine.table import input_check, input_ranges


class Profile:
    def __init__(self, name: str, kind: str) -> None:
        self.name, self.kind = name, kind


def source(rows: int, seed: int) -> pd.DataFrame:
    """A table of one source: a price, a count, a region, with a few missing prices."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "price": rng.normal(1000, 200, rows),
            "items": rng.poisson(3, rows).astype(float),
            "region": rng.choice(["north", "south", "east"], rows, p=[0.5, 0.3, 0.2]),
        }
    )
    frame.loc[rng.random(rows) < 0.05, "price"] = np.nan
    return frame


PROFILES = [Profile("price", "numeric"), Profile("items", "numeric"), Profile("region", "categorical")]


def checked(train: pd.DataFrame, new: pd.DataFrame, chunks: int = 1) -> tuple[input_check.InputCheck, pd.Series]:
    checker = input_check.Checker(input_ranges.of(train, PROFILES))
    bounds = np.linspace(0, len(new), chunks + 1).astype(int)
    named = pd.concat([checker.add(new.iloc[start:end]) for start, end in zip(bounds[:-1], bounds[1:], strict=True)])
    return checker.result(), named


@pytest.mark.parametrize("seed", range(5))
def test_new_rows_from_the_same_source_move_nothing(seed):
    result, _ = checked(source(2000, 0), source(5000, 100 + seed))
    assert result.moved == [] and result.rows == 5000


def test_a_shift_of_one_standard_deviation_is_found_and_named_in_words():
    new = source(500, 2)
    new["price"] = new["price"] + 200
    result, _ = checked(source(2000, 0), new)
    assert [c.name for c in result.moved] == ["price"]
    price = result.moved[0]
    assert price.psi >= input_check.PSI_MOVED and price.p_value < input_check.ALPHA / 3
    assert price.mean_now - price.mean_before == pytest.approx(200, abs=40)


def test_a_category_never_seen_is_named_and_its_rows_flagged():
    new = source(400, 3)
    new.loc[:49, "region"] = "west"
    result, named = checked(source(2000, 0), new, chunks=3)
    region = next(c for c in result.columns if c.name == "region")
    assert region.new_values == {"west": 50} and region.moved
    assert (named.iloc[:50].str.contains("region")).all() and not named.iloc[50:].str.contains("region").any()


def test_numbers_outside_training_range_are_counted_per_side_and_per_row():
    train = source(2000, 0)
    new = source(300, 4)
    new.loc[:9, "price"] = train["price"].max() + 1
    new.loc[10:14, "price"] = train["price"].min() - 1
    result, named = checked(train, new)
    price = next(c for c in result.columns if c.name == "price")
    assert (price.above, price.below) == (10, 5)
    assert list(named.iloc[:15]) == ["price"] * 15 and result.rows_outside >= 15


def test_missing_values_that_appear_are_a_change_of_their_own():
    new = source(1000, 5)
    new.loc[new.sample(frac=0.4, random_state=0).index, "items"] = np.nan
    result, _ = checked(source(2000, 0), new)
    items = next(c for c in result.columns if c.name == "items")
    assert items.missing_before == 0 and items.missing_now == pytest.approx(0.4, abs=0.01) and items.moved


def test_chunks_count_as_one_pass():
    new = source(3000, 6)
    new["items"] = new["items"] + 1
    whole, whole_named = checked(source(2000, 0), new)
    chunked, chunked_named = checked(source(2000, 0), new, chunks=7)
    assert [(c.name, c.psi, c.p_value, c.moved) for c in whole.columns] == [
        (c.name, c.psi, c.p_value, c.moved) for c in chunked.columns
    ]
    assert list(whole_named) == list(chunked_named)
