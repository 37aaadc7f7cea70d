"""Endpoints of the test ClearML server for what a task carries: artifacts, parameters, configuration, tags and
requirements (a mixin of ClearMLBackend, which owns the tasks)."""

from __future__ import annotations

from typing import Any


class TaskDetails:
    def task(self, task_id: str) -> dict[str, Any]:
        raise NotImplementedError

    def tasks__add_or_update_artifacts(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        kept = {(a["key"], a.get("mode", "output")): a for a in task["execution"]["artifacts"]}
        for artifact in body.get("artifacts", []):
            kept[(artifact["key"], artifact.get("mode", "output"))] = artifact
        task["execution"]["artifacts"] = list(kept.values())
        return {"updated": len(body.get("artifacts", []))}

    def tasks__delete_artifacts(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        gone = {a["key"] for a in body.get("artifacts", [])}
        task["execution"]["artifacts"] = [a for a in task["execution"]["artifacts"] if a["key"] not in gone]
        return {"deleted": len(gone)}

    def tasks__edit_hyper_params(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        if body.get("replace_hyperparams") == "all":
            task["hyperparams"] = {}
        for item in body.get("hyperparams", []):
            task["hyperparams"].setdefault(item["section"], {})[item["name"]] = item
        return {"updated": 1}

    def tasks__get_hyper_params(self, body: dict[str, Any]) -> dict[str, Any]:
        params = []
        for task_id in body.get("tasks", []):
            items = [item for section in self.task(task_id)["hyperparams"].values() for item in section.values()]
            params.append({"task": task_id, "hyperparams": items})
        return {"params": params}

    def tasks__delete_hyper_params(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        for item in body.get("hyperparams", []):
            section = task["hyperparams"].get(item["section"], {})
            if "name" in item:
                section.pop(item["name"], None)
            else:
                task["hyperparams"].pop(item["section"], None)
        return {"deleted": 1}

    def tasks__edit_configuration(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        if body.get("replace_configuration"):
            task["configuration"] = {}
        for item in body.get("configuration", []):
            task["configuration"][item["name"]] = item
        return {"updated": 1}

    def tasks__get_configurations(self, body: dict[str, Any]) -> dict[str, Any]:
        found = []
        for task_id in body.get("tasks", []):
            items = list(self.task(task_id)["configuration"].values())
            if body.get("names"):
                items = [item for item in items if item["name"] in body["names"]]
            found.append({"task": task_id, "configuration": items})
        return {"configurations": found}

    def tasks__get_configuration_names(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "configurations": [
                {"task": task_id, "names": list(self.task(task_id)["configuration"])}
                for task_id in body.get("tasks", [])
            ]
        }

    def tasks__add_tags(self, body: dict[str, Any]) -> dict[str, Any]:
        for task_id in body.get("ids") or [body["task"]]:
            tags = self.task(task_id)["tags"]
            tags.extend(tag for tag in body.get("tags", []) if tag not in tags)
        return {"updated": 1}

    def tasks__set_requirements(self, body: dict[str, Any]) -> dict[str, Any]:
        self.task(body["task"]).setdefault("script", {})["requirements"] = body.get("requirements", {})
        return {"updated": 1}
