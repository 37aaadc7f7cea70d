"""Property-based tests: whatever table or config file arrives, the answer is a run or a clear error, never a crash."""

import csv
import io
import tempfile
from pathlib import Path

from automl_tui_engine import config
from automl_tui_engine.errors import UserError
from automl_tui_engine.table import data
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

CELLS = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["yes", "no", "TRUE", "1,234", "12 kg", "$5", "15%", "2024-01-02", "inf", "", " ", "NA", "é", "東京"]
    ),
    st.text(max_size=12),
)
KEYS = st.sampled_from(
    [
        "time_budget_s",
        "time_budgett",
        "models",
        "priority",
        "cv_folds",
        "seed",
        "decision",
        "tolerance",
        "charts",
        "explain",
        "steps",
        "primary_metric",
        "test_size",
        "clearml",
        "enabled",
        "project",
        "whatever",
    ]
)
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.dictionaries(KEYS, VALUES, max_size=5))
def test_any_config_is_valid_or_a_one_line_error(values):
    try:
        config.validate(values, "test")
    except UserError as exc:
        assert "\n" not in str(exc) and str(exc).strip()


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(st.text(min_size=0, max_size=8), min_size=1, max_size=5),
    rows=st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=0, max_size=40),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932", "latin-1"]),
    use_target=st.booleans(),
)
@example(header=["", ""], rows=[[None, 0], [None, 1]], delimiter=",", encoding="utf-8", use_target=False)
def test_any_table_loads_or_is_a_one_line_error(header, rows, delimiter, encoding, use_target):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.csv"
        path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
        try:
            dataset = data.load(path, header[0] if use_target else None)
        except UserError as exc:
            assert "\n" not in str(exc).strip() and str(exc).strip()
        else:
            assert len(dataset.X) == len(dataset.y) >= data.MIN_ROWS
