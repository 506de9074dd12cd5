"""The run folder: the lock, resuming from corrupt files, the in-memory mode, the CLI's strategies.

These run on a small synthetic data set (made here, in seconds), not on the benchmark.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import csv_rows

from hogdet.cli import main
from hogdet.datasets import load_dataset, make_synthetic
from hogdet.detection import ScanParameters
from hogdet.errors import RunFolderError
from hogdet.mining import MiningCallback, MiningOptions, mine
from hogdet.mining.run_folder import LOCK_NAME, load_samples
from hogdet.mining.strategies import HardNegative
from hogdet.model import load_model

FAST = MiningOptions(rounds=2, negatives_per_image=5, scan=ScanParameters(scale_step=1.3, padding=16))
FAST_FLAGS = ["--preset", "dalal-triggs", "--neg-per-image", "5", "--scale-step", "1.3", "--padding", "16", "--n-jobs", "1"]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A few synthetic crops, backgrounds and annotated photographs."""
    return make_synthetic(
        tmp_path_factory.mktemp("synthetic") / "data", n_people=15, n_backgrounds=3, seed=0,
        n_test_people=1, n_test_backgrounds=1, n_photos=3, n_test_photos=1,
    )


@pytest.fixture(scope="module")
def dataset(synthetic):
    return load_dataset(synthetic)


class Recorder(MiningCallback):
    def __init__(self, stop_at=None):
        self.started, self.records, self.stop_at = [], [], stop_at

    def round_started(self, round_index):
        self.started.append(round_index)
        if round_index == self.stop_at:
            raise KeyboardInterrupt

    def round_finished(self, record):
        self.records.append(record)


