#!/usr/bin/env python3
"""Generate text PDFs whose text layer cannot be decoded, with truth files.

What it writes
    samples/pdf/pdf_07_chromium_notounicode_2019.pdf (+ .truth.json)
        pdf_04 (headless Chromium, 2019 edition) without the /ToUnicode of
        its Type 3 fonts.  Those fonts draw the tables (Noto Sans CJK) and
        name their glyphs /g0, /g1, ... in a custom /Encoding, so pages 4
        and 5 decode to nothing usable, while pages 1-3 and 6 (WenQuanYi,
        CID TrueType with ToUnicode) keep their text: one report, read from
        the text layer and from OCR of the rendered table pages.
    samples/scanned/scan_39_notounicode_2021.pdf (+ .truth.json)
        pdf_03 (headless Chromium, 2021 edition) without the /ToUnicode of
        its CID TrueType fonts (Identity-H, subset WenQuanYi Zen Hei): every
        glyph is a bare glyph id and every page needs OCR.  It lives with
        the scans because that is what it is to the reader: every page is
        rendered at 300 dpi and read by Tesseract; its truth records that
        dpi, and tests/scan.rs checks it with the 300 dpi scans.

    This is how broken exports look in real archives: a Word or WPS export,
    or a PDF passed through a tool that drops /ToUnicode, keeps its glyphs
    and loses the mapping to Unicode.  The fonts, content streams and
    layout stay the real producer's (Chromium); only the /ToUnicode entries
    are removed, by pikepdf (qpdf), and objects repacked into object
    streams.  The truth is the source sample's truth.

How to run
    pip install pikepdf; scripts/gen_undecodable_pdf.py
    (after scripts/gen_pdf_samples.py when the source samples change)
"""

import json
import subprocess
from pathlib import Path

import pikepdf

ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 300 * 1024

# (source stem, output path, which fonts lose /ToUnicode, extra truth keys)
SPECS = [
    ("pdf_04_chromium_2019", ROOT / "samples/pdf/pdf_07_chromium_notounicode_2019.pdf", "/Type3", {}),
    ("pdf_03_chromium_2021", ROOT / "samples/scanned/scan_39_notounicode_2021.pdf", "/Type0", {"dpi": 300}),
]


def strip(src, out, subtype):
    pdf = pikepdf.open(src)
    removed = 0
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            if font.get("/Subtype") == subtype and "/ToUnicode" in font:
                del font["/ToUnicode"]
                removed += 1
    assert removed, f"{src}: no {subtype} font with /ToUnicode"
    pdf.remove_unreferenced_resources()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True,
             deterministic_id=True)


def main():
    for stem, out, subtype, extra in SPECS:
        src = ROOT / "samples/pdf" / f"{stem}.pdf"
        strip(src, out, subtype)
        fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
        # pdffonts' "uni" column: no font of that kind may keep a Unicode map.
        kind = "Type 3" if subtype == "/Type3" else "CID TrueType"
        rows = [line for line in fonts.splitlines() if kind in line]
        assert rows and all(line.split()[-3] == "no" for line in rows), fonts
        truth = json.loads((ROOT / "samples/pdf" / f"{stem}.truth.json").read_text(encoding="utf-8"))
        truth.update(extra)
        out.with_suffix(".truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        size = out.stat().st_size
        assert size < MAX_BYTES, f"{out}: {size} bytes"
        print(f"{out.relative_to(ROOT)}: {size} bytes")


if __name__ == "__main__":
    main()
