"""The best inputs: optuna searches the columns the user frees, within ranges (default: what training saw), the
others fixed, for the largest or smallest prediction (regression) or probability of a class, under simple
constraints such as `discount + price <= 300`. `automl-tui optimize`, the wizard's Best inputs tab."""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import listing, t
from automl_tui_engine.naming import PREDICTION, RANK
from automl_tui_engine.table.human_numbers import plain_digits
from automl_tui_engine.whatif.case import Field, SavedModel, short, value_of

if TYPE_CHECKING:  # optuna loads with the search, not with the module
    import optuna

FREED_KINDS = ("numeric", "categorical")  # what a search can try values of
TOP = 5
TRIALS = 200  # input sets tried by default: within 1% of a known optimum for every model kind (bench/README.md)
SEED = 0
_QUOTED = re.compile(r"`([^`]+)`")  # a column whose name is not a plain word, in a constraint: `price (yen)`
CONSTRAINT_CHARS = 300  # a rule people type: a few columns and numbers
LARGEST_CONSTANT = 1e15  # beyond any quantity a table holds, and exact as a float
_COMPARE = {ast.LtE: 1, ast.Lt: 1, ast.GtE: -1, ast.Gt: -1}  # violation = sign × (left − right), met when ≤ 0
STRICT_MARGIN = 1e-9
_ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b}


@dataclass(frozen=True)
class Constraint:
    text: str
    tree: ast.Expression
    names: dict[str, str]  # the expression's names -> column

    def violation(self, row: dict[str, Any]) -> float:
        compare = self.tree.body
        assert isinstance(compare, ast.Compare)  # constraint() takes nothing else
        left, right = (self._value(node, row) for node in (compare.left, compare.comparators[0]))
        strict = isinstance(compare.ops[0], ast.Lt | ast.Gt)  # 210 > 210 is not met: a tie counts against it
        return _COMPARE[type(compare.ops[0])] * (left - right) + (STRICT_MARGIN if strict else 0.0)

    def _value(self, node: ast.AST, row: dict[str, Any]) -> float:
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, int | float)  # constraint() takes numbers only
            return float(node.value)
        if isinstance(node, ast.Name):
            return float(row[self.names[node.id]])
        if isinstance(node, ast.UnaryOp):
            return -self._value(node.operand, row)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            divisor = self._value(node.right, row)
            return self._value(node.left, row) / divisor if divisor else math.inf
        assert isinstance(node, ast.BinOp)  # constraint() takes numbers, names and arithmetic only
        return _ARITHMETIC[type(node.op)](self._value(node.left, row), self._value(node.right, row))


@dataclass
class Best:
    table: Any  # the top input sets, best first: rank, the freed columns, the answer, what training never saw
    history: list[float]  # each trial's answer
    best_so_far: list[float]  # the best answer met after each trial (NaN before the first that met the constraints)
    goal_title: str
    asked: dict[str, Any] = field(default_factory=dict)
    met: int = 0  # trials whose inputs met every constraint
    unseen: list[str] = field(default_factory=list)  # a sentence per held (--fix) value training never saw


