"""The dense HOG grid against scikit-image's reference ``hog``."""

import numpy as np
import pytest
from skimage.feature import hog

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


def ramp(degrees: float, size: int = 48) -> np.ndarray:
    """An image whose gradient points at ``degrees`` everywhere (away from its edge)."""
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    angle = np.deg2rad(degrees)
    return (0.3 + 0.004 * (cols * np.cos(angle) + rows * np.sin(angle))).astype(np.float32)


@pytest.mark.parametrize(
    "degrees, expected_shares",
    [
        # Bin centres of 9 unsigned bins: 10, 30, 50, ... 170 degrees.
        (30.0, {1: 1.0}),  # on the centre of bin 1
        (20.0, {0: 0.5, 1: 0.5}),  # on the edge between bins 0 and 1
        (5.0, {0: 0.75, 8: 0.25}),  # 5 degrees below bin 0's centre: a quarter wraps to 170
        (62.0, {2: 0.4, 3: 0.6}),  # 12 of 20 degrees from bin 2's centre towards bin 3's
    ],
)
def test_orientation_interpolation_splits_votes_by_hand(degrees, expected_shares):
    from hogdet.features import cell_histograms

    params = HOGParameters(transform_sqrt=False, interpolation="orientation")
    histograms = cell_histograms(ramp(degrees), params)
    middle = histograms[2, 2]  # a cell away from the zero-gradient edge
    magnitude = 2 * 0.004  # centred difference of the ramp, per pixel
    expected = np.zeros(9)
    for index, share in expected_shares.items():
        expected[index] = share * magnitude * 64
    np.testing.assert_allclose(middle, expected, rtol=1e-3, atol=1e-6)
    # Without interpolation the whole vote goes to the bin holding the angle
    # (on a bin edge, rounding decides pixel by pixel).
    if degrees % 20 == 0:
        return
    plain = cell_histograms(ramp(degrees), HOGParameters(transform_sqrt=False))[2, 2]
    assert np.count_nonzero(plain) == 1
    assert plain[int(degrees // 20)] == pytest.approx(magnitude * 64, rel=1e-3)


def test_trilinear_grid_against_a_pixel_by_pixel_reference():
    # A small random image; the reference loops over every pixel, block and
    # cell slot, weighting each pixel's two orientation votes by the weights
    # of the half-cell it lies in.
    from hogdet.blocks import block_weights

    rng = np.random.default_rng(3)
    image = rng.random((40, 32)).astype(np.float32)
    params = HOGParameters(interpolation="trilinear", transform_sqrt=False, block_norm="L2")
    grid = hog_grid(image, params)
    row_weights, col_weights = block_weights(params)

    grad_rows = np.zeros_like(image, dtype=np.float64)
    grad_cols = np.zeros_like(image, dtype=np.float64)
    grad_rows[1:-1] = image[2:].astype(np.float64) - image[:-2]
    grad_cols[:, 1:-1] = image[:, 2:].astype(np.float64) - image[:, :-2]
    magnitude = np.hypot(grad_rows, grad_cols)
    position = (np.rad2deg(np.arctan2(grad_rows, grad_cols)) % 180) / 20 - 0.5
    lower = np.floor(position)
    share = position - lower
    lower = lower.astype(int) % 9
    upper = (lower + 1) % 9

    expected = np.zeros((4, 3, 2, 2, 9))
    for block_row in range(4):
        for block_col in range(3):
            for dy in range(16):
                for dx in range(16):
                    y, x = 8 * block_row + dy, 8 * block_col + dx
                    for slot_row in range(2):
                        for slot_col in range(2):
                            weight = row_weights[slot_row, dy // 4] * col_weights[slot_col, dx // 4]
                            votes = expected[block_row, block_col, slot_row, slot_col]
                            votes[lower[y, x]] += weight * magnitude[y, x] * (1 - share[y, x])
                            votes[upper[y, x]] += weight * magnitude[y, x] * share[y, x]
    expected = expected.reshape(4, 3, 36)
    expected /= np.sqrt((expected**2).sum(axis=2, keepdims=True) + 1e-10)
    np.testing.assert_allclose(grid, expected, atol=1e-4)


@pytest.mark.parametrize("interpolation", ["none", "orientation", "trilinear"])
@pytest.mark.parametrize("colour", [False, True])
def test_compiled_histograms_equal_the_numpy_path(astronaut, camera, interpolation, colour):
    # The numba kernel against the numpy implementation it replaces (kept
    # for machines without numba). Nearest-bin voting decides bins exactly
    # as the reference, so it is equal; linear voting computes the angle
    # with a float32 polynomial, equal to float32 rounding.
    from hogdet._hog_kernels import KERNELS_AVAILABLE
    from hogdet.features import _numpy_cell_histograms, cell_histograms, histogram_cell_size, image_planes

    if not KERNELS_AVAILABLE:
        pytest.skip("numba is not installed")
    image = (astronaut if colour else camera)[3:300, 5:251]
    params = HOGParameters(interpolation=interpolation)
    cell_size = histogram_cell_size(params)
    compiled = cell_histograms(image, params, cell_size=cell_size)
    numpy_path = _numpy_cell_histograms(np.sqrt(image_planes(image)), params, cell_size)
    assert compiled.shape == numpy_path.shape
    if interpolation == "none":
        np.testing.assert_array_equal(compiled, numpy_path)
    else:
        np.testing.assert_allclose(compiled, numpy_path, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("block_norm", ["L2-Hys", "L2", "L1-sqrt"])
@pytest.mark.parametrize("block_sigma", [0.5, 0.0])
def test_compiled_trilinear_blocks_equal_the_numpy_path(astronaut, block_norm, block_sigma):
    from hogdet._hog_kernels import KERNELS_AVAILABLE
    from hogdet.blocks import _normalise, _trilinear_blocks
    from hogdet.features import blocks_from_histograms, histogram_grid

    if not KERNELS_AVAILABLE:
        pytest.skip("numba is not installed")
    params = HOGParameters(interpolation="trilinear", block_norm=block_norm, block_sigma=block_sigma)
    histograms = histogram_grid(astronaut[:250, :190], params)
    expected = _normalise(_trilinear_blocks(histograms, params), block_norm)
    np.testing.assert_allclose(blocks_from_histograms(histograms, params), expected, rtol=1e-5, atol=1e-6)


def test_numpy_fallback_still_equals_skimage(astronaut, monkeypatch):
    # Without numba the numpy path runs; it must stay the reference definition.
    import hogdet.features as features

    monkeypatch.setattr(features, "KERNELS_AVAILABLE", False)
    crop = astronaut[7:307, 11:448]
    params = HOGParameters()
    np.testing.assert_allclose(hog_grid(crop, params).ravel(), reference(crop, params), rtol=1e-4, atol=2e-5)
