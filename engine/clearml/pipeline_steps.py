"""The pipeline's step functions. ClearML copies a function step's source, with its module's imports, into the
script an agent runs, so these only call clearml/pipeline_agent.py (and this module has no `from __future__` line:
copied below other lines, it would not compile). Every argument arrives as text."""


def preprocessing_step(run_task: str) -> str:
    from automl_tui_engine.clearml.pipeline_agent import prepare_table

    return prepare_table(run_task)


def training_step(run_task: str, family: str, prepared: str) -> str:
    from automl_tui_engine.clearml.pipeline_agent import train_family

    return train_family(run_task, family, prepared)


def reporting_step(run_task: str, steps: str, prepared: str) -> str:
    from automl_tui_engine.clearml.pipeline_agent import report_families

    return report_families(run_task, steps, prepared)
