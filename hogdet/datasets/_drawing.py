"""Drawing the synthetic data set's figures: parts (polygons, ellipses), painted with soft edges.

A person is a stick-and-blob figure (head, torso, arms, legs; standing or
walking) in a palette that stands out from its background; clutter is
person-like (poles, pairs of posts, blobs, stripes), so that a round-0
detector fires on it. :mod:`hogdet.datasets.synthetic` places them on
backgrounds and writes the data set.

A part is ``("polygon", rows, cols, rgb)`` with 4 convex corners, or
``("ellipse", row, col, row_radius, col_radius, rgb)``, in continuous pixel
coordinates (pixel i spans [i, i + 1)).
"""

from __future__ import annotations

import numpy as np


def _tint(rng: np.random.Generator, luminance: float, saturation: float = 0.2) -> np.ndarray:
    """A random colour of about ``luminance``."""
    hue = rng.random(3)
    return np.clip(luminance + saturation * (hue - hue.mean()), 0.0, 1.0).astype(np.float32)


def _extent(part: tuple) -> tuple[float, float, float, float]:
    """(top, bottom, left, right) of a part."""
    if part[0] == "polygon":
        return part[1].min(), part[1].max(), part[2].min(), part[2].max()
    return part[1] - part[3], part[1] + part[3], part[2] - part[4], part[2] + part[4]


def _coverage(part: tuple, rows: np.ndarray, cols: np.ndarray, softness: float) -> np.ndarray:
    """How much of each pixel (centres ``rows`` x ``cols``) a part covers, anti-aliased and soft: from the signed
    distance (pixels, positive inside) of the pixel centre to the outline, a ramp ``softness`` pixels wide across
    each edge (1 is area sampling's; wider looks like a lens's blur, and costs nothing)."""
    if part[0] == "polygon":  # convex: the distance inside is the smallest to any edge
        corner_rows, corner_cols = part[1], part[2]
        edge_rows, edge_cols = corner_rows[[1, 2, 3, 0]] - corner_rows, corner_cols[[1, 2, 3, 0]] - corner_cols
        turn = np.sign(edge_rows[0] * edge_cols[1] - edge_cols[0] * edge_rows[1])
        turn = turn / np.maximum(np.hypot(edge_rows, edge_cols), 1e-9)
        normal_rows, normal_cols = -turn * edge_cols, turn * edge_rows  # unit, pointing inwards
        distance = (rows[:, None, None] * normal_rows + cols[None, :, None] * normal_cols
                    - (corner_rows * normal_rows + corner_cols * normal_cols)).min(axis=2)
    else:  # ellipse: first-order distance (1 - q) / |grad q|, where q = 1 on the outline
        dy, dx = (rows[:, None] - part[1]) / part[3], (cols[None, :] - part[2]) / part[4]
        q = np.maximum(np.hypot(dy, dx), 1e-6)
        distance = (1 - q) * q / np.maximum(np.hypot(dy / part[3], dx / part[4]), 1e-9)
    return np.clip(distance / softness + 0.5, 0.0, 1.0).astype(np.float32)


def paint(image: np.ndarray, parts: list[tuple], softness: float = 1.5) -> np.ndarray:
    """Draw ``parts`` over ``image`` in place (later ones in front) with edges ``softness`` pixels wide; return
    how much of each pixel they cover, shape (rows, cols)."""
    coverage = np.zeros(image.shape[:2], np.float32)
    extents = np.array([_extent(part) for part in parts]).reshape(-1, 4)
    margin = 2 + int(np.ceil(softness / 2))
    top, left = (max(int(np.floor(extents[:, i].min(initial=1e9))) - margin, 0) for i in (0, 2))
    bottom = min(int(np.ceil(extents[:, 1].max(initial=-1e9))) + margin, image.shape[0])
    right = min(int(np.ceil(extents[:, 3].max(initial=-1e9))) + margin, image.shape[1])
    if bottom <= top or right <= left:  # nothing to draw, or all of it outside the image
        return coverage
    layer = np.zeros((bottom - top, right - left, 4), np.float32)  # colour premultiplied by alpha, alpha
    colours = np.ones((len(parts), 4), np.float32)
    colours[:, :3] = [part[-1] for part in parts]
    row_centres, col_centres = np.arange(top, bottom) + 0.5, np.arange(left, right) + 0.5
    for part, colour, (first, last, start, stop) in zip(parts, colours, extents):
        r0, r1 = max(int(first) - margin - top, 0), min(int(last) + margin - top, bottom - top)
        c0, c1 = max(int(start) - margin - left, 0), min(int(stop) + margin - left, right - left)
        if r1 > r0 and c1 > c0:
            cover = _coverage(part, row_centres[r0:r1], col_centres[c0:c1], softness)[:, :, None]
            layer[r0:r1, c0:c1] += cover * (colour - layer[r0:r1, c0:c1])
    region = image[top:bottom, left:right]
    region *= 1 - layer[:, :, 3:]
    region += layer[:, :, :3]
    coverage[top:bottom, left:right] = layer[:, :, 3]
    return coverage


