"""Reading images: every format a user may hand over, and the bad ones."""

import numpy as np
import pytest
from skimage import io as skio

from hogdet.errors import ImageReadError
from hogdet.io import as_float_image, read_image


@pytest.fixture
def photo(astronaut):
    return (astronaut[:160, :96] * 255).round().astype(np.uint8)


def test_rgb_png_is_float_in_unit_range(tmp_path, photo):
    skio.imsave(tmp_path / "a.png", photo)
    image = read_image(tmp_path / "a.png")
    assert image.dtype == np.float32 and image.shape == (160, 96, 3)
    np.testing.assert_allclose(image, photo / 255.0, atol=1e-6)


def test_rgba_drops_alpha(tmp_path, photo):
    rgba = np.dstack([photo, np.full(photo.shape[:2], 128, np.uint8)])
    skio.imsave(tmp_path / "a.png", rgba)
    np.testing.assert_allclose(read_image(tmp_path / "a.png"), photo / 255.0, atol=1e-6)


def test_sixteen_bit_is_scaled_by_65535(tmp_path, photo):
    grey = photo[:, :, 0].astype(np.uint16) * 257
    skio.imsave(tmp_path / "a.png", grey, check_contrast=False)
    image = read_image(tmp_path / "a.png")
    assert image.shape == (160, 96)
    np.testing.assert_allclose(image, grey / 65535.0, atol=1e-6)


def test_grey_with_channel_axis_is_grey():
    assert as_float_image(np.zeros((5, 4, 1), np.uint8)).shape == (5, 4)


def test_truncated_png_names_the_file(tmp_path, photo):
    skio.imsave(tmp_path / "a.png", photo)
    data = (tmp_path / "a.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageReadError, match="cut.png"):
        read_image(tmp_path / "cut.png")


def test_text_file_named_png(tmp_path):
    (tmp_path / "notes.png").write_text("not an image\n")
    with pytest.raises(ImageReadError, match="notes.png"):
        read_image(tmp_path / "notes.png")


def test_missing_file(tmp_path):
    with pytest.raises(ImageReadError, match="no such image file"):
        read_image(tmp_path / "nope.jpg")


def test_odd_array_shapes_are_refused():
    with pytest.raises(ImageReadError):
        as_float_image(np.zeros((4, 4, 5), np.uint8))
    with pytest.raises(ImageReadError):
        as_float_image(np.zeros((0, 4), np.uint8))
