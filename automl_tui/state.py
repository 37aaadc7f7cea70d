"""What the wizard has decided so far: a plain object the screens fill in, turned into a RunConfig at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine.naming import DEFAULT_PRESET, RUNS_FOLDER

if TYPE_CHECKING:
    from automl_tui_engine.launching import Where

NEXT, BACK, RECENT, NEW_RUN = "next", "back", "recent", "new_run"
SWITCH_LANGUAGE = "switch_language"  # the wizard ends to start again in the other language
TABLE_SUFFIXES = (".csv", ".tsv", ".parquet")
# the folder view lists Excel's "Unicode text" exports (.txt, tab-separated UTF-16) too; the first choice does not,
# where a notes file would be picked more often than a table
LISTED_SUFFIXES = (*TABLE_SUFFIXES, ".txt")


@dataclass
class WizardState:
    start_dir: Path
    out: Path = RUNS_FOLDER
    data: Path | None = None
    target: str | None = None
    task: str = "auto"
    detected_task: str | None = None
    rows: int | None = None
    preset: str = DEFAULT_PRESET
    priority: str = "balanced"
    split: str = "random"  # RunConfig.split: random, or time:COLUMN when the user chose to test on the latest rows
    # local | tracked (here, recorded in ClearML) | queue (one agent takes the run) | pipeline (the queue's agents
    # share its steps)
    where: str = "local"
    queue: str | None = None  # the ClearML queue, when where is not local
    # preset name -> estimated seconds on this data (measured when the dataset is chosen)
    estimates: dict[str, float] = field(default_factory=dict)
    template: TemplateRerun | None = None  # a ClearML template re-run by clone: its settings, not a preset's

    def config(self) -> Any:
        from automl_tui_engine import config

        if self.template is not None:
            # run here, the re-run is recorded in ClearML like the template it repeats (as `--clone` does)
            tracked = {"enabled": True} if self.where == "local" else None
            # the target as the first step showed it (a template saved without one would be guessed again)
            return self.template.config({"data": self.data, "target": self.target, "out": self.out, "clearml": tracked})
        overrides = {
            "data": self.data,
            "target": self.target,
            "out": self.out,
            "priority": self.priority,
            "split": self.split,
            "clearml": {"enabled": True} if self.where == "tracked" else None,
        }
        return config.build(self.preset, overrides)

    def runs_here(self) -> bool:
        return self.where in ("local", "tracked")

    def place(self) -> Where:
        """Where the run happens, for launching.launch: always through a child process, so Cancel stops a model
        mid-training and the ClearML SDK's hooks stay off the screen; a template re-runs by clone."""
        from automl_tui_engine.launching import Where

        if self.runs_here():
            return Where(child_process=True)
        source = self.template.source if self.template else None
        return Where(self.queue or "", pipeline=self.where == "pipeline", source=source, child_process=True)

    def command_line(self) -> str:
        """The headless command that makes the same run (shown on the Confirm screen)."""
        from automl_tui_engine.config import command_line

        remote = None if self.runs_here() else self.queue
        if self.template is not None:
            return command_line({"clone": self.template.source.task.id, "out": self.out, "remote": remote})
        data = shown_path(self.data) if self.data else None
        return command_line(
            {
                "preset": self.preset,
                "data": data,
                "target": self.target,
                "priority": self.priority,
                "split": self.split,
                "out": self.out,
                "remote": remote,
                "pipeline": self.where == "pipeline",
                "clearml": {"enabled": self.where == "tracked"},
            }
        )

    def split_title(self, test_size: float) -> str:
        from automl_tui_engine.messages import t

        how, _, column = self.split.partition(":")
        if how == "time":
            return t("tui.confirm_split_time", column=column)
        return t("tui.confirm_split_random", share=f"{test_size:.0%}")

    def where_title(self) -> str:
        from automl_tui_engine.messages import t

        if self.runs_here():
            return t("tui.where_tracked_title" if self.where == "tracked" else "tui.where_local_title")
        return t(
            "tui.where_pipeline_title" if self.where == "pipeline" else "tui.where_clearml_title", queue=self.queue
        )


@dataclass(frozen=True)
class TemplateRerun:
    """A template chosen on the first step: its name, and the run it repeats (remote.Source: config, table, task)."""

    name: str
    source: Any

    def config(self, overrides: dict[str, Any] | None = None) -> Any:
        """The re-run's RunConfig: the template's settings, then `overrides`; without any, the settings it brings
        (preset, priority, split) as a run takes them."""
        from automl_tui_engine.config import build_from
        from automl_tui_engine.messages import t

        source = self.source
        return build_from(source.rerun_values(), t("config.source_task", task_id=source.task.id), overrides)


def shown_path(path: Path) -> str:
    """Paths relative to the current folder when they are inside it: shorter, and what people type."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def made_here(out: Path) -> set[Path]:
    """Tables automl-tui wrote (resolved paths): predictions made with the runs in `out`. They are never offered
    as tables to learn from."""
    from automl_tui_engine.outputs.rundir import predictions_written

    return predictions_written(out)


def default_table(folder: Path, out: Path) -> Path | None:
    """The most recently changed table in `folder` or its direct subfolders (to the second), leaving out the run
    folders in `out` and the tables automl-tui wrote: a sensible first choice."""
    skip, runs = made_here(out), out.resolve()
    candidates = [
        path
        for pattern in ("*", "*/*")
        for path in folder.glob(pattern)
        if path.suffix.lower() in TABLE_SUFFIXES
        and path.is_file()
        and not path.name.startswith(".")
        and runs not in path.resolve().parents
        and path.resolve() not in skip
    ]
    # of tables changed in the same second (a fresh clone or copy), the first by name: penguins.csv, not
    # penguins_ja.csv, which a checkout may happen to write a moment later
    return min(candidates, key=lambda p: (-int(p.stat().st_mtime), p.name), default=None)


def available_presets(start_dir: Path) -> dict[str, Any]:
    """Built-in presets by name, then preset files in the project's `presets/` folder by relative path; a file
    that is a built-in preset word for word (the repository's own presets/, or a copy) is offered once, by name."""
    from automl_tui_engine import config
    from automl_tui_engine.errors import UserError

    builtin = config.builtin_presets()
    builtin_texts = {path.read_bytes() for path in builtin.values()}
    own = [p for p in sorted((start_dir / "presets").glob("*.toml")) if p.read_bytes() not in builtin_texts]
    names = [*builtin, *(shown_path(p) for p in own)]
    presets = {}
    for name in names:
        try:
            presets[name] = config.preview(name)  # read and checked; its plugins are not imported
        except UserError:  # a broken preset file of the user's is left out here; the CLI explains why
            continue
    return dict(sorted(presets.items(), key=lambda item: item[1].time_budget_s))
