"""Tests for hogdet.datasets: annotation parsing, layouts, checks, fetching."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest
from skimage import io as skio

from hogdet.datasets import (
    CheckRow,
    check_dataset,
    dataset_fingerprint,
    fetch_dataset,
    format_check_report,
    load_dataset,
    read_annotation,
    resolve_data_dir,
)
from hogdet.errors import DatasetError, HogdetError

# Real INRIA Person and Penn-Fudan annotation files for the parser tests, when they sit beside the repository
# (as in the project's CI); HOGDET_ANNOTATION_SAMPLES names another folder holding INRIAPerson/ and PennFudanPed/.
SAMPLES = Path(os.environ.get("HOGDET_ANNOTATION_SAMPLES") or Path(__file__).resolve().parents[2] / "shared" / "data")
INRIA_SAMPLES = SAMPLES / "INRIAPerson"
PENN_SAMPLES = SAMPLES / "PennFudanPed" / "Annotation"
BENCHMARK = Path(os.environ.get("HOGDET_DATA") or "no-benchmark-named")
needs_benchmark = pytest.mark.skipif(
    not (BENCHMARK / "Train" / "pos.lst").is_file(),
    reason="checks the real benchmark's counts: set HOGDET_DATA to it to run",
)
needs_samples = pytest.mark.skipif(
    not INRIA_SAMPLES.is_dir() or not PENN_SAMPLES.is_dir(),
    reason="parses real INRIA and Penn-Fudan annotation files: set HOGDET_ANNOTATION_SAMPLES to a folder holding "
           "INRIAPerson/ and PennFudanPed/ to run",
)


def write_png(path: Path, rows: int = 8, cols: int = 4) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    skio.imsave(path, np.full((rows, cols, 3), 128, dtype=np.uint8), check_contrast=False)
    return path


def write_bytes(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return path


def pascal(boxes: list[tuple[int, int, int, int]], count: int | None = None, origin: int = 0) -> str:
    """A PASCAL v1 annotation in INRIA's style."""
    count = len(boxes) if count is None else count
    lines = [
        "# PASCAL Annotation Version 1.00",
        "",
        'Image filename : "Train/pos/x.png"',
        "Image size (X x Y x C) : 640 x 480 x 3",
        "Objects with ground truth : %d { %s }" % (count, " ".join(['"PASperson"'] * count)),
        "",
        f"# Top left pixel co-ordinates : ({origin}, {origin})",
    ]
    for number, (a, b, c, d) in enumerate(boxes, start=1):
        lines += [
            "",
            f'# Details for object {number} ("PASperson")',
            f'Bounding box for object {number} "PASperson" (Xmin, Ymin) - (Xmax, Ymax) : ({a}, {b}) - ({c}, {d})',
        ]
    return "\n".join(lines) + "\n"


def make_inria(root: Path, with_lists: bool = False) -> Path:
    """A tiny INRIA-layout data set: 2 Train/pos (annotated), 1 Train/neg, 1 Test/pos, 2 crops."""
    for name in ("a", "b"):
        write_png(root / "Train" / "pos" / f"{name}.png")
    (root / "Train" / "annotations").mkdir(parents=True)
    (root / "Train" / "annotations" / "a.txt").write_text(pascal([(10, 20, 29, 59)]))
    (root / "Train" / "annotations" / "b.txt").write_text(pascal([(0, 0, 3, 7), (1, 1, 2, 2)]))
    write_png(root / "Train" / "neg" / "n1.jpg")
    (root / "Train" / "neg" / "notes.txt").write_text("not an image")
    write_png(root / "Test" / "pos" / "t.PNG")
    (root / "Test" / "annotations").mkdir(parents=True)
    (root / "Test" / "annotations" / "t.txt").write_text(pascal([(5, 5, 6, 6)], origin=1))
    write_png(root / "96X160H96" / "Train" / "pos" / "c1.png", 160, 96)
    write_png(root / "96X160H96" / "Train" / "pos" / "c2.png", 160, 96)
    write_png(root / "96X160H96" / "Test" / "pos" / "d1.png", 160, 96)
    if with_lists:
        (root / "Train" / "pos.lst").write_bytes(b"Train/pos/b.png\r\n\r\nTrain/pos/a.png\r\n")
    return root


