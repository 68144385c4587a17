#!/usr/bin/env python3
"""Generate HTML pages and DOCX files of 政府信息公开工作年度报告 with truth files.

What it writes
    samples/html/html_NN_<flavor>_<edition>.html   + .truth.json
    samples/docx/docx_NN_<flavor>_<edition>.docx   + .truth.json
    samples/broken/not_a_report.html   a Chinese government news page, no report
    samples/broken/truncated.docx      a DOCX cut short: not a readable ZIP
    samples/broken/word97.doc          the header of a Word 97-2003 binary file

    The values, the narrative and the truth come from gen_text_samples.py
    (imported: same number generator, same truth rules, see its docstring);
    this script only lays the report out as markup.  The tables follow the
    official templates' grids: the s2 captions span the four columns, the s3
    header is a 3x3 note beside 申请人情况 / 自然人 | 法人或其他组织 (5) | 总计,
    三、本年度办理结果 and the （三）（四）（五）（六） groups are merged down
    the side, s4 is a two-level header over one row of fifteen.

    HTML flavors: utf8 (HTML5, <meta charset>), gbk (GBK bytes, no charset
    declared anywhere, upper-case tags, s3 split over two tables), word (Word
    "save as web page": mso- styles, <o:p>, source lines wrapped inside CJK
    text, <br> in header cells, hidden text, GB2312 by http-equiv), items (one
    table per 第二十条 item, captions as paragraphs and as <caption>, s4 as a
    3x5 block), nested (a CMS page: data tables inside layout tables).
    DOCX flavors: both editions, w:gridSpan and w:vMerge as Word writes
    them, every number of two or more digits split over runs, proofErr and
    bookmarks between runs; the 2019 one also has a tracked deletion (not
    read) and insertion (read), a text box (its fallback copy not read), a
    content control and a tab inside a paragraph.

How to run
    python3 scripts/gen_markup_samples.py     (standard library only)

    Deterministic: every report draws from gen_text_samples' random.Random
    seeded by its number, and the ZIP entries carry a fixed date, so a re-run
    rewrites byte-identical files.  The outputs are committed; CI does not run
    this script.
"""

import html as htmllib
import json
import random
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_text_samples as g  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

# The markup styles print tables as grids: the item list only needs to say
# which table goes where, and blanks can be shown as empty cells.
g.RENDER["html"] = g.RENDER["docx"] = lambda rep, table: table
g.EXPLICIT_BLANK_STYLES |= {"html", "docx"}


# ---------------------------------------------------------------------------
# The tables as grids of cells with spans (the official templates' layout)
# ---------------------------------------------------------------------------

class C:
    """One cell: text, spans, and its role (cap, head, label, value)."""

    def __init__(self, text, colspan=1, rowspan=1, role="label", field=None):
        self.text, self.colspan, self.rowspan, self.role, self.field = text, colspan, rowspan, role, field


# Cells that carry an editing artifact: hidden text before the number in
# Word's HTML, a tracked deletion and insertion in a DOCX.
HIDDEN_BEFORE = "s3.new.natural"
TRACKED = "s3.granted.natural"


def value(rep, f, colspan=1):
    t = rep.text[f]
    return C("" if t is None else t, colspan, 1, "value", f)


def s2_groups(rep):
    """[(caption, rows)] per 第二十条 item; every row fills four columns."""
    groups = []
    for kind, p in g.s2_table(rep):
        if kind == "cap":
            groups.append((p, []))
        elif kind == "head":
            cells = [C(h, role="head") for h in p]
            cells[-1].colspan = 5 - len(p)
            groups[-1][1].append(cells)
        elif kind == "data":
            _rid, label, fids = p
            cells = [C(label)] + [value(rep, f) for f in fids]
            cells[-1].colspan = 5 - len(cells)
            groups[-1][1].append(cells)
        else:
            groups[-1][1].append([C(p[0])] + [C(v, role="value") for v in p[1]])
    return groups


