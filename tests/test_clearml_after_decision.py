"""Life after the decision in ClearML, against the test server (issue 38): for a tracked run, a predictions file's
input check, each scoring on rows whose outcomes arrived and a retrain are tasks beside the run (its tags and
`phase:predict` / `phase:evaluate` / `phase:retrain`); the reporting task's properties say the latest, and
`runs --clearml` lists it as `runs` does from the folder. A server gone is one line, and nothing done is lost."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest
from clearml_server import ClearMLTestServer
from conftest import PENGUINS
from test_clearml_decision import tracked_run
from test_clearml_remote import cli, environment

pytestmark = pytest.mark.slow  # real runs against a server: the full tier (see conftest)

pytest.importorskip("clearml")


def tasks_of(server: ClearMLTestServer, run_id: str, phase: str) -> list[dict]:
    return [task for task in server.tasks.values() if {f"run:{run_id}", f"phase:{phase}"} <= set(task["tags"])]


def row_of(listed: str, run_id: str) -> str:
    (row,) = [line for line in listed.splitlines() if run_id in line]
    return row


def test_checks_scorings_and_a_retrain_of_a_tracked_run_are_found_beside_it(tmp_path):
    moved = tmp_path / "next_month.csv"
    frame = pd.read_csv(PENGUINS)
    frame["bill_length_mm"] += 30  # longer bills than training ever saw: the check must name the column
    frame.to_csv(moved, index=False)
    server = ClearMLTestServer().start()
    try:
        env = environment(server, tmp_path / "home")
        _, run_dir, info = tracked_run(env, tmp_path)
        run_id, key, out = info["run_id"], info["dataset_key"], run_dir.parent
        reporting = next(iter(tasks_of(server, run_id, "reporting")))

        predicted = cli(env, "predict", run_dir, moved, "-o", tmp_path / "next_month_predictions.csv")
        assert predicted.returncode == 0, predicted.stderr
        (check,) = tasks_of(server, run_id, "predict")
        assert check["name"] == f"predict · {run_id} · {key}" and check["status"] == "completed"
        assert f"dataset:{key}" in check["tags"] and check["parent"] == reporting["id"]
        assert "In ClearML: " in predicted.stdout and check["id"] in predicted.stdout
        kept = {artifact["key"] for artifact in check["execution"]["artifacts"]}
        assert {"check", "next_month_predictions_check.md"} <= kept, kept
        assert "bill_length_mm" in check["comment"]

        told = []
        for _ in range(2):
            evaluated = cli(env, "evaluate", run_dir, PENGUINS)
            assert evaluated.returncode == 0, evaluated.stderr
            told.append(evaluated.stdout)
        scorings = tasks_of(server, run_id, "evaluate")
        assert len(scorings) == 2 and all(task["status"] == "completed" for task in scorings)
        assert all(any(task["id"] in said for said in told) for task in scorings)
        assert all("evaluation" in {a["key"] for a in task["execution"]["artifacts"]} for task in scorings)

        said = {
            name: item["value"] for name, item in server.tasks[reporting["id"]]["hyperparams"]["properties"].items()
        }
        assert said["inputs_moved"] == "bill_length_mm", said
        assert said["last_checked"][:4].isdigit() and "holds" in said["score_since_decision"], said

        # the same words from the server as from the folder
        on_server = row_of(cli(env, "runs", "--clearml").stdout, run_id)
        here = row_of(cli(env, "runs", "--out", out).stdout, run_id)
        for row in (on_server, here):
            assert "moved: bill_length_mm (" in row and " holds (" in row, row
        assert on_server.split()[: len(here.split())] == here.split(), (on_server, here)

        retrained = cli(env, "retrain", run_dir, PENGUINS, timeout=240)
        assert retrained.returncode == 0, retrained.stderr
        (retrain,) = tasks_of(server, run_id, "retrain")
        assert retrain["parent"] == reporting["id"] and retrain["id"] in retrained.stdout
        challenger = next(path for path in out.iterdir() if path != run_dir and (path / "run.json").is_file())
        said = retrain["comment"].splitlines()
        assert said[1].startswith(("Keep the model in use", "Replace")), said  # the verdict, as the terminal said it
        assert said[:2] == [line for line in retrained.stdout.splitlines() if line in said[:2]], said
        link = json.loads((challenger / "clearml.json").read_text(encoding="utf-8"))["reporting_link"]
        assert link in retrain["comment"]  # the challenger was tracked like its champion: one click away
    finally:
        server.stop()
    # the server gone: the predictions, their check and the run's record are here all the same
    later = cli(env, "predict", run_dir, moved, "-o", tmp_path / "again.csv")
    assert later.returncode == 0 and "ClearML could not be told" in later.stderr, later.stderr
    assert "Traceback" not in later.stderr and (tmp_path / "again_check.md").is_file()
    with open(run_dir / "predictions.jsonl", encoding="utf-8") as lines:
        assert [json.loads(line)["check"]["moved"] for line in lines] == [["bill_length_mm"]] * 2
    with open(tmp_path / "again.csv", encoding="utf-8-sig") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == len(frame)