def make_simple(root: Path) -> Path:
    write_png(root / "positives" / "p1.png", 160, 96)
    write_png(root / "positives" / "p2.png", 160, 96)
    write_png(root / "negatives" / "n1.png", 40, 30)
    write_png(root / "test" / "positives" / "q1.png", 160, 96)
    write_png(root / "images" / "street.png", 40, 30)
    write_png(root / "images" / "park.png", 40, 30)
    (root / "boxes.csv").write_text(
        "image,x1,y1,x2,y2\nimages/street.png,1,2,11,22\n\nimages/street.png,5.5,0,9,30\nimages/park.png,0,0,4,8\n"
    )
    return root


# ---------------------------------------------------------------- annotations


@needs_samples
def test_read_inria_annotation_boxes_by_hand():
    annotation = read_annotation(INRIA_SAMPLES / "Test" / "annotations" / "crop001501.txt")
    assert annotation.image_name == "Test/pos/crop001501.png"
    assert annotation.image_size == (1060, 605, 3)
    assert annotation.labels == ["PASperson"] * 4
    assert annotation.boxes.dtype == np.float64
    # (250, 151) - (299, 294), ..., (829, 180) - (881, 321), origin (0, 0)
    np.testing.assert_array_equal(
        annotation.boxes,
        [[250, 151, 300, 295], [215, 354, 275, 467], [568, 320, 608, 434], [829, 180, 882, 322]],
    )
    train = read_annotation(INRIA_SAMPLES / "Train" / "annotations" / "crop001001.txt")
    np.testing.assert_array_equal(train.boxes[1], [31, 326, 210, 713])  # (31, 326) - (209, 712)


@needs_samples
def test_read_all_samples_box_counts():
    inria = sorted(INRIA_SAMPLES.glob("*/annotations/*.txt"))
    penn = sorted(PENN_SAMPLES.glob("*.txt"))
    assert len(inria) == 6 and len(penn) == 15
    # README: 4 + 1 + 1 + 2 + 3 + 2 INRIA boxes; 43 Penn-Fudan boxes
    assert sum(len(read_annotation(p).boxes) for p in inria) == 13
    assert sum(len(read_annotation(p).boxes) for p in penn) == 43


@needs_samples
def test_read_penn_fudan_origin_one_and_crlf(tmp_path):
    path = PENN_SAMPLES / "FudanPed00008.txt"
    assert b"\r" not in path.read_bytes()
    crlf = tmp_path / "FudanPed00008.txt"
    crlf.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    for source in (path, crlf):
        annotation = read_annotation(source)
        assert annotation.image_name == "PennFudanPed/PNGImages/FudanPed00008.png"
        assert annotation.image_size == (388, 454, 3)
        assert annotation.labels == ["PASpersonWalking", "PASpersonWalking"]
        # (228, 158) - (370, 436) and (39, 179) - (115, 363), origin (1, 1)
        np.testing.assert_array_equal(annotation.boxes, [[227, 157, 370, 436], [38, 178, 115, 363]])
    standing = read_annotation(PENN_SAMPLES / "FudanPed00049.txt")
    assert standing.labels == ["PASpersonStanding"] * 3
    np.testing.assert_array_equal(standing.boxes[2], [314, 106, 435, 387])  # (315, 107) - (435, 387)


def test_annotation_without_origin_line_and_without_objects(tmp_path):
    text = pascal([(3, 4, 5, 6)]).replace("# Top left pixel co-ordinates : (0, 0)\n", "")
    path = tmp_path / "no_origin.txt"
    path.write_text(text)
    np.testing.assert_array_equal(read_annotation(path).boxes, [[3, 4, 6, 7]])
    empty = tmp_path / "empty.txt"
    empty.write_text(pascal([]))
    annotation = read_annotation(empty)
    assert annotation.boxes.shape == (0, 4) and annotation.labels == []


