"""The command line: help, train, detect, evaluate, and every bad input a user may try."""

import json
import pickle

import numpy as np
import pytest
from click.testing import CliRunner
from skimage import io as skio

from hogdet import __version__
from hogdet.cli import main

COMMANDS = [[], ["train"], ["detect"], ["mine"], ["evaluate"], ["compare"], ["data"], ["data", "check"], ["data", "fetch"]]


def run(*arguments, **kwargs):
    return CliRunner().invoke(main, [str(argument) for argument in arguments], catch_exceptions=False, **kwargs)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "hogdet")
def test_every_command_has_help_with_an_example(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and "hogdet" in result.output


def test_version():
    assert __version__ in run("--version").output


@pytest.fixture(scope="module")
def model(small_data, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.npz"
    result = run("train", "--data", small_data, "--out", path, "--neg-per-image", "5", "--n-jobs", "1")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def photo(small_data):
    return skio.imread(sorted((small_data / "Test" / "pos").iterdir())[0])


pytestmark = pytest.mark.slow


def test_detect_json_schema(model, small_data, tmp_path):
    image = sorted((small_data / "Test" / "pos").iterdir())[0]
    result = run("detect", model, image, "--json", "--threshold", "0.3", "--out", tmp_path / "drawn")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.strip().splitlines()[0])
    assert record["image"] == str(image)
    for detection in record["detections"]:
        assert set(detection) == {"box", "score", "probability"}
        x1, y1, x2, y2 = detection["box"]
        assert x2 > x1 and y2 > y1 and 0.3 < detection["probability"] <= 1
    assert (tmp_path / "drawn" / f"{image.stem}.png").is_file()


def write_bad_images(folder, photo):
    skio.imsave(folder / "good.png", photo)
    data = (folder / "good.png").read_bytes()
    (folder / "truncated.png").write_bytes(data[: len(data) // 3])
    (folder / "text.png").write_text("this is a text file, not a PNG\n")
    skio.imsave(folder / "one-pixel.png", np.zeros((1, 1, 3), np.uint8), check_contrast=False)
    skio.imsave(folder / "long.png", np.full((10, 10000), 128, np.uint8), check_contrast=False)
    skio.imsave(folder / "rgba.png", np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)]))
    skio.imsave(folder / "sixteen.png", photo[:, :, 0].astype(np.uint16) * 257, check_contrast=False)


def test_detect_bad_and_odd_images(model, photo, tmp_path):
    write_bad_images(tmp_path, photo)
    for name in ("truncated.png", "text.png"):
        result = run("detect", model, tmp_path / name)
        assert result.exit_code == 1
        assert name in result.output and "Traceback" not in result.output
    for name in ("one-pixel.png", "long.png"):
        result = run("detect", model, tmp_path / name, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["detections"] == []
    # RGBA and 16-bit versions of the same photograph find the same people.
    outputs = {}
    for name in ("good.png", "rgba.png"):
        result = run("detect", model, tmp_path / name, "--json", "--threshold", "0.3")
        assert result.exit_code == 0, result.output
        outputs[name] = [d["box"] for d in json.loads(result.output)["detections"]]
    assert outputs["good.png"] == outputs["rgba.png"]
    assert run("detect", model, tmp_path / "sixteen.png", "--json").exit_code == 0


@pytest.mark.parametrize("kind", ["pickle", "image", "empty"])
def test_model_that_is_not_a_model(kind, photo, tmp_path):
    path = tmp_path / "model.npz"
    if kind == "pickle":
        path.write_bytes(pickle.dumps({"weights": np.zeros(3)}))
    elif kind == "image":
        skio.imsave(tmp_path / "x.png", photo)
        (tmp_path / "x.png").rename(path)
    else:
        path.write_bytes(b"")
    skio.imsave(tmp_path / "good.png", photo)
    result = run("detect", path, tmp_path / "good.png")
    assert result.exit_code == 1
    assert "not a hogdet model" in result.output and "Traceback" not in result.output


def test_empty_data_folder_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.delenv("HOGDET_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    for command in (["train", "--out", "m.npz", "--data"], ["mine", "--out", "run", "--data"], ["data", "check"]):
        result = run(*command, "empty")
        assert result.exit_code == 1
        assert "empty" in result.output and "data/INRIAPerson" in result.output
        assert "hogdet data fetch" in result.output and "--data synthetic" in result.output
        assert "--data empty (empty folder)" in result.output and "data=" not in result.output


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--rounds", "0"], "--rounds"),
        (["--threshold", "1.5"], "--threshold"),
        (["--threshold", "0"], "--threshold"),
        (["--n-jobs", "0"], "--n-jobs"),
        (["--strategy", "nonsense"], "unknown strategy"),
        (["--backend", "dask"], "--scheduler"),
    ],
)
def test_mine_refuses_bad_options_before_work(arguments, message, small_data, tmp_path):
    result = run("mine", "--data", small_data, "--out", tmp_path / "run", *arguments)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "run").exists()


