"""The Windows record: columns that stay together, typed keys, groups."""

from pathlib import Path

import numpy as np
from conftest import hand_windows

from hogdet.windows import Windows, make_keys, relative_name


def test_windows_take_and_concatenate_keep_every_column_together():
    short = hand_windows(["a"], [0])
    long = hand_windows(["Train/neg/long_name.png", "b"], [1, 0], sources="person", people=[3, -1])
    joined = Windows.concatenate([short, long])
    assert len(joined) == 3 and joined.features.shape == (3, 2)
    # Key strings of different widths are widened, not cut.
    assert joined.keys.tolist() == [
        ("a", 0, 0, 0, "scan", -1), ("Train/neg/long_name.png", 0, 0, 0, "person", 3), ("b", 1, 10, 100, "person", -1),
    ]
    picked = joined.take(np.array([2, 0]))
    assert picked.keys["image"].tolist() == ["b", "a"]
    np.testing.assert_array_equal(picked.features, [[2, 3], [0, 1]])
    assert picked.labels.tolist() == [0, 0] and picked.scores.tolist() == [2.0, 1.0]
    assert Windows.concatenate([], n_features=5).features.shape == (0, 5)


def test_groups_put_people_together_and_backgrounds_by_image():
    windows = Windows.make(
        labels=[1, 1, 1, 0, 0, 1, 1],
        keys=make_keys(
            np.array(["p.png", "p.png", "p.png", "p.png", "n.png", "c1.png", "c2.png"]),
            [0, 1, -1, 2, 0, -1, -1], [0, 0, 5, 0, 0, -1, -1], [0, 0, 7, 0, 0, -1, -1],
            np.array(["scan", "scan", "person", "scan", "scan", "crop", "crop"]), [0, 1, 0, -1, -1, -1, -1],
        ),
    )
    groups = windows.groups()
    assert groups[0] == groups[2] != groups[1]  # person 0 of p.png, scanned or proposed
    assert groups[3] == "p.png" and groups[4] == "n.png"  # backgrounds: their image
    assert len({groups[5], groups[6], groups[0]}) == 3  # each crop is its own person


def test_take_rows_equals_taking_from_the_concatenation():
    from hogdet.windows import take_rows

    rng = np.random.default_rng(0)
    parts = [Windows.make(features=rng.random((n, 5), dtype=np.float32)) for n in (3, 0, 4, 2)]
    everything = np.vstack([part.features for part in parts])
    rows = np.array([8, 0, 4, 4, 2, 7])
    np.testing.assert_array_equal(take_rows(parts, rows), everything[rows])
    # By hand: row 8 is the second of the last part, row 3 the first of the third.
    np.testing.assert_array_equal(take_rows(parts, [8, 3]), np.vstack([parts[3].features[1], parts[2].features[0]]))
    assert take_rows([], [], n_features=5).shape == (0, 5)


def test_image_names_are_relative_to_the_root_with_forward_slashes():
    assert relative_name(Path("/data/set/Train/neg/a.png"), Path("/data/set")) == "Train/neg/a.png"
    assert relative_name("/elsewhere/a.png", "/data/set") == "/elsewhere/a.png"  # not inside: as given
    assert relative_name("x/a.png", None) == "x/a.png"


def test_levels_and_positions_are_read_from_the_keys():
    windows = Windows.make(keys=make_keys("a", [2, 0], [5, 7], [1, 3], "scan"))
    assert windows.levels.tolist() == [2, 0]
    assert windows.positions.tolist() == [[5, 1], [7, 3]]
    assert Windows.empty().positions.shape == (0, 2)
