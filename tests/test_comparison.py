"""``compare_strategies`` end to end on a small real data set, and the strategies through the loop."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import csv_rows

from hogdet.boxes import standardize_aspect
from hogdet.detection import ScanParameters, box_iou
from hogdet.errors import HogdetError
from hogdet.evaluation import compare_strategies
from hogdet.mining import MiningOptions, _scan_items, mine, scan_images, train_round_zero
from hogdet.model import load_model
from hogdet.strategies import IoUBalanced, Prime

pytestmark = pytest.mark.slow

# A coarse pyramid keeps the run to seconds; the loop is the same.
FAST = MiningOptions(rounds=1, negatives_per_image=5, scan=ScanParameters(scale_step=1.3, padding=16))
STRATEGIES = ["hard-negative", "hard-example", "prime"]


@pytest.fixture(scope="module")
def dataset(small_dataset):
    return small_dataset


@pytest.fixture(scope="module")
def comparison(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("compare") / "run"
    lines = []
    evaluations = compare_strategies(
        dataset, STRATEGIES, out, FAST, {"max_per_image": 10}, n_jobs=1, log=lines.append
    )
    return out, evaluations, lines


def test_table_plot_and_one_run_folder_per_strategy(comparison):
    out, evaluations, _ = comparison
    assert [evaluation.name for evaluation in evaluations] == STRATEGIES
    for name in ("results.md", "results.csv", "det_fppw.png", "det_fppi.png", "comparison.json"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0
    table = csv_rows(out / "results.csv")
    assert [row["detector"] for row in table] == STRATEGIES
    for row, name in zip(table, STRATEGIES):
        assert {"LAMR", "MR at 1e-4 FPPW", "AP", "training-set size", "mining s", "training s"} <= set(row)
        metrics = csv_rows(out / name / "metrics.csv")
        assert int(row["training-set size"]) == int(metrics[-1]["training_set_size"])
        # The table sums the mining rounds' seconds (round 0 excluded), to 0.1 s.
        rounds = [r for r in metrics if int(r["round"]) > 0]
        assert float(row["mining s"]) == pytest.approx(round(sum(float(r["scan_seconds"]) for r in rounds), 1))
        assert float(row["training s"]) == pytest.approx(round(sum(float(r["train_seconds"]) for r in rounds), 1))
        assert (out / name / "model.npz").is_file() and (out / name / "evaluation" / "metrics.json").is_file()
    markdown = (out / "results.md").read_text()
    assert all(f"| {name} |" in markdown for name in STRATEGIES)


def test_every_strategy_starts_from_the_same_round_zero_model(comparison):
    out, _, _ = comparison
    first = load_model(out / STRATEGIES[0] / "round-0.npz")
    for name in STRATEGIES[1:]:
        other = load_model(out / name / "round-0.npz")
        np.testing.assert_array_equal(other.weights, first.weights)
        assert other.bias == first.bias
    sizes = {csv_rows(out / name / "metrics.csv")[0]["training_set_size"] for name in STRATEGIES}
    assert len(sizes) == 1


def test_hard_example_adds_jittered_annotated_people(comparison, dataset):
    # Independent check: every positive it added is a box in a Train/pos
    # photograph that overlaps an annotated person, with p <= 0.5 under the
    # round-0 model.
    out, _, _ = comparison
    added = csv_rows(out / "hard-example" / "hard_negatives.csv")
    people = [row for row in added if row["label"] == "1"]
    assert people, "hard-example added no missed people"
    for row in people:
        annotation = dataset.annotation(dataset.root / row["image"])
        box = np.array([float(row[key]) for key in ("x1", "y1", "x2", "y2")])
        # People cut by the image edge are annotated by their visible part; compare boxes of one aspect.
        aspect = (box[2] - box[0]) / (box[3] - box[1])
        assert box_iou(box, standardize_aspect(annotation.boxes, aspect)).max() > 0.4
        assert float(row["probability"]) <= 0.5
    assert all(row["image"].startswith("Train/neg") for row in added if row["label"] == "0")


def test_prime_adds_people_from_the_photographs(comparison):
    out, _, _ = comparison
    added = csv_rows(out / "prime" / "hard_negatives.csv")
    assert {row["label"] for row in added} == {"0", "1"}
    assert all(row["image"].startswith("Train/pos") for row in added if row["label"] == "1")


def test_random_draws_do_not_depend_on_workers(comparison, dataset):
    out, _, _ = comparison
    detector = load_model(out / "hard-negative" / "round-0.npz")
    strategy = IoUBalanced(max_per_image=6)
    items = _scan_items(dataset, strategy)
    one = scan_images(items, detector, strategy, FAST.scan, n_jobs=1, seed=3, round_index=1)
    two = scan_images(items, detector, strategy, FAST.scan, n_jobs=2, seed=3, round_index=1)
    assert one.keys == two.keys and len(one.keys) > 0
    other_round = scan_images(items, detector, strategy, FAST.scan, n_jobs=1, seed=3, round_index=2)
    assert other_round.keys != one.keys


def test_bad_strategy_list_fails_before_any_work(dataset, tmp_path):
    with pytest.raises(HogdetError, match="unknown strategy"):
        compare_strategies(dataset, ["hard-negative", "hardest"], tmp_path / "out", FAST)
    with pytest.raises(HogdetError, match="more than once"):
        compare_strategies(dataset, ["focal", "focal"], tmp_path / "out", FAST)
    with pytest.raises(HogdetError, match="gamma must be"):
        compare_strategies(dataset, ["focal"], tmp_path / "out", FAST, {"gamma": -1})
    assert not (tmp_path / "out").exists()


def test_shared_round_zero_is_not_modified_and_weighted_runs_resume(comparison, dataset, tmp_path):
    # Continuing prime's 1-round run to 2 rounds (its IoUs and groups read
    # back from round-1-samples.npz) ends with the same model as a fresh
    # 2-round run from the same round 0.
    out, _, _ = comparison
    start = train_round_zero(dataset, FAST, n_jobs=1)
    size = len(start.training_set)
    assert size == len(dataset.train_positive_crops) + 5 * len(dataset.train_negative_images)
    two_rounds = MiningOptions(rounds=2, negatives_per_image=5, scan=FAST.scan)
    fresh = mine(dataset, tmp_path / "fresh", two_rounds, Prime(max_per_image=10), n_jobs=1, initial=start)
    assert len(start.training_set) == size
    shutil.copytree(out / "prime", tmp_path / "resumed")
    resumed = mine(dataset, tmp_path / "resumed", two_rounds, Prime(max_per_image=10), n_jobs=1, resume=True, initial=start)
    assert [row["round"] for row in csv_rows(tmp_path / "resumed" / "metrics.csv")] == ["0", "1", "2"]
    np.testing.assert_allclose(resumed.detector.weights, fresh.detector.weights, rtol=1e-5, atol=1e-7)
