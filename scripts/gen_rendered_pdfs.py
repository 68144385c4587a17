#!/usr/bin/env python3
"""Image-only PDFs whose page images xxgk does not decode itself, so that
every page goes through the pdftoppm render fallback (src/source/scan/render.rs).

What it writes (samples/scanned/)
    scan_42_jpx_2021.pdf         the three 300 dpi pages of scan_32_300_2021,
                                 each a JPEG 2000 image (JPXDecode)
    scan_42_jpx_2021.truth.json  scan_32's truth: same pages, same values;
                                 "rendered": true keeps it out of the
                                 per-resolution runs, its own test checks it
    scan_46_jbig2_2019.pdf       the three 300 dpi pages of scan_31_300_2019,
                                 binarized, each a JBIG2 image (JBIG2Decode)
    scan_46_jbig2_2019.truth.json  scan_31's truth, "rendered": true

How
    The committed scan_32 JPEGs (already degraded, see gen_scan_samples.py)
    are re-encoded by Pillow's OpenJPEG encoder at a fixed compression
    ratio, the rate a scanner's "compact" setting would choose, and put in a
    PDF by gen_scan_samples.image_pdf.  Starting from the committed JPEGs
    rather than from Chromium keeps the pages, and so the truth, exactly
    those of scan_32.

    JBIG2: Debian has no JBIG2 encoder package (only jbig2dec), so
    scripts/jbig2.py writes the streams (one arithmetic-coded generic
    region per page).  Each page is binarized against its own blurred
    background, as a scanner's adaptive threshold would (the binding
    shadow does not turn black).  pdftoppm (poppler's own JBIG2 decoder)
    renders the pages; the test checks every value.

Run it with the venv scripts/gen_scan_samples makes (Pillow with OpenJPEG):
    target/scan-venv/bin/python scripts/gen_rendered_pdfs.py         (JPEG 2000)
    target/scan-venv/bin/python scripts/gen_rendered_pdfs.py jbig2   (JBIG2, ~25 s)
Deterministic for a given Pillow/OpenJPEG; the outputs are committed and CI
does not run this.
"""

import io
import json
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_scan_samples import MAX_BYTES, OUT, PDF_SLACK, image_pdf  # noqa: E402
from jbig2 import embedded_stream  # noqa: E402

SOURCE = "scan_32_300_2021"
STEM = "scan_42_jpx_2021"
DPI = 300
# 1:90 of the 8-bit pages: about 85 KB a page, three pages under the cap.
RATIO = 90

JBIG2_SOURCE = "scan_31_300_2019"
JBIG2_STEM = "scan_46_jbig2_2019"


def bilevel_rows(img):
    """Rows of 0/1 (1 = black): ink is darker than 80% of the local
    background."""
    background = img.filter(ImageFilter.GaussianBlur(24))
    dark = ImageChops.subtract(ImageChops.multiply(background, Image.new("L", img.size, 204)), img)
    w, h = img.size
    px = dark.point(lambda v: 1 if v > 0 else 0).tobytes()
    return [list(px[y * w:(y + 1) * w]) for y in range(h)]


def jbig2():
    pages, sizes, notes = [], [], []
    for k in range(1, 4):
        img = Image.open(OUT / f"{JBIG2_SOURCE}.p{k}.jpg").convert("L")
        pages.append(embedded_stream(bilevel_rows(img), img.width, DPI))
        sizes.append(img.size)
        notes.append(f"p{k}: {JBIG2_SOURCE}.p{k}.jpg binarized, JBIG2 (generic region, arithmetic), {len(pages[-1]) // 1024} KB")
    pdf = image_pdf(pages, sizes, DPI, filter="JBIG2Decode", bpc=1)
    assert len(pdf) < MAX_BYTES, len(pdf)
    (OUT / f"{JBIG2_STEM}.pdf").write_bytes(pdf)
    truth = json.loads((OUT / f"{JBIG2_SOURCE}.truth.json").read_text(encoding="utf-8"))
    truth.update(pages=notes, rendered=True, source=f"{JBIG2_SOURCE} pages, binarized, JBIG2Decode")
    (OUT / f"{JBIG2_STEM}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    print(JBIG2_STEM, len(pdf), "bytes;", "; ".join(notes))


def main():
    if sys.argv[1:] == ["jbig2"]:
        return jbig2()
    pages, sizes, notes = [], [], []
    for k in range(1, 4):
        img = Image.open(OUT / f"{SOURCE}.p{k}.jpg").convert("L")
        buf = io.BytesIO()
        img.save(buf, "JPEG2000", quality_mode="rates", quality_layers=[RATIO], irreversible=True)
        pages.append(buf.getvalue())
        sizes.append(img.size)
        notes.append(f"p{k}: {SOURCE}.p{k}.jpg as JPEG 2000 1:{RATIO}, {buf.tell() // 1024} KB")
    pdf = image_pdf(pages, sizes, DPI, filter="JPXDecode")
    assert len(pdf) < MAX_BYTES and sum(map(len, pages)) < MAX_BYTES - PDF_SLACK, len(pdf)
    (OUT / f"{STEM}.pdf").write_bytes(pdf)
    truth = json.loads((OUT / f"{SOURCE}.truth.json").read_text(encoding="utf-8"))
    truth.update(pages=notes, rendered=True, source=f"{SOURCE} pages, JPXDecode")
    (OUT / f"{STEM}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    print(STEM, len(pdf), "bytes;", "; ".join(notes))


if __name__ == "__main__":
    main()
