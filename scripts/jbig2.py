"""A JBIG2 encoder for one kind of page: a single immediate lossless
generic region, arithmetic (MQ) coded with template 0 and the default
adaptive pixels (ITU-T T.88 6.2.5.3 and annex E), as an embedded stream
for a PDF (no file header, no end-of-page segment: PDF 32000 7.4.7).

Debian has no JBIG2 encoder package (only the decoder jbig2dec), so the
sample generator (gen_rendered_pdfs.py) uses this.  Checked by decoding
with jbig2dec (pixel-exact) and by pdftoppm.  MMR coding (the same runs as
CCITT group 4, which libtiff writes) would be shorter to write, but
poppler's JBIG2 MMR decoder renders libtiff's group 4 runs with vertical
streaks where jbig2dec decodes them cleanly; encoders in the field
(jbig2enc, scanners) use arithmetic coding."""

import struct

# (Qe, NMPS, NLPS, SWITCH), T.88 Table E.1
QE = [
    (0x5601, 1, 1, 1), (0x3401, 2, 6, 0), (0x1801, 3, 9, 0), (0x0AC1, 4, 12, 0), (0x0521, 5, 29, 0), (0x0221, 38, 33, 0),
    (0x5601, 7, 6, 1), (0x5401, 8, 14, 0), (0x4801, 9, 14, 0), (0x3801, 10, 14, 0), (0x3001, 11, 17, 0), (0x2401, 12, 18, 0),
    (0x1C01, 13, 20, 0), (0x1601, 29, 21, 0), (0x5601, 15, 14, 1), (0x5401, 16, 14, 0), (0x5101, 17, 15, 0), (0x4801, 18, 16, 0),
    (0x3801, 19, 17, 0), (0x3401, 20, 18, 0), (0x3001, 21, 19, 0), (0x2801, 22, 19, 0), (0x2401, 23, 20, 0), (0x2201, 24, 21, 0),
    (0x1C01, 25, 22, 0), (0x1801, 26, 23, 0), (0x1601, 27, 24, 0), (0x1401, 28, 25, 0), (0x1201, 29, 26, 0), (0x1101, 30, 27, 0),
    (0x0AC1, 31, 28, 0), (0x09C1, 32, 29, 0), (0x08A1, 33, 30, 0), (0x0521, 34, 31, 0), (0x0441, 35, 32, 0), (0x02A1, 36, 33, 0),
    (0x0221, 37, 34, 0), (0x0141, 38, 35, 0), (0x0111, 39, 36, 0), (0x0085, 40, 37, 0), (0x0049, 41, 38, 0), (0x0025, 42, 39, 0),
    (0x0015, 43, 40, 0), (0x0009, 44, 41, 0), (0x0005, 45, 42, 0), (0x0001, 45, 43, 0), (0x5601, 46, 46, 0),
]


class MQEncoder:
    def __init__(self, contexts):
        self.a, self.c, self.ct = 0x8000, 0, 12
        self.out = [0]  # out[-1] is the byte B being formed; out[0] a dummy
        self.index = [0] * contexts
        self.mps = [0] * contexts

    def _byteout(self):
        out = self.out
        if out[-1] == 0xFF:
            out.append((self.c >> 20) & 0xFF)
            self.c &= 0xFFFFF
            self.ct = 7
        elif self.c < 0x8000000:
            out.append((self.c >> 19) & 0xFF)
            self.c &= 0x7FFFF
            self.ct = 8
        else:
            out[-1] += 1
            if out[-1] == 0xFF:
                self.c &= 0x7FFFFFF
                out.append((self.c >> 20) & 0xFF)
                self.c &= 0xFFFFF
                self.ct = 7
            else:
                out.append((self.c >> 19) & 0xFF)
                self.c &= 0x7FFFF
                self.ct = 8

    def encode(self, cx, d):
        i = self.index[cx]
        qe, nmps, nlps, switch = QE[i]
        self.a -= qe
        if d == self.mps[cx]:
            if self.a & 0x8000:
                self.c += qe
                return
            if self.a < qe:
                self.a = qe
            else:
                self.c += qe
            self.index[cx] = nmps
        else:
            if self.a < qe:
                self.c += qe
            else:
                self.a = qe
            if switch:
                self.mps[cx] ^= 1
            self.index[cx] = nlps
        while True:
            self.a <<= 1
            self.c <<= 1
            self.ct -= 1
            if self.ct == 0:
                self._byteout()
            if self.a & 0x8000:
                break

    def flush(self):
        temp = self.c + self.a
        self.c |= 0xFFFF
        if self.c >= temp:
            self.c -= 0x8000
        self.c <<= self.ct
        self._byteout()
        self.c <<= self.ct
        self._byteout()
        data = self.out[1:]
        if data and data[-1] == 0xFF:
            data.pop()
        return bytes(data) + b"\xff\xac"


def generic_region(rows, w):
    """`rows`: lists of 0/1 (1 = black), each `w` long. Template 0,
    adaptive pixels at their defaults (3,-1) (-3,-1) (2,-2) (-2,-2)."""
    enc = MQEncoder(1 << 16)
    zero = [0] * (w + 8)
    pad = lambda r: [0, 0, 0, 0] + r + [0, 0, 0, 0]
    prev2, prev1 = zero, zero
    for row in rows:
        cur = pad(row)
        for x in range(w):
            X = x + 4
            cx = (cur[X - 1] | cur[X - 2] << 1 | cur[X - 3] << 2 | cur[X - 4] << 3
                  | prev1[X + 3] << 4 | prev1[X + 2] << 5 | prev1[X + 1] << 6 | prev1[X] << 7
                  | prev1[X - 1] << 8 | prev1[X - 2] << 9 | prev1[X - 3] << 10
                  | prev2[X + 2] << 11 | prev2[X + 1] << 12 | prev2[X] << 13 | prev2[X - 1] << 14 | prev2[X - 2] << 15)
            enc.encode(cx, cur[X])
        prev2, prev1 = prev1, cur
    return enc.flush()


def segment(number, kind, data):
    """One segment: header (T.88 7.2: number, type, no referred-to
    segments, page 1) and its data."""
    return struct.pack(">IBBBI", number, kind, 0, 1, len(data)) + data


def embedded_stream(rows, w, dpi):
    """A page of `rows` (1 = black) as a PDF JBIG2Decode stream: page
    information, then one immediate lossless generic region (type 39)."""
    h = len(rows)
    dpm = round(dpi / 0.0254)
    info = struct.pack(">IIIIBH", w, h, dpm, dpm, 0, 0)
    # Region at (0, 0), combination OR; flags 0: arithmetic, template 0,
    # no typical prediction; then the four adaptive pixels.
    region = struct.pack(">IIIIBB", w, h, 0, 0, 0, 0) + struct.pack(">8b", 3, -1, -3, -1, 2, -2, -2, -2)
    return segment(0, 48, info) + segment(1, 39, region + generic_region(rows, w))
