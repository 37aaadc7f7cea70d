"""Run configuration: one pydantic schema for presets, config files and CLI overrides.

Unknown keys are refused with a "did you mean" suggestion, because a setting that silently
accepts a typo runs the wrong experiment.
"""

from __future__ import annotations

import shlex
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import known_language, listing, suggest, t, t_or
from automl_tui_engine.naming import DEFAULT_PRESET, RUNS_FOLDER
from automl_tui_engine.tasks import Task
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

Priority = Literal["accuracy", "speed", "size", "balanced"]
# "auto" (decided from the target) or one of tasks.Task, spelled out for the type checkers and held to it here
TaskChoice = Literal["auto", "binary", "multiclass", "regression"]
assert set(get_args(TaskChoice)) == {"auto", *Task}
PRIORITIES: tuple[str, ...] = get_args(Priority)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DecisionSettings(_Strict):
    tolerance: float = Field(
        0.01,
        ge=0,
        le=0.5,
        description="How much score the speed/size/balanced priorities may give up: absolute points for "
        "scores between 0 and 1 (accuracy, R², ROC AUC), a relative share for errors (RMSE, log loss).",
    )
    top_k: int = Field(5, ge=1, le=50, description="Rows in each TopK table.")

    @classmethod
    def recorded(cls, values: Any) -> DecisionSettings:
        """The settings a run folder's config.toml records: the defaults for what it lacks, or for all of them when
        someone edited it into something that is not settings (the report still reads the run)."""
        try:
            return cls.model_validate(values)
        except ValidationError:
            return cls()


class ReportingSettings(_Strict):
    preview_rows: int = Field(
        5,
        ge=0,
        le=50,
        description="Rows of the table shown in report.md and the reporting task, personal data masked (0: none).",
    )


class ClearMLSettings(_Strict):
    # Where the server is and who you are come from clearml.conf or CLEARML_* variables, never from here:
    # a config file is saved with every run and must not carry credentials.
    enabled: bool = False  # each phase and each trained candidate becomes a ClearML task
    project: str = Field("automl-tui", min_length=1)  # tasks go to project <project>/<dataset_key>
    # "clone": this preset re-runs the template task named `template` (automl-tui template save) by clone, with the
    # preset's and the flags' settings over the template's; "new" makes a run from the table given
    execution_mode: Literal["new", "clone"] = "new"
    template: str = ""

    @model_validator(mode="after")
    def _clone_names_a_template(self) -> ClearMLSettings:
        if self.execution_mode == "clone" and not self.template.strip():
            raise ValueError('execution_mode = "clone" re-runs a template: name it with template = "NAME"')
        return self


MIN_TIME_BUDGET_S = 1  # cli.help_time_budget says so