def s2_rows(rep):
    rows = []
    for cap, body in s2_groups(rep):
        rows.append([C(cap, 4, 1, "cap")])
        rows.extend(body)
    return rows


def s3_rows(rep):
    """The s3 grid, ten columns: three of labels, seven of values."""
    rows = [
        [C(g.S3_NOTE, 3, 3, "head"), C("申请人情况", 7, 1, "head")],
        [C("自然人", 1, 2, "head"), C("法人或其他组织", 5, 1, "head"), C("总计", 1, 2, "head")],
        [C(x, role="head") for x in g.S3_SUBCOLS],
    ]
    printed = rep.printed_s3_rows()
    outcome = printed[printed.index("granted"):printed.index("total") + 1]
    for r in printed:
        vals = [value(rep, f) for f in rep.row_fields(r)]
        label = rep.lab(g.S3_LABEL[r])
        if r in ("new", "carried_over", "carried_forward"):
            lead = [C(label, 3)]
        elif r == "granted":
            lead = [C(g.TOP3, 1, len(outcome)), C(label, 2)]
        elif "." in r:
            group = r.split(".")[0]
            lead = [C(label)]
            if r in g.FIRST_CHILD:
                n = sum(1 for x in printed if x.startswith(group + "."))
                lead.insert(0, C(rep.lab(g.GROUP_LABEL[group]), 1, n))
        else:
            lead = [C(label, 2)]
        rows.append(lead + vals)
    return rows


def s4_rows(rep):
    heads = [C(h, 1, 2, "head") for h in g.S4_HEADS]
    rows = [
        [C("行政复议", 5, 1, "head"), C("行政诉讼", 10, 1, "head")],
        heads + [C("未经复议直接起诉", 5, 1, "head"), C("复议后起诉", 5, 1, "head")],
        [C(h, role="head") for h in g.S4_HEADS * 2],
        [value(rep, f) for f in g.s4_fields()],
    ]
    return rows


def s4_block_rows(rep):
    """s4 as a 3x5 block: 行政诉讼 merged down beside its two kinds of suit."""
    vals = lambda grp: [value(rep, f"s4.{grp}.{c}") for c in g.S4_COLS]  # noqa: E731
    return [
        [C("", 2, 1, "head")] + [C(h, role="head") for h in g.S4_HEADS],
        [C("行政复议", 2)] + vals("review"),
        [C("行政诉讼", 1, 2), C("未经复议直接起诉")] + vals("suit_direct"),
        [C("复议后起诉")] + vals("suit_after_review"),
    ]


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

def esc(t):
    return htmllib.escape(t, quote=False)


def cell_html(c, rng, flavor):
    """The inside of a <td>: escaped text, line breaks, the flavor's wrappers."""
    text = c.text
    if text.strip("\xa0") == "":
        return {"word": "<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US><o:p>&nbsp;</o:p></span></p>",
                "gbk": "&nbsp;"}.get(flavor, "" if rng.random() < 0.5 else "&nbsp;")
    parts = [esc(p).replace("\xa0", "&nbsp;") for p in text.split("\n")]
    if flavor == "word":
        font = "仿宋_GB2312" if c.role == "value" else "黑体" if c.role in ("head", "cap") else "宋体"
        lang = " lang=EN-US" if c.role == "value" else ""
        inner = word_wrap("<br>\n  ".join(parts), 20)
        if c.field == HIDDEN_BEFORE:
            inner = "<span style='display:none;mso-hide:all'>9</span>" + inner
        return (f"<p class=MsoNormal align=center style='text-align:center;mso-line-height-alt:0pt'>"
                f"<span{lang} style='font-size:10.5pt;font-family:{font};mso-hansi-font-family:\"Times New Roman\"'>"
                f"{inner}<span lang=EN-US><o:p></o:p></span></span></p>")
    if flavor == "gbk":
        return "<FONT size=2>" + "<BR>".join(parts) + "</FONT>"
    if flavor == "nested" and c.role == "value":
        return f"<span style=\"font-size:14px\">{parts[0]}</span>"
    return "<br>".join(parts)