def _box(top: float, bottom: float, left: float, right: float, rgb: np.ndarray) -> tuple:
    return ("polygon", np.array([top, top, bottom, bottom]), np.array([left, right, right, left]), rgb)


def _limb(start: np.ndarray, angle: float, length: float, thickness: float, rgb: np.ndarray) -> tuple[tuple, np.ndarray]:
    """A limb segment from ``start`` (row, col) at ``angle`` radians from straight down; and its end."""
    end = start + length * np.array([np.cos(angle), np.sin(angle)])
    across = thickness / 2 * np.array([-np.sin(angle), np.cos(angle)])
    corners = np.array([start + across, end + across, end - across, start - across])
    return ("polygon", corners[:, 0], corners[:, 1], rgb), end


def _joint(centre: np.ndarray, radius: float, rgb: np.ndarray) -> tuple:
    """A round joint, so that a bent limb shows no notch."""
    return ("ellipse", centre[0], centre[1], radius, radius, rgb)


def palette(rng: np.random.Generator, background_luminance: float) -> dict[str, np.ndarray]:
    """Clothing, skin and hair colours: light on dark or dark on light (mostly the one with room), of random contrast."""
    light = rng.random() < np.clip(1.1 - 1.2 * background_luminance, 0.15, 0.85)
    contrast = rng.uniform(0.12, 0.55) * (1 if light else -1)
    clothes = background_luminance + contrast
    clothes = float(np.clip(clothes if 0.03 <= clothes <= 0.97 else background_luminance - contrast, 0.03, 0.97))
    skin = rng.uniform(0.25, 0.85) * np.array([1.0, 0.82, 0.68]) + rng.uniform(-0.05, 0.05, 3)
    return {"top": _tint(rng, clothes), "legs": _tint(rng, clothes + rng.uniform(-0.25, 0.25)),
            "skin": np.clip(skin, 0, 1).astype(np.float32), "hair": _tint(rng, rng.uniform(0.02, 0.45), 0.1)}