def constraint(saved: SavedModel, text: str) -> Constraint:
    """`left OP right` with OP one of <=, <, >=, >, each side numbers and numeric columns with + − × ÷."""
    names: dict[str, str] = {}

    def placeholder(match: re.Match) -> str:
        names[f"_c{len(names)}"] = match.group(1)
        return f"_c{len(names) - 1}"

    if len(text) > CONSTRAINT_CHARS:  # bounded before parsing: Python's parser recurses on nesting
        raise UserError("whatif.constraint_too_long", length=len(text), most=CONSTRAINT_CHARS)
    try:
        tree = ast.parse(_QUOTED.sub(placeholder, text), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise UserError("whatif.bad_constraint", text=text) from None
    body = tree.body
    if not (isinstance(body, ast.Compare) and len(body.ops) == 1 and type(body.ops[0]) in _COMPARE):
        raise UserError("whatif.bad_constraint", text=text)
    allowed = (ast.Compare, ast.BinOp, ast.UnaryOp, ast.USub, ast.Div, ast.Name, ast.Load, *_COMPARE, *_ARITHMETIC)
    for node in ast.walk(body):
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            if not abs(node.value) < LARGEST_CONSTANT:  # a 401-digit number overflows a float; nan fails this too
                raise UserError("whatif.bad_constraint", text=text)
            continue
        if not isinstance(node, allowed):
            raise UserError("whatif.bad_constraint", text=text)
        if isinstance(node, ast.Name):
            column = names.setdefault(node.id, node.id)
            if saved.field(column).kind != "numeric":
                raise UserError("whatif.constraint_not_numeric", column=column, text=text)
    return Constraint(text, tree, names)


def search(
    saved: SavedModel,
    free: list[str],
    maximize: bool = True,
    focus: str | None = None,
    ranges: dict[str, str] | None = None,
    changes: dict[str, str] | None = None,
    constraints: list[str] | None = None,
    trials: int = TRIALS,
    timeout: float | None = None,
    seed: int = SEED,
    top: int = TOP,
) -> Best:
    """The `top` input sets of the freed columns whose answers are the largest (`maximize`) or smallest, the other
    columns at the typical row with `changes` made."""
    import optuna

    if not free:
        raise UserError("whatif.nothing_free")
    fields = [saved.field(name) for name in free]
    for f in fields:
        if f.kind not in FREED_KINDS:
            raise UserError("whatif.cannot_free", column=f.name, kind=t(f"words.kind_{f.kind}"))
    fixed_here = set(changes or {}) & set(free)
    if fixed_here:
        raise UserError("whatif.free_and_fixed", column=sorted(fixed_here)[0])
    unknown_range = set(ranges or {}) - set(free)
    if unknown_range:
        raise UserError("whatif.range_not_free", column=sorted(unknown_range)[0])
    shown = _shown(saved, focus)
    spaces = {f.name: _space(f, (ranges or {}).get(f.name)) for f in fields}
    rules = [constraint(saved, text) for text in constraints or []]
    base, unseen = saved.row(changes or {})

    def objective(trial: optuna.trial.Trial) -> float:
        row = {**base, **{name: suggest(trial, name) for name, suggest in spaces.items()}}
        for number, rule in enumerate(rules):  # met when ≤ 0: TPE learns where the conditions hold
            trial.set_constraint(str(number), rule.violation(row))
        return float(saved.predictions(saved.frame([row]))[shown].iloc[0])

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(direction="maximize" if maximize else "minimize", sampler=sampler)
    study.optimize(objective, n_trials=trials, timeout=timeout)
    best = _best(saved, study, fields, base, shown, maximize, top, rules)
    best.unseen = unseen
    best.asked = {
        "free": free,
        "goal": "maximize" if maximize else "minimize",
        "shown": shown,
        "ranges": ranges or {},
        "fixed": changes or {},
        "constraints": constraints or [],
        "trials": len(best.history),
        "seed": seed,
    }
    return best


def _told_apart(f: Field, value: object) -> object:
    """A value as a person tells inputs apart: numbers to a thousandth of the range training saw."""
    if isinstance(value, float) and f.low is not None and f.high > f.low:
        return round(value / ((f.high - f.low) / 1000))
    return value


def _shown(saved: SavedModel, focus: str | None) -> str:
    """The answer searched: a search of a classifier must be told which class's probability."""
    shown = saved.answer_column(focus)
    if shown is None:
        raise UserError("whatif.which_class", known=listing(saved.classes), example=saved.classes[-1])
    return shown


def _space(f: Field, spec: str | None) -> Any:
    """How a trial suggests a value of `f`: within `spec` (low:high, or a,b,c), else what training saw."""
    if f.kind == "categorical":
        choices = [value_of(f, part.strip())[0] for part in spec.split(",")] if spec else f.categories
        choices = list(dict.fromkeys(c for c in choices if c != ""))
        if not choices:
            raise UserError("whatif.bad_search_range", column=f.name, spec=spec or "")
        return lambda trial, name: trial.suggest_categorical(name, choices)
    low, high = f.low, f.high
    if spec:
        try:
            low, high = (float(part.replace(",", "")) for part in plain_digits(spec).split(":"))
        except ValueError:
            raise UserError("whatif.bad_search_range", column=f.name, spec=spec) from None
    if low is None or not math.isfinite(high - low) or high <= low:
        raise UserError("whatif.bad_search_range", column=f.name, spec=spec or "")
    if f.whole:
        low_int, high_int = math.ceil(low), math.floor(high)
        if high_int <= low_int:
            raise UserError("whatif.bad_search_range", column=f.name, spec=spec or "")
        return lambda trial, name: trial.suggest_int(name, low_int, high_int)
    return lambda trial, name: trial.suggest_float(name, low, high)


def _value(trial: optuna.trial.FrozenTrial) -> float:
    assert trial.value is not None  # only trials that finished are read (_best's `done`)
    return trial.value


def _best(
    saved: SavedModel,
    study: optuna.Study,
    fields: list[Field],
    base: dict[str, Any],
    shown: str,
    maximize: bool,
    top: int,
    rules: list[Constraint],
) -> Best:
    import pandas as pd

    done = [trial for trial in study.trials if trial.value is not None]
    met = [trial for trial in done if all(v <= 0 for v in trial.constraints.values())]
    if not met:
        raise UserError("whatif.no_trial_met", trials=len(done), constraints=listing(rule.text for rule in rules))
    history, best_so_far, best = [], [], math.nan
    for trial in done:
        history.append(_value(trial))
        if trial in met:
            best = _value(trial) if math.isnan(best) else (max if maximize else min)(best, _value(trial))
        best_so_far.append(best)
    seen, rows = set(), []
    for trial in sorted(met, key=_value, reverse=maximize):
        key = tuple(_told_apart(f, trial.params[f.name]) for f in fields)
        if key in seen:
            continue
        seen.add(key)
        row = {**base, **trial.params}
        # a user's range can reach past what training saw
        beyond = [sentence for f in fields if (sentence := value_of(f, short(row[f.name]))[1])]
        rows.append({**{f.name: row[f.name] for f in fields}, shown: _value(trial), "careful": "; ".join(beyond)})
        if len(rows) == top:
            break
    table = pd.DataFrame(rows)
    table.insert(0, RANK, range(1, len(table) + 1))
    answers = saved.predictions(saved.frame([{**base, **{f.name: r[f.name] for f in fields}} for r in rows]))
    if shown != PREDICTION:
        table.insert(len(fields) + 2, PREDICTION, answers[PREDICTION].to_numpy())
    from automl_tui_engine.outputs.whatif_charts import answer_title

    return Best(table, history, best_so_far, answer_title(shown, saved.target), met=len(met))
