"""The dense HOG grid against scikit-image's reference ``hog``."""

import numpy as np
import pytest
from skimage.feature import hog

from hogdet.errors import HogdetError
from hogdet.features import HOGParameters, hog_grid, window_features


def reference(image, params):
    return hog(
        image,
        orientations=params.orientations,
        pixels_per_cell=params.pixels_per_cell,
        cells_per_block=params.cells_per_block,
        block_norm=params.block_norm,
        transform_sqrt=params.transform_sqrt,
        channel_axis=-1 if image.ndim == 3 else None,
    )


@pytest.mark.parametrize("shape", [(128, 64), (160, 96), (301, 437), (480, 512), (97, 250)])
@pytest.mark.parametrize("colour", [False, True])
def test_dense_grid_equals_skimage(astronaut, camera, shape, colour):
    image = astronaut if colour else camera
    crop = image[7 : 7 + shape[0], 11 : 11 + shape[1]]
    params = HOGParameters()
    np.testing.assert_allclose(hog_grid(crop, params).ravel(), reference(crop, params), rtol=1e-4, atol=2e-5)


@pytest.mark.parametrize(
    "params",
    [
        HOGParameters(orientations=12),
        HOGParameters(pixels_per_cell=(6, 6), window_size=(120, 60)),
        HOGParameters(cells_per_block=(3, 3)),
        HOGParameters(block_norm="L2"),
        HOGParameters(block_norm="L1"),
        HOGParameters(block_norm="L1-sqrt"),
        HOGParameters(transform_sqrt=False),
        HOGParameters(pixels_per_cell=(8, 4), window_size=(128, 64)),
    ],
)
def test_every_parameter_matches_skimage(astronaut, params):
    crop = astronaut[100:260, 200:330]
    np.testing.assert_allclose(hog_grid(crop, params).ravel(), reference(crop, params), rtol=1e-4, atol=2e-5)


def test_window_read_from_grid_equals_hog_of_the_window_with_context(astronaut):
    # A window read from the grid sees its real neighbours; HOG of exactly
    # those window pixels only differs on the window's edge. Inside, read
    # from a crop with a one-cell border, the two agree.
    params = HOGParameters()
    grid = hog_grid(astronaut, params)
    features = window_features(grid, np.array([[5, 9]]), params)[0]
    region = astronaut[5 * 8 : 5 * 8 + 128, 9 * 8 : 9 * 8 + 64]
    bare = reference(region, params).reshape(15, 7, 36)
    from_grid = features.reshape(15, 7, 36)
    # Interior blocks (not touching the window edge) are identical.
    np.testing.assert_allclose(from_grid[1:-1, 1:-1], bare[1:-1, 1:-1], atol=2e-5)
    # Edge blocks differ: the bare crop has zero gradient on its border.
    assert not np.allclose(from_grid[0], bare[0], atol=1e-3)


def test_window_features_order_matches_feature_vector(astronaut):
    params = HOGParameters()
    grid = hog_grid(astronaut[:200, :100], params)
    positions = np.array([[0, 0], [3, 2], [9, 4]])
    features = window_features(grid, positions, params)
    assert features.shape == (3, 3780)
    for (row, col), vector in zip(positions, features):
        np.testing.assert_array_equal(vector, grid[row : row + 15, col : col + 7].ravel())


def test_too_small_image_gives_empty_grid():
    grid = hog_grid(np.zeros((10, 5), np.float32))
    assert grid.shape[0] == 0 or grid.shape[1] == 0


def test_flat_image_gives_zero_features():
    grid = hog_grid(np.full((64, 64), 0.5, np.float32))
    assert grid.shape == (7, 7, 36)
    assert np.all(grid == 0)


def test_defaults_are_dalal_triggs():
    params = HOGParameters()
    assert params.window_size == (128, 64)
    assert params.pixels_per_cell == (8, 8)
    assert params.cells_per_block == (2, 2)
    assert params.orientations == 9
    assert params.block_norm == "L2-Hys"
    assert params.transform_sqrt
    assert params.n_features == 3780  # 15 x 7 blocks of 36


@pytest.mark.parametrize(
    "bad",
    [
        dict(window_size=(130, 64)),
        dict(block_norm="L3"),
        dict(orientations=0),
        dict(cells_per_block=(0, 2)),
        dict(margin=(64, 0)),
    ],
)
def test_bad_parameters_are_refused(bad):
    with pytest.raises(HogdetError):
        HOGParameters(**bad)


def test_parameters_round_trip_through_json():
    import json

    params = HOGParameters(orientations=12, margin=(16, 4))
    assert HOGParameters.from_dict(json.loads(params.to_json())) == params