@pytest.mark.parametrize(
    "name, content, line",
    [
        ("no_header.txt", pascal([(1, 1, 5, 5)]).replace("# PASCAL Annotation Version 1.00\n", ""), None),
        ("empty_file.txt", "", None),
        ("bad_box.txt", pascal([(1, 1, 5, 5)]).replace("- (5, 5)", "- (5, five)"), 10),
        ("count.txt", pascal([(1, 1, 5, 5)], count=2), 5),
        ("inverted.txt", pascal([(1, 1, 5, 5), (9, 1, 4, 5)]), 13),
        ("inverted_y.txt", pascal([(1, 9, 5, 5)]), 10),
        ("no_count.txt", pascal([(1, 1, 5, 5)]).replace("Objects with ground truth : 1", "Objects : 1"), None),
        ("binary.txt", b"# PASCAL Annotation Version 1.00\n\x00\x00\x89PNG", None),
    ],
)
def test_malformed_annotation_names_file_and_line(tmp_path, name, content, line):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(DatasetError) as caught:
        read_annotation(path)
    message = str(caught.value)
    assert name in message and "\n" not in message
    if line is not None:
        assert f"line {line}" in message
    if name == "binary.txt":
        assert "not a text file" in message
    assert isinstance(caught.value, HogdetError)


def test_missing_annotation_file(tmp_path):
    with pytest.raises(DatasetError, match="nothere.txt"):
        read_annotation(tmp_path / "nothere.txt")


# ---------------------------------------------------------------- layouts


def test_load_inria_layout_directory_listing(tmp_path):
    root = make_inria(tmp_path / "set")
    dataset = load_dataset(root)
    assert dataset.layout == "inria" and dataset.root == root
    assert [p.name for p in dataset.train_positive_images] == ["a.png", "b.png"]
    assert [p.name for p in dataset.train_negative_images] == ["n1.jpg"]  # notes.txt skipped
    assert [p.name for p in dataset.test_positive_images] == ["t.PNG"]
    assert dataset.test_negative_images == []  # Test/neg missing
    assert [p.name for p in dataset.train_positive_crops] == ["c1.png", "c2.png"]
    assert [p.name for p in dataset.test_positive_crops] == ["d1.png"]  # no 70X134H96
    assert all(p.is_file() for p in dataset.train_positive_images)
    np.testing.assert_array_equal(dataset.annotation(root / "Train" / "pos" / "a.png").boxes, [[10, 20, 30, 60]])
    assert len(dataset.annotation(root / "Train" / "pos" / "b.png").boxes) == 2
    # Test annotation has origin 1: (5, 5) - (6, 6) -> [4, 4, 6, 6]
    np.testing.assert_array_equal(dataset.annotation(root / "Test" / "pos" / "t.PNG").boxes, [[4, 4, 6, 6]])
    assert dataset.annotation(root / "Train" / "neg" / "n1.jpg") is None


def test_inria_prefers_70x134_test_crops(tmp_path):
    root = make_inria(tmp_path / "set")
    write_png(root / "70X134H96" / "Test" / "pos" / "e1.png", 134, 70)
    assert [p.name for p in load_dataset(root).test_positive_crops] == ["e1.png"]


def test_lst_files_crlf_blank_lines_and_order(tmp_path):
    root = make_inria(tmp_path / "set", with_lists=True)
    dataset = load_dataset(root)
    assert dataset.train_positive_images == [root / "Train/pos/b.png", root / "Train/pos/a.png"]


def test_lst_file_listing_a_missing_file(tmp_path):
    root = make_inria(tmp_path / "set")
    (root / "Train" / "neg.lst").write_text("Train/neg/n1.jpg\nTrain/neg/gone.png\n")
    with pytest.raises(DatasetError, match=r"neg\.lst line 2: .*gone\.png"):
        load_dataset(root)
    rows = {row.folder: row for row in check_dataset(root)}
    assert rows["Train/neg"].found == 1
    assert len(rows["Train/neg"].problems) == 1 and "gone.png" in rows["Train/neg"].problems[0]


