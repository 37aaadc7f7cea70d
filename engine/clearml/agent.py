"""What a clearml-agent runs for a run put on a queue (`python -m automl_tui_engine.clearml.agent`): `agent_main`
fetches the config and the table from the task and runs the engine in a child process, so that the run's own phase
tasks are made exactly as on the user's machine (the SDK allows one `Task.init` per process, and the agent's task
is that one here). Nothing needs the user's files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from automl_tui_engine import exit_codes
from automl_tui_engine.child_python import python_command
from automl_tui_engine.clearml.remote import ENTRY_MODULE, RUN_FOLDER_ARTIFACT, read_run
from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import t

SERVER_WAIT_S = 900.0  # how long an agent waits for a server that went away during a run, to record it whole
# what the child run keeps of the agent's environment: the server and the credentials, not the agent's task
_KEPT_CLEARML_VARIABLES = ("CLEARML_API_", "CLEARML_WEB_HOST", "CLEARML_FILES_HOST", "CLEARML_CONFIG_FILE")


def child_environment() -> dict[str, str]:
    """The agent's environment without its task: the child's Task.init calls then make new tasks."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CLEARML_", "TRAINS_")) or key.startswith(_KEPT_CLEARML_VARIABLES)
    }


def agent_main() -> int:
    """What a clearml-agent runs: fetch the run from its task, run it in a child process, keep its folder."""
    from automl_tui_engine.clearml.record_later import tracking_stopped
    from automl_tui_engine.clearml_tracking import sdk
    from automl_tui_engine.clearml_tracking.tracker import NO_AUTO_CONNECT
    from automl_tui_engine.config import build_from, to_toml

    sdk.prepare()
    from clearml import Task

    task = Task.init(auto_connect_frameworks=NO_AUTO_CONNECT, auto_connect_arg_parser=False)
    try:
        values, run_id, work = read_run(task)
    except UserError as exc:
        # the reason at the top of the task's description: the agent writes its own status reason on exit
        task.set_comment(f"automl-tui: {exc}\n\n{task.comment or ''}".strip())
        raise
    values["clearml"] = {**values.get("clearml", {}), "enabled": True}
    config_path = work / "config.toml"
    config_path.write_text(to_toml(build_from(values, t("config.source_task", task_id=task.id))), encoding="utf-8")
    print(f"automl-tui: run {run_id} on this agent, folder {work / run_id}", flush=True)
    done = subprocess.run(python_command(ENTRY_MODULE, "execute", run_id, str(config_path)), env=child_environment())
    run_dir = work / run_id
    if not run_dir.is_dir():
        return done.returncode
    if tracking_stopped(run_dir):  # the server went away during the run: its record is made whole when it is back
        print(t("agent.server_gone", seconds=f"{SERVER_WAIT_S:g}"), flush=True)
        if not sdk.wait_for_server(SERVER_WAIT_S):
            print(t("agent.server_never_back", seconds=f"{SERVER_WAIT_S:g}", folder=run_dir), flush=True)
            return exit_codes.NOT_FINISHED
        subprocess.run(python_command(ENTRY_MODULE, "record", str(run_dir)), env=child_environment())
    task.upload_artifact(RUN_FOLDER_ARTIFACT, artifact_object=str(run_dir), wait_on_upload=True)
    return done.returncode


def execute(run_id: str, config_path: Path) -> int:
    """The child: the run itself, tracked in ClearML like a local `--clearml` run, progress as plain lines."""
    import automl_tui_engine as engine
    from automl_tui_engine import events as ev
    from automl_tui_engine.config import build_from
    from automl_tui_engine.naming import slug

    if slug(run_id) != run_id:
        raise UserError("remote.bad_run_id", run_id=run_id)
    config = build_from(tomllib.loads(config_path.read_text(encoding="utf-8")), str(config_path))

    def show(event: ev.Event) -> None:
        print(f"automl-tui: {event.kind}: {_describe(event)}", flush=True)

    result = engine.run(config, on_event=show, run_id=run_id)
    return exit_codes.of_run(result.status)


def _describe(event: Any) -> str:
    fields = {key: value for key, value in event.to_dict().items() if key not in ("kind", "at")}
    return ", ".join(f"{key}={value}" for key, value in fields.items())[:300]


def main(argv: list[str]) -> int:
    from automl_tui_engine.clearml.record_later import record_run

    try:
        if argv[:1] == ["execute"] and len(argv) == 3:
            return execute(argv[1], Path(argv[2]))
        if argv[:1] == ["record"] and len(argv) == 2:  # a finished run recorded whole (the server is back)
            print(f"automl-tui: recorded, {record_run(Path(argv[1]))}", flush=True)
            return exit_codes.OK
        return agent_main()
    except UserError as exc:
        print(f"automl-tui: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    from automl_tui_engine.tracking import without_waiting_for_stuck_calls

    sys.exit(without_waiting_for_stuck_calls(main(sys.argv[1:])))
