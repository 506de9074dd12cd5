"""HOG parameters: Dalal & Triggs' defaults, validation naming the parameter, JSON."""

import pytest

from hogdet.errors import HogdetError, ParameterError
from hogdet.hog_parameters import HOGParameters


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
    "bad, parameter",
    [
        (dict(window_size=(130, 64)), "window_size"),
        (dict(window_size=(8, 8)), "window_size"),
        (dict(block_norm="L3"), "block_norm"),
        (dict(orientations=0), "orientations"),
        (dict(cells_per_block=(0, 2)), "cells_per_block"),
        (dict(pixels_per_cell=(0, 8)), "pixels_per_cell"),
        (dict(pixels_per_cell=(7, 8), window_size=(126, 64), interpolation="trilinear"), "pixels_per_cell"),
        (dict(margin=(64, 0)), "margin"),
        (dict(margin=(1, 2, 3)), "margin"),
        (dict(block_sigma=-0.1), "block_sigma"),
        (dict(scale_exponent=float("nan")), "scale_exponent"),
        (dict(interpolation="cubic"), "interpolation"),
    ],
)
def test_bad_parameters_are_value_errors_naming_them(bad, parameter):
    with pytest.raises(ParameterError, match=f"^{parameter} ") as raised:
        HOGParameters(**bad)
    assert raised.value.parameter == parameter
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, HogdetError)


def test_parameters_round_trip_through_json():
    import json

    params = HOGParameters(orientations=12, margin=(16, 4))
    assert HOGParameters.from_dict(json.loads(params.to_json())) == params


def test_old_import_path_is_the_same_class():
    import hogdet.features

    assert hogdet.features.HOGParameters is HOGParameters
