"""Tests for hogdet.datasets.synthetic: the synthetic pedestrian data set in the INRIA layout.

The references are independent of the drawing code: the folder is read with hogdet's own INRIA
loader and annotation parser, the people are found from pixels (the difference between a file and
the same item drawn without its people), and the annotation format is compared with a real INRIA
Person annotation file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from skimage import io as skio

from hogdet.datasets import load_dataset, read_annotation
from hogdet.datasets import synthetic
from hogdet.datasets.synthetic import make_synthetic

SEED = 3
SMALL = dict(n_people=4, n_backgrounds=2, n_test_people=3, n_test_backgrounds=2, n_photos=3, n_test_photos=4)
COUNT_NAMES = list(SMALL)
SAMPLES = Path(os.environ.get("HOGDET_ANNOTATION_SAMPLES") or Path(__file__).resolve().parents[2] / "shared" / "data")
INRIA_SAMPLE = SAMPLES / "INRIAPerson" / "Test" / "annotations"
#: A pixel belongs to a drawn person when it differs from the person-free drawing by more than this
#: (8-bit rounding alone differs by at most 0.5 / 255).
DRAWN = 0.03


@pytest.fixture(scope="module")
def small_set(tmp_path_factory) -> Path:
    return make_synthetic(tmp_path_factory.mktemp("synthetic") / "set", seed=SEED, **SMALL)


def read_rgb(path: Path) -> np.ndarray:
    pixels = skio.imread(path)
    assert pixels.dtype == np.uint8 and pixels.ndim == 3 and pixels.shape[2] == 3
    return pixels.astype(np.float32) / 255


def digests(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def drawn_mask(image: np.ndarray, without_people: np.ndarray) -> np.ndarray:
    return np.abs(image - without_people).max(axis=2) > DRAWN


def test_loads_as_an_inria_data_set_with_the_requested_counts(small_set):
    dataset = load_dataset(small_set)
    assert dataset.layout == "inria"
    assert len(dataset.train_positive_crops) == 2 * SMALL["n_people"]  # each person and its mirror image
    assert len(dataset.test_positive_crops) == 2 * SMALL["n_test_people"]
    assert len(dataset.train_negative_images) == SMALL["n_backgrounds"]
    assert len(dataset.test_negative_images) == SMALL["n_test_backgrounds"]
    assert len(dataset.train_positive_images) == SMALL["n_photos"]
    assert len(dataset.test_positive_images) == SMALL["n_test_photos"]
    photos = dataset.train_positive_images + dataset.test_positive_images
    assert all(dataset.annotation(path) is not None for path in photos)
    # No crop or person-free image may be mistaken for an annotated photograph (pairing is by file stem).
    others = dataset.train_positive_crops + dataset.test_positive_crops + dataset.train_negative_images
    assert all(dataset.annotation(path) is None for path in others + dataset.test_negative_images)


def test_is_named_synthetic_everywhere(small_set):
    data_files = [path for path in small_set.rglob("*") if path.suffix in (".png", ".txt")]
    assert data_files and all(path.name.startswith("synthetic_") for path in data_files)
    marker = json.loads((small_set / "SYNTHETIC.json").read_text())
    assert marker["synthetic"] is True and "synthetic" in marker["dataset"]
    assert marker["parameters"] == {"seed": SEED, **SMALL} and marker["generator_version"] >= 1
    assert "SYNTHETIC" in (small_set / "README.md").read_text()
    for path in (small_set / "Test" / "annotations").iterdir():
        assert 'Database : "hogdet synthetic (not real people)"' in path.read_text().splitlines()


def test_crops_hold_the_person_in_the_central_rows_of_the_window(small_set):
    bottoms = []
    for split, count in (("train", SMALL["n_people"]), ("test", SMALL["n_test_people"])):
        folder = small_set / "96X160H96" / split.capitalize() / "pos"
        for index in range(count):
            crop = read_rgb(folder / f"synthetic_{split}_crop_{index:06d}.png")
            assert crop.shape == (160, 96, 3)  # INRIA's 96x160 crops
            mirrored = read_rgb(folder / f"synthetic_{split}_crop_{index:06d}_mirrored.png")
            np.testing.assert_array_equal(mirrored, crop[:, ::-1])
            person = drawn_mask(crop, synthetic.person_crop(SEED, split, index, draw_person=False))
            rows = np.flatnonzero(person.any(axis=1))
            # The 64x128 window sits 16 px in from the crop's edges; the person fills its central
            # 96 rows, crop rows 32-127 (2 px of slack for the soft edges).
            assert rows.size and 30 <= rows[0] <= 44 and rows[-1] <= 129, (split, index, rows[0], rows[-1])
            assert abs(np.nonzero(person)[1].mean() - 48) < 8  # centred across
            bottoms.append(rows[-1])
    assert max(bottoms) >= 122  # the feet reach the bottom of the central rows


def test_annotation_boxes_cover_the_drawn_people(small_set):
    tight = []
    for split, count in (("train", SMALL["n_photos"]), ("test", SMALL["n_test_photos"])):
        for index in range(count):
            name = f"synthetic_{split}_{index:06d}"
            image = read_rgb(small_set / split.capitalize() / "pos" / f"{name}.png")
            annotation = read_annotation(small_set / split.capitalize() / "annotations" / f"{name}.txt")
            assert annotation.image_name == f"{split.capitalize()}/pos/{name}.png"
            assert annotation.image_size == (image.shape[1], image.shape[0], 3)
            assert 1 <= len(annotation.boxes) <= 4 and set(annotation.labels) == {"PASperson"}
            drawn = drawn_mask(image, synthetic.photograph(SEED, split, index, draw_people=False)[0])
            boxes = annotation.boxes.astype(int)  # x2, y2 exclusive
            assert (boxes[:, :2] >= 0).all() and (boxes[:, 2] <= image.shape[1]).all()
            assert (boxes[:, 3] <= image.shape[0]).all()
            covered = np.zeros_like(drawn)
            for x1, y1, x2, y2 in boxes:
                inside = drawn[y1:y2, x1:x2]
                assert inside.mean() > 0.15, (name, x1, y1, x2, y2)  # a drawn person, not an empty box
                rows, cols = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
                tight.append(rows[0] <= 2 and rows[-1] >= y2 - y1 - 3 and cols[0] <= 2 and cols[-1] >= x2 - x1 - 3)
                covered[max(y1 - 3, 0):y2 + 3, max(x1 - 3, 0):x2 + 3] = True
            assert not (drawn & ~covered).any(), name  # nobody is drawn without a box
    assert np.mean(tight) >= 0.5  # most boxes touch their person on all four sides


@pytest.mark.skipif(not (INRIA_SAMPLE / "person_007.txt").is_file(), reason="compares with a real INRIA annotation file: set HOGDET_ANNOTATION_SAMPLES to a folder "
                           "holding INRIAPerson/ to run")
def test_annotation_format_is_inria_persons(tmp_path):
    real = INRIA_SAMPLE / "person_007.txt"
    # The same box and head centre written by the generator: INRIA's file, plus the Database line.
    ours = synthetic.annotation_text("Test/pos/person_007.png", (640, 480, 3), np.array([[139, 107, 244, 480]]),
                                     np.array([[224, 147]]))
    lines = [line for line in ours.splitlines() if not line.startswith("Database :")]
    expected = real.read_text().replace('"UprightPerson"', '"SyntheticUprightPerson"').splitlines()
    assert [line.rstrip() for line in lines] == [line.rstrip() for line in expected]
    (tmp_path / "ours.txt").write_text(ours)
    parsed, reference = read_annotation(tmp_path / "ours.txt"), read_annotation(real)
    assert parsed.boxes.tolist() == reference.boxes.tolist() and parsed.image_size == reference.image_size


def test_same_seed_same_bytes_other_seed_other_images(small_set, tmp_path):
    again = make_synthetic(tmp_path / "again", seed=SEED, **SMALL)
    assert digests(again) == digests(small_set)
    other = digests(make_synthetic(tmp_path / "other", seed=SEED + 1, **SMALL))
    images = [name for name in other if name.endswith(".png")]
    assert sum(other[name] != digests(small_set)[name] for name in images) == len(images)
    assert len({other[name] for name in images}) == len(images)  # and every item differs from the others


def test_an_item_does_not_depend_on_the_others(small_set, tmp_path):
    fewer = make_synthetic(tmp_path / "fewer", seed=SEED, n_people=2, n_backgrounds=1, n_test_people=1,
                           n_test_backgrounds=1, n_photos=1, n_test_photos=2)
    shared = {name: digest for name, digest in digests(fewer).items() if name.endswith((".png", ".txt"))}
    assert shared.items() <= digests(small_set).items()


def test_a_folder_holding_this_set_is_reused_untouched(small_set, monkeypatch):
    before = {path: path.stat().st_mtime_ns for path in small_set.rglob("*")}
    monkeypatch.setattr(synthetic, "_write_items", pytest.fail)  # nothing may be drawn again
    assert make_synthetic(small_set, seed=SEED, **SMALL) == small_set
    assert {path: path.stat().st_mtime_ns for path in small_set.rglob("*")} == before


def test_an_empty_existing_folder_is_filled(tmp_path):
    (tmp_path / "set").mkdir()
    root = make_synthetic(tmp_path / "set", n_people=1, n_backgrounds=1, n_test_people=0, n_test_backgrounds=0,
                          n_photos=0, n_test_photos=1)
    assert len(load_dataset(root).test_positive_images) == 1 and sorted(tmp_path.iterdir()) == [root]


def bad_count_cases() -> list[tuple[str, object]]:
    cases = [("n_people", 0), ("n_backgrounds", 0), ("n_people", 2.5), ("n_photos", "3"), ("n_test_people", True)]
    return cases + [(name, -1) for name in COUNT_NAMES]


@pytest.mark.parametrize("name, value", bad_count_cases())
def test_a_bad_count_fails_naming_it_before_any_work(tmp_path, monkeypatch, name, value):
    monkeypatch.setattr(synthetic, "_write_items", pytest.fail)
    with pytest.raises(ValueError, match=rf"^{name} must "):
        make_synthetic(tmp_path / "missing" / "set", **{**SMALL, name: value})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("seed", [-1, 1.5, None])
def test_a_bad_seed_fails_naming_it(tmp_path, seed):
    with pytest.raises(ValueError, match="^seed must "):
        make_synthetic(tmp_path / "set", seed=seed, **SMALL)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_not_a_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(synthetic, "_write_items", pytest.fail)
    target = tmp_path / "set"
    target.write_text("not a folder")
    for out_dir in (target, target / "inside"):
        with pytest.raises(NotADirectoryError, match=re.escape(str(target))):
            make_synthetic(out_dir, **SMALL)
    assert target.read_text() == "not a folder" and list(tmp_path.iterdir()) == [target]


def test_a_folder_holding_something_else_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(synthetic, "_write_items", pytest.fail)
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "holiday.png").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match=re.escape(str(folder)) + ".*not a hogdet synthetic data set"):
        make_synthetic(folder, **SMALL)
    assert [path.name for path in folder.iterdir()] == ["holiday.png"] and list(tmp_path.iterdir()) == [folder]


@pytest.mark.parametrize("change", [{"seed": SEED + 1}, {"n_people": 5}, {"n_test_photos": 0}])
def test_another_synthetic_set_is_refused(small_set, monkeypatch, change):
    monkeypatch.setattr(synthetic, "_write_items", pytest.fail)
    before = digests(small_set)
    with pytest.raises(FileExistsError, match=re.escape(str(small_set)) + ".*another hogdet synthetic data set"):
        make_synthetic(small_set, **{"seed": SEED, **SMALL, **change})
    assert digests(small_set) == before


def test_another_generator_version_is_refused(small_set, monkeypatch):
    monkeypatch.setattr(synthetic, "GENERATOR_VERSION", synthetic.GENERATOR_VERSION + 1)
    with pytest.raises(FileExistsError, match="generator version"):
        make_synthetic(small_set, seed=SEED, **SMALL)


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_an_interrupted_run_leaves_nothing_behind(tmp_path, monkeypatch, failure):
    def fail(*args, **kwargs):
        raise failure("stopped")

    monkeypatch.setattr(synthetic, "photograph", fail)  # after the crops and person-free images are written
    with pytest.raises(failure):
        make_synthetic(tmp_path / "new" / "deeper" / "set", **SMALL)
    assert list(tmp_path.iterdir()) == []  # neither the set, nor its temporary folder, nor the parents made for it


def test_the_backgrounds_are_shipped_person_free_photographs():
    names = synthetic.SKIMAGE_FILES + synthetic.SKLEARN_FILES
    assert not any(name.startswith(("astronaut", "camera")) for name in names)  # photographs of people
    mipmaps = synthetic.source_photographs()  # read from the installed packages: no download
    assert len(mipmaps) == len(names) and all(levels[0].shape[2] == 3 for levels in mipmaps)
