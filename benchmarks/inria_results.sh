#!/usr/bin/env bash
# The README's results table, from one command: mine 3 rounds with the
# configuration that beat OpenCV's detector on the benchmark, then evaluate
# rounds 0-3 and OpenCV's default people detector with both INRIA protocols.
#
#   bash benchmarks/inria_results.sh [DATA_DIR] [OUT_DIR]
#
# Writes OUT_DIR/mining (the run folder) and OUT_DIR/evaluation (results.md,
# results.csv, det_fppw.png, det_fppi.png, one metrics.json per detector).
set -euo pipefail
data=${1:-${HOGDET_DATA:-data/INRIAPerson}}
out=${2:-runs/results}

hogdet mine --data "$data" --rounds 3 --out "$out/mining" \
    --hog-interpolation trilinear --hog-block-sigma 0.25 --annotated-positives --mine-positive-images \
    --strategy hard-example --neg-per-image 20 --C 0.1 --max-per-image 100 --max-hard 30000
hogdet evaluate "$out"/mining/round-{0,1,2,3}.npz --opencv-default --data "$data" --out "$out/evaluation"
