"""Block assembly: trilinear spatial weights worked by hand, normalisation against scikit-image."""

import numpy as np
import pytest

from hogdet.blocks import block_weights, normalize_blocks
from hogdet.hog_parameters import HOGParameters


def test_trilinear_block_weights_by_hand():
    rows, cols = block_weights(HOGParameters(interpolation="trilinear"))
    # Half-cell centres in a 16-pixel block: 2, 6, 10, 14. Tent towards the
    # cell centre at 4: 1 - |x - 4| / 8 = .75, .75, .25, 0. Gaussian with
    # sigma 8 about 8: exp(-36/128) = .7548 at 2 and 14, exp(-4/128) = .9692.
    expected_first = [0.75 * 0.7548, 0.75 * 0.9692, 0.25 * 0.9692, 0.0]
    np.testing.assert_allclose(rows[0], expected_first, atol=1e-4)
    np.testing.assert_allclose(rows[1], expected_first[::-1], atol=1e-4)
    np.testing.assert_allclose(cols, rows)


def test_block_sigma_zero_leaves_the_tent_alone():
    # Without the Gaussian window the weights are the bilinear tent alone:
    # 1 - |x - 4| / 8 at half-cell centres 2, 6, 10, 14.
    rows, _ = block_weights(HOGParameters(interpolation="trilinear", block_sigma=0))
    np.testing.assert_allclose(rows[0], [0.75, 0.75, 0.25, 0.0])


@pytest.mark.parametrize("block_norm", ["L1", "L1-sqrt", "L2", "L2-Hys"])
def test_normalised_blocks_equal_skimage_blocks(block_norm):
    # Random cell histograms, grouped and normalised here and by
    # scikit-image's per-block routine (the reference definition).
    skimage_hog = pytest.importorskip("skimage.feature._hog")
    _hog_normalize_block = skimage_hog._hog_normalize_block
    rng = np.random.default_rng(1)
    histograms = rng.random((5, 4, 9)).astype(np.float32)
    params = HOGParameters(block_norm=block_norm)
    blocks = normalize_blocks(histograms, params)
    assert blocks.shape == (4, 3, 36)
    for row in range(4):
        for col in range(3):
            expected = _hog_normalize_block(histograms[row : row + 2, col : col + 2].astype(np.float64), block_norm)
            np.testing.assert_allclose(blocks[row, col], expected.ravel(), rtol=1e-5, atol=1e-6)