def word_wrap(s, width=74):
    """Word wraps its HTML source inside CJK text; a browser joins it again."""
    out, col = [], 0
    for i, ch in enumerate(s):
        out.append(ch)
        col += 1
        if col >= width and g.dw(ch) == 2 and i + 1 < len(s) and g.dw(s[i + 1]) == 2:
            out.append("\n")
            col = 0
    return "".join(out)


def table_html(rows, rng, flavor, caption=None):
    tag = "TD" if flavor == "gbk" else "td"
    attrs = {
        "word": " class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=590 style='width:442.5pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'",
        "gbk": " width=\"100%\" border=1 cellSpacing=0 cellPadding=2",
    }.get(flavor, " border=\"1\" cellspacing=\"0\" class=\"data\"")
    out = [f"<{'TABLE' if flavor == 'gbk' else 'table'}{attrs}>"]
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    if flavor in ("utf8", "items"):
        out.append("<tbody>")
    for i, row in enumerate(rows):
        style = f" style='mso-yfti-irow:{i};height:15.6pt'" if flavor == "word" else ""
        out.append(f" <{'TR' if flavor == 'gbk' else 'tr'}{style}>")
        for c in row:
            t = "th" if c.role == "head" and flavor == "utf8" else tag
            span = (f" colspan={c.colspan}" if c.colspan > 1 else "") + (f" rowspan={c.rowspan}" if c.rowspan > 1 else "")
            if flavor == "word":
                span += " valign=center style='border:solid windowtext 1.0pt;border-top:none;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'"
            out.append(f"  <{t}{span}>{cell_html(c, rng, flavor)}</{t}>")
        out.append(f" </{'TR' if flavor == 'gbk' else 'tr'}>")
    if flavor == "word":
        width = max(sum(c.colspan for c in r) for r in rows)
        out.append(" <![if !supportMisalignedColumns]>\n <tr height=0>")
        out.extend("  <td width=60 style='border:none'></td>" for _ in range(width))
        out.append(" </tr>\n <![endif]>")
    if flavor in ("utf8", "items"):
        out.append("</tbody>")
    out.append("</TABLE>" if flavor == "gbk" else "</table>")
    return "\n".join(out)


def para_html(kind, text, flavor):
    t = esc(text)
    if flavor == "word":
        t = word_wrap(t)
        if kind == "title":
            return (f"<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt'><b><span "
                    f"style='font-size:22.0pt;font-family:方正小标宋简体'>{t}<span lang=EN-US><o:p></o:p></span></span></b></p>")
        if kind in ("h", "h3", "h4", "sub"):
            bm = "<a name=\"_GoBack\"></a>" if text.startswith("二、") else ""
            return (f"<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0'>{bm}<span "
                    f"style='font-size:16.0pt;font-family:黑体'>{t}<span lang=EN-US><o:p></o:p></span></span></p>")
        return (f"<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt'><span "
                f"style='font-size:16.0pt;font-family:仿宋_GB2312'>{t}<span lang=EN-US><o:p></o:p></span></span></p>")
    if flavor == "gbk":
        return f"<B>{t}</B><BR><BR>" if kind in ("title", "h") else f"&nbsp;&nbsp;&nbsp;&nbsp;{t}<BR><BR>"
    if kind == "title":
        return f"<h1 class=\"title\">{t}</h1>" if flavor != "nested" else f"<div class=\"title\"><strong>{t}</strong></div>"
    if kind == "h":
        return f"<h2>{t}</h2>" if flavor == "utf8" else f"<p><strong>{t}</strong></p>"
    if kind in ("h3", "h4", "sub"):
        return f"<h3>{t}</h3>"
    return f"<p style=\"text-indent:2em\">{t}</p>"


