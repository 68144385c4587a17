#!/usr/bin/env python3
"""Generate synthetic text exports of 政府信息公开工作年度报告 with truth files.

What it writes
    samples/text/gen_NN_<style>_<edition>.txt         a full report (title, 一…六)
    samples/text/gen_NN_<style>_<edition>.truth.json  what xxgk must output for it

    The organizations are real kinds of issuing organs, but every figure is
    invented.  Eight export styles are covered, each in both editions:
    cells, tabs, pipe, markdown, layout, raw, glued, ocr (see the render_*
    functions; they imitate shared/seeds 000-004 and pdftotext output).

How to run
    python3 scripts/gen_text_samples.py        (standard library only, Python 3.11)

    Deterministic: every report draws from random.Random(SEED * 1000 + NN), so a
    re-run rewrites byte-identical files.  The outputs are committed; CI does
    not run this script.  Re-run it only to change the samples on purpose.

What the truth holds (mirrors the tool; see fields.md and compute_truth)
    * Every field id of the edition, in fields.md order (198 for 2019, 207 for
      2021).  Integers as JSON integers; amount_wan in 万元 with no trailing
      zeros ("251000元" -> 25.1, "36.2500" -> 36.25).
    * s2: a blank cell, a placeholder (- / — 无) or a dropped cell is null.
      Dropped s2 cells only ever miss at the END of a row.
    * s3/s4: a blank, placeholder or dropped cell is null unless it is fixed by
      propagation: while some rule instance has exactly one unknown operand,
      solve it.  Rules: R1 per s3 column, R2 per printed s3 row, R3 per s3
      column, R5 per s3 column (2021 with three （六） rows), R4 per s4 group.
      In 2021 with three （六） rows the derived s3.other.* start unknown and
      are found through R5 (the generator checks that R2 on the derived row,
      or R3 over the three sub-rows, would change nothing).  Dropped s3 cells
      occur only in all-zero rows, one per row at most; numbers in label cells
      (the OCR stray "471", Hubei's "如-8" gloss) are never values.
    * OCR confusions (C/O for 0, l/I for 1) are read as digits: real values.
    * glued style: the digits after an s2 row label are split into the row's
      column count; parts are 0 or have no leading zero; a `change` part may
      start with '-'; only an amount part may contain '.'; a trailing unit
      (万元/元) is not part of the run.  More than one split -> the whole row
      is null.  Glued s3 rows are drawn so that their split is unique under R2
      alone, glued s4 runs so that the split is unique under R4 alone.
"""

import json
import itertools
import random
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

SEED = 20240131
OUT_DIR = Path(__file__).resolve().parent.parent / "samples" / "text"

# ---------------------------------------------------------------------------
# The templates (fields.md)
# ---------------------------------------------------------------------------

# (caption, header cells, [(row id, label)], column ids)
S2 = {
    "2019": [
        ("第二十条第（一）项", ["信息内容", "本年新\n制作数量", "本年新\n公开数量", "对外公开总数量"],
         [("rules", "规章"), ("normative", "规范性文件")], ["made", "published", "total"]),
        ("第二十条第（五）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
         [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")],
         ["prev_items", "change", "decisions"]),
        ("第二十条第（六）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
         [("penalty", "行政处罚"), ("coercion", "行政强制")], ["prev_items", "change", "decisions"]),
        ("第二十条第（八）项", ["信息内容", "上一年项目数量", "本年增/减"],
         [("fees", "行政事业性收费")], ["prev_items", "change"]),
        ("第二十条第（九）项", ["信息内容", "采购项目数量", "采购总金额"],
         [("procurement", "政府集中采购")], ["items", "amount_wan"]),
    ],
    "2021": [
        ("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
         [("rules", "规章"), ("normative", "行政规范性文件")], ["issued", "repealed", "in_force"]),
        ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("licensing", "行政许可")], ["decisions"]),
        ("第二十条第（六）项", ["信息内容", "本年处理决定数量"],
         [("penalty", "行政处罚"), ("coercion", "行政强制")], ["decisions"]),
        ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"],
         [("fees", "行政事业性收费")], ["amount_wan"]),
    ],
}

S3_COLS = ["natural", "commercial", "research", "nonprofit", "legal", "other_org", "total"]
APPLICANTS = S3_COLS[:6]
DENIED = ["denied.state_secret", "denied.law_forbidden", "denied.three_safety", "denied.third_party",
          "denied.internal", "denied.process", "denied.enforcement", "denied.query"]
UNABLE = ["unable.not_held", "unable.needs_creation", "unable.unclear"]
REJECTED = ["rejected.petition", "rejected.repeat", "rejected.publication", "rejected.mass_repeat",
            "rejected.confirm"]
OTHER_SUB = ["other.no_correction", "other.unpaid_fee", "other.misc"]
OUTCOMES = ["granted", "partial"] + DENIED + UNABLE + REJECTED      # + （六）
S3_ROWS = {  # field order of fields.md
    "2019": ["new", "carried_over"] + OUTCOMES + ["other", "total", "carried_forward"],
    "2021": ["new", "carried_over"] + OUTCOMES + ["other"] + OTHER_SUB + ["total", "carried_forward"],
}
S4_GROUPS = ["review", "suit_direct", "suit_after_review"]
S4_COLS = ["upheld", "corrected", "other", "pending", "total"]

S3_LABEL = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied.state_secret": "1.属于国家秘密",
    "denied.law_forbidden": "2.其他法律行政法规禁止公开",
    "denied.three_safety": "3.危及“三安全一稳定”",
    "denied.third_party": "4.保护第三方合法权益",
    "denied.internal": "5.属于三类内部事务信息",
    "denied.process": "6.属于四类过程性信息",
    "denied.enforcement": "7.属于行政执法案卷",
    "denied.query": "8.属于行政查询事项",
    "unable.not_held": "1.本机关不掌握相关政府信息",
    "unable.needs_creation": "2.没有现成信息需要另行制作",
    "unable.unclear": "3.补正后申请内容仍不明确",
    "rejected.petition": "1.信访举报投诉类申请",
    "rejected.repeat": "2.重复申请",
    "rejected.publication": "3.要求提供公开出版物",
    "rejected.mass_repeat": "4.无正当理由大量反复申请",
    "rejected.confirm": "5.要求行政机关确认或重新出具已获取信息",
    "other": "（六）其他处理",
    "other.no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other.unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other.misc": "3.其他",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
GROUP_LABEL = {"denied": "（三）不予公开", "unable": "（四）无法提供", "rejected": "（五）不予处理",
               "other": "（六）其他处理"}
FIRST_CHILD = {"denied.state_secret", "unable.not_held", "rejected.petition", "other.no_correction"}
TOP3 = "三、本年度办理结果"
S3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
S3_SUBCOLS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
S4_HEADS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def s2_fields(ed):
    return [f"s2.{rid}.{col}" for _, _, rows, cols in S2[ed] for rid, _ in rows for col in cols]


def s3_fields(ed):
    return [f"s3.{r}.{c}" for r in S3_ROWS[ed] for c in S3_COLS]


def s4_fields():
    return [f"s4.{g}.{c}" for g in S4_GROUPS for c in S4_COLS]


def all_fields(ed):
    return s2_fields(ed) + s3_fields(ed) + s4_fields()


def s2_row_fields(ed, rid):
    for _, _, rows, cols in S2[ed]:
        for r, _ in rows:
            if r == rid:
                return [f"s2.{rid}.{c}" for c in cols]
    raise KeyError(rid)


# ---------------------------------------------------------------------------
# Number generation
# ---------------------------------------------------------------------------

SIZES = {"tiny": (3, 9), "small": (18, 75), "medium": (160, 1400), "big": (12000, 33000)}
APPLICANT_W = [0.84, 0.09, 0.006, 0.012, 0.03, 0.022]
OUTCOME_W = {
    "granted": 0.38, "partial": 0.08,
    "denied.state_secret": 0.004, "denied.law_forbidden": 0.01, "denied.three_safety": 0.004,
    "denied.third_party": 0.02, "denied.internal": 0.02, "denied.process": 0.03,
    "denied.enforcement": 0.015, "denied.query": 0.03,
    "unable.not_held": 0.22, "unable.needs_creation": 0.03, "unable.unclear": 0.02,
    "rejected.petition": 0.03, "rejected.repeat": 0.03, "rejected.publication": 0.004,
    "rejected.mass_repeat": 0.008, "rejected.confirm": 0.01,
    "other": 0.05, "other.no_correction": 0.025, "other.unpaid_fee": 0.002, "other.misc": 0.025,
}


def allocate(rng, total, weights):
    """Split `total` into len(weights) non-negative ints, roughly proportional."""
    n = len(weights)
    out = [0] * n
    if total <= 0:
        return out
    if total <= 400:
        for i in rng.choices(range(n), weights=weights, k=total):
            out[i] += 1
        return out
    noisy = [w * rng.uniform(0.6, 1.4) for w in weights]
    s = sum(noisy)
    out = [int(total * w / s) for w in noisy]
    for i in rng.choices(range(n), weights=weights, k=total - sum(out)):
        out[i] += 1
    return out


