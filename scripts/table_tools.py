"""Run a third-party table recognizer over the page images of one report
and write every table it finds, in page order, as one HTML document, so
that xxgk's own reader maps the tables onto the template the same way for
every tool (scripts/bench-tables). Not part of xxgk; benchmarks only.

usage: python table_tools.py img2table|rapid_table OUT.html PAGE...
"""

import sys


def img2table_tables(pages):
    from img2table.document import Image
    from img2table.ocr import TesseractOCR

    # The user's obvious configuration for Chinese tables with digits:
    # Tesseract's chi_sim and eng models, one thread (the bench is per core).
    ocr = TesseractOCR(n_threads=1, lang="chi_sim+eng")
    for page in pages:
        for table in Image(page).extract_tables(
            ocr=ocr, implicit_rows=False, borderless_tables=True, min_confidence=1
        ):
            yield table.html


def rapid_table_tables(pages):
    from rapid_table import RapidTable
    from rapidocr_onnxruntime import RapidOCR

    ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    recognizer = RapidTable()
    for page in pages:
        words, _ = ocr(page)
        if not words:
            continue
        html = recognizer(page, words)[0]
        # rapid_table wraps its one table in <html><body>.
        yield html.replace("<html><body>", "").replace("</body></html>", "")


TOOLS = {"img2table": img2table_tables, "rapid_table": rapid_table_tables}


def main():
    tool, out, pages = sys.argv[1], sys.argv[2], sys.argv[3:]
    tables = list(TOOLS[tool](pages))
    with open(out, "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n")
        for html in tables:
            f.write(html + "\n")
        f.write("</body></html>\n")


if __name__ == "__main__":
    main()