def test_annotation_paired_by_stem_not_by_written_path(tmp_path, monkeypatch):
    root = make_inria(tmp_path / "set")
    # The annotation names a different path (as the benchmark's Penn-Fudan files do).
    write_png(root / "Test" / "pos" / "FudanPed00008.jpg")
    (root / "Test" / "annotations" / "FudanPed00008.txt").write_text(
        pascal([(228, 158, 370, 436)], origin=1).replace("Train/pos/x.png", "PennFudanPed/PNGImages/FudanPed00008.png")
    )
    dataset = load_dataset(root)
    annotation = dataset.annotation(root / "Test" / "pos" / "FudanPed00008.jpg")
    assert annotation.image_name == "PennFudanPed/PNGImages/FudanPed00008.png"
    np.testing.assert_array_equal(annotation.boxes, [[227, 157, 370, 436]])
    # A relative spelling of the same path finds it too.
    monkeypatch.chdir(tmp_path)
    assert dataset.annotation(Path("set/Test/pos/FudanPed00008.jpg")) is annotation


def test_malformed_annotation_stops_load(tmp_path):
    root = make_inria(tmp_path / "set")
    (root / "Train" / "annotations" / "a.txt").write_text("garbage\n")
    with pytest.raises(DatasetError, match="a.txt"):
        load_dataset(root)


def test_load_simple_layout(tmp_path):
    root = make_simple(tmp_path / "mine")
    dataset = load_dataset(root)
    assert dataset.layout == "simple"
    assert [p.name for p in dataset.train_positive_crops] == ["p1.png", "p2.png"]
    assert [p.name for p in dataset.test_positive_crops] == ["q1.png"]
    assert [p.name for p in dataset.train_negative_images] == ["n1.png"]
    assert dataset.test_negative_images == [] and dataset.test_positive_images == []
    assert [p.name for p in dataset.train_positive_images] == ["park.png", "street.png"]
    street = dataset.annotation(root / "images" / "street.png")
    np.testing.assert_array_equal(street.boxes, [[1, 2, 11, 22], [5.5, 0, 9, 30]])
    assert street.image_name == "images/street.png" and len(street.labels) == 2
    np.testing.assert_array_equal(dataset.annotation(root / "images" / "park.png").boxes, [[0, 0, 4, 8]])


@pytest.mark.parametrize(
    "csv_text, fragment",
    [
        ("img,a,b,c,d\nimages/street.png,1,2,11,22\n", "line 1"),
        ("image,x1,y1,x2,y2\nimages/street.png,1,2,11\n", "line 2"),
        ("image,x1,y1,x2,y2\nimages/street.png,1,2,11,22\nimages/nowhere.png,1,2,11,22\n", "line 3: image images/nowhere.png"),
        ("image,x1,y1,x2,y2\nimages/street.png,11,2,1,22\n", "line 2: empty box"),
        ("image,x1,y1,x2,y2\nimages/street.png,a,2,11,22\n", "line 2"),
    ],
)
def test_simple_layout_bad_boxes_csv(tmp_path, csv_text, fragment):
    root = make_simple(tmp_path / "mine")
    (root / "boxes.csv").write_text(csv_text)
    with pytest.raises(DatasetError) as caught:
        load_dataset(root)
    assert "boxes.csv" in str(caught.value) and fragment in str(caught.value)


def test_simple_layout_needs_negatives(tmp_path):
    write_png(tmp_path / "mine" / "positives" / "p.png", 160, 96)
    with pytest.raises(DatasetError, match="negatives"):
        load_dataset(tmp_path / "mine")


def test_folder_matching_neither_layout(tmp_path):
    write_png(tmp_path / "photos" / "x.png")
    with pytest.raises(DatasetError) as caught:
        load_dataset(tmp_path / "photos")
    message = str(caught.value)
    assert "photos" in message and "Train/pos" in message and "positives/" in message
    with pytest.raises(DatasetError, match="missing"):
        load_dataset(tmp_path / "nowhere")


# ---------------------------------------------------------------- resolve_data_dir