@pytest.fixture(scope="module")
def folder_run(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "reference"
    return out, mine(dataset, out, FAST, HardNegative(max_per_image=10), n_jobs=1)


def snapshot(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def interrupted_run(dataset, out):
    """A run stopped as round 2 starts: rounds 0 and 1 are on disk."""
    with pytest.raises(KeyboardInterrupt):
        mine(dataset, out, FAST, HardNegative(max_per_image=10), n_jobs=1, callbacks=[Recorder(stop_at=2)])
    return out


def cli(*arguments):
    return CliRunner().invoke(main, [str(argument) for argument in arguments])


# --------------------------------------------------------------------------
# In memory
# --------------------------------------------------------------------------


def test_in_memory_run_writes_nothing_and_reports_every_round(dataset, folder_run, tmp_path, monkeypatch):
    out, reference = folder_run
    monkeypatch.chdir(tmp_path)
    recorder = Recorder()
    result = mine(dataset, None, FAST, HardNegative(max_per_image=10), n_jobs=1, callbacks=[recorder])
    assert list(tmp_path.iterdir()) == [] and result.out_dir is None
    assert recorder.started == [1, 2]
    assert [record.row["round"] for record in recorder.records] == [0, 1, 2]
    np.testing.assert_allclose(result.detector.weights, reference.detector.weights, rtol=1e-5, atol=1e-7)
    # Independent check of what round 1 added: round 0's model calls each of
    # them "person" (p > 0.5), and each is background.
    round_zero, added = recorder.records[0].detector, recorder.records[1].added
    assert len(added) > 0 and np.all(added.labels == 0)
    probabilities = round_zero.probability(round_zero.decision_function(added.features))
    assert np.all(probabilities > 0.5)
    np.testing.assert_allclose(probabilities, added.probabilities, atol=1e-5)
    # The folder run mined the same windows.
    mined = [row for row in csv_rows(out / "hard_negatives.csv") if row["round"] == "1"]
    assert [row["image"] for row in mined] == added.keys["image"].tolist()
    assert len(result.pool) == int(csv_rows(out / "metrics.csv")[-1]["training_set_size"])


# --------------------------------------------------------------------------
# The lock
# --------------------------------------------------------------------------


def write_lock(folder, pid, host=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LOCK_NAME).write_text(json.dumps({"pid": pid, "host": host or socket.gethostname()}))


def test_a_folder_another_live_run_is_writing_is_refused(dataset, tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        write_lock(tmp_path / "run", other.pid)
        before = snapshot(tmp_path / "run")
        with pytest.raises(RunFolderError, match=f"another run \\(process {other.pid}") as raised:
            mine(dataset, tmp_path / "run", FAST, n_jobs=1)
        assert isinstance(raised.value, OSError)
        with pytest.raises(RunFolderError, match="another run"):
            mine(dataset, tmp_path / "run", FAST, n_jobs=1, resume=True)
        assert snapshot(tmp_path / "run") == before
    finally:
        other.kill()
        other.wait()


def test_a_lock_from_another_host_is_respected(dataset, tmp_path):
    write_lock(tmp_path / "run", 1, host="some-other-machine.invalid")
    with pytest.raises(RunFolderError, match="some-other-machine.invalid"):
        mine(dataset, tmp_path / "run", FAST, n_jobs=1)


@pytest.mark.parametrize("garbled", [False, True])
def test_a_stale_lock_is_taken_over_and_released(dataset, folder_run, tmp_path, garbled):
    _, reference = folder_run
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its PID now names no process
    write_lock(tmp_path / "run", gone.pid)
    if garbled:
        (tmp_path / "run" / LOCK_NAME).write_text('{"pid": ')  # a writer killed mid-write
    result = mine(dataset, tmp_path / "run", FAST, HardNegative(max_per_image=10), n_jobs=1)
    assert not (tmp_path / "run" / LOCK_NAME).exists()
    np.testing.assert_allclose(result.detector.weights, reference.detector.weights, rtol=1e-5, atol=1e-7)


def test_second_command_into_a_running_folder_is_refused_then_killed_run_resumes(synthetic, folder_run, tmp_path):
    # Two real processes: the second `hogdet mine` is refused while the first
    # writes; after the first is SIGKILLed its lock is stale and --resume works.
    _, reference = folder_run
    command = [sys.executable, "-m", "hogdet.cli", "mine", "--data", str(synthetic), "--rounds", "2",
               "--out", str(tmp_path / "run"), "--max-per-image", "10", *FAST_FLAGS]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not (tmp_path / "run" / "round-0.npz").exists() and time.time() < deadline and first.poll() is None:
            time.sleep(0.05)
        # Paused, not ended: the first run still holds the folder while the second tries it.
        first.send_signal(signal.SIGSTOP)
        second = subprocess.run(command + ["--resume"], capture_output=True, text=True)
        assert first.poll() is None, "the first run finished before the second could be refused"
        assert second.returncode == 1, second.stderr
        assert "another run" in second.stderr and "Traceback" not in second.stderr
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait()
    resumed = subprocess.run(command + ["--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert not (tmp_path / "run" / LOCK_NAME).exists()
    final = load_model(tmp_path / "run" / "model.npz")
    np.testing.assert_allclose(final.weights, reference.detector.weights, rtol=1e-5, atol=1e-7)


# --------------------------------------------------------------------------
# Resuming from corrupt files
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["round-1.npz", "round-1-samples.npz", "metrics.csv"])
def test_resume_from_a_corrupt_file_names_it_and_changes_nothing(dataset, tmp_path, name):
    out = interrupted_run(dataset, tmp_path / "run")
    target = out / name
    target.write_bytes(target.read_bytes()[: len(target.read_bytes()) // 2] if name != "metrics.csv" else b"round\nx\n")
    before = snapshot(out)
    with pytest.raises(RunFolderError, match=name.replace(".", r"\.")):
        mine(dataset, out, FAST, HardNegative(max_per_image=10), n_jobs=1, resume=True)
    assert snapshot(out) == before


def test_cli_resume_from_a_corrupt_samples_file_is_a_one_line_error(synthetic, dataset, tmp_path):
    out = interrupted_run(dataset, tmp_path / "run")
    (out / "round-1-samples.npz").write_bytes(b"not a zip file")
    before = snapshot(out)
    result = cli("mine", "--data", synthetic, "--rounds", "2", "--out", out, "--max-per-image", "10", "--resume",
                 *FAST_FLAGS)
    assert result.exit_code == 1
    assert "round-1-samples.npz" in result.output and "Traceback" not in result.output
    assert snapshot(out) == before


def test_samples_written_before_keys_were_typed_still_load(tmp_path):
    path = tmp_path / "round-1-samples.npz"
    np.savez(path, features=np.ones((3, 3), np.float32), labels=np.array([0, 1, 1], np.int8),
             keys=np.array(["Train/neg/a.png|3|4|5", "Train/pos/b.png|person-2|10.0,20.5,42.0,84.5",
                            "Train/pos/b.png|1|2|3"]),
             ious=np.array([0.0, 0.7, 0.6]),
             groups=np.array(["Train/neg/a.png", "Train/pos/b.png#person-2", "Train/pos/b.png#person-4"]))
    windows = load_samples(path, 1)
    assert windows.keys.tolist() == [("Train/neg/a.png", 3, 4, 5, "scan", -1),
                                     ("Train/pos/b.png", -1, 205, 100, "person", 2),
                                     ("Train/pos/b.png", 1, 2, 3, "scan", 4)]
    assert windows.groups().tolist() == ["Train/neg/a.png", "Train/pos/b.png#person-2", "Train/pos/b.png#person-4"]
    assert windows.rounds.tolist() == [1, 1, 1] and windows.ious.tolist() == [0.0, 0.7, 0.6]


# --------------------------------------------------------------------------
# The command line's strategies
# --------------------------------------------------------------------------


def box_iou_by_hand(box, other):
    width = max(0.0, min(box[2], other[2]) - max(box[0], other[0]))
    height = max(0.0, min(box[3], other[3]) - max(box[1], other[1]))
    inter = width * height
    area = lambda b: (b[2] - b[0]) * (b[3] - b[1])  # noqa: E731
    return inter / (area(box) + area(other) - inter)


def test_cli_prime_adds_people_as_the_library_default_does(synthetic, dataset, tmp_path):
    result = cli("mine", "--data", synthetic, "--rounds", "1", "--out", tmp_path / "prime", "--strategy", "prime",
                 *FAST_FLAGS)
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "prime" / "config.json").read_text())
    assert config["strategy"]["scan_positive_images"] is True
    people = [row for row in csv_rows(tmp_path / "prime" / "hard_negatives.csv") if row["label"] == "1"]
    assert people, "prime from the command line added no people"
    for row in people:
        box = [float(row[key]) for key in ("x1", "y1", "x2", "y2")]
        truths = dataset.annotation(dataset.root / row["image"]).boxes
        assert max(box_iou_by_hand(box, truth) for truth in truths) >= 0.5


def test_cli_can_still_turn_positive_images_off_for_prime(synthetic, tmp_path):
    result = cli("mine", "--data", synthetic, "--rounds", "1", "--out", tmp_path / "prime", "--strategy", "prime",
                 "--no-mine-positive-images", *FAST_FLAGS)
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "prime" / "config.json").read_text())
    assert config["strategy"]["scan_positive_images"] is False
    assert all(row["label"] == "0" for row in csv_rows(tmp_path / "prime" / "hard_negatives.csv"))


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--strategy", "ohem", "--gamma", "3"], "--gamma: not an option of --strategy ohem"),
        (["--strategy", "focal", "--gamma", "-1"], "--gamma must be >= 0"),
        (["--strategy", "uncertain", "--band", "0.7"], "--band must be"),
        (["--strategy", "hard-example", "--jitter-copies", "0"], "--jitter-copies must be at least 1"),
        (["--rounds", "0"], "--rounds must be at least 1"),
        (["--strategy", "nonsense"], "--strategy 'nonsense' is not a strategy"),
    ],
)
def test_cli_names_flags_for_library_parameters(synthetic, tmp_path, arguments, message):
    result = cli("mine", "--data", synthetic, "--out", tmp_path / "run", *arguments)
    assert result.exit_code in (1, 2)
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "run").exists()