class RunConfig(_Strict):
    data: Path | None = None
    target: str | None = None
    task: TaskChoice = "auto"
    preset: str = DEFAULT_PRESET
    description: str = ""
    priority: Priority = "balanced"
    # at least the second a model needs to start; a week at most: a larger one is a typo
    time_budget_s: float = Field(30.0, ge=MIN_TIME_BUDGET_S, le=7 * 24 * 3600)
    seed: int = Field(0, ge=0, le=2**32 - 1)  # what numpy and scikit-learn accept
    out: Path = RUNS_FOLDER
    test_size: float = Field(0.2, gt=0, lt=0.5)
    # which rows test the model: "random", or "time[:COLUMN]" (the latest rows by a date column: for a model that
    # will predict the future); the search's folds stay shuffled within the training rows either way
    split: str = Field("random", pattern=r"^(random|time(:.+)?)$")
    test_rows_max: int = Field(50_000, ge=10, le=10**9)  # the test split is test_size of the rows, at most this many
    cv_folds: int = Field(5, ge=2, le=20)
    models: list[str] = Field(default_factory=lambda: ["linear", "hist_gb", "random_forest"])
    primary_metric: str | None = None
    latency_repeats: int = Field(5, ge=1, le=100)
    # models are compared on at most this many training rows (a stratified sample); the pick is refit on all
    search_rows: int = Field(50_000, ge=100, le=10**9)
    # the search: defaults of every model, then up to max_trials tuned candidates of the best tune_kinds kinds
    # (None: as many as the time budget allows; a number makes the run budget-free and reproducible); tuning
    # stops after `patience` candidates in a row without a gain
    max_trials: int | None = Field(None, ge=0, le=100_000)
    patience: int = Field(15, ge=1, le=100_000)
    tune_kinds: int = Field(3, ge=1, le=100)
    # a candidate that enters the best `confirm_top` is cross-validated again on folds shuffled another way and
    # ranked on both: the best of many candidates scored on the same folds is partly the luckiest (0: never)
    confirm_top: int = Field(0, ge=0, le=100)
    ensemble: bool = False  # a weighted ensemble of the best diverse candidates joins the leaderboard
    threshold: bool = True  # binary targets: tune the decision threshold on out-of-fold predictions
    explain: bool = True  # SHAP and permutation importance for the recommended model
    plugins: list[str] = Field(default_factory=list)  # modules whose register() adds models, metrics or steps
    steps: list[str] = Field(default_factory=list)  # preprocessing steps (from plugins) before each model
    # columns holding personal data (names, e-mails, phone numbers: core/privacy.py) the model may use all the
    # same; any other such column is left out of the inputs
    personal_columns: list[str] = Field(default_factory=list)
    charts: Literal["html+png", "html", "none"] = "html+png"  # PNGs need Chrome/Chromium for kaleido
    # the language of everything the run says and writes (None: --lang, AUTOML_TUI_LANG or the system's locale)
    lang: str | None = None
    # the table's text encoding (None: detected); a name Python's codecs know, checked where the table is read
    encoding: str | None = None
    decision: DecisionSettings = Field(default_factory=DecisionSettings)
    reporting: ReportingSettings = Field(default_factory=ReportingSettings)
    clearml: ClearMLSettings = Field(default_factory=ClearMLSettings)

    def table(self) -> Path:
        """The table to learn from (`data`): a run cannot go without it."""
        if self.data is None:
            raise UserError("run.no_data")
        return self.data

    def task_named(self) -> Task | None:
        """The task the config names (`task`), None for "auto": decided from the target when the table is read."""
        return None if self.task == "auto" else Task(self.task)

    @field_validator("models")
    @classmethod
    def _known_models(cls, names: list[str], info: ValidationInfo) -> list[str]:
        from automl_tui_engine.extension.registry import models

        resolved = [_registered(models.resolve, name, info) for name in names]
        if not resolved:
            raise ValueError("list at least one model")
        return list(dict.fromkeys(resolved))

    @field_validator("steps")
    @classmethod
    def _known_steps(cls, names: list[str], info: ValidationInfo) -> list[str]:
        from automl_tui_engine.extension.registry import steps

        return [_registered(steps.resolve, name, info) for name in names]

    @field_validator("lang")
    @classmethod
    def _known_language(cls, lang: str | None) -> str | None:
        return None if lang is None else known_language(lang)

    @field_validator("primary_metric")
    @classmethod
    def _known_metric(cls, name: str | None, info: ValidationInfo) -> str | None:
        from automl_tui_engine.extension.registry import metrics

        return None if name is None else _registered(metrics.resolve, name, info)


def _registered(resolve: Any, name: str, info: ValidationInfo) -> str:
    """The registered name; while the plugins a config names are not imported (a preset listed, or checked before
    its plugins may load), an unknown name is kept as written: a plugin may add it."""
    try:
        return resolve(name)
    except ValueError:
        if (info.context or {}).get("plugins_pending"):
            return name
        raise


def _fields_of(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    for part in loc[:-1]:
        annotation = model.model_fields[part].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return list(model.model_fields)


def validate(values: dict[str, Any], source: str, plugins_pending: bool = False) -> RunConfig:
    """A RunConfig from plain values, or a UserError naming the first bad key and how to fix it. With
    `plugins_pending`, names that only a plugin of the config could add are let through (nothing is imported)."""
    try:
        return RunConfig.model_validate(values, context={"plugins_pending": plugins_pending})
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        key = ".".join(str(part) for part in loc)
        if error["type"] == "extra_forbidden":
            hint = suggest(str(loc[-1]), _fields_of(RunConfig, loc))
            raise UserError("config.unknown_key", key=key, source=source, hint=hint) from None
        context = error.get("ctx", {})
        limit = LIMIT_KEYS.get(error["type"])
        reason = t(limit[0], limit=context[limit[1]]) if limit else str(context.get("error") or error["msg"])
        if source == t("config.source_command_line") and key in FLAGS:  # named as the user typed it
            raise UserError("config.bad_flag", flag=FLAGS[key], value=error.get("input"), reason=reason) from None
        raise UserError("config.bad_value", key=key, source=source, reason=reason) from None


def builtin_presets() -> dict[str, Path]:
    folder = resources.files("automl_tui_presets")  # the repository's presets/ folder, installed
    return {
        entry.name.removesuffix(".toml"): Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".toml")
    }


