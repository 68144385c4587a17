#!/usr/bin/env python3
"""Image-only PDFs whose page images xxgk does not decode itself, so that
every page goes through the pdftoppm render fallback (src/source/scan/render.rs).

What it writes (samples/scanned/)
    scan_42_jpx_2021.pdf         the three 300 dpi pages of scan_32_300_2021,
                                 each a JPEG 2000 image (JPXDecode)
    scan_42_jpx_2021.truth.json  scan_32's truth: same pages, same values;
                                 "rendered": true keeps it out of the
                                 per-resolution runs, its own test checks it

How
    The committed scan_32 JPEGs (already degraded, see gen_scan_samples.py)
    are re-encoded by Pillow's OpenJPEG encoder at a fixed compression
    ratio, the rate a scanner's "compact" setting would choose, and put in a
    PDF by gen_scan_samples.image_pdf.  Starting from the committed JPEGs
    rather than from Chromium keeps the pages, and so the truth, exactly
    those of scan_32.

    No JBIG2 sample: Debian has no JBIG2 encoder package (only jbig2dec).

Run it with the venv scripts/gen_scan_samples makes (Pillow with OpenJPEG):
    target/scan-venv/bin/python scripts/gen_rendered_pdfs.py
Deterministic for a given Pillow/OpenJPEG; the outputs are committed and CI
does not run this.
"""

import io
import json
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_scan_samples import MAX_BYTES, OUT, PDF_SLACK, image_pdf  # noqa: E402

SOURCE = "scan_32_300_2021"
STEM = "scan_42_jpx_2021"
DPI = 300
# 1:90 of the 8-bit pages: about 85 KB a page, three pages under the cap.
RATIO = 90


def main():
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