def test_mine_refuses_a_non_empty_folder_without_resume(small_data, tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    result = run("mine", "--data", small_data, "--out", tmp_path / "run")
    assert result.exit_code == 1 and "--resume" in result.output


def test_evaluate_writes_metrics_and_plots(model, small_data, tmp_path):
    result = run("evaluate", model, "--data", small_data, "--out", tmp_path / "eval", "--json", "--scale-step", "1.2",
                 "--n-jobs", "1")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    metrics = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    for key in ("lamr", "mr_at_1e-4_fppw", "ap"):
        assert 0 <= metrics[key] <= 1 and summary[key] == metrics[key]
    assert (tmp_path / "eval" / "det_fppw.png").is_file() and (tmp_path / "eval" / "det_fppi.png").is_file()


def test_data_synthetic_is_generated_into_the_cache_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("HOGDET_CACHE", str(tmp_path / "cache"))
    first = run("data", "check", "synthetic")
    assert first.exit_code == 0, first.output
    folders = list((tmp_path / "cache").iterdir())
    assert [folder.name for folder in folders] == ["synthetic-demo-v1-seed0"]
    marker = folders[0] / "SYNTHETIC.json"
    stamp = marker.stat().st_mtime_ns
    again = run("data", "check", "synthetic")
    assert again.exit_code == 0 and marker.stat().st_mtime_ns == stamp  # reused, not rewritten
    assert again.output == first.output


def test_resume_with_other_data_is_refused(small_data, tmp_path, monkeypatch):
    monkeypatch.setenv("HOGDET_CACHE", str(tmp_path / "cache"))
    fast = ("--rounds", "1", "--neg-per-image", "2", "--scale-step", "1.6", "--n-jobs", "1")
    made = run("mine", "--data", small_data, "--out", tmp_path / "run", *fast)
    assert made.exit_code == 0, made.output
    before = sorted((path.name, path.stat().st_mtime_ns) for path in (tmp_path / "run").iterdir())
    result = run("mine", "--data", "synthetic", "--out", tmp_path / "run", "--resume", *fast)
    assert result.exit_code == 1
    assert "cannot resume" in result.output and "data_fingerprint" in result.output
    assert "Traceback" not in result.output
    assert sorted((path.name, path.stat().st_mtime_ns) for path in (tmp_path / "run").iterdir()) == before


def test_detect_with_an_approximate_pyramid(model, small_data):
    image = sorted((small_data / "Test" / "pos").iterdir())[0]
    result = run("detect", model, image, "--json", "--threshold", "0.3", "--pyramid", "approximate")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[0])["image"] == str(image)
    refused = CliRunner().invoke(main, ["detect", str(model), str(image), "--pyramid", "fast"])
    assert refused.exit_code == 2 and "--pyramid" in refused.output


# --- detect: the bundled model, --model, folders, --n-jobs -------------------------------------------------
# These use a small hand-made model (random template) and crops of scikit-image's photographs, not the
# benchmark, so they run anywhere.


def random_detector(seed=0):
    from hogdet.model import Detector

    weights = np.random.default_rng(seed).normal(0.0, 0.02, 3780).astype(np.float32)
    return Detector.from_coefficients(weights, 0.0, platt_a=-1.0, platt_b=0.0)


@pytest.fixture()
def small_photos(tmp_path):
    from skimage import data

    folder = tmp_path / "photos"
    folder.mkdir()
    paths = []
    for index, (name, crop) in enumerate([("astronaut", (slice(0, 220), slice(100, 300))),
                                          ("coffee", (slice(0, 200), slice(0, 260))),
                                          ("chelsea", (slice(0, 240), slice(0, 200)))]):
        path = folder / f"{index}-{name}.png"
        skio.imsave(path, getattr(data, name)()[crop], check_contrast=False)
        paths.append(path)
    return paths


@pytest.fixture()
def bundled(tmp_path, monkeypatch):
    """A small model standing in for hogdet/models/default.npz."""
    import hogdet.modelfile

    path = tmp_path / "bundled" / "default.npz"
    path.parent.mkdir()
    random_detector().save(path)
    monkeypatch.setattr(hogdet.modelfile, "default_model_path", lambda: path)
    return path


def json_records(result):
    return [json.loads(line) for line in result.output.strip().splitlines()]


