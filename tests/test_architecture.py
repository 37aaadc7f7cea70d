"""The house's shape, from its imports: no circles, and every import points down the layers below (the picture in
docs/ARCHITECTURE.md). The engine knows no face. A new module gets its place here; moving one up or down is a
design decision, made here on purpose."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE = "automl_tui_engine"
# bottom first; a module may import from its own layer (no circle) and the layers below
LAYERS = [
    ["exit_codes", "child_python", "user_config", "model_signature", "errors", "messages", "glossary", "naming",
     "tasks", "events", "formatting", "core.privacy", "core.budget", "core.threads"],
    ["extension.registry", "extension.registry.models", "extension.registry.metrics", "extension.registry.steps",
     "extension.plugins", "config"],
    ["table.reading", "table.human_numbers", "table.data", "table.checks", "table.lean_columns", "table.preprocess",
     "table.input_ranges", "table.input_check"],
    ["decision", "verdict"],
    ["outputs.rundir", "outputs.candidate_log", "outputs.chart_style", "outputs.run_charts", "outputs.png_browser",
     "outputs.shap_chart", "outputs.plots", "outputs.explain", "outputs.model_card", "outputs.whatif_charts",
     "outputs.whatif_record",
     "outputs.report", "outputs.run_record", "outputs.quality", "outputs.data_section", "outputs.drivers_section",
     "outputs.missing_section", "outputs.search_counts", "outputs.time_line", "outputs.decision_record",
     "outputs.predictions_check", "outputs.since_decision"],
    ["context", "tracking"],
    ["search.lean_forests", "search.evaluate", "search.baseline", "search.threshold", "search.ensemble",
     "search.planning", "search.candidates", "search.training", "search.trials", "search.outcome", "search.refit"],
    ["preparing", "insights", "predict", "evaluation", "whatif.case", "whatif.grid", "whatif.best", "whatif.records",
     "adoption", "adopted_models", "inspection", "clearml_tracking.sdk", "clearml_tracking.run_properties",
     "clearml_tracking.after_decision", "clearml_tracking.task_items", "clearml_tracking.tracker"],
    ["runner", "refit_adopted", ""],  # "" is the package itself: automl_tui_engine.run
    ["clearml.follow", "clearml.remote", "clearml.agent", "clearml.pipeline_agent", "clearml.pipeline_steps",
     "clearml.pipeline", "clearml.templates", "clearml.record_later"],
    ["doctor", "child_run", "launching", "retraining"],  # a retrain runs where launching says
]  # fmt: skip
LAYER = {f"{ENGINE}.{name}".rstrip("."): level for level, names in enumerate(LAYERS) for name in names}


def modules() -> dict[str, Path]:
    found = {}
    for path in [*ROOT.glob("engine/**/*.py"), *ROOT.glob("automl_tui/**/*.py")]:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        parts[0] = ENGINE if parts[0] == "engine" else parts[0]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """The project modules `path` imports, at the top or inside functions (a lazy import is still a dependency)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                out.add(name)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    graph = {}
    for name, path in found.items():
        deps = imports(path, known) - {name}
        # `from package import module` names the package too: only the module counts
        graph[name] = {d for d in deps if not any(o.startswith(d + ".") and o in deps for o in deps)}
    return graph


def test_every_engine_module_has_a_layer(graph):
    engine_modules = {name for name in graph if name.startswith(ENGINE) and not name.endswith("locales")}
    folders = ("core", "table", "search", "clearml_tracking", "outputs", "extension", "clearml", "whatif")
    packages = {f"{ENGINE}.{p}" for p in folders}
    assert sorted(engine_modules - set(LAYER) - packages) == []


def test_there_is_no_import_circle(graph):
    import graphlib

    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"import circle: {' -> '.join(exc.args[1])}")


def test_imports_only_point_down(graph):
    upward = [
        f"{name} ({LAYER[name]}) imports {dep} ({LAYER[dep]})"
        for name, deps in graph.items()
        if name in LAYER
        for dep in deps
        if dep in LAYER and LAYER[dep] > LAYER[name]
    ]
    assert upward == []


def test_the_engine_imports_no_face(graph):
    faces = [
        f"{n} imports {d}"
        for n, deps in graph.items()
        if n.startswith(ENGINE)
        for d in deps
        if d.startswith("automl_tui.")
    ]
    assert faces == []


def test_every_import_names_something_that_exists():
    """Also the imports inside functions, which run only when their path is taken (an agent's, say)."""
    import importlib

    missing = []
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in (ENGINE, "automl_tui")
            ):
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                if not hasattr(module, alias.name):
                    try:
                        importlib.import_module(f"{node.module}.{alias.name}")
                    except ModuleNotFoundError:
                        missing.append(f"{path.relative_to(ROOT)}: from {node.module} import {alias.name}")
    assert missing == []


def test_run_json_has_one_writer():
    """outputs/run_record writes run.json, and nothing else does (docs/ARCHITECTURE.md): a second writer's copy of
    it drops what the first one keeps."""
    writers = set()
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("write_json", "write_atomic")
                and node.args
                and ast.unparse(node.args[0]).endswith("RUN_JSON")
            ):
                writers.add(name)
    assert writers == {f"{ENGINE}.outputs.run_record"}


def test_each_folder_is_one_layer():
    """A folder's modules share one layer, so two folders never import each other both ways: core/ at the bottom,
    clearml_tracking/ below the runner, clearml/ (the remote half) above it."""
    layers_of: dict[str, set[int]] = {}
    for name, level in LAYER.items():
        parts = name.split(".")
        if len(parts) > 2:  # automl_tui_engine.<folder>.<module>
            layers_of.setdefault(parts[1], set()).add(level)
    assert {folder: levels for folder, levels in layers_of.items() if len(levels) > 1} == {}
    assert {"core", "table", "outputs", "search", "clearml_tracking", "clearml", "whatif"} <= set(layers_of)
