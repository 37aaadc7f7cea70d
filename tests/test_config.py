import pytest
from automl_tui_engine import config
from automl_tui_engine.errors import UserError


def test_builtin_presets_load_and_validate():
    presets = config.builtin_presets()
    assert {"fast", "balanced", "best"} <= set(presets)
    budgets = [config.build(name).time_budget_s for name in ("fast", "balanced", "best")]
    assert budgets == sorted(budgets) and budgets[0] <= 30
    assert all(config.describe(config.build(name)) for name in presets)


def test_cli_values_override_the_preset_and_none_keeps_it():
    built = config.build("fast", {"time_budget_s": 7, "seed": None, "priority": "speed"})
    assert built.time_budget_s == 7 and built.priority == "speed"
    assert built.seed == config.RunConfig().seed and built.preset == "fast"


def test_unknown_key_in_a_preset_file_suggests_the_right_one(tmp_path):
    preset = tmp_path / "mine.toml"
    preset.write_text("time_budgett = 10\n")
    with pytest.raises(UserError) as caught:
        config.build(str(preset))
    message = str(caught.value)
    assert "time_budgett" in message and "did you mean 'time_budget_s'" in message and "preset" in message


def test_unknown_nested_key_is_found_in_its_section(tmp_path):
    preset = tmp_path / "mine.toml"
    preset.write_text("[decision]\ntolerence = 0.02\n")
    with pytest.raises(UserError, match="decision.tolerence.*did you mean 'tolerance'"):
        config.build(str(preset))


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(UserError) as caught:
        config.build("fsat")
    assert "did you mean 'fast'" in str(caught.value) and "balanced" in str(caught.value)


def test_bad_priority_names_the_allowed_values():
    with pytest.raises(UserError, match="priority.*accuracy.*speed"):
        config.build("fast", {"priority": "cheap"})


def test_model_aliases_resolve_and_typos_are_refused():
    assert config.build("fast", {"models": ["lgbm", "RF", "logistic"]}).models == [
        "lightgbm",
        "random_forest",
        "linear",
    ]
    with pytest.raises(UserError, match="did you mean 'lightgbm'"):
        config.build("fast", {"models": ["lightgmb"]})


def test_effective_config_round_trips_through_toml(tmp_path):
    import tomllib

    built = config.build("balanced", {"target": "species", "seed": 3})
    again = config.RunConfig.model_validate(tomllib.loads(config.to_toml(built)))
    assert again == built


def test_broken_toml_is_a_clear_error(tmp_path):
    preset = tmp_path / "broken.toml"
    preset.write_text("time_budget_s = = 3\n")
    with pytest.raises(UserError, match="not valid TOML"):
        config.build(str(preset))
