#!/usr/bin/env python3
"""Print-and-scan route: degrades a text PDF's pages the way archive scans
are degraded (the e2 evaluation's scan kinds), with a fixed seed.

Usage: scripts/print_and_scan.py [--dpi 150|200] [--seed N] [--pdf] PDF OUT_STEM

Writes OUT_STEM.p1.jpg, OUT_STEM.p2.jpg, … (or, with --pdf, one image-only
PDF OUT_STEM.pdf made by img2pdf-free means: Pillow's PDF writer) and copies
PDF's truth file (PDF with .truth.json for .pdf) to OUT_STEM.truth.json.

What a page goes through, in the order a copier and a scanner apply it
(each page draws its own values from the seeded generator):
- ink strength 0.75-0.85: the toner's black is grey;
- faded regions: one to three rectangles, or a band across the page, where
  the ink keeps only 0.35-0.6 of its strength;
- grey-yellow paper tint (the paper's RGB multiplied by about 1, 0.99, 0.9)
  and uneven light: a linear gradient of up to 20% and a vignette of up to
  15%;
- a dark shadow along one edge (a book's binding or the lid), on half the
  pages;
- rotation up to ±2.5 degrees and a shift of a few pixels;
- Gaussian blur of 0.3-0.45 px, noise of sigma 8-11 grey levels;
- JPEG at quality 25-35.
The same seed gives the same bytes for a given Pillow, NumPy and poppler.

Needs pdftoppm (poppler-utils), Pillow and NumPy.
"""

import argparse
import io
import math
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter


def rasterize(pdf, dpi, workdir):
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(workdir / "pg")], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(workdir.glob("pg-*.png"))]


def faded_mask(h, w, rng):
    """1 where the ink keeps its strength, down to 0.35-0.6 in faded parts."""
    keep = np.ones((h, w), np.float32)
    if rng.random() < 0.35:
        # A band across the page, as a copier's drum leaves it.
        y = rng.uniform(0.2, 0.8)
        half = rng.uniform(0.04, 0.1)
        ys = np.arange(h, dtype=np.float32) / h
        depth = 1 - rng.uniform(0.4, 0.65)
        band = np.clip(1 - np.abs(ys - y) / half, 0, 1)
        keep *= (1 - (1 - depth) * band)[:, None]
    for _ in range(rng.randint(0, 3)):
        x0, y0 = rng.uniform(0, 0.8), rng.uniform(0, 0.8)
        x1, y1 = x0 + rng.uniform(0.1, 0.4), y0 + rng.uniform(0.05, 0.3)
        depth = rng.uniform(0.35, 0.6)
        ys, xs = slice(int(y0 * h), int(min(y1, 1) * h)), slice(int(x0 * w), int(min(x1, 1) * w))
        keep[ys, xs] = np.minimum(keep[ys, xs], depth)
    # Soft edges: fading has no sharp border.
    img = Image.fromarray((keep * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(max(h, w) / 150))
    return np.asarray(img, np.float32) / 255


def degrade(page, dpi, rng):
    a = np.asarray(page, np.float32)
    h, w = a.shape[:2]
    # Ink: its darkness (255 - value) scaled by strength, less where faded.
    strength = rng.uniform(0.75, 0.85) * faded_mask(h, w, rng)
    a = 255 - (255 - a) * strength[:, :, None]
    # Paper tint and light.
    tint = np.array([1.0, rng.uniform(0.985, 1.0), rng.uniform(0.88, 0.92)], np.float32)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    grad = rng.uniform(0.05, 0.2)
    t = ((xs / w - 0.5) * math.cos(angle) + (ys / h - 0.5) * math.sin(angle))
    light = 1 - grad * (t + 0.5)
    r = np.hypot(xs / w - 0.5, ys / h - 0.5) / math.hypot(0.5, 0.5)
    light *= 1 - rng.uniform(0.05, 0.15) * r**2
    if rng.random() < 0.5:
        edge = rng.choice(["left", "right", "top", "bottom"])
        width = rng.uniform(0.03, 0.07)
        d = {"left": xs / w, "right": 1 - xs / w, "top": ys / h, "bottom": 1 - ys / h}[edge]
        light *= 1 - 0.55 * np.clip(1 - d / width, 0, 1) ** 2
    a = a * tint[None, None, :] * light[:, :, None]
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    # Turned and shifted on the glass.
    fill = tuple(int(v) for v in np.median(a.reshape(-1, 3), axis=0))
    img = img.rotate(rng.uniform(-2.5, 2.5), resample=Image.BICUBIC, fillcolor=fill,
                     translate=(rng.randint(-12, 12), rng.randint(-12, 12)))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.45)))
    a = np.asarray(img, np.float32)
    noise = np.random.default_rng(rng.randint(0, 2**32 - 1)).normal(0, rng.uniform(8, 11), a.shape[:2])
    a = a + noise[:, :, None]
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randint(25, 35), dpi=(dpi, dpi))
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--pdf", action="store_true", help="write one image-only PDF")
    ap.add_argument("src")
    ap.add_argument("out_stem")
    a = ap.parse_args()
    src, out = Path(a.src), Path(a.out_stem)
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        pages = rasterize(src, a.dpi, Path(tmp))
    jpegs = [degrade(p, a.dpi, rng) for p in pages]
    if a.pdf:
        imgs = [Image.open(io.BytesIO(j)) for j in jpegs]
        imgs[0].save(out.with_suffix(".pdf"), "PDF", save_all=True, append_images=imgs[1:],
                     resolution=a.dpi)
    else:
        for k, j in enumerate(jpegs, 1):
            out.with_name(f"{out.name}.p{k}.jpg").write_bytes(j)
    truth = src.with_name(src.stem + ".truth.json")
    if truth.exists():
        shutil.copyfile(truth, out.with_name(out.name + ".truth.json"))
    print(f"{out}: {len(jpegs)} pages at {a.dpi} dpi, seed {a.seed}", file=sys.stderr)


if __name__ == "__main__":
    main()
