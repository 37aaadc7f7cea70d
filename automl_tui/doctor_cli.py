"""`automl-tui doctor`: what works on this machine and what to install for the rest (the engine's doctor finds
it; this says it)."""

from __future__ import annotations

from automl_tui_engine.messages import t

from automl_tui.terminal import say


def doctor_command() -> None:
    from automl_tui_engine import doctor

    marks = {True: "✓", False: "✗", None: "·"}  # works, does not, not set up (a choice, not a fault)
    examination = doctor.examine()
    say(t("doctor.heading"))
    for finding in examination.findings:
        say("  " + t("doctor.line", mark=marks[finding.works], topic=finding.topic, said=finding.said))
    versions = " · ".join(f"{name} {version}" for name, version in examination.versions.items())
    say("  " + t("doctor.line", mark=marks[None], topic=t("doctor.versions"), said=versions))
    command = examination.install_command()
    if command:
        say(t("doctor.install", command=command))