def person_parts(rng: np.random.Generator, top: float, centre: float, height: float,
                 colours: dict[str, np.ndarray]) -> tuple[list[tuple], tuple[float, float]]:
    """An upright figure from row ``top`` down to ``top + height``, centred on column ``centre``: its parts (built
    back to front in units of its height, then stretched to exactly ``height``) and its head centre (row, col)."""
    build = rng.uniform(0.8, 1.25)  # thin .. broad
    profile = rng.random() < 0.3  # seen from the side: narrower shoulders and hips
    walking, facing = rng.random() < 0.6, rng.choice([-1.0, 1.0])
    shoulder, hip = 0.115 * build * (0.65 if profile else 1.0), 0.08 * build * (0.8 if profile else 1.0)
    stride = rng.uniform(0.15, 0.45) if walking else rng.uniform(0.0, 0.08)
    parts: list[tuple] = []
    for side in (-1.0, 1.0):  # legs: thigh, knee, shin, foot
        thigh_angle = side * stride / 2 + rng.normal(0.0, 0.03)
        thigh, knee = _limb(np.array([0.5, side * hip * 0.5]), thigh_angle, 0.26, 0.085 * build, colours["legs"])
        knee_bend = rng.uniform(0.0, 0.4 if walking else 0.08)
        shin, ankle = _limb(knee, thigh_angle - facing * knee_bend, 0.24, 0.065 * build, colours["legs"])
        foot = ("ellipse", ankle[0], ankle[1] + facing * 0.025, 0.018, 0.045, colours["hair"] * 0.5)
        parts += [thigh, _joint(knee, 0.036 * build, colours["legs"]), shin, foot]
    bottom, hem = (rng.uniform(0.6, 0.7), hip * 1.3) if rng.random() < 0.25 else (0.53, hip)  # a coat or dress
    parts.append(("polygon", np.array([0.15, 0.15, bottom, bottom]), np.array([-shoulder, shoulder, hem, -hem]),
                  colours["top"]))
    sleeves = colours["top"] if rng.random() < 0.7 else colours["skin"]
    for side in (-1.0, 1.0):  # arms swing against the legs when walking
        arm_angle = side * rng.uniform(0.04, 0.25) - (side * stride * 0.4 if walking else 0.0)
        upper, elbow = _limb(np.array([0.18, side * (shoulder - 0.03 * build)]), arm_angle, 0.17, 0.05 * build, sleeves)
        fore, wrist = _limb(elbow, arm_angle - facing * rng.uniform(0.0, 0.5), 0.16, 0.045 * build, sleeves)
        parts += [upper, _joint(elbow, 0.025 * build, sleeves), fore, _joint(wrist, 0.024, colours["skin"])]
    lean = rng.normal(0.0, 0.01)
    parts += [_box(0.1, 0.17, lean - 0.022, lean + 0.022, colours["skin"]),  # neck, hair, face
              ("ellipse", 0.058, lean, 0.058, 0.052, colours["hair"]),
              ("ellipse", 0.072, lean + facing * 0.01 * profile, 0.058, 0.048 * build ** 0.3, colours["skin"])]
    extents = np.array([_extent(part) for part in parts])
    first, scale = extents[:, 0].min(), height / (extents[:, 1].max() - extents[:, 0].min())
    placed = [("polygon", top + (part[1] - first) * scale, centre + part[2] * scale, part[3]) if part[0] == "polygon"
              else ("ellipse", top + (part[1] - first) * scale, centre + part[2] * scale, part[3] * scale,
                    part[4] * scale, part[5]) for part in parts]
    return placed, (placed[-1][1], placed[-1][2])


def clutter_parts(rng: np.random.Generator, rows: int, cols: int, density: float = 1.0) -> list[tuple]:
    """Person-like things that are not people: poles, pairs of posts, blobs, lamp posts and trees, stripes."""
    parts: list[tuple] = []
    for _ in range(rng.poisson(density * rows * cols / 12000)):
        height = np.exp(rng.uniform(np.log(30), np.log(min(320, rows))))
        bottom, col = rng.uniform(0.4 * height, rows + 0.2 * height), rng.uniform(0, cols)
        top, width = bottom - height, height * rng.uniform(0.05, 0.2)
        rgb, other, kind = _tint(rng, rng.uniform(0, 1)), _tint(rng, rng.uniform(0, 1)), rng.integers(5)
        if kind == 0:  # a pole or slab, slightly tilted
            lean = rng.normal(0, 0.03) * height
            parts.append(("polygon", np.array([top, top, bottom, bottom]), np.array(
                [col - width / 2 + lean, col + width / 2 + lean, col + width / 2, col - width / 2]), rgb))
        elif kind == 1:  # two posts with a gap (a pair of "legs" with nothing on them), maybe a crossbar
            gap = height * rng.uniform(0.03, 0.15)
            parts += [_box(top, bottom, col - gap / 2 - width / 2, col - gap / 2, rgb),
                      _box(top, bottom, col + gap / 2, col + gap / 2 + width / 2, rgb)]
            if rng.random() < 0.5:
                parts.append(_box(top, top + width / 2, col - gap / 2 - width, col + gap / 2 + width, rgb))
        elif kind == 2:  # an elongated blob
            parts.append(("ellipse", (top + bottom) / 2, col, height / 2, height * rng.uniform(0.1, 0.3), rgb))
        elif kind == 3:  # a bollard, lamp post or tree: a pole with a round top
            radius = height * rng.uniform(0.06, 0.35)
            parts += [_box(top + radius, bottom, col - width / 4, col + width / 4, rgb),
                      ("ellipse", top + radius, col, radius, radius * rng.uniform(0.4, 1.0), other)]
        else:  # a region of vertical stripes: railings, curtains, shutters
            period, span = rng.uniform(4, 16), height * rng.uniform(0.4, 1.2)
            parts += [_box(top, bottom, start, start + period / 2, rgb)
                      for start in np.arange(col - span / 2, col + span / 2, period)]
    return parts
