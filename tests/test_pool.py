"""The training pool (hogdet.mining.pool): fresh selection, and the feature buffer that grows without copying."""

import numpy as np
from conftest import hand_windows

from hogdet.mining.pool import GrowingFeatures, select_fresh
from hogdet.mining.strategies import HardNegative
from hogdet.windows import Windows, make_keys, take_rows


def test_select_fresh_leaves_out_windows_already_in_the_pool():
    pool = hand_windows(["a", "b"], [0, 0])
    found = Windows.concatenate([hand_windows(["a", "b"], [0, 0]), hand_windows(["c"], [0])])
    found = found.with_columns(probabilities=np.array([0.9, 0.9, 0.8]), scores=np.array([3.0, 2.0, 1.0]))
    # ("a", 0, 0, 0) is in the pool; ("b", 1, 10, 100) too; ("c", 0, 0, 0) is new.
    added = select_fresh(found, pool, HardNegative(), np.random.default_rng(0))
    assert added.keys.tolist() == [("c", 0, 0, 0, "scan", -1)]


def test_growing_features_equal_concatenation_without_copying_the_pool():
    rng = np.random.default_rng(1)

    def windows(n, image):
        return Windows.make(features=rng.random((n, 4), dtype=np.float32), labels=np.zeros(n),
                            keys=make_keys(image, level=np.arange(n)))

    pool, added, more = windows(3, "a"), windows(2, "b"), windows(4, "c")
    expected = Windows.concatenate([pool, added, more])
    stored = GrowingFeatures(pool.features, reserve_rows=2)  # room for `added` only: `more` makes it grow
    grown = stored.extend(pool.with_columns(features=stored.rows), added)
    kept = grown.features
    grown = stored.extend(grown, more)
    np.testing.assert_array_equal(grown.features, expected.features)
    np.testing.assert_array_equal(grown.keys, expected.keys)
    assert np.shares_memory(grown.features, stored.rows) and not np.shares_memory(kept, stored.rows)


def test_selected_features_written_in_place_are_not_copied_again():
    rng = np.random.default_rng(2)
    pool = Windows.make(features=rng.random((3, 4), dtype=np.float32), keys=make_keys("a", level=np.arange(3)))
    parts = [Windows.make(features=rng.random((n, 4), dtype=np.float32), keys=make_keys("b", level=np.arange(n)))
             for n in (2, 3)]
    stored = GrowingFeatures(pool.features, reserve_rows=10)
    pool = pool.with_columns(features=stored.rows)
    rows = np.array([4, 0])
    placed = take_rows(parts, rows, out=stored.free_rows(2))
    grown = stored.extend(pool, Windows.make(features=placed, keys=make_keys("b", level=rows)))
    expected = np.vstack([pool.features, parts[1].features[2], parts[0].features[0]])
    np.testing.assert_array_equal(grown.features, expected)
    assert np.shares_memory(grown.features, placed)


def test_select_fresh_from_per_image_parts_equals_from_one_record():
    pool = hand_windows(["a"], [0])
    parts = [hand_windows(["a", "b"], [0, 0]), hand_windows([], []), hand_windows(["c", "d"], [0, 0])]
    parts = [part.with_columns(probabilities=np.full(len(part), 0.9)) for part in parts]
    together = select_fresh(Windows.concatenate(parts), pool, HardNegative(), np.random.default_rng(0))
    stored = GrowingFeatures(pool.features, reserve_rows=8)
    apart = select_fresh(parts, pool, HardNegative(), np.random.default_rng(0), stored)
    np.testing.assert_array_equal(apart.keys, together.keys)
    np.testing.assert_array_equal(apart.features, together.features)
    assert np.shares_memory(apart.features, stored.free_rows(len(apart)))  # written in place