def read_preset(name_or_file: str) -> tuple[str, dict[str, Any]]:
    """(preset as given, raw values) for a built-in preset name or a path to a TOML file.

    Any run's config.toml is a preset file too: `--preset runs/<run_id>/config.toml` repeats that run.
    """
    presets = builtin_presets()
    if name_or_file in presets:
        path = presets[name_or_file]
    elif name_or_file.endswith(".toml"):
        path = Path(name_or_file)
        if not path.is_file():
            raise UserError("config.preset_file_missing", path=path)
    else:
        raise UserError(
            "config.unknown_preset",
            name=name_or_file,
            valid=listing(sorted(presets)),
            hint=suggest(name_or_file, list(presets)),
        )
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError("config.preset_unreadable", path=path, reason=str(exc)) from None
    return name_or_file, values


def describe(preset: RunConfig) -> str:
    """A preset in words: its file's own `description`, else a built-in preset's from the catalogue (in the
    current language)."""
    return " ".join(preset.description.split()) or t_or(f"presets.{preset.preset}", "")


def preview(preset: str) -> RunConfig:
    """A preset checked without importing its plugins: to list and describe it (a plugin runs code, and only
    the preset chosen to run may load its own)."""
    name, values = read_preset(preset)
    return validate({**values, "preset": name}, t("config.source_preset", name=preset), plugins_pending=True)


def build(preset: str = DEFAULT_PRESET, overrides: dict[str, Any] | None = None) -> RunConfig:
    """Preset values, then every override that is not None (CLI flags win over the preset)."""
    name, values = read_preset(preset)
    return build_from({**values, "preset": name}, t("config.source_preset", name=preset), overrides)


def build_from(values: dict[str, Any], source: str, overrides: dict[str, Any] | None = None) -> RunConfig:
    """`values` (a preset's, or a cloned run's config), then every override that is not None."""
    from automl_tui_engine.extension import plugins

    # a typo in the preset is refused before any plugin is imported; then the plugins (only trusted ones), whose
    # models, metrics and steps must be known before their names are checked
    validate(values, source, plugins_pending=True)
    plugins.load_all([*values.get("plugins", []), *((overrides or {}).get("plugins") or [])])
    validate(values, source)  # a typo in the preset file is blamed on the file, not the flags
    merged = dict(values)
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}  # a flag sets one setting of a section, the rest stays
        elif value is not None:
            merged[key] = value
    return validate(merged, t("config.source_command_line"))


def to_toml(config: RunConfig) -> str:
    import tomli_w

    return tomli_w.dumps(config.model_dump(mode="json", exclude_none=True))


# the settings the command line sets, by their flags: what a repeated run's command writes, and how a bad value
# from the command line is named
FLAGS = {
    "target": "--target",
    "task": "--task",
    "priority": "--priority",
    "primary_metric": "--metric",
    "time_budget_s": "--time-budget",
    "seed": "--seed",
    "max_trials": "--max-trials",
    "split": "--split",
    "out": "--out",
    "remote": "--remote",
    "encoding": "--encoding",
}
# pydantic's limits, in our words (any other reason is pydantic's own)
LIMIT_KEYS = {
    "greater_than_equal": ("config.at_least", "ge"),
    "greater_than": ("config.above", "gt"),
    "less_than_equal": ("config.at_most", "le"),
    "less_than": ("config.below", "lt"),
}


def command_line(config: dict[str, Any]) -> str:
    """The headless command that repeats this run (`clone`: a re-run of that ClearML task, its table and settings)."""
    if config.get("clone"):
        parts = ["automl-tui", "--clone", str(config["clone"])]
    else:
        preset = config.get("preset", DEFAULT_PRESET)
        parts = ["automl-tui", "--preset", str(preset), str(config.get("data", "DATA.csv"))]
    for key, flag in FLAGS.items():
        if config.get(key) is not None and not (key == "split" and config[key] == "random"):  # the default
            parts += [flag, str(config[key])]
    if config.get("pipeline"):
        parts.append("--pipeline")
    if (config.get("clearml") or {}).get("enabled") and not config.get("remote"):  # tracked here, as it was
        parts.append("--clearml")
    return shlex.join(parts)