def test_detect_without_a_model_uses_the_bundled_one(bundled, small_photos, tmp_path):
    from hogdet import load_default_model
    from hogdet.detection import detect
    from hogdet.io import read_image

    image = small_photos[0]
    default = run("detect", image, "--json")
    assert default.exit_code == 0, default.output
    assert json_records(default) == json_records(run("detect", "--model", bundled, image, "--json"))
    assert json_records(default) == json_records(run("detect", bundled, image, "--json"))  # the older form
    other = tmp_path / "other.npz"
    random_detector(seed=1).save(other)
    assert json_records(run("detect", "--model", other, image, "--json")) != json_records(default)
    # The CLI reports what the library finds with the bundled model (and the CLI's approximate pyramid).
    from hogdet.detection import ScanParameters

    found = detect(read_image(image), load_default_model(), scan=ScanParameters(pyramid="approximate"))
    assert [d["box"] for d in json_records(default)[0]["detections"]] == [
        [round(float(v), 1) for v in box] for box in found.boxes
    ]
    assert len(found) > 0


def test_detect_bundled_model_missing_or_damaged(bundled, small_photos):
    bundled.unlink()
    result = run("detect", small_photos[0])
    assert result.exit_code == 1
    assert str(bundled) in result.output and "missing" in result.output
    assert len(result.output.strip().splitlines()) == 1
    bundled.write_bytes(b"not a zip file")
    result = run("detect", small_photos[0])
    assert result.exit_code == 1
    assert str(bundled) in result.output and "damaged" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_detect_folders_are_one_line_usage_errors(bundled, small_photos, tmp_path):
    folder = small_photos[0].parent
    result = run("detect", "--model", tmp_path, small_photos[0])
    assert result.exit_code == 2 and "--model" in result.output and "directory" in result.output
    assert "Traceback" not in result.output
    result = run("detect", small_photos[0], folder)
    assert result.exit_code == 2 and f"{folder} is a folder" in result.output
    result = run("detect", "--model", bundled, bundled, small_photos[0])
    assert result.exit_code == 2 and "two models" in result.output
    result = run("detect", bundled)
    assert result.exit_code == 2 and "at least one image" in result.output


def test_detect_n_jobs_keeps_input_order_and_results(bundled, small_photos):
    order = [small_photos[2], small_photos[0], small_photos[1], small_photos[0]]
    serial = run("detect", *order, "--json", "--n-jobs", "1")
    parallel = run("detect", *order, "--json", "--n-jobs", "2")
    assert serial.exit_code == 0 and parallel.exit_code == 0, parallel.output
    assert [record["image"] for record in json_records(parallel)] == [str(path) for path in order]
    assert json_records(parallel) == json_records(serial)


def test_detect_suppression_and_aspect_options(bundled, small_photos):
    image = small_photos[0]
    records = json_records(run("detect", image, "--json", "--aspect", "0.5", "--nms-measure", "iou"))
    boxes = np.array([d["box"] for d in records[0]["detections"]])
    np.testing.assert_allclose((boxes[:, 2] - boxes[:, 0]) / (boxes[:, 3] - boxes[:, 1]), 0.5, atol=0.01)
    loose = json_records(run("detect", image, "--json", "--nms-overlap", "1", "--nms-measure", "iou", "--nms-inside", "1"))
    assert len(loose[0]["detections"]) > len(records[0]["detections"])  # overlap 1, inside 1: nothing suppressed
    assert run("detect", image, "--nms-measure", "area").exit_code == 2
    assert run("detect", image, "--aspect", "0").exit_code == 2


def test_unknown_preset_lists_the_presets(small_data, tmp_path):
    result = run("mine", "--data", small_data, "--out", tmp_path / "run", "--preset", "fastest")
    assert result.exit_code == 2
    assert "--preset" in result.output and "'default'" in result.output and "'dalal-triggs'" in result.output
    assert not (tmp_path / "run").exists()


def test_explicit_option_wins_over_the_preset_and_both_are_recorded(small_data, tmp_path):
    from hogdet.recipes import PRESETS

    result = run("mine", "--data", small_data, "--out", tmp_path / "run", "--preset", "dalal-triggs", "--C", "0.1",
                 "--rounds", "1", "--neg-per-image", "2", "--scale-step", "1.6", "--n-jobs", "1")
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["recipe"] == {"preset": "dalal-triggs", "overridden": {"C": 0.1, "negatives_per_image": 2}}
    assert config["C"] == 0.1 and PRESETS["dalal-triggs"]["C"] != 0.1
    # The rest is the paper's recipe.
    assert config["hog"]["interpolation"] == "none" and config["strategy"]["name"] == "hard-negative"


def test_no_options_is_the_default_recipe(small_data, tmp_path):
    from hogdet.recipes import PRESETS

    result = run("train", "--data", small_data, "--out", tmp_path / "model.npz", "--n-jobs", "1")
    assert result.exit_code == 0, result.output
    from hogdet.model import load_model

    detector = load_model(tmp_path / "model.npz")
    default = PRESETS["default"]
    assert detector.C == default["C"]
    assert detector.hog.interpolation == default["hog_interpolation"] == "trilinear"
    assert detector.hog.block_sigma == default["hog_block_sigma"]