def gen_s3_grid(rng, ed, size):
    """s3 as {row: [six applicant values]}, consistent by construction."""
    lo, hi = SIZES[size]
    n_new = rng.randint(lo, hi)
    new = allocate(rng, n_new, APPLICANT_W)
    if size != "tiny":  # keep several columns non-zero: zeros hide column errors
        for i in (1, 4, 5) + ((3,) if size != "small" else ()):
            if new[i] == 0:
                new[i] = rng.randint(1, 3)
    co = [rng.randint(0, max(0, x // 12)) for x in new]
    if size == "tiny":
        co = [0] * 6
        co[0] = rng.randint(0, 1)
    cf = [rng.randint(0, (a + b) // 9) for a, b in zip(new, co)]
    done = [a + b - c for a, b, c in zip(new, co, cf)]
    rows = OUTCOMES + (["other"] if ed == "2019" else OTHER_SUB)
    grid = {r: [0] * 6 for r in rows}
    for c in range(6):
        parts = allocate(rng, done[c], [OUTCOME_W[r] for r in rows])
        for r, v in zip(rows, parts):
            grid[r][c] = v
    grid["new"], grid["carried_over"], grid["carried_forward"] = new, co, cf
    return grid


def outcome_rows(ed):
    return OUTCOMES + (["other"] if ed == "2019" else OTHER_SUB)


def grid_values(grid, ed):
    """Field values from the grid: derived rows (（七）总计, 2021 （六）) and row totals."""
    outs = outcome_rows(ed)
    grid["total"] = [sum(grid[r][c] for r in outs) for c in range(6)]
    if ed == "2021":
        grid["other"] = [sum(grid[r][c] for r in OTHER_SUB) for c in range(6)]
    vals = {}
    for r in S3_ROWS[ed]:
        for c, col in enumerate(APPLICANTS):
            vals[f"s3.{r}.{col}"] = grid[r][c]
        vals[f"s3.{r}.total"] = sum(grid[r])
    return vals


def glued_row_run(grid, r):
    return "".join(str(x) for x in grid[r]) + str(sum(grid[r]))


def make_glued_unique(rng, grid, ed, printed, steps=6000):
    """Nudge the grid, keeping R1-R3, until every printed row splits uniquely under R2."""
    outs = outcome_rows(ed)
    for _ in range(steps):
        grid_values(grid, ed)
        bad = [r for r in printed if count_s3_splits(glued_row_run(grid, r)) != 1]
        if not bad:
            return True
        r, c = rng.choice(bad), rng.randrange(6)
        up = rng.random() < 0.5
        if r in outs:
            other = rng.choice([x for x in outs if x != r])
            src, dst = (other, r) if up else (r, other)
            if grid[src][c] > 0:
                grid[src][c] -= 1
                grid[dst][c] += 1
        elif r in ("new", "total"):
            # new and an outcome row move together: R1 and R3 keep holding
            a = rng.choice(outs)
            if up or (grid["new"][c] > 0 and grid[a][c] > 0):
                d = 1 if up else -1
                grid["new"][c] += d
                grid[a][c] += d
        else:  # carried_over / carried_forward move together
            if up or (grid["carried_over"][c] > 0 and grid["carried_forward"][c] > 0):
                d = 1 if up else -1
                grid["carried_over"][c] += d
                grid["carried_forward"][c] += d
    return False


def gen_s4(rng, size):
    top, p = {"tiny": (1, 0.15), "small": (2, 0.3), "medium": (7, 0.55), "big": (50, 0.7)}[size]
    vals = {}
    for g in S4_GROUPS:
        parts = [rng.randint(0, top) if rng.random() < p else 0 for _ in range(4)]
        if g == "review" and size != "tiny" and sum(parts) == 0:
            parts[0] = 1  # keep s4 non-zero: zeros hide column errors
        for c, v in zip(S4_COLS, parts + [sum(parts)]):
            vals[f"s4.{g}.{c}"] = v
    return vals


def rand_amount(rng, lo, hi, decimals):
    units = rng.randint(int(lo * 10 ** decimals), int(hi * 10 ** decimals))
    return Decimal(units).scaleb(-decimals)


# (decisions range, item range) per kind of organ
KINDS = {
    "street": dict(dec=(0, 260), items=(0, 30), norm=(0, 2), rules=False, proc=(1, 40), wan=(0.5, 120)),
    "town": dict(dec=(5, 600), items=(3, 80), norm=(0, 3), rules=False, proc=(1, 60), wan=(2, 400)),
    "district": dict(dec=(200, 9000), items=(40, 400), norm=(2, 18), rules=False, proc=(20, 300),
                     wan=(50, 3000)),
    "city_gov": dict(dec=(500, 30000), items=(100, 900), norm=(5, 40), rules=True, proc=(40, 600),
                     wan=(200, 9000)),
    "bureau": dict(dec=(100, 40000), items=(20, 500), norm=(1, 15), rules=False, proc=(10, 400),
                   wan=(20, 2500)),
    "province": dict(dec=(50, 5000), items=(10, 200), norm=(3, 30), rules=False, proc=(10, 200),
                     wan=(50, 5000)),
}


def gen_s2(rng, ed, kind, amount_mode):
    k = KINDS[kind]
    v = {}

    def dec():
        lo, hi = k["dec"]
        return rng.randint(lo, hi) if rng.random() < 0.85 else 0

    def items():
        lo, hi = k["items"]
        return rng.randint(lo, hi)

    n_made = rng.randint(*k["norm"])
    if ed == "2019":
        r_made = rng.randint(1, 5) if k["rules"] else 0
        v.update({"s2.rules.made": r_made, "s2.rules.published": r_made,
                  "s2.rules.total": r_made + (rng.randint(30, 200) if k["rules"] else 0)})
        v.update({"s2.normative.made": n_made, "s2.normative.published": max(0, n_made - rng.randint(0, 1)),
                  "s2.normative.total": n_made + rng.randint(5, 260)})
        for rid in ("licensing", "other_services", "penalty", "coercion"):
            prev = items() if rid != "coercion" else rng.randint(0, 30)
            change = rng.randint(-min(prev, 12), 15) if prev else rng.randint(0, 4)
            v.update({f"s2.{rid}.prev_items": prev, f"s2.{rid}.change": change,
                      f"s2.{rid}.decisions": dec() if rid != "coercion" else rng.randint(0, 60)})
        fprev = rng.randint(0, 12)
        v.update({"s2.fees.prev_items": fprev, "s2.fees.change": -rng.randint(0, min(fprev, 3))})
        v["s2.procurement.items"] = rng.randint(*k["proc"])
        decimals = {"wan": 6, "yuan": 4, "bare4": 4}.get(amount_mode, rng.choice([2, 4]))
        v["s2.procurement.amount_wan"] = rand_amount(rng, *k["wan"], decimals)
    else:
        r_issued = rng.randint(1, 4) if k["rules"] else 0
        v.update({"s2.rules.issued": r_issued, "s2.rules.repealed": rng.randint(0, 2) if k["rules"] else 0,
                  "s2.rules.in_force": r_issued + (rng.randint(40, 180) if k["rules"] else 0)})
        v.update({"s2.normative.issued": n_made, "s2.normative.repealed": rng.randint(0, max(1, n_made // 2)),
                  "s2.normative.in_force": n_made + rng.randint(3, 150)})
        v["s2.licensing.decisions"] = dec()
        v["s2.penalty.decisions"] = dec()
        v["s2.coercion.decisions"] = rng.randint(0, 80)
        decimals = 4 if amount_mode == "bare4" else rng.choice([1, 2, 4])
        lo, hi = k["wan"]
        v["s2.fees.amount_wan"] = rand_amount(rng, 0, hi / 4, decimals) if rng.random() < 0.8 else Decimal(0)
    return v


# ---------------------------------------------------------------------------
# Glued runs: split counting (shared by the generator and the truth)
# ---------------------------------------------------------------------------

INT_RE = re.compile(r"0|[1-9]\d*")
PART_RE = {"int": INT_RE, "signed": re.compile(r"0|-?[1-9]\d*"),
           "dec": re.compile(r"(0|[1-9]\d*)(\.\d+)?")}


def s2_col_kind(col):
    return {"change": "signed", "amount_wan": "dec"}.get(col, "int")


def count_s2_splits(run, kinds, limit=2):
    """Ways to cut `run` into len(kinds) parts, each matching its column kind."""
    if not kinds:
        return 1 if run == "" else 0
    total = 0
    for i in range(1, len(run) + 1):
        if PART_RE[kinds[0]].fullmatch(run[:i]):
            total += count_s2_splits(run[i:], kinds[1:], limit)
            if total >= limit:
                return total
    return total


def s2_splits(run, kinds):
    """Every way to cut `run` into len(kinds) parts, each matching its column kind."""
    if not kinds:
        return [[]] if run == "" else []
    out = []
    for i in range(1, len(run) + 1):
        if PART_RE[kinds[0]].fullmatch(run[:i]):
            out += [[run[:i]] + rest for rest in s2_splits(run[i:], kinds[1:])]
    return out


def _sum_splits(prefix, k, target, limit):
    """Ways to cut `prefix` into k integer parts summing to `target`."""
    if k == 0:
        return 1 if prefix == "" and target == 0 else 0
    count = 0
    for i in range(1, len(prefix) - k + 2):
        part = prefix[:i]
        if not INT_RE.fullmatch(part):
            break  # a leading zero stays a leading zero when extended
        v = int(part)
        if v > target:
            break
        count += _sum_splits(prefix[i:], k - 1, target - v, limit)
        if count >= limit:
            break
    return count


def count_s3_splits(run, limit=2):
    """Splits of a glued s3 row into 7 parts with part 7 = sum of parts 1-6 (R2)."""
    count = 0
    for tl in range(1, len(run) - 5):
        tail = run[-tl:]
        if not INT_RE.fullmatch(tail):
            continue
        count += _sum_splits(run[:-tl], 6, int(tail), limit)
        if count >= limit:
            break
    return count


def count_s4_splits(run, groups=3, limit=2):
    """Splits of a glued s4 run into groups of 5 with total = sum of the first four (R4)."""
    if groups == 0:
        return 1 if run == "" else 0
    count = 0
    for end in range(5, len(run) - 5 * (groups - 1) + 1):
        head = run[:end]
        for tl in range(1, end - 3):
            tail = head[-tl:]
            if INT_RE.fullmatch(tail):
                n = _sum_splits(head[:-tl], 4, int(tail), limit)
                if n:
                    count += n * count_s4_splits(run[end:], groups - 1, limit)
                    if count >= limit:
                        return count
    return count


# ---------------------------------------------------------------------------
# Report: values, cell states, display texts
# ---------------------------------------------------------------------------

FW = str.maketrans("0123456789.", "０１２３４５６７８９．")
PLACEHOLDERS = ["-", "/", "—", "无"]
EXPLICIT_BLANK_STYLES = {"cells", "pipe", "markdown", "layout"}


def dec_str(d):
    """Decimal without trailing zeros: 25.1, 0, 316441."""
    return format(d.normalize(), "f")


def json_num(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(dec_str(v))
    return v


class Report:
    """One synthetic report: its values, how each cell is printed, its options."""

    def __init__(self, spec):
        self.spec = spec
        self.n = spec["n"]
        self.style = spec["style"]
        self.ed = spec["ed"]
        self.year = spec["year"]
        self.org = spec["org"]
        self.rng = random.Random(SEED * 1000 + self.n)
        self.single_other = spec.get("single_other", False)
        rng = self.rng
        self.values = gen_s2(rng, self.ed, spec["kind"], self.opt("amount", "wan"))
        self.values.update(spec.get("s2_fix", {}))
        grid = gen_s3_grid(rng, self.ed, spec["size"])
        for r in self.opt("zero_rows", []):  # empty a row into 予以公开: R3 still holds
            for c in range(6):
                grid["granted"][c] += grid[r][c]
                grid[r][c] = 0
        if self.style == "glued" and not make_glued_unique(rng, grid, self.ed, self.printed_s3_rows()):
            raise RuntimeError(f"report {self.n}: no uniquely splittable glued s3")
        self.values.update(grid_values(grid, self.ed))
        for _attempt in range(400):
            self.values.update(gen_s4(rng, spec["size"]))
            if self.style != "glued" or not self.opt("glue_s4", True) or self.glued_s4_ok():
                break
        else:
            raise RuntimeError(f"report {self.n}: no uniquely splittable glued s4")
        check_rules(self)
        self.state = {f: "val" for f in all_fields(self.ed)}
        if self.ed == "2021":
            for f in self.row_fields("other") if not self.single_other else []:
                self.state[f] = "derived"
            for r in OTHER_SUB if self.single_other else []:
                for f in self.row_fields(r):
                    self.state[f] = "absent"
        self.choose_missing_cells()
        self.text = {f: self.cell_text(f) for f in all_fields(self.ed)}

    def opt(self, key, default=None):
        return self.spec.get(key, default)

    def row_fields(self, rid):
        return [f"s3.{rid}.{c}" for c in S3_COLS]

    def printed_s3_rows(self):
        rows = S3_ROWS[self.ed]
        if self.ed == "2021":
            drop = OTHER_SUB if self.single_other else ["other"]
            rows = [r for r in rows if r not in drop]
        return rows

    # -- glued uniqueness (s3 is made unique by make_glued_unique) ---------------
    def glued_s4_ok(self):
        run = "".join(str(self.values[f]) for f in s4_fields())
        return count_s4_splits(run) == 1

    # -- blanks, placeholders, dropped cells ------------------------------------
    def choose_missing_cells(self):
        rng = self.rng
        explicit = self.style in EXPLICIT_BLANK_STYLES

        def mark(f, how):
            self.state[f] = how if how != "blank" or explicit else "ph"

        for f, how in self.opt("s2_missing", []):
            self.state[f] = how
        s3_cells = [f for r in self.printed_s3_rows() for f in self.row_fields(r)]
        frac = self.opt("blank_zeros", 0)
        for f in s3_cells:
            if frac and self.values[f] == 0 and rng.random() < frac:
                mark(f, "blank")
        nonzero = [f for f in s3_cells if self.values[f] != 0 and self.state[f] == "val"]
        for f in rng.sample(nonzero, min(len(nonzero), self.opt("blank_cells", 0))):
            mark(f, "blank")
        pool = [f for f in s3_cells if self.state[f] == "val"]
        for f in rng.sample(pool, self.opt("ph_cells", 0)):
            self.state[f] = "ph"
        if self.opt("stuck_block"):
            # a 2x2 block of missing cells: both rows (R2) and both columns (R3)
            # keep two unknowns, so the four cells stay null in the truth
            r1, r2 = rng.sample(OUTCOMES, 2)
            c1, c2 = rng.sample(S3_COLS, 2)
            for r in (r1, r2):
                for c in (c1, c2):
                    mark(f"s3.{r}.{c}", "blank")
        s4 = [f for f in s4_fields() if self.state[f] == "val"]
        for f in rng.sample(s4, self.opt("s4_missing", 0)):
            mark(f, "blank")
        zero_rows = [r for r in self.printed_s3_rows()
                     if all(self.values[f] == 0 for f in self.row_fields(r))]
        for r in rng.sample(zero_rows, min(len(zero_rows), self.opt("drop_rows", 0))):
            self.state[rng.choice(self.row_fields(r))] = "drop"

    # -- display texts ------------------------------------------------------------
    def cell_text(self, f):
        st = self.state[f]
        if st in ("derived", "absent", "drop"):
            return None
        if st == "blank":
            return "\xa0" if self.opt("nbsp") and self.rng.random() < 0.5 else ""
        if st == "ph":
            return self.opt("ph_sym") or self.rng.choice(PLACEHOLDERS)
        v = self.values[f]
        if f.endswith(".amount_wan"):
            s = self.fmt_amount(v)
        else:
            s = self.fmt_int(v)
            if f.endswith(".change") and v > 0 and self.opt("plus"):
                s = "+" + s
        if self.opt("ocr") and f[:2] in ("s3", "s4") and self.rng.random() < self.opt("ocr"):
            s = ocr_confuse(self.rng, s)
        if self.opt("nbsp") and self.rng.random() < 0.6:
            s = "\xa0" + s if self.rng.random() < 0.6 else s + "\xa0"
        return s

    def fmt_int(self, v):
        s = f"{v:,}" if self.opt("thousands") and abs(v) >= 1000 else str(v)
        return s.translate(FW) if self.opt("fullwidth") else s

    def fmt_amount(self, d):
        mode = self.opt("amount", "wan")
        if mode == "yuan":
            return f"{int(d * 10000)}元"
        s = f"{d:.4f}" if mode == "bare4" else dec_str(d)
        if self.opt("fullwidth"):
            s = s.translate(FW)
        return s + "万元" if mode == "wan" and self.ed == "2019" else s

    def amount_header(self):
        mode = self.opt("amount", "wan")
        if self.ed == "2019":
            return {"bare_header": "采购总金额（单位：万元）",
                    "bare4": "采购总金额（单位：万元，保留4位小数）"}.get(mode, "采购总金额")
        if mode == "bare4":
            return "本年收费金额(单位:万元,保留4位小数)"
        return "本年收费金额（单位：万元）"

    # -- labels --------------------------------------------------------------------
    def lab(self, text):
        """Apply this report's punctuation habits to a template label."""
        q = self.opt("quotes", "curly")
        if q == "ascii":
            text = text.replace("“", '"').replace("”", '"')
        elif q == "none":
            text = text.replace("“", "").replace("”", "")
        punct = self.opt("punct", "full")
        if punct == "ascii":
            text = text.translate(str.maketrans("（），：", "(),:"))
        elif punct == "ascii_space":
            text = re.sub(r"^（(.)）", r"(\1) ", text)
            text = text.replace("（", " (").replace("）", ")").replace("，", ", ").replace("：", ":")
        leaf = self.opt("leaf", ".")
        if leaf != ".":
            text = re.sub(r"^(\d)\.", r"\1" + leaf, text)
        return text

    def s2_label(self, rid, label):
        if self.ed == "2019" and rid == "normative" and self.opt("normative_label"):
            return self.opt("normative_label")
        if self.ed == "2021" and rid == "normative" and self.opt("normative_label"):
            return self.opt("normative_label")
        if self.opt("hubei"):
            label = {
                "rules": "规章（设区的市、自治州人民政府应提供相关数据）",
                "normative": "规范性文件（行政机关制定发布的决定、公告、通告等）",
            }.get(rid, label)
        return label

    def s2_heads(self, heads):
        heads = list(heads)
        y = self.year
        if self.opt("hubei") and heads[1] == "上一年项目数量":
            heads[1] = f"上一年项目数量（指{y - 1}年事项数）"
            heads[2] = f"本年增/减（指{y}年增加或减少的事项数，减用负值表示，如-8）"
            if len(heads) > 3:
                heads[3] = f"处理决定数量（指{y}年办件量）"
        if heads[1] == "采购项目数量":
            heads[2] = self.amount_header()
        if heads[1].startswith("本年收费金额"):
            heads[1] = self.amount_header()
        return heads


def ocr_confuse(rng, s):
    spots = [i for i, ch in enumerate(s) if ch in "01"]
    if not spots:
        return s
    i = rng.choice(spots)
    sub = rng.choice("CO") if s[i] == "0" else rng.choice("lI")
    return s[:i] + sub + s[i + 1:]


def check_rules(rep):
    v = rep.values
    for rule in consistency_rules(rep, derived_r2=True):
        assert sum(c * v[f] for f, c in rule) == 0, (rep.n, rule)


# ---------------------------------------------------------------------------
# The truth: one place
# ---------------------------------------------------------------------------

def consistency_rules(rep, derived_r2=False, r3_direct=False):
    """Rule instances as [(field, coefficient)] with sum == 0.

    derived_r2 / r3_direct are variants a parser might also use in 2021 (R2 on
    the derived （六） row; R3 summing the three sub-rows instead of s3.other);
    compute_truth checks that they lead to the same truth.
    """
    ed, rules = rep.ed, []
    for c in S3_COLS:  # R1
        rules.append([(f"s3.new.{c}", 1), (f"s3.carried_over.{c}", 1),
                      (f"s3.total.{c}", -1), (f"s3.carried_forward.{c}", -1)])
    rows = rep.printed_s3_rows()
    if derived_r2 and ed == "2021" and not rep.single_other:
        rows = rows + ["other"]
    for r in rows:  # R2
        rules.append([(f"s3.{r}.total", 1)] + [(f"s3.{r}.{a}", -1) for a in APPLICANTS])
    three_rows = ed == "2021" and not rep.single_other
    r3_rows = OUTCOMES + (OTHER_SUB if r3_direct and three_rows else ["other"])
    for c in S3_COLS:  # R3
        rules.append([(f"s3.total.{c}", 1)] + [(f"s3.{r}.{c}", -1) for r in r3_rows])
    if three_rows:
        for c in S3_COLS:  # R5
            rules.append([(f"s3.other.{c}", 1)] + [(f"s3.{r}.{c}", -1) for r in OTHER_SUB])
    for g in S4_GROUPS:  # R4
        rules.append([(f"s4.{g}.total", 1)] + [(f"s4.{g}.{c}", -1) for c in S4_COLS[:4]])
    return rules


def propagate(known, rules):
    changed = True
    while changed:
        changed = False
        for rule in rules:
            unknown = [f for f, _ in rule if not known[f]]
            if len(unknown) == 1:
                known[unknown[0]] = True
                changed = True
    return known


def glued_s2_run(rep, rid):
    """The digit run printed after an s2 row label in the glued style, and its unit."""
    texts = [rep.text[f] for f in s2_row_fields(rep.ed, rid) if rep.text[f] is not None]
    run = "".join(texts)
    unit = ""
    for u in ("万元", "元"):
        if run.endswith(u):
            run, unit = run[: -len(u)], u
            break
    return run, unit


def compute_truth(rep):
    ed = rep.ed
    truth = {f: None for f in all_fields(ed)}
    for f in s2_fields(ed):
        if rep.state[f] == "val":
            truth[f] = json_num(rep.values[f])
    if rep.style == "glued":
        # Every split of the run is a reading; a cell is known iff all
        # readings agree on it (the tool's rule: nothing is guessed).
        for _, _, rows, cols in S2[ed]:
            for rid, _ in rows:
                run, unit = glued_s2_run(rep, rid)
                readings = s2_splits(run, [s2_col_kind(c) for c in cols])
                assert readings, (rep.n, rid, run)
                for k, f in enumerate(s2_row_fields(ed, rid)):
                    parts = {r[k] for r in readings}
                    if len(parts) > 1:
                        truth[f] = None
                    elif f.endswith(".amount_wan") and unit == "元":
                        truth[f] = json_num(rep.values[f])
    elif rep.style == "raw":
        # Raw dumps print nothing for a dropped cell: the printed cells may
        # sit in any order-preserving placement, and a cell is known iff
        # every placement gives it the same value.
        for _, _, rows, cols in S2[ed]:
            for rid, _ in rows:
                fids = s2_row_fields(ed, rid)
                printed = [f for f in fids if rep.state[f] != "drop"]
                if len(printed) == len(fids):
                    continue
                values = [truth[f] for f in printed]
                for k, f in enumerate(fids):
                    seen = set()
                    for placement in itertools.combinations(range(len(fids)), len(printed)):
                        seen.add(values[placement.index(k)] if k in placement else None)
                    truth[f] = seen.pop() if len(seen) == 1 else None
    cells = [f for f in s3_fields(ed) + s4_fields()]
    known = {f: rep.state[f] == "val" for f in cells}
    result = propagate(dict(known), consistency_rules(rep))
    for variant in (dict(derived_r2=True), dict(r3_direct=True), dict(derived_r2=True, r3_direct=True)):
        if propagate(dict(known), consistency_rules(rep, **variant)) != result:
            raise RuntimeError(f"report {rep.n}: truth depends on how the （六） rows enter the rules")
    for f in cells:
        if result[f]:
            truth[f] = json_num(rep.values[f])
    return truth


# ---------------------------------------------------------------------------
# Logical tables (what every style flattens)
# ---------------------------------------------------------------------------

def s2_table(rep):
    """[(kind, payload)]: ('cap', text) ('head', [cells]) ('data', (rid, label, [fids]))."""
    out = []
    for cap, heads, rows, cols in S2[rep.ed]:
        out.append(("cap", rep.lab(cap) if rep.opt("punct_s2") else cap))
        out.append(("head", rep.s2_heads(heads)))
        for rid, label in rows:
            out.append(("data", (rid, rep.s2_label(rid, label), [f"s2.{rid}.{c}" for c in cols])))
            if rid == "normative" and rep.opt("hubei"):
                made = rep.rng.randint(20, 90)
                out.append(("extra", ("其他主动公开文件（含以本单位名义正式签发的文件）",
                                      [str(made), str(made), str(made + rep.rng.randint(60, 400))])))
    return out


def s3_data_rows(rep):
    """[(rid, level, label cells with '' for merged cells, value fids)]."""
    out = []
    for r in rep.printed_s3_rows():
        if r in ("new", "carried_over", "carried_forward"):
            level, labels = "top", [rep.lab(S3_LABEL[r])]
        elif "." in r:
            g = r.split(".")[0]
            level = "leaf"
            labels = ["", rep.lab(GROUP_LABEL[g]) if r in FIRST_CHILD else "", rep.lab(S3_LABEL[r])]
        else:
            level = "mid"
            labels = [TOP3 if r == "granted" else "", rep.lab(S3_LABEL[r])]
        out.append((r, level, labels, rep.row_fields(r)))
    return out


def vals(rep, fids, keep_dropped=False):
    """Display texts of cells; dropped cells are left out unless keep_dropped (then None)."""
    out = [rep.text[f] for f in fids]
    return out if keep_dropped else [t for t in out if t is not None]


# ---------------------------------------------------------------------------
# Style renderers: each returns the lines of the three tables
# ---------------------------------------------------------------------------

def render_cells(rep, table):
    """One cell per line, tab-indented, blank line between rows (seeds 000/003)."""
    lines = []

    def row(cells):
        for c in cells:
            lines.append("\t" + c)
        lines.append("")

    if table == "s2":
        for kind, p in s2_table(rep):
            if kind == "cap":
                row([p])
            elif kind == "head":
                row(p)
            elif kind == "data":
                rid, label, fids = p
                row([label] + vals(rep, fids))
            else:
                row([p[0]] + p[1])
        if rep.opt("jilin_line"):
            lines.append(f"\t{rep.year}年本行政区域（或本部门）政府信息公开发布总数量（非新闻类、消息类）："
                         f"{rep.values['s2.normative.published'] + 7}")
            lines.append("")
    elif table == "s3":
        row([S3_NOTE, "申请人情况"])
        row(["", "自然人", "法人或其他组织", "总计"])
        row(["", ""] + S3_SUBCOLS + [""])
        for _r, _level, labels, fids in s3_data_rows(rep):
            row(labels + vals(rep, fids))
    else:
        row(["行政复议", "行政诉讼"])
        row(S4_HEADS + ["未经复议直接起诉", "复议后起诉"])
        row([""] * 5 + S4_HEADS * 2)
        row(vals(rep, s4_fields()))
    return lines + [""]


def render_tabs(rep, table):
    """One row per line, tab-separated, with the quirks of seed 001."""
    rng = rep.rng
    lines = []
    if table == "s2":
        first = True
        for kind, p in s2_table(rep):
            if kind == "cap":
                if not first:
                    lines.append(p + "\t\t\t")
                first = False
            elif kind == "head":
                cells = [h.replace("\n", "") for h in p]
                lines.append("\t".join(cells + [""] * (4 - len(cells))))
            elif kind == "data":
                rid, label, fids = p
                cells = [label] + vals(rep, fids)
                lines.append("\t".join(cells + [""] * (4 - len(cells))))
            else:
                lines.append("\t".join([p[0]] + p[1]))
    elif table == "s3":
        note = S3_NOTE.replace("（", "(").replace("）", ")")
        lines.append(note + "\t\t申请人情况\t\t\t\t\t\t总计\t")
        lines.append("\t\t自然人\t法人或其他组织\t\t\t\t\t\t")
        lines.append("\t\t\t" + "\t".join(S3_SUBCOLS) + "\t\t")
        for r, level, labels, fids in s3_data_rows(rep):
            values = vals(rep, fids)
            dropped = len(values) < 7
            if level == "top":
                labels = labels + [""] * (2 if r == "carried_forward" else 1)
                lead = 0
            else:
                lead = 1 if dropped else rng.choice([0, 0, 1])
            trail = rng.random() < 0.4 and not (level == "leaf" and lead)
            cells = labels + [""] * lead + values + ([""] if trail else [])
            lines.append("\t".join(cells))
            if r == "unable.unclear" and rep.opt("tabs_gap"):
                lines.append("")
    else:
        if rep.opt("s4_block"):
            lines.append("\t" + "\t".join(S4_HEADS))
            for g, name in zip(S4_GROUPS, ["行政复议", "未经复议直接起诉", "复议后起诉"]):
                lines.append(name + "\t" + "\t".join(vals(rep, [f"s4.{g}.{c}" for c in S4_COLS])))
        else:
            lines.append("行政复议\t\t\t\t\t行政诉讼" + "\t" * 9)
            lines.append("\t".join(S4_HEADS) + "\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t")
            lines.append("\t" * 5 + "\t".join(S4_HEADS * 2))
            lines.append("\t".join(vals(rep, s4_fields())))
    return lines


def render_pipe(rep, table):
    """Every cell as 'text |' on its own line, row ends padded with '|' (seed 002)."""
    lines = []
    width = {"s2": 6, "s3": 17, "s4": 16}[table]
    rows = []
    if table == "s2":
        for kind, p in s2_table(rep):
            if kind == "cap":
                rows.append([p])
            elif kind == "head":
                rows.append([h.replace("\n", " ") for h in p])
            elif kind == "data":
                rows.append([p[1]] + vals(rep, p[2]))
            else:
                rows.append([p[0]] + p[1])
    elif table == "s3":
        rows.append([rep.lab(S3_NOTE)])
        rows.append(["申请人情况"])
        rows.append(["自然人", "法人或其他组织", "总计"])
        rows.append(list(S3_SUBCOLS))
        for _r, _level, labels, fids in s3_data_rows(rep):
            rows.append([x for x in labels if x] + vals(rep, fids))
    else:
        rows.append(["行政复议", "行政诉讼"])
        rows.append(S4_HEADS + ["未经复议直接起诉", "复议后起诉"])
        rows.append(S4_HEADS * 2)
        rows.append(vals(rep, s4_fields()))
    for i, cells in enumerate(rows):
        for j, c in enumerate(cells):
            line = f"{c} |"
            last_of_table = i == len(rows) - 1
            if j == len(cells) - 1 and not last_of_table and width - len(cells) > 0:
                line += " " + "|" * (width - len(cells))
            lines.append(line)
    return lines


def md_row(cells):
    return "| " + " | ".join(cells) + " |"


def render_markdown(rep, table):
    """Markdown pipe tables; s2 captions as table rows or as separate lines."""
    lines = []
    if table == "s2":
        if rep.opt("md_captions") == "lines":
            block = []
            for kind, p in s2_table(rep) + [("cap", None)]:
                if kind == "cap":
                    if block:
                        n = len(block[0])
                        lines.append(md_row(block[0]))
                        lines.append("|" + "---|" * n)
                        lines += [md_row(b + [""] * (n - len(b))) for b in block[1:]]
                        lines.append("")
                        block = []
                    if p is not None:
                        lines += [f"**{p}**", ""]
                elif kind == "head":
                    block.append([h.replace("\n", "") for h in p])
                elif kind == "data":
                    block.append([p[1]] + vals(rep, p[2]))
                else:
                    block.append([p[0]] + p[1])
        else:
            first = True
            for kind, p in s2_table(rep):
                if kind == "cap":
                    cells = [p, "", "", ""]
                elif kind == "head":
                    cells = [h.replace("\n", "") for h in p]
                elif kind == "data":
                    cells = [p[1]] + vals(rep, p[2])
                else:
                    cells = [p[0]] + p[1]
                lines.append(md_row(cells + [""] * (4 - len(cells))))
                if first:
                    lines.append("|---|---|---|---|")
                    first = False
    elif table == "s3":
        lines.append(md_row([S3_NOTE, "", "", "申请人情况"] + [""] * 6))
        lines.append("|" + "---|" * 10)
        lines.append(md_row(["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"]))
        lines.append(md_row(["", "", "", ""] + S3_SUBCOLS + [""]))
        for _r, level, labels, fids in s3_data_rows(rep):
            labels = labels + [""] * (3 - len(labels))
            lines.append(md_row(labels + vals(rep, fids)))
    else:
        lines.append(md_row(["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9))
        lines.append("|" + "---|" * 15)
        lines.append(md_row(S4_HEADS + ["未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""]))
        lines.append(md_row([""] * 5 + S4_HEADS * 2))
        lines.append(md_row(vals(rep, s4_fields())))
    return lines


# -- layout (pdftotext -layout) -------------------------------------------------

def dw(s):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


NO_LINE_START = set("，。；：、）”》,.;:)")


def wrap(text, width):
    """Wrap by display width; closing punctuation never starts a line."""
    lines, cur = [], ""
    for ch in text:
        if cur and dw(cur + ch) > width and ch not in NO_LINE_START:
            lines.append(cur)
            cur = ""
        cur += ch
    if cur:
        lines.append(cur)
    return lines


def place(segments):
    out, cur = "", 0
    for x, t in sorted(segments):
        if not t:
            continue
        if out and x < cur + 2:
            x = cur + 2
        out += " " * (x - cur) + t
        cur = x + dw(t)
    return out.rstrip()


def layout_table(cols, rows):
    """cols: [(x, width)]; rows: [[(col, span, text, align)]] -> lines.

    Each cell wraps inside its column span; the first piece of every cell is on
    the row's first line, so numbers (which never wrap) stay on that line.
    """
    lines = []
    for row in rows:
        if row == "PAGE":
            lines.append("\x00PAGE")
            continue
        cells = []
        for ci, span, text, align in row:
            x0 = cols[ci][0]
            x1 = cols[ci + span - 1][0] + cols[ci + span - 1][1]
            parts = []
            for piece in text.split("\n"):
                parts += wrap(piece, x1 - x0)
            cells.append((x0, x1 - x0, parts, align))
        height = max([len(c[2]) for c in cells] + [1])
        for i in range(height):
            segs = []
            for x0, w, parts, align in cells:
                if i < len(parts):
                    t = parts[i]
                    x = {"l": x0, "c": x0 + (w - dw(t)) // 2, "r": x0 + w - dw(t)}[align]
                    segs.append((x, t))
            lines.append(place(segs))
    return lines


def render_layout(rep, table):
    rows = []
    if table == "s2":
        cols = [(2, 24), (30, 18), (52, 18), (74, 18)]
        for kind, p in s2_table(rep):
            if kind == "cap":
                rows.append([(0, 4, p, "c")])
            elif kind == "head":
                if len(p) == 2:
                    rows.append([(0, 1, p[0], "c"), (1, 3, p[1], "c")])
                else:
                    rows.append([(i, 1, h, "c") for i, h in enumerate(p)])
            else:
                rid, label, fids = p
                texts = vals(rep, fids, keep_dropped=True)
                row = [(0, 1, label, "c")]
                if len(texts) == 1:
                    row.append((1, 3, texts[0] or "", "c"))
                else:
                    row += [(i + 1, 1, t or "", "c") for i, t in enumerate(texts)]
                rows.append(row)
    elif table == "s3":
        cols = [(0, 18), (20, 18), (40, 26)] + [(68 + 10 * i, 9) for i in range(7)]
        rows.append([(0, 3, S3_NOTE, "l"), (3, 7, "申请人情况", "c")])
        rows.append([(4, 5, "法人或其他组织", "c")])
        rows.append([(3, 1, "自然人", "c")] + [(4 + i, 1, h, "c") for i, h in enumerate(
            ["商业企业", "科研机构", "社会公益\n组织", "法律服务\n机构", "其他"])] + [(9, 1, "总计", "c")])
        for r, level, labels, fids in s3_data_rows(rep):
            if level == "top":
                row = [(0, 3, labels[0], "l")]
            elif level == "mid":
                row = [(0, 1, labels[0], "l"), (1, 2, labels[1], "l")]
            else:
                row = [(1, 1, labels[1], "l"), (2, 1, labels[2], "l")]
            row += [(3 + i, 1, t or "", "c") for i, t in enumerate(vals(rep, fids, keep_dropped=True))]
            rows.append(row)
            if r == rep.opt("page_after", "unable.not_held"):
                rows.append("PAGE")
    else:
        cols = [(i * 9 + (2 if i >= 5 else 0), 8) for i in range(15)]
        rows.append([(0, 5, "行政复议", "c"), (5, 10, "行政诉讼", "c")])
        rows.append([(5, 5, "未经复议直接起诉", "c"), (10, 5, "复议后起诉", "c")])
        heads = ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]
        rows.append([(i, 1, heads[i % 5], "c") for i in range(15)])
        rows.append([(i, 1, t or "", "c") for i, t in enumerate(vals(rep, s4_fields(), keep_dropped=True))])
    return layout_table(cols, rows)


def render_raw(rep, table):
    """pdftotext (no -layout): one cell per line in reading order, long cells wrapped."""
    lines = []

    def cell(text, width=30):
        for piece in text.split("\n"):
            lines.extend(wrap(piece, width))

    if table == "s2":
        for kind, p in s2_table(rep):
            if kind == "cap":
                cell(p)
            elif kind == "head":
                for h in p:
                    cell(h, 16)
            elif kind == "data":
                cell(p[1])
                lines.extend(vals(rep, p[2]))
    elif table == "s3":
        cell(S3_NOTE, 36)
        for h in ["申请人情况", "自然人", "法人或其他组织", "总计"] + S3_SUBCOLS:
            cell(h)
        for r, _level, labels, fids in s3_data_rows(rep):
            for x in labels:
                if x:
                    cell(x, 34)
            lines.extend(vals(rep, fids))
            if r == rep.opt("page_after", "unable.not_held"):
                lines.append("\x00PAGE")
    else:
        for h in ["行政复议", "行政诉讼"] + S4_HEADS + ["未经复议直接起诉", "复议后起诉"] + S4_HEADS * 2:
            cell(h)
        lines.extend(vals(rep, s4_fields()))
    return lines


def render_glued(rep, table):
    """Scraped web page: one row per line, no separator between cells."""
    lines = []
    if table == "s2":
        for kind, p in s2_table(rep):
            if kind == "cap":
                lines.append(p)
            elif kind == "head":
                lines.append("".join(h.replace("\n", "") for h in p))
            elif kind == "data":
                run, unit = glued_s2_run(rep, p[0])
                lines.append(p[1] + run + unit)
    elif table == "s3":
        lines.append(S3_NOTE + "申请人情况")
        lines.append("自然人法人或其他组织总计")
        lines.append("".join(S3_SUBCOLS))
        for _r, _level, labels, fids in s3_data_rows(rep):
            lines.append("".join(labels) + "".join(vals(rep, fids)))
    else:
        lines.append("行政复议行政诉讼")
        lines.append("".join(S4_HEADS) + "未经复议直接起诉复议后起诉")
        lines.append("".join(S4_HEADS * 2))
        sep = "" if rep.opt("glue_s4", True) else "\t"
        lines.append(sep.join(vals(rep, s4_fields())))
    return lines


# -- ocr ---------------------------------------------------------------------------

# noise lines from table rulings; no cell of them reads as a lone digit-like glyph
OCR_NOISE = ["1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\t\t\t\t\tĪ\tı\ti",
             "l l l l l l l l l l l\t\t\t\t’\t,\t.",
             "‘ ’ ‘ ’ ‘ ’ ‘ ’\t\t\t\t\tı\t¦\ti"]


def ocr_label(rep, text):
    """Garble a label like seed 004: spaces inside, (=) for （二）, a lost first char."""
    rng = rep.rng
    text = text.translate(str.maketrans("（），：“”", "(),:\"\""))
    roll = rng.random()
    if roll < 0.12 and len(text) > 6:
        i = rng.randint(3, len(text) - 3)
        text = text[:i] + " " + text[i:]
    elif roll < 0.2 and re.match(r"^\d\.", text):
        text = text[1:]
    return text


def render_ocr(rep, table):
    rng = rep.rng
    lines = []
    if table == "s2":
        for kind, p in s2_table(rep):
            if kind == "cap":
                cells = [p.replace("（", " (").replace("）", ") ") if rng.random() < 0.4
                         else p.replace("（", "(").replace("）", ")")]
            elif kind == "head":
                h = [x.replace("\n", "") for x in p]
                if len(h) == 2 and rng.random() < 0.5:
                    cells = [h[0] + " " + h[1]]
                else:
                    cells = [h[0], h[1][1:] if rng.random() < 0.3 else h[1]] + h[2:]
            else:
                rid, label, fids = p
                if rid in rep.opt("ocr_lost_first", []):
                    label = label[1:]
                cells = [label] + vals(rep, fids)
            lines.append("\t".join(cells + [""] * (11 - len(cells))))
    elif table == "s3":
        lines.append("\t\t\t申请人情况" + "\t" * 8)
        lines.append("(本列数\t\t法人或其他组织" + "\t" * 9)
        lines.append("\t\t\t自然人\t商业企业\t科研机构\t社会公益 组织\t法律服务 机构\t其他\t总计\t\t")
        rows = s3_data_rows(rep)
        strays = dict(rep.opt("ocr_strays", {}))
        for i, (r, level, labels, fids) in enumerate(rows):
            values = "\t".join(vals(rep, fids))
            if r == "granted":
                cells = ["三、本年度办理 结果", "", ocr_label(rep, labels[1])]
            elif r == "partial":
                cells = [strays.get(r, ""), "(=)", S3_LABEL[r][3:].translate(str.maketrans("（），", "(),"))]
            elif level == "top":
                cells = ["", strays[r], labels[0]] if r in strays else ["", labels[0]]
            elif level == "mid":
                cells = [ocr_label(rep, labels[1]), ""]
            else:
                g = r.split(".")[0]
                group = GROUP_LABEL[g].translate(str.maketrans("（）", "()"))
                group = group[:5] + " " + group[5:]
                pos = {"rejected": 2, "other": None}.get(g, 0)
                idx = [x for x, *_ in rows if x.startswith(g + ".")].index(r)
                first = group if idx == pos else strays.get(r, "")
                cells = ([first] if first else [""]) + [ocr_label(rep, labels[2])]
            line = "\t".join(cells) + "\t" + values
            if rng.random() < 0.3:
                line += "\t\t"
            lines.append(line)
            if r == rep.opt("page_after", "denied.three_safety"):
                lines.append("")
                lines.append("\t" + rng.choice(OCR_NOISE))
    else:
        lines.append("行政复议\t\t\t\t\t行政诉讼" + "\t" * 9)
        lines.append("结果维持 结果纠正 其他结\t甘州\t" + " ".join(["引"] * 12) + "\t总计\t未经复议直接起诉"
                     "\t\t\t\t复议后起诉\t\t\t\t\t\t")
        lines.append("\t共心和木\t\t\t" + "\t".join(S4_HEADS * 2) + "\t")
        lines.append("\t".join(vals(rep, s4_fields())))
    return lines


RENDER = {"cells": render_cells, "tabs": render_tabs, "pipe": render_pipe, "markdown": render_markdown,
          "layout": render_layout, "raw": render_raw, "glued": render_glued, "ocr": render_ocr}


# ---------------------------------------------------------------------------
# Narrative text
# ---------------------------------------------------------------------------

INTROS = [
    "{y}年，{short}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》"
    "（以下简称《条例》）和上级关于政务公开工作的部署要求，坚持以公开为常态、不公开为例外，持续推进决策、执行、"
    "管理、服务、结果公开，政府信息公开工作取得新的成效。现将有关情况报告如下：",
    "{y}年，在{upper}的正确领导和精心指导下，{short}紧紧围绕中心工作，严格落实《条例》各项规定，进一步规范公开流程、"
    "丰富公开内容、拓宽公开渠道，切实保障人民群众的知情权、参与权、表达权和监督权。",
    "{y}年，{short}认真贯彻落实《条例》和上级政务公开工作要点，把政府信息公开作为推进依法行政、建设服务型机关的重要"
    "抓手，健全工作机制，强化督促检查，推动政府信息公开工作规范化、标准化。",
]
PREAMBLE = ("本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求编制，"
            "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
            "存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"
            "本报告电子版可在{site}下载。")
MANAGE = [
    "严格落实政府信息公开保密审查制度，坚持“先审查、后公开”和“一事一审”原则，全年未发生泄密事件。及时对政府信息公开目录进行动态调整，对已失效、废止的文件进行清理并作出标注。",
    "健全政府信息管理动态调整机制，安排专人负责政府信息公开工作，规范信息发布、审核、归档流程，做到公开信息可查询、可追溯。",
    "组织开展规范性文件清理工作，对现行有效的文件进行集中梳理并统一公开，同步做好政策解读和回应关切。",
]
PLATFORM = [
    "以政府门户网站为第一平台，持续优化信息公开专栏设置，同步通过政务新媒体、公开栏等渠道发布信息，方便群众查询获取。",
    "加强政务新媒体规范化管理，全年通过微信公众号推送信息{k}期；在便民服务大厅设置政府信息查阅点，提供便民查阅服务。",
    "按照集约化建设要求，完成网站栏目优化调整，全年网站运行平稳，未发生安全事故。",
]
SUPERVISE = [
    "成立由主要负责同志任组长的政务公开工作领导小组，明确分管领导和工作人员，将政务公开工作纳入年度绩效考核。全年组织业务培训{t}次，未发生因政府信息公开工作被责任追究的情况。",
    "将政府信息公开工作所需经费纳入年度预算，主动接受社会监督，畅通意见建议反馈渠道，确保政府信息公开工作依法有序开展。",
]
PROBLEMS = [
    "{y}年，{short}政府信息公开工作取得了一定成效，但仍存在一些不足：一是公开内容的深度和广度有待拓展，政策解读形式较为单一；二是工作人员业务能力有待进一步提升。",
    "存在的主要问题：部分栏目信息更新不够及时，依申请公开答复的规范化水平仍需提高。",
    "一是主动公开的及时性有待提高；二是回应社会关切不够充分；三是基层政务公开标准化规范化建设仍需加强。",
]
IMPROVE = [
    "下一步，{self}将从以下方面加以改进：一是加强政策解读，丰富图文、音视频等解读形式；二是加强业务培训，提升工作人员专业水平；三是强化监督检查，推动政务公开工作提质增效。",
    "改进措施：进一步健全信息发布协调机制，定期开展栏目自查，规范依申请公开办理流程，严格按照法定时限和格式作出答复。",
    "{y1}年，{self}将进一步压实工作责任，完善公开目录，加强重点领域信息公开，及时回应群众关切。",
]
OTHERS = [
    "无。",
    "无其他需要报告的事项。",
    "依据《政府信息公开信息处理费管理办法》，{y}年度{short}未收取信息处理费。",
    "{y}年度{self}未发生收取信息处理费的情况，无其他需要报告的事项。",
]
UPPER = {"street": "区委、区政府", "town": "县委、县政府", "district": "区委、区政府", "city_gov": "市委、市政府",
         "bureau": "上级主管部门", "province": "省委、省政府"}
SITE = {"street": "区政府门户网站信息公开专栏", "town": "政府门户网站信息公开专栏", "district": "区政府门户网站",
        "city_gov": "市政府门户网站", "bureau": "本机关门户网站", "province": "厅门户网站"}
SUB_TITLES = ["主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障"]
CN_SUB_TITLES = ["一、加强组织领导，压实工作责任", "二、突出公开重点，完善公开载体", "三、强化监督考核，规范依申请公开"]
CN_NUM = "一二三四五六"


def overview_parts(rep):
    """(sub-title, paragraph) pairs of 一、总体情况, quoting the table figures."""
    rng, v, y = rep.rng, rep.values, rep.year
    fmt = dict(y=y, y1=y + 1, short=rep.spec["short"], self=rep.spec["self"],
               upper=rep.spec.get("upper", UPPER[rep.spec["kind"]]),
               site=rep.spec.get("site", SITE[rep.spec["kind"]]),
               k=rng.randint(20, 160), t=rng.randint(1, 6))
    n_pub = rng.randint(40, 900)
    if rep.ed == "2019":
        made = v["s2.normative.made"]
        norm = (f"本年新制作规范性文件{made}件，新公开{v['s2.normative.published']}件。" if made
                else "本年度未制作规范性文件。")
    else:
        iss = v["s2.normative.issued"]
        norm = (f"本年制发行政规范性文件{iss}件，废止{v['s2.normative.repealed']}件，"
                f"现行有效{v['s2.normative.in_force']}件。")
    active = (f"全年通过{fmt['site']}主动公开政府信息{n_pub}条，其中工作动态{n_pub // 2}条、通知公告{n_pub // 5}条、"
              f"政策解读{rng.randint(2, 30)}条。{norm}")
    new_t, co_t = v["s3.new.total"], v["s3.carried_over.total"]
    if new_t + co_t:
        g = lambda r: v[f"s3.{r}.total"]  # noqa: E731
        denied = sum(g(r) for r in DENIED)
        unable = sum(g(r) for r in UNABLE)
        rejected = sum(g(r) for r in REJECTED)
        apply_ = (f"全年共收到政府信息公开申请{new_t}件，上年结转{co_t}件。已办结{g('total')}件，其中予以公开{g('granted')}件，"
                  f"部分公开{g('partial')}件，不予公开{denied}件，无法提供{unable}件，不予处理{rejected}件，"
                  f"其他处理{g('other')}件；结转下年度继续办理{g('carried_forward')}件。")
    else:
        apply_ = f"{y}年，{fmt['short']}未收到政府信息公开申请。"
    rv, sv = v["s4.review.total"], v["s4.suit_direct.total"] + v["s4.suit_after_review.total"]
    apply_ += (f"因政府信息公开工作被申请行政复议{rv}件、被提起行政诉讼{sv}件。" if rv + sv
               else "未发生因政府信息公开引起的行政复议、行政诉讼。")
    texts = [active, apply_, rng.choice(MANAGE), rng.choice(PLATFORM).format(**fmt),
             rng.choice(SUPERVISE).format(**fmt)]
    return fmt, list(zip(SUB_TITLES, texts))


def headings(rep):
    """Section headings 1..6 (None = not printed)."""
    h = {1: "一、总体情况", 2: "二、主动公开政府信息情况", 3: "三、收到和处理政府信息公开申请情况",
         4: "四、政府信息公开行政复议、行政诉讼情况", 5: "五、存在的主要问题及改进情况", 6: "六、其他需要报告的事项"}
    if rep.opt("renumber"):
        h = {1: rep.opt("renumber") if isinstance(rep.opt("renumber"), str) else None,
             2: "一、主动公开政府信息情况", 3: "二、收到和处理政府信息公开申请情况",
             4: "三、政府信息公开行政复议、行政诉讼情况", 5: "四、存在的主要问题及改进情况",
             6: "五、其他需要报告的事项"}
    h.update(rep.opt("heads", {}))
    return h


def title_items(rep):
    y, org = rep.year, rep.org
    kind = rep.opt("title", "plain")
    main = f"{y}年{org}政府信息公开工作年度报告" if kind == "year_first" else f"{org}{y}年政府信息公开工作年度报告"
    if kind == "org_line":
        return [("title", org), ("title", f"{y}年政府信息公开工作年度报告")]
    if kind == "annex":
        return [("lines", ["附件1"]), ("title", main)]
    if kind == "repeat":
        return [("title", main), ("lines", [f"发布日期：{y + 1}-01-{rep.rng.randint(10, 28)}  来源：{org}"]),
                ("title", main)]
    return [("title", main)]


def build_items(rep):
    """The document as a list of items; the emitters format them per style."""
    fmt, parts = overview_parts(rep)
    h = headings(rep)
    items = []
    if rep.opt("breadcrumb"):
        items.append(("lines", [rep.opt("breadcrumb")]))
    items += title_items(rep)
    if rep.opt("preamble"):
        items.append(("p", PREAMBLE.format(**fmt)))
    if h[1]:
        items.append(("h", h[1]))
    if rep.opt("title_inside"):
        items.append(("h3", f"{rep.org}{rep.year}年政府信息公开工作年度报告"))
    items.append(("p", rep.rng.choice(INTROS).format(**fmt)))
    sub = rep.opt("sub", "inline")
    for i, (title, text) in enumerate(parts):
        if sub == "cn":
            if i < 3:
                items += [("h4", CN_SUB_TITLES[i]), ("p", text)]
            else:
                items.append(("p", text))
        elif sub == "separate":
            items += [("sub", f"（{CN_NUM[i]}）{title}"), ("p", text)]
        elif sub == "arabic":
            items.append(("p", f"（{i + 1}）{text}"))
        elif sub == "bullet":
            items.append(("p", f"- （{CN_NUM[i]}）{title}。{text}"))
        else:
            items.append(("p", f"（{CN_NUM[i]}）{title}。{text}"))
    items.append(("page",))
    for sec, table in ((2, "s2"), (3, "s3"), (4, "s4")):
        head = h[sec]
        if sec == 2 and rep.opt("bookmark"):
            head = "[bookmark: _GoBack]" + head
        items.append(("h", head))
        items.append(("table", RENDER[rep.style](rep, table)))
    items.append(("h", h[5]))
    items.append(("p", rep.rng.choice(PROBLEMS).format(**fmt)))
    items.append(("p", rep.rng.choice(IMPROVE).format(**fmt)))
    if h[6]:
        items.append(("h", h[6]))
    others = [t for t in OTHERS if rep.year > 2020 or "办法" not in t]
    items.append(("p", rep.rng.choice(others[2:] if rep.opt("long_six") else others).format(**fmt)))
    items.append(("page",))
    if rep.opt("footer"):
        items.append(("lines", rep.opt("footer")))
    if rep.opt("tail"):
        items.append(("lines", rep.opt("tail")))
    return items


# ---------------------------------------------------------------------------
# Emitters: items -> text, per style
# ---------------------------------------------------------------------------

def emit(rep, items):
    style = rep.style
    md = rep.opt("md_heads", {})
    out = []
    page = [0]
    pagefmt = rep.opt("pagefmt", "— {n} —")

    def page_break():
        page[0] += 1
        if style == "layout":
            out.extend(["", " " * 40 + pagefmt.format(n=page[0])])
        else:
            out.append(pagefmt.format(n=page[0]))
        out.append("\f")

    def add(line):
        if out and out[-1] == "\f":
            out[-1] = "\f" + line
        else:
            out.append(line)

    def blank():
        if style in ("tabs", "markdown", "ocr") or (style == "cells" and rep.opt("cells_blank")):
            add("")

    for it in items:
        kind = it[0]
        if kind == "title":
            text = it[1]
            if style == "layout":
                add(" " * max(0, (92 - dw(text)) // 2) + text)
                add("")
            else:
                add(md.get("title", "") + text)
                if style in ("cells", "tabs", "markdown", "ocr"):
                    add("")
        elif kind in ("h", "h3", "h4", "sub"):
            prefix = md.get(kind if kind != "h" else it[1][:2], md.get(kind, ""))
            text = it[1]
            if style == "layout":
                add("    " + text)
            else:
                add(prefix + text)
                blank()
        elif kind == "p":
            if style == "layout":
                for line in wrap("\u3000\u3000" + it[1], 84):
                    add(line.replace("\u3000\u3000", "    ", 1))
            elif style == "raw":
                for line in wrap(it[1], 80):
                    add(line)
            elif style == "cells" and rep.opt("indent_paras"):
                add("    " + it[1])
            else:
                add(it[1])
                blank()
        elif kind == "lines":
            for line in it[1]:
                add(line)
            if style in ("cells", "tabs", "markdown", "ocr"):
                add("")
        elif kind == "table":
            if style == "cells":
                add("")
            for line in it[1]:
                if line == "\x00PAGE":
                    page_break()
                else:
                    add(line)
            if style in ("tabs", "markdown", "ocr"):
                add("")
        elif kind == "page":
            if style in ("layout", "raw"):
                page_break()
    while out and out[-1] in ("", "\f"):
        out.pop()
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# The reports
# ---------------------------------------------------------------------------

# One dict per report.  Besides n/style/ed/year/org (the truth's organization),
# short/self (names used in the narrative) and kind/size (which numbers):
#   amount       wan "258.18万元" | yuan "251000元" | bare_header | bare4 | bare (no unit)
#   blank_cells / ph_cells / s4_missing   missing s3/s4 cells (blank where the
#                style can show one, else a placeholder); blank_zeros: share of
#                zero cells left blank; stuck_block: 2x2 block no rule resolves
#   drop_rows    all-zero s3 rows that lose one cell; zero_rows: rows forced to 0
#   s2_missing   [(field, "blank" | "ph" | "drop")]; drop only for a row's last cell
#   single_other 2021 （六） printed as one data row; s4_block: s4 as 3x5 block
#   hubei, thousands, fullwidth, nbsp, plus, ocr, punct, leaf, quotes: cell/label habits
#   title, heads, renumber, preamble, sub, md_heads, footer, ...: document habits
SPECS = [
    dict(n=1, style="cells", ed="2019", year=2020, org="重庆市江北区观音桥街道办事处", short="观音桥街道",
         self="我街道", kind="street", size="small", title="org_line", amount="wan",
         heads={6: "其他需要报告的事项"}, s2_fix={"s2.licensing.change": -8}),
    dict(n=2, style="cells", ed="2021", year=2022, org="上海市浦东新区人民政府办公室", short="浦东新区政府办公室",
         self="我办", kind="district", size="big", title="annex", thousands=True, nbsp=True,
         stuck_block=True, blank_cells=2, s4_missing=1, amount="bare4", bookmark=True,
         heads={5: "五、政府信息公开工作存在的主要问题及改进情况"}, tail=["", "1"]),
    dict(n=3, style="cells", ed="2019", year=2020, org="武汉市江汉区城市管理执法局", short="区城管执法局",
         self="我局", kind="bureau", size="medium", hubei=True, amount="bare_header", cells_blank=True,
         upper="区委、区政府"),
    dict(n=4, style="tabs", ed="2019", year=2020, org="周口市川汇区人民政府办公室", short="川汇区政府办公室",
         self="我办", kind="district", size="small", amount="bare4", punct="ascii_space",
         md_heads={"title": "# ", "一、": "## ", "二、": "## ", "三、": "### ", "四、": "#### ",
                   "五、": "#### ", "六、": "#### ", "h3": "### ", "h4": "#### "},
         title_inside=True, sub="cn", drop_rows=3, tabs_gap=True),
    dict(n=5, style="tabs", ed="2021", year=2023, org="宁波市鄞州区自然资源和规划分局", short="鄞州分局",
         self="我分局", kind="bureau", size="medium", renumber="总体情况", ph_cells=3, ph_sym="-",
         s2_missing=[("s2.rules.repealed", "ph")], s4_missing=1, preamble=True, site="鄞州区人民政府网站"),
    dict(n=6, style="tabs", ed="2019", year=2019, org="江西省教育厅", short="省教育厅", self="我厅",
         kind="province", size="medium", amount="yuan", plus=True, s4_block=True, sub="separate",
         s2_fix={"s2.fees.change": -2}),
    dict(n=7, style="pipe", ed="2019", year=2020, org="绵阳市游仙区魏城镇人民政府", short="魏城镇", self="我镇",
         kind="town", size="small", punct="ascii", punct_s2=True, amount="wan", sub="separate",
         footer=["版权所有:绵阳市游仙区人民政府 主办:绵阳市游仙区魏城镇人民政府",
                 "ICP备案:蜀ICP备05003456号 政府网站标识码:5107040012 川公网安备:51070402000123号"]),
    dict(n=8, style="pipe", ed="2021", year=2021, org="苏州市吴江区盛泽镇人民政府", short="盛泽镇", self="我镇",
         kind="town", size="small", single_other=True, blank_cells=2, s2_missing=[("s2.coercion.decisions", "blank")],
         footer=["国务院部门网站", "地方政府网站", "市政府部门网站", "区(县)政府网站", "其他网站",
                 "版权所有:苏州市吴江区盛泽镇人民政府 主办:苏州市吴江区盛泽镇人民政府办公室",
                 "ICP备案:苏ICP备10214567号 政府网站标识码:3205090023 苏公网安备:32058402010345号"]),
    dict(n=9, style="pipe", ed="2021", year=2024, org="深圳市规划和自然资源局", short="市规划和自然资源局",
         self="我局", kind="bureau", size="big", title="repeat", punct="ascii",
         heads={2: "二、行政机关主动公开政府信息情况", 3: "三、行政机关收到和处理政府信息公开申请情况",
                4: "四、政府信息公开行政复议及行政诉讼情况"},
         footer=["主办：深圳市规划和自然资源局", "网站标识码：4403000045  粤ICP备2023011234号  粤公网安备 44030402001234号"]),
    dict(n=10, style="markdown", ed="2021", year=2022, org="福州市鼓楼区温泉街道办事处", short="温泉街道",
         self="我街道", kind="street", size="small", fullwidth=True, md_captions="lines",
         md_heads={"title": "# ", "h": "## "}),
    dict(n=11, style="markdown", ed="2019", year=2019, org="长沙市岳麓区人民政府办公室", short="岳麓区政府办公室",
         self="我办", kind="district", size="medium", amount="bare", blank_zeros=0.5, blank_cells=2,
         s2_missing=[("s2.other_services.change", "blank"), ("s2.fees.prev_items", "ph")],
         md_heads={"title": "# ", "h": "### "}, normative_label="行政规范性文件", leaf="．"),
    dict(n=12, style="markdown", ed="2021", year=2025, org="南京市人民政府办公厅", short="市政府办公厅",
         self="我厅", kind="city_gov", size="medium", thousands=True, renumber=True, preamble=True,
         md_heads={"title": "## ", "h": "### "}, heads={5: "四、存在问题及改进情况"}),
    dict(n=13, style="layout", ed="2019", year=2020, org="青岛市生态环境局", short="市生态环境局", self="我局",
         kind="bureau", size="medium", title="annex", amount="wan", pagefmt="— {n} —"),
    dict(n=14, style="layout", ed="2021", year=2023, org="成都市武侯区玉林街道办事处", short="玉林街道",
         self="我街道", kind="street", size="small", blank_cells=3, s4_missing=1,
         s2_missing=[("s2.rules.repealed", "blank")], pagefmt="- {n} -", page_after="denied.process"),
    dict(n=15, style="layout", ed="2021", year=2024, org="北京市规划和自然资源委员会", short="市规划自然资源委",
         self="我委", kind="bureau", size="big", thousands=True, title="org_line", page_after="rejected.petition",
         heads={4: "四、政府信息公开行政复议及行政诉讼情况"}),
    dict(n=16, style="raw", ed="2019", year=2020, org="合肥市蜀山区三里庵街道办事处", short="三里庵街道",
         self="我街道", kind="street", size="tiny", amount="bare_header", drop_rows=2,
         s2_missing=[("s2.coercion.decisions", "drop")]),
    dict(n=17, style="raw", ed="2021", year=2022, org="湖南省教育厅", short="省教育厅", self="我厅",
         kind="province", size="medium", ph_cells=2, ph_sym="/", title="org_line", leaf="、",
         page_after="rejected.repeat"),
    dict(n=18, style="raw", ed="2021", year=2021, org="西宁市城东区人民政府办公室", short="城东区政府办公室",
         self="我办", kind="district", size="small", drop_rows=2, quotes="none",
         heads={5: "五、政府信息公开工作存在的主要问题及改进情况"}),
    dict(n=19, style="glued", ed="2019", year=2020, org="东莞市虎门镇人民政府", short="虎门镇", self="我镇",
         kind="town", size="medium", amount="wan",
         breadcrumb="当前位置：首页 > 政府信息公开 > 政府信息公开年报", title="repeat",
         footer=["版权所有：东莞市虎门镇人民政府", "粤ICP备05012345号  政府网站标识码：4419000023"]),
    dict(n=20, style="glued", ed="2021", year=2023, org="嘉兴市南湖区市场监督管理局", short="区市场监管局",
         self="我局", kind="bureau", size="small", glue_s4=False, amount="bare4",
         breadcrumb="首页 > 信息公开 > 政府信息公开年报 > 部门年报",
         footer=["主办单位：嘉兴市南湖区人民政府办公室", "浙ICP备12034567号-1 浙公网安备 33040202000456号"]),
    dict(n=21, style="glued", ed="2021", year=2025, org="五华区华山街道", short="华山街道", self="我街道",
         kind="street", size="small", title="year_first", quotes="ascii",
         breadcrumb="您当前的位置：首页 > 政务公开 > 年度报告",
         footer=["版权所有：昆明市五华区人民政府", "滇ICP备09002345号"]),
    dict(n=22, style="ocr", ed="2021", year=2021, org="洛阳市西工区王城路街道办事处", short="王城路街道",
         self="我街道", kind="street", size="tiny", ocr=0.1, drop_rows=4, amount="bare4", sub="bullet",
         s2_missing=[("s2.normative.in_force", "drop")], ocr_lost_first=["penalty"],
         ocr_strays={"new": "-", "partial": "均未", "denied.law_forbidden": "471", "rejected.mass_repeat": "7.JE"}),
    dict(n=23, style="ocr", ed="2019", year=2020, org="开封市鼓楼区人民政府办公室", short="鼓楼区政府办公室",
         self="我办", kind="district", size="medium", ocr=0.06, amount="bare4", drop_rows=1,
         zero_rows=["denied.state_secret"],
         ocr_lost_first=["licensing"], ocr_strays={"partial": "均未", "denied.internal": "小"},
         page_after="denied.internal"),
    dict(n=24, style="ocr", ed="2021", year=2022, org="固始县自然资源局", short="县自然资源局", self="我局",
         kind="bureau", size="medium", ocr=0.06, drop_rows=1, sub="bullet",
         zero_rows=["rejected.publication", "other.unpaid_fee"],
         s2_missing=[("s2.fees.amount_wan", "drop")], ocr_strays={"denied.query": "7.JE"}),
    dict(n=25, style="cells", ed="2021", year=2025, org="鹿城区五马街道", short="五马街道", self="我街道",
         kind="street", size="tiny", title="year_first", indent_paras=True, ph_cells=1, ph_sym="—",
         heads={6: "其他需要报告的事项"}),
    dict(n=26, style="tabs", ed="2021", year=2024, org="襄阳市襄城区人民政府办公室", short="襄城区政府办公室",
         self="我办", kind="district", size="medium", punct="ascii_space", drop_rows=2, long_six=True,
         zero_rows=["denied.state_secret", "denied.three_safety", "other.unpaid_fee"],
         s2_missing=[("s2.normative.in_force", "drop")], md_heads={"title": "# ", "h": "## "}),
]


def write_report(spec):
    rep = Report(spec)
    text = emit(rep, build_items(rep))
    truth = compute_truth(rep)
    doc = {"edition": rep.ed, "year": rep.year, "organization": rep.org, "values": truth}
    stem = f"gen_{rep.n:02d}_{rep.style}_{rep.ed}"
    (OUT_DIR / f"{stem}.txt").write_text(text, encoding="utf-8")
    (OUT_DIR / f"{stem}.truth.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return stem, rep, truth


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for spec in SPECS:
        stem, rep, truth = write_report(spec)
        nulls = sum(1 for x in truth.values() if x is None)
        print(f"{stem}: {len(truth)} fields, {nulls} null")


if __name__ == "__main__":
    main()