def test_resolve_empty_folder_says_everywhere_it_looked(tmp_path, monkeypatch):
    monkeypatch.delenv("HOGDET_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError) as caught:
        resolve_data_dir(tmp_path / "empty")
    message = str(caught.value)
    assert f"data={tmp_path / 'empty'} (empty folder)" in message
    assert "HOGDET_DATA unset" in message
    assert "data/INRIAPerson (missing)" in message
    assert "fetch_dataset" in message and "--data" not in message and "\n" not in message


def test_resolve_precedence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    default = make_inria(tmp_path / "data" / "INRIAPerson")
    other = make_simple(tmp_path / "other")
    monkeypatch.delenv("HOGDET_DATA", raising=False)
    assert resolve_data_dir() == Path("data/INRIAPerson")
    assert resolve_data_dir().resolve() == default.resolve()
    monkeypatch.setenv("HOGDET_DATA", str(other))
    assert resolve_data_dir() == other
    assert resolve_data_dir(str(default)) == default
    # An explicit data folder that is not a data set is an error, not a fall-back.
    with pytest.raises(DatasetError, match="not used"):
        resolve_data_dir(tmp_path / "missing")
    monkeypatch.setenv("HOGDET_DATA", str(tmp_path / "missing"))
    with pytest.raises(DatasetError, match=r"HOGDET_DATA=.*missing \(missing\)"):
        resolve_data_dir()


def test_resolve_hints_at_inriaperson_subfolder(tmp_path, monkeypatch):
    monkeypatch.delenv("HOGDET_DATA", raising=False)
    make_inria(tmp_path / "data" / "INRIAPerson")
    with pytest.raises(DatasetError, match="did you mean"):
        resolve_data_dir(tmp_path / "data")


# ---------------------------------------------------------------- check


def test_check_inria_counts_and_problems(tmp_path):
    root = make_inria(tmp_path / "set")
    write_png(root / "Train" / "pos" / "orphan.png")
    (root / "Test" / "annotations" / "broken.txt").write_text("# PASCAL Annotation Version 1.00\nBounding box x\n")
    rows = check_dataset(root)
    assert [row.folder for row in rows] == [
        "Train/pos", "Train/annotations", "Train/neg", "Test/pos", "Test/annotations", "Test/neg",
        "96X160H96/Train/pos", "96X160H96/Test/pos",
    ]
    table = {row.folder: (row.found, row.expected, len(row.problems)) for row in rows}
    assert table == {
        "Train/pos": (3, 614, 1),
        "Train/annotations": (2, 614, 0),
        "Train/neg": (1, 1218, 0),
        "Test/pos": (1, 288, 0),
        "Test/annotations": (2, 288, 1),
        "Test/neg": (0, 453, 0),
        "96X160H96/Train/pos": (2, 2416, 0),
        "96X160H96/Test/pos": (1, None, 0),
    }
    assert "orphan.png" in rows[0].problems[0]
    assert "broken.txt line 2" in rows[4].problems[0]


def test_check_simple_layout(tmp_path):
    root = make_simple(tmp_path / "mine")
    write_png(root / "images" / "unboxed.png")
    rows = {row.folder: row for row in check_dataset(root)}
    assert rows["positives"].found == 2 and rows["negatives"].found == 1
    assert rows["test/negatives"].found == 0 and rows["boxes.csv"].found == 2
    assert rows["images"].found == 3 and len(rows["images"].problems) == 1
    assert "unboxed.png" in rows["images"].problems[0]
    assert all(row.expected is None for row in rows.values())


def test_check_simple_layout_missing_negatives(tmp_path):
    write_png(tmp_path / "mine" / "positives" / "p.png", 160, 96)
    rows = {row.folder: row for row in check_dataset(tmp_path / "mine")}
    assert rows["negatives"].found == 0 and "missing" in rows["negatives"].problems[0]
    assert rows["positives"].problems == []


def test_format_check_report_table():
    rows = [
        CheckRow("Train/pos", 45, 614, []),
        CheckRow("96X160H96/Test/pos", 492, None, ["a: x", "b: y", "c: z"]),
    ]
    assert format_check_report(rows, max_problems=2) == "\n".join(
        [
            "folder              found  expected  problems",
            "Train/pos              45       614         0",
            "96X160H96/Test/pos    492         -         3",
            "",
            "96X160H96/Test/pos:",
            "  a: x",
            "  b: y",
            "  ... and 1 more",
        ]
    )


@needs_benchmark
def test_check_benchmark_counts():
    rows = check_dataset(BENCHMARK)
    table = {row.folder: (row.found, row.expected) for row in rows}
    # Counts from the benchmark's README.
    assert table == {
        "Train/pos": (45, 614),
        "Train/annotations": (45, 614),
        "Train/neg": (400, 1218),
        "Test/pos": (90, 288),
        "Test/annotations": (90, 288),
        "Test/neg": (150, 453),
        "96X160H96/Train/pos": (1924, 2416),
        "96X160H96/Test/pos": (492, None),
    }
    assert all(row.problems == [] for row in rows)


@needs_benchmark
def test_load_benchmark_pairs_penn_fudan_by_stem():
    dataset = load_dataset(BENCHMARK)
    assert dataset.layout == "inria"
    assert len(dataset.train_positive_crops) == 1924 and len(dataset.test_positive_crops) == 492
    assert dataset.train_positive_crops[0] == BENCHMARK / "96X160H96/Train/pos/crop001001a.png"
    image = BENCHMARK / "Test" / "pos" / "FudanPed00008.jpg"
    assert image in dataset.test_positive_images
    annotation = dataset.annotation(image)
    np.testing.assert_array_equal(annotation.boxes, [[227, 157, 370, 436], [38, 178, 115, 363]])
    # README: 110 boxes in Train/annotations, 222 in Test/annotations
    assert sum(len(dataset.annotation(p).boxes) for p in dataset.train_positive_images) == 110
    assert sum(len(dataset.annotation(p).boxes) for p in dataset.test_positive_images) == 222


# ---------------------------------------------------------------- fingerprint


def test_fingerprint_by_hand(tmp_path):
    root = tmp_path / "mine"
    write_bytes(root / "positives" / "p.png", 3)
    write_bytes(root / "negatives" / "n.jpg", 5)
    write_bytes(root / "negatives" / "m.JPG", 7)
    lines = sorted(
        [
            "train_positive_crops\tpositives/p.png\t3\n",
            "train_negative_images\tnegatives/n.jpg\t5\n",
            "train_negative_images\tnegatives/m.JPG\t7\n",
        ]
    )
    expected = hashlib.sha256("".join(lines).encode()).hexdigest()
    assert dataset_fingerprint(load_dataset(root)) == expected

    # Same files elsewhere: same fingerprint; one byte more: another one.
    os.rename(root, tmp_path / "moved")
    moved = load_dataset(tmp_path / "moved")
    assert dataset_fingerprint(moved) == expected
    write_bytes(tmp_path / "moved" / "negatives" / "n.jpg", 6)
    assert dataset_fingerprint(moved) != expected


def test_fingerprint_covers_annotations(tmp_path):
    root = make_inria(tmp_path / "set")
    before = dataset_fingerprint(load_dataset(root))
    with open(root / "Train" / "annotations" / "a.txt", "a") as stream:
        stream.write("\n")
    assert dataset_fingerprint(load_dataset(root)) != before


# ---------------------------------------------------------------- fetch


def make_tar(path: Path, root: Path, prefix: str = "INRIAPerson", mode: str = "w") -> Path:
    with tarfile.open(path, mode) as tar:
        tar.add(root, arcname=prefix)
    return path


@pytest.fixture
def tiny_tar(tmp_path):
    return make_tar(tmp_path / "INRIAPerson.tar", make_inria(tmp_path / "src"))


def test_fetch_from_local_tar(tmp_path, tiny_tar):
    dest = tmp_path / "data"
    digest = hashlib.sha256(tiny_tar.read_bytes()).hexdigest()
    result = fetch_dataset(dest, archive=tiny_tar, sha256=digest.upper(), progress=False)
    assert result == dest / "INRIAPerson"
    assert sorted(os.listdir(dest)) == ["INRIAPerson"]
    dataset = load_dataset(result)
    assert [p.name for p in dataset.train_positive_images] == ["a.png", "b.png"]


def test_fetch_gzip_tar_without_top_folder(tmp_path):
    src = make_inria(tmp_path / "src")
    archive = tmp_path / "flat.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for entry in sorted(src.iterdir()):
            tar.add(entry, arcname=entry.name)
    result = fetch_dataset(tmp_path / "data", archive=archive, progress=False)
    assert (result / "Train" / "pos" / "a.png").is_file()
    assert sorted(os.listdir(tmp_path / "data")) == ["INRIAPerson"]


def test_fetch_by_file_url(tmp_path, tiny_tar):
    result = fetch_dataset(tmp_path / "data", url=tiny_tar.as_uri(), progress=False)
    assert (result / "96X160H96" / "Train" / "pos" / "c2.png").is_file()
    assert sorted(os.listdir(tmp_path / "data")) == ["INRIAPerson"]


def test_fetch_bad_checksum_leaves_nothing(tmp_path, tiny_tar):
    dest = tmp_path / "data"
    dest.mkdir()
    actual = hashlib.sha256(tiny_tar.read_bytes()).hexdigest()
    wrong = "0" * 64
    with pytest.raises(DatasetError) as caught:
        fetch_dataset(dest, archive=tiny_tar, sha256=wrong, progress=False)
    assert actual in str(caught.value) and wrong in str(caught.value)
    assert os.listdir(dest) == []


@pytest.mark.parametrize("member", ["../evil.txt", "/tmp/hogdet-evil-absolute.txt", "INRIAPerson/../../evil.txt"])
def test_fetch_refuses_unsafe_member(tmp_path, member):
    archive = tmp_path / "bad.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("INRIAPerson/Train/neg/n.png")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
        info = tarfile.TarInfo(member)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    dest = tmp_path / "out" / "data"
    dest.mkdir(parents=True)
    with pytest.raises(DatasetError, match="unsafe"):
        fetch_dataset(dest, archive=archive, progress=False)
    assert os.listdir(dest) == []
    assert not (tmp_path / "out" / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()
    assert not Path("/tmp/hogdet-evil-absolute.txt").exists()


def test_fetch_refuses_link_outside(tmp_path):
    archive = tmp_path / "link.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("INRIAPerson/Train/neg/n.png")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)
    dest = tmp_path / "data"
    dest.mkdir()
    with pytest.raises(DatasetError, match="unsafe"):
        fetch_dataset(dest, archive=archive, progress=False)
    assert os.listdir(dest) == []


def test_fetch_refuses_existing_destination(tmp_path, tiny_tar):
    dest = tmp_path / "data"
    (dest / "INRIAPerson").mkdir(parents=True)
    with pytest.raises(DatasetError, match="already exists"):
        fetch_dataset(dest, archive=tiny_tar, progress=False)
    assert os.listdir(dest) == ["INRIAPerson"] and os.listdir(dest / "INRIAPerson") == []


def test_fetch_not_a_tar_or_not_a_data_set(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tar file at all" * 40)
    with pytest.raises(DatasetError, match="junk.tar"):
        fetch_dataset(tmp_path / "data", archive=junk, progress=False)
    assert not (tmp_path / "data").exists()  # created by fetch, removed again
    other = tmp_path / "other"
    write_png(other / "holiday" / "x.png")
    with pytest.raises(DatasetError, match="no data set"):
        fetch_dataset(tmp_path / "data", archive=make_tar(tmp_path / "other.tar", other, "stuff"), progress=False)
    assert not (tmp_path / "data").exists()
    with pytest.raises(DatasetError, match="no such archive"):
        fetch_dataset(tmp_path / "data", archive=tmp_path / "nope.tar", progress=False)
    with pytest.raises(DatasetError, match="exactly one"):
        fetch_dataset(tmp_path / "data", progress=False)


def test_fetch_bad_url(tmp_path):
    with pytest.raises(DatasetError, match="cannot download"):
        fetch_dataset(tmp_path / "data", url=(tmp_path / "absent.tar").as_uri(), progress=False)
    assert not (tmp_path / "data").exists()


def test_fetch_interrupted_cleans_up(tmp_path, tiny_tar, monkeypatch):
    import hogdet.datasets.fetch as fetch

    def interrupted(archive, target, name):
        target.mkdir()
        (target / "INRIAPerson").mkdir()
        raise KeyboardInterrupt

    monkeypatch.setattr(fetch, "_unpack", interrupted)
    dest = tmp_path / "data"
    dest.mkdir()
    with pytest.raises(KeyboardInterrupt):
        fetch_dataset(dest, archive=tiny_tar, progress=False)
    assert os.listdir(dest) == []
