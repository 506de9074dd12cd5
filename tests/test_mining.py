"""The mining loop: what it adds, resuming, determinism, Dask, bad input."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import csv_rows

from hogdet.datasets import load_dataset
from hogdet.detection import ScanParameters, scan_image
from hogdet.errors import HogdetError, ParameterError
from hogdet.io import read_image
from hogdet.mining import MiningCallback, MiningOptions, mine, scan_images
from hogdet.model import load_model
from hogdet.strategies import HardNegative

# A coarse pyramid keeps these runs to seconds; the loop is the same.
FAST = MiningOptions(rounds=2, negatives_per_image=5, scan=ScanParameters(scale_step=1.3, padding=16))


@pytest.fixture(scope="module")
def dataset(small_dataset):
    return small_dataset


@pytest.fixture(scope="module")
def reference_run(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "reference"
    result = mine(dataset, out, FAST, HardNegative(max_per_image=10), n_jobs=1)
    return out, result


pytestmark = pytest.mark.slow


def test_run_folder_holds_everything(reference_run):
    out, result = reference_run
    names = {path.name for path in out.iterdir()}
    assert {"config.json", "metrics.csv", "hard_negatives.csv", "mining.png", "model.npz", "round-0.npz"} <= names
    metrics = csv_rows(out / "metrics.csv")
    assert [int(row["round"]) for row in metrics] == list(range(len(metrics)))
    for row in metrics:
        assert f"round-{row['round']}.npz" in names
    config = json.loads((out / "config.json").read_text())
    assert config["seed"] == 0 and config["rounds"] == 2 and len(config["data_fingerprint"]) == 64
    assert "scikit-learn" in config["versions"]
    # Training-set size grows by exactly what each round added.
    sizes = [int(row["training_set_size"]) for row in metrics]
    added = [int(row["samples_added"]) for row in metrics]
    assert all(sizes[k] == sizes[k - 1] + added[k] for k in range(1, len(metrics)))
    mined = csv_rows(out / "hard_negatives.csv")
    assert len(mined) == sum(added)


def test_mined_windows_really_are_false_positives_of_the_previous_model(reference_run, dataset):
    # Independent check: rescan one mined image with round 0's model and
    # find each mined box among its windows called "person" (p > 0.5).
    out, _ = reference_run
    mined = [row for row in csv_rows(out / "hard_negatives.csv") if row["round"] == "1"]
    assert mined, "round 1 found no hard negatives on real images"
    detector = load_model(out / "round-0.npz")
    image_name = mined[0]["image"]
    found, _, _ = scan_image(read_image(dataset.root / image_name), detector, FAST.scan, min_score=-np.inf)
    for row in (row for row in mined if row["image"] == image_name):
        box = np.array([float(row[key]) for key in ("x1", "y1", "x2", "y2")])
        match = np.flatnonzero(np.all(np.abs(found.boxes - box) < 0.06, axis=1))
        assert match.size >= 1
        assert found.probabilities[match[0]] > 0.5
        assert float(row["probability"]) == pytest.approx(found.probabilities[match[0]], abs=1e-4)
    per_image = {}
    for row in mined:
        per_image[row["image"]] = per_image.get(row["image"], 0) + 1
    assert max(per_image.values()) <= 10  # --max-per-image


def test_same_result_with_two_workers(reference_run, dataset, tmp_path):
    out, reference = reference_run
    result = mine(dataset, tmp_path / "two", FAST, HardNegative(max_per_image=10), n_jobs=2)
    assert csv_rows(tmp_path / "two" / "hard_negatives.csv") == csv_rows(out / "hard_negatives.csv")
    np.testing.assert_allclose(result.detector.weights, reference.detector.weights, rtol=1e-5, atol=1e-7)


def test_interrupted_run_resumes_to_the_same_model(reference_run, dataset, tmp_path):
    out, reference = reference_run

    class DieInRoundTwo(MiningCallback):
        def round_started(self, round_index):
            if round_index == 2:  # killed as round 2 starts scanning
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        mine(dataset, tmp_path / "run", FAST, HardNegative(max_per_image=10), n_jobs=1, callbacks=[DieInRoundTwo()])
    assert [row["round"] for row in csv_rows(tmp_path / "run" / "metrics.csv")] == ["0", "1"]
    assert not (tmp_path / "run" / "model.npz").exists()
    assert not (tmp_path / "run" / ".hogdet-lock").exists()  # released on the way out

    with pytest.raises(HogdetError, match="not empty"):
        mine(dataset, tmp_path / "run", FAST, HardNegative(max_per_image=10), n_jobs=1)
    lines = []
    result = mine(dataset, tmp_path / "run", FAST, HardNegative(max_per_image=10), n_jobs=1, resume=True, log=lines.append)
    assert any("resuming" in line for line in lines)
    np.testing.assert_allclose(result.detector.weights, reference.detector.weights, rtol=1e-5, atol=1e-7)
    assert csv_rows(tmp_path / "run" / "hard_negatives.csv") == csv_rows(out / "hard_negatives.csv")


def test_killed_process_resumes(small_data, reference_run, tmp_path):
    # A real kill: SIGKILL the command once round 0 is on disk, then --resume.
    out, reference = reference_run
    command = [
        sys.executable, "-m", "hogdet.cli", "mine", "--data", str(small_data), "--rounds", "2", "--preset", "dalal-triggs",
        "--out", str(tmp_path / "run"), "--n-jobs", "1", "--max-per-image", "10", "--neg-per-image", "5",
        "--scale-step", "1.3", "--padding", "16",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (tmp_path / "run" / "round-0.npz").exists() and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = subprocess.run(command + ["--resume"], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    resumed = load_model(tmp_path / "run" / "model.npz")
    np.testing.assert_allclose(resumed.weights, reference.detector.weights, rtol=1e-5, atol=1e-7)
    leftovers = [path.name for path in (tmp_path / "run").iterdir() if path.name.startswith(".")]
    assert len(leftovers) <= 1  # at most the temporary file the kill interrupted


def test_dask_cluster_finds_the_same_hard_negatives(reference_run, dataset):
    distributed = pytest.importorskip("distributed")
    out, _ = reference_run
    detector = load_model(out / "round-0.npz")
    items = [(str(path), path.name, None) for path in dataset.train_negative_images]
    local = scan_images(items, detector, HardNegative(max_per_image=10), FAST.scan, n_jobs=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster):
            remote = scan_images(items, detector, HardNegative(max_per_image=10), FAST.scan, n_jobs=2, backend="dask")
        assert len(local.windows) > 0
        np.testing.assert_array_equal(remote.windows.keys, local.windows.keys)
        np.testing.assert_array_equal(remote.windows.features, local.windows.features)


def test_dask_backend_through_mine(dataset, reference_run, tmp_path):
    distributed = pytest.importorskip("distributed")
    out, reference = reference_run
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = mine(
            dataset, tmp_path / "dask", FAST, HardNegative(max_per_image=10),
            backend="dask", scheduler=cluster.scheduler_address,
        )
    assert csv_rows(tmp_path / "dask" / "hard_negatives.csv") == csv_rows(out / "hard_negatives.csv")
    np.testing.assert_allclose(result.detector.weights, reference.detector.weights, rtol=1e-5, atol=1e-7)


def test_unreadable_negative_is_skipped_and_counted(small_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(small_data, data, symlinks=True)
    (data / "Train" / "neg" / "broken.jpg").write_text("this is not a jpeg")
    lines = []
    result = mine(load_dataset(data), tmp_path / "run", MiningOptions(rounds=1, negatives_per_image=5,
                  scan=FAST.scan), HardNegative(max_per_image=10), n_jobs=1, log=lines.append)
    assert any("broken.jpg" in line and "warning" in line for line in lines)
    assert int(result.metrics[1]["images_skipped"]) == 1
    readable = len(load_dataset(small_data).train_negative_images)
    assert int(result.metrics[1]["images_scanned"]) == readable


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: MiningOptions(rounds=0), "^rounds "),
        (lambda: MiningOptions(negatives_per_image=0), "^negatives_per_image "),
        (lambda: HardNegative(threshold=1.0), "^threshold "),
        (lambda: HardNegative(threshold=0.0), "^threshold "),
        (lambda: HardNegative(max_per_image=0), "^max_per_image "),
    ],
)
def test_bad_options_fail_before_any_work(make, message):
    # The library names its parameters (the command line names flags).
    with pytest.raises(ParameterError, match=message) as raised:
        make()
    assert isinstance(raised.value, ValueError)


def test_empty_negative_folder_fails_before_any_work(small_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(small_data, data, symlinks=True)
    for path in (data / "Train" / "neg").iterdir():
        path.unlink()
    with pytest.raises(HogdetError, match="person-free"):
        mine(load_dataset(data), tmp_path / "run", FAST)
    assert not (tmp_path / "run").exists()


def test_mining_does_its_job_on_the_synthetic_set(reference_run, dataset):
    # The synthetic backgrounds carry person-like clutter: round 0 calls many windows "person", mining
    # removes most of them, and the mined model finds the drawn people better than round 0 does.
    from hogdet.evaluation import HogdetScorer, evaluate

    out, result = reference_run
    assert "synthetic" in (dataset.root / "SYNTHETIC.json").read_text()
    rows = csv_rows(out / "metrics.csv")
    per_image = [float(row["false_positives_per_image"]) for row in rows]
    assert per_image[1] > 1.0, "round 0 should make many false positives on the synthetic backgrounds"
    assert per_image[2] < per_image[1]
    before = evaluate(HogdetScorer(load_model(out / "round-0.npz")), dataset, FAST.scan, n_jobs=1)
    after = evaluate(HogdetScorer(result.detector), dataset, FAST.scan, n_jobs=1)
    assert after.ap > before.ap
