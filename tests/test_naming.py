import re

from automl_tui_engine.naming import dataset_key, new_run_id, slug, tags


def test_run_ids_are_sortable_unique_and_file_safe():
    ids = [new_run_id() for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", i) for i in ids)


def test_dataset_key_follows_content_not_name(tmp_path):
    a, b, c = tmp_path / "Sales 2024.csv", tmp_path / "copy.csv", tmp_path / "other.csv"
    a.write_text("x,y\n1,2\n")
    b.write_text("x,y\n1,2\n")
    c.write_text("x,y\n1,3\n")
    assert dataset_key(a).startswith("Sales-2024-")
    assert dataset_key(a).split("-")[-1] == dataset_key(b).split("-")[-1]
    assert dataset_key(a).split("-")[-1] != dataset_key(c).split("-")[-1]


def test_slug_blocks_path_traversal():
    assert "/" not in slug("../../etc/passwd") and not slug("../..").startswith(".")
    assert slug("") == "data"


def test_tags_carry_run_dataset_and_phase():
    assert tags("r1", "d1", "training") == ["run:r1", "dataset:d1", "phase:training"]