def body_html(rep, flavor, rng):
    out = []
    for it in g.build_items(rep):
        kind = it[0]
        if kind in ("title", "h", "h3", "h4", "sub", "p"):
            out.append(para_html(kind, it[1], flavor))
        elif kind == "lines":
            out.extend(para_html("p", line, flavor) for line in it[1] if line)
        elif kind == "table":
            out.append(tables_html(rep, it[1], flavor, rng))
        elif kind == "page" and flavor == "word":
            out.append("<span lang=EN-US style='font-size:16.0pt;mso-bidi-font-size:11.0pt'><br clear=all style='page-break-before:always'></span>")
    return "\n".join(out)


def tables_html(rep, table, flavor, rng):
    if table == "s2":
        if flavor == "items":
            parts = []
            for k, (cap, body) in enumerate(s2_groups(rep)):
                if k == 2:  # one caption the HTML way
                    parts.append(table_html(body, rng, flavor, caption=cap))
                else:
                    parts.append(f"<p><strong>{esc(cap)}</strong></p>\n" + table_html(body, rng, flavor))
            return "\n".join(parts)
        return table_html(s2_rows(rep), rng, flavor)
    if table == "s3":
        rows = s3_rows(rep)
        if flavor == "gbk":
            # Split where a page would break: the second table continues the
            # grid without a header, its side group restarted empty.
            cut = 3 + rep.printed_s3_rows().index("unable.not_held")
            first, second = rows[:cut], rows[cut:]
            covered = sum(1 for r in rows[5:cut])
            first[5][0].rowspan = covered
            second[0].insert(0, C("", 1, len(second) - 1))
            return table_html(first, rng, flavor) + "\n<BR>\n" + table_html(second, rng, flavor)
        return table_html(rows, rng, flavor)
    if flavor == "items" or rep.opt("s4_block"):
        return table_html(s4_block_rows(rep), rng, flavor)
    return table_html(s4_rows(rep), rng, flavor)


def page_html(rep, flavor, rng):
    title = g.title_items(rep)[-1][1]
    body = body_html(rep, flavor, rng)
    site = rep.spec.get("site_name", "政府门户网站")
    if flavor == "word":
        return WORD_HEAD.replace("{title}", esc(title)) + "<div class=WordSection1 style='layout-grid:15.6pt'>\n" + body + "\n</div>\n</body>\n</html>\n"
    if flavor == "gbk":
        return (f"<HTML>\n<HEAD>\n<TITLE>{esc(title)}</TITLE>\n</HEAD>\n<BODY bgColor=#ffffff>\n"
                f"<DIV align=center><FONT color=#666666>{esc(site)}</FONT></DIV>\n<DIV class=content>\n{body}\n</DIV>\n"
                f"<DIV align=center>版权所有：{esc(rep.org)}</DIV>\n</BODY>\n</HTML>\n")
    head = ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n" if flavor != "items" else
            "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
            "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n")
    head += (f"<title>{esc(title)}_{esc(site)}</title>\n<style>table{{border-collapse:collapse}} td,th{{border:1px solid #333}}</style>\n"
             "<script>var _hmt = _hmt || []; document.write('<div>统计代码</div>');</script>\n</head>\n")
    nav = "".join(f"<li><a href=\"#\">{x}</a></li>" for x in ["首页", "政务公开", "政府信息公开年报", "办事服务", "互动交流"])
    crumbs = f"<div class=\"crumb\">当前位置：<a href=\"#\">首页</a> &gt; <a href=\"#\">政府信息公开</a> &gt; 年度报告</div>"
    info = f"<div class=\"info\">发布时间：{rep.year + 1}-01-{rng.randint(10, 28)} &nbsp; 来源：{esc(rep.org)} &nbsp; 浏览次数：<span id=\"hits\">{rng.randint(100, 9000)}</span></div>"
    footer = f"<div class=\"footer\"><p>主办：{esc(rep.org)}</p><p>网站标识码：{rng.randint(1000000000, 9999999999)}</p></div>"
    if flavor == "nested":
        return (head + "<body>\n<table width=\"1000\" align=\"center\"><tr><td colspan=\"2\"><img src=\"banner.jpg\" alt=\"\"></td></tr>\n"
                f"<tr><td width=\"200\" valign=\"top\"><ul class=\"nav\">{nav}</ul></td>\n<td valign=\"top\">{crumbs}\n"
                f"<table width=\"100%\"><tr><td>{info}</td></tr><tr><td class=\"article\">\n{body}\n</td></tr></table>\n"
                f"</td></tr></table>\n<table width=\"1000\"><tr><td>{footer}</td></tr></table>\n</body>\n</html>\n")
    return head + f"<body>\n<ul class=\"nav\">{nav}</ul>\n{crumbs}\n<div class=\"article\">\n{info}\n<div class=\"content\">\n{body}\n</div>\n</div>\n{footer}\n</body>\n</html>\n"


WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
<meta http-equiv=Content-Type content="text/html; charset=gb2312">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<title>{title}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties>
  <o:Author>Administrator</o:Author>
  <o:Pages>6</o:Pages>
 </o:DocumentProperties>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face
	{font-family:宋体;
	panose-1:2 1 6 0 3 1 1 1 1 1;
	mso-font-charset:134;}
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{mso-style-unhide:no;
	margin:0cm;
	text-align:justify;
	text-justify:inter-ideograph;
	font-size:10.5pt;
	font-family:"Times New Roman",serif;}
@page WordSection1
	{size:595.3pt 841.9pt;
	margin:72.0pt 90.0pt 72.0pt 90.0pt;}
div.WordSection1
	{page:WordSection1;}
-->
</style>
</head>

<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>
"""


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------

W_NS = ('xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" mc:Ignorable="w14"')


def xesc(t):
    return htmllib.escape(t, quote=True)


RPR = {
    "cjk": '<w:rPr><w:rFonts w:ascii="仿宋_GB2312" w:eastAsia="仿宋_GB2312" w:hint="eastAsia"/><w:sz w:val="21"/></w:rPr>',
    "num": '<w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman"/><w:sz w:val="21"/></w:rPr>',
    "head": '<w:rPr><w:rFonts w:ascii="黑体" w:eastAsia="黑体" w:hint="eastAsia"/><w:b/><w:sz w:val="32"/></w:rPr>',
}


def run(text, rpr="cjk"):
    return f'<w:r>{RPR[rpr]}<w:t xml:space="preserve">{xesc(text)}</w:t></w:r>'


def split_runs(text, rng, rpr):
    """Word cuts text into runs where formatting or editing history changes:
    anywhere, even inside a number."""
    if len(text) < 2:
        return run(text, rpr) if text else ""
    cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.choice([1, 1, 2]))))
    pieces = [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]
    glue = ['', '<w:proofErr w:type="gramStart"/>', '<w:bookmarkStart w:id="0" w:name="_GoBack"/><w:bookmarkEnd w:id="0"/>']
    return "".join(run(p, rpr) + (rng.choice(glue) if i + 1 < len(pieces) else "") for i, p in enumerate(pieces))


def para_xml(text, rng, kind="p", center=False):
    ppr = '<w:pPr><w:spacing w:line="560" w:lineRule="exact"/>' + ('<w:jc w:val="center"/>' if center else '<w:ind w:firstLineChars="200" w:firstLine="640"/>') + '</w:pPr>'
    rpr = "head" if kind in ("title", "h") else "cjk"
    body = split_runs(text, rng, rpr) if kind in ("title", "h") else run(text, rpr)
    return f'<w:p w:rsidR="00A1{rng.randint(1000, 9999)}">{ppr}{body}</w:p>'


def cell_xml(c, rng, width, vmerge=None, tracked=False):
    span = f'<w:gridSpan w:val="{c.colspan}"/>' if c.colspan > 1 else ""
    vm = {"restart": '<w:vMerge w:val="restart"/>', "continue": "<w:vMerge/>"}.get(vmerge, "")
    pr = f'<w:tcPr><w:tcW w:w="{width * c.colspan}" w:type="dxa"/>{span}{vm}<w:vAlign w:val="center"/></w:tcPr>'
    text = "" if vmerge == "continue" else c.text
    rpr = "num" if c.role == "value" else "cjk"
    paras = text.split("\n")
    # A header broken inside its cell: by a manual line break as often as by
    # a second paragraph.
    if len(paras) > 1 and rng.random() < 0.5:
        inner = ('<w:r><w:br/></w:r>').join(split_runs(p, rng, rpr) for p in paras)
        return f'<w:tc>{pr}<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{inner}</w:p></w:tc>'
    runs = [split_runs(p.strip(chr(160)), rng, rpr) for p in paras]
    if c.field == TRACKED and tracked and text.isdigit():
        old = str(int(text) + 7)
        runs[0] = (f'<w:del w:id="91" w:author="王" w:date="2024-01-10T09:00:00Z"><w:r>{RPR["num"]}<w:delText>{old}</w:delText></w:r></w:del>'
                   f'<w:ins w:id="92" w:author="王" w:date="2024-01-10T09:00:00Z">{runs[0]}</w:ins>')
    body = "".join(f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{r}</w:p>' for r in runs)
    return f"<w:tc>{pr}{body}</w:tc>"


def table_xml(rows, rng, tracked=False):
    """Rows of C with spans → w:tbl: rowspans become vMerge restart/continue."""
    width = max(sum(c.colspan for c in r) for r in rows)
    col_w = 8500 // width
    pending = {}  # grid column → (cell, rows still covered)
    out = ['<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/><w:tblBorders>'
           '<w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
           '</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0"/></w:tblPr>',
           "<w:tblGrid>" + f'<w:gridCol w:w="{col_w}"/>' * width + "</w:tblGrid>"]
    for row in rows:
        cells, col, it = [], 0, iter(row)
        while col < width:
            if col in pending:
                c, left = pending[col]
                cells.append(cell_xml(c, rng, col_w, "continue", tracked))
                if left == 1:
                    del pending[col]
                else:
                    pending[col] = (c, left - 1)
                col += c.colspan
                continue
            c = next(it, None)
            if c is None:
                break
            if c.rowspan > 1:
                pending[col] = (c, c.rowspan - 1)
            cells.append(cell_xml(c, rng, col_w, "restart" if c.rowspan > 1 else None, tracked))
            col += c.colspan
        out.append('<w:tr><w:trPr><w:jc w:val="center"/></w:trPr>' + "".join(cells) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def tables_xml(rep, table, rng):
    if table == "s2":
        return table_xml(s2_rows(rep), rng)
    if table == "s3":
        return table_xml(s3_rows(rep), rng, tracked=rep.opt("docx_extras", False))
    return table_xml(s4_block_rows(rep) if rep.opt("s4_block") else s4_rows(rep), rng)


def document_xml(rep, rng):
    out = []
    extras = rep.opt("docx_extras", False)
    for it in g.build_items(rep):
        kind = it[0]
        if kind == "title":
            p = para_xml(it[1], rng, "title", center=True)
            if extras:  # a content control around the title
                p = f'<w:sdt><w:sdtPr><w:alias w:val="标题"/><w:id w:val="-1"/></w:sdtPr><w:sdtContent>{p}</w:sdtContent></w:sdt>'
            out.append(p)
        elif kind in ("h", "h3", "h4", "sub"):
            out.append(para_xml(it[1], rng, "h"))
        elif kind == "p":
            out.append(para_xml(it[1], rng))
        elif kind == "lines":
            out.extend(para_xml(x, rng) for x in it[1] if x)
        elif kind == "table":
            out.append(tables_xml(rep, it[1], rng))
            out.append('<w:p><w:pPr><w:spacing w:line="560" w:lineRule="exact"/></w:pPr></w:p>')
        elif kind == "page":
            out.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    if extras:
        out.insert(0, TEXT_BOX.format(org=xesc(rep.org)))
        out.append('<w:p><w:r><w:t>联系电话：</w:t></w:r><w:r><w:tab/></w:r><w:hyperlink r:id="rId9" w:history="1">'
                   '<w:r><w:t>0571-8765 4321</w:t></w:r></w:hyperlink></w:p>')
    sect = ('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" '
            'w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W_NS}><w:body>'
            + "".join(out) + sect + "</w:body></w:document>")


# A floating text box as Word 2010+ writes it: the DrawingML choice and a VML
# fallback with the same text; a reader must take one copy.
TEXT_BOX = ('<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" '
            'distL="114300" distR="114300" simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" '
            'allowOverlap="1"><wp:simplePos x="0" y="0"/><wp:extent cx="1371600" cy="297180"/><wp:docPr id="1" name="文本框 1"/>'
            '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
            '<wps:txbx><w:txbxContent><w:p><w:r><w:t>附件1</w:t></w:r></w:p></w:txbxContent></wps:txbx>'
            '</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict>'
            '<v:shape id="文本框 1" type="#_x0000_t202"><v:textbox><w:txbxContent><w:p><w:r><w:t>附件1</w:t></w:r></w:p>'
            '</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/word/document.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                 '<Override PartName="/word/styles.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>')
DOC_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/><Relationship Id="rId9" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
            'Target="http://www.example.gov.cn/" TargetMode="External"/></Relationships>')
STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault>'
          '<w:rPr><w:rFonts w:ascii="Times New Roman" w:eastAsia="宋体"/><w:sz w:val="21"/><w:lang w:val="en-US" '
          'w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" '
          'w:styleId="a"><w:name w:val="Normal"/><w:pPr><w:jc w:val="both"/></w:pPr></w:style></w:styles>')


def docx_bytes(document):
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS),
                           ("word/document.xml", document), ("word/_rels/document.xml.rels", DOC_RELS),
                           ("word/styles.xml", STYLES)]:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode("utf-8"))
    return buf.getvalue()


# ---------------------------------------------------------------------------
# The reports
# ---------------------------------------------------------------------------

# Report options as in gen_text_samples.SPECS, plus the flavor and the file kind.
SPECS = [
    dict(n=101, kind_="html", flavor="utf8", style="html", ed="2021", year=2023, org="杭州市西湖区人民政府办公室",
         short="西湖区政府办公室", self="我办", kind="district", size="medium", thousands=True, blank_cells=1,
         site_name="杭州市西湖区人民政府门户网站"),
    dict(n=102, kind_="html", flavor="gbk", style="html", ed="2019", year=2020, org="佛山市顺德区大良街道办事处",
         short="大良街道", self="我街道", kind="street", size="small", amount="wan", ph_cells=1, ph_sym="-",
         s2_fix={"s2.licensing.change": -3}, site_name="顺德区人民政府网"),
    dict(n=103, kind_="html", flavor="word", style="html", ed="2019", year=2020, org="南昌市青山湖区市场监督管理局",
         short="区市场监管局", self="我局", kind="bureau", size="medium", amount="yuan", title="annex",
         nbsp=True),
    dict(n=104, kind_="html", flavor="items", style="html", ed="2021", year=2024, org="贵阳市观山湖区金华园街道办事处",
         short="金华园街道", self="我街道", kind="street", size="small", single_other=True,
         s2_missing=[("s2.rules.repealed", "blank")]),
    dict(n=105, kind_="html", flavor="nested", style="html", ed="2019", year=2019, org="济南市历下区教育和体育局",
         short="区教体局", self="我局", kind="bureau", size="medium", amount="bare_header", thousands=True,
         site_name="济南市历下区人民政府"),
    dict(n=106, kind_="html", flavor="utf8", style="html", ed="2019", year=2020, org="太原市小店区人民政府",
         short="小店区政府", self="我区", kind="district", size="big", amount="bare4", blank_zeros=0.3,
         title="year_first", site_name="太原市小店区人民政府门户网站"),
    dict(n=111, kind_="docx", flavor="word", style="docx", ed="2021", year=2022, org="绍兴市柯桥区柯桥街道办事处",
         short="柯桥街道", self="我街道", kind="street", size="medium", thousands=True),
    dict(n=112, kind_="docx", flavor="word", style="docx", ed="2019", year=2020, org="厦门市思明区城市管理局",
         short="区城管局", self="我局", kind="bureau", size="big", amount="wan", thousands=True, docx_extras=True,
         s4_block=True, blank_cells=1),
]


def write(spec):
    rep = g.Report(spec)
    rng = random.Random(g.SEED * 1000 + spec["n"] + 500)
    truth = g.compute_truth(rep)
    doc = {"edition": rep.ed, "year": rep.year, "organization": rep.org, "values": truth}
    if spec["kind_"] == "html":
        stem = f"html_{spec['n'] - 100:02d}_{spec['flavor']}_{rep.ed}"
        text = page_html(rep, spec["flavor"], rng)
        if spec["flavor"] == "gbk":
            data = text.encode("gbk", errors="xmlcharrefreplace")
        elif spec["flavor"] == "word":
            data = text.encode("gb2312", errors="xmlcharrefreplace")
        else:
            data = text.encode("utf-8")
        path = SAMPLES / "html" / f"{stem}.html"
    else:
        stem = f"docx_{spec['n'] - 110:02d}_{rep.ed}"
        data = docx_bytes(document_xml(rep, rng))
        path = SAMPLES / "docx" / f"{stem}.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.with_suffix(".truth.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    nulls = sum(1 for x in truth.values() if x is None)
    print(f"{path.relative_to(SAMPLES)}: {len(data)} bytes, {len(truth)} fields, {nulls} null")
    return data


NOT_A_REPORT = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>我区召开2024年政务公开工作推进会_某某区人民政府</title></head>
<body>
<table width="1000"><tr><td><ul><li><a href="#">首页</a></li><li><a href="#">政务公开</a></li></ul></td>
<td><h1>我区召开2024年政务公开工作推进会</h1>
<p>3月15日下午，区政府召开2024年政务公开工作推进会，总结2023年全区政务公开工作，部署2024年重点任务。会议要求，各部门要进一步提高思想认识，
压实工作责任，持续深化重点领域信息公开，做好政策解读和回应关切，不断提升政务公开标准化规范化水平。</p>
<p>区政府办公室、区司法局等12个部门负责同志参加会议。</p>
<table border="1"><tr><th>联系部门</th><th>联系电话</th></tr><tr><td>区政府办公室</td><td>0551-6512 3456</td></tr>
<tr><td>区政务服务中心</td><td>0551-6512 7890</td></tr></table>
</td></tr></table>
</body></html>
"""


def main():
    docx = None
    for spec in SPECS:
        data = write(spec)
        if spec["kind_"] == "docx":
            docx = docx or data
    broken = SAMPLES / "broken"
    broken.mkdir(parents=True, exist_ok=True)
    (broken / "not_a_report.html").write_text(NOT_A_REPORT, encoding="utf-8")
    # Cut inside the central directory: the ZIP's end record is gone.
    (broken / "truncated.docx").write_bytes(docx[: len(docx) * 2 // 3])
    ole = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + bytes.fromhex("3e000300feff0900")
    (broken / "word97.doc").write_bytes(ole + bytes(512 - len(ole)))


if __name__ == "__main__":
    main()