def test_cli_refuses_a_non_empty_folder_and_says_how_to_continue(synthetic, tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    result = cli("mine", "--data", synthetic, "--out", tmp_path / "run", *FAST_FLAGS)
    assert result.exit_code == 1 and "--resume" in result.output and "not empty" in result.output
    assert sorted(os.listdir(tmp_path / "run")) == ["notes.txt"]


def test_cli_compare_refuses_an_option_no_listed_strategy_takes(synthetic, tmp_path):
    result = cli("compare", "--data", synthetic, "--strategies", "ohem,hard-negative", "--out", tmp_path / "out",
                 "--gamma", "3", *FAST_FLAGS)
    assert result.exit_code == 2
    assert "--gamma: not an option of any of --strategies" in result.output
    assert not (tmp_path / "out").exists()


def test_in_memory_pool_keeps_the_weights_of_the_last_retraining(dataset):
    from hogdet.mining.rules import focal_weights
    from hogdet.mining.strategies import Focal

    recorder = Recorder()
    result = mine(dataset, None, FAST, Focal(max_per_image=10, gamma=2.0), n_jobs=1, callbacks=[recorder])
    last = recorder.records[-1]
    assert last.row["round"] == 2 and len(last.added) > 0
    # Round 2 retrained with focal weights under round 1's model.
    previous = recorder.records[1].detector
    probabilities = previous.probability(previous.decision_function(result.pool.features))
    np.testing.assert_allclose(result.pool.weights, focal_weights(result.pool.labels, probabilities, 2.0))
    assert np.ptp(result.pool.weights) > 0
