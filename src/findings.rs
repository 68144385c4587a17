//! The findings of one input, as the stages hand them on and the writers
//! take them: each field's outcome ([`FieldOut`]), the rule results
//! ([`CheckResult`]), [`Warning`]s, and the whole [`Report`]. These types lie
//! below the stages (table reading, solving, the scan rereading) and the
//! writers ([`crate::report`]), so that none of those imports another to name
//! them.

use serde::Serialize;

use crate::decimal::Dec;
use crate::doc::Loc;
use crate::provenance::Tool;

/// Values below this confidence are for a person to check (the verification
/// stage caps every value in review below it, and the rereading every
/// unsure value no rule confirms).
pub const LOW_CONFIDENCE: f32 = 0.6;

/// How a value came to be, in increasing distance from the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Taken as printed.
    Read,
    /// Printed, but needed more than trimming: OCR confusions, units,
    /// separators, splitting a glued digit run.
    Normalized,
    /// Not printed (or unreadable); computed from the consistency rules.
    Inferred,
    /// Read by OCR as something else; the only other reading of the cell
    /// that makes every rule hold (scans; `raw` keeps the first reading).
    Corrected,
    /// No value: blank, placeholder, unreadable, or not found.
    Missing,
}

/// The outcome for one field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldOut {
    pub value: Option<Dec>,
    pub status: Status,
    pub raw: Option<String>,
    pub loc: Option<Loc>,
    pub confidence: f32,
    /// What normalization did, when a user should know ("taken as 万元").
    pub note: Option<String>,
    /// Why the value's place is not certain from the text alone.
    pub doubt: Option<Doubt>,
    /// Set by the verification stage (`crate::verify`); `None` until then
    /// and for fields without a value.
    pub verdict: Option<Verdict>,
}

impl FieldOut {
    /// No value, nothing read.
    pub fn missing() -> FieldOut {
        FieldOut {
            value: None,
            status: Status::Missing,
            raw: None,
            loc: None,
            confidence: 0.0,
            note: None,
            doubt: None,
            verdict: None,
        }
    }
}

/// Why a value's place is in doubt although its digits were read: the row's
/// numbers fit its columns in more than one way (a lost or glued separator,
/// a cell dropped by the export), so the header positions did not decide.
#[derive(Clone, Debug, PartialEq)]
pub enum Doubt {
    /// The rules left one reading of the row out of `readings`; this value
    /// comes from it. `reading` shows the whole row as taken.
    Chosen { readings: usize, reading: String },
    /// Readings that satisfy every rule disagree on this cell: it is null,
    /// and `values` lists what the readings put there.
    Ambiguous { readings: usize, values: Vec<String> },
}

/// What the template's arithmetic says of a value (see `crate::verify`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every kind of rule over the value (its row's and its column's, in
    /// 表三) has an instance that holds with operands read independently.
    Confirmed,
    /// Read, but no holding rule covers it (表二 has none; or its rules were
    /// skipped for blanks that, as zeros, would hold).
    Unconfirmed,
    /// A person must look: see the report's `review` entry for why.
    Review,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Ok,
    Failed,
    /// An operand is absent.
    Skipped,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    pub rule: String,
    pub instance: String,
    pub status: CheckStatus,
    pub lhs: Vec<String>,
    pub rhs: Vec<String>,
    pub lhs_value: Option<Dec>,
    pub rhs_value: Option<Dec>,
    /// For skipped instances: does the rule hold when blanks count as 0?
    pub holds_if_blanks_zero: Option<bool>,
}

/// A finding a user should see; never fatal. Stages give the English
/// `message`; the verification stage adds `message_zh` from the code and
/// the template's labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
    pub message_zh: Option<String>,
    /// The field it concerns.
    pub field: Option<String>,
    /// The template row ("s3.granted") or table ("s3") it concerns, when it
    /// is about more than one field.
    pub scope: Option<String>,
    pub loc: Option<Loc>,
}

impl Warning {
    pub fn new(code: &'static str, message: String) -> Warning {
        Warning { code, message, message_zh: None, field: None, scope: None, loc: None }
    }

    pub fn field(code: &'static str, field: &str, loc: Option<Loc>, message: String) -> Warning {
        Warning { field: Some(field.to_string()), loc, ..Warning::new(code, message) }
    }

    /// A finding about a template row or table (`scope`: "s3.granted", "s3").
    pub fn scoped(code: &'static str, scope: &str, message: String) -> Warning {
        Warning { scope: Some(scope.to_string()), ..Warning::new(code, message) }
    }
}

/// One thing a person must check: a value (`field` set) or the report
/// (`field` null: a missing table, row, title, a page read turned).
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewEntry {
    pub field: Option<String>,
    /// The template's Chinese labels of the table, row and column concerned.
    pub table: Option<String>,
    pub row_label: Option<String>,
    pub column_label: Option<String>,
    pub value: Option<Dec>,
    pub raw: Option<String>,
    pub confidence: Option<f32>,
    /// Why, as a code (`rule-failed`, `inferred`, `row-not-found`, …).
    pub reason: &'static str,
    pub message: String,
    pub message_zh: String,
    pub loc: Option<Loc>,
}

/// Counts over a report's fields, and whether it may be used unchecked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub confirmed: usize,
    pub unconfirmed: usize,
    /// Entries of the review list (fields and report-level).
    pub review: usize,
    /// Fields of the template whose cell was not found at all (a blank
    /// cell that was found is not missing).
    pub missing: usize,
}

impl Tally {
    /// `ok`: nothing to review and nothing missing.
    pub fn ok(&self) -> bool {
        self.review == 0 && self.missing == 0
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SourceInfo {
    pub path: String,
    pub kind: &'static str,
    pub sha256: String,
    pub bytes: u64,
}

/// How a scanned page was read, so that a box can be drawn on the page as
/// the input stores it (see [`crate::report`]'s `pages`).
#[derive(Clone, Debug, PartialEq)]
pub struct PageGeometry {
    /// 1-based page of the report.
    pub page: usize,
    /// `px` (an image file: pixels of the stored image) or `pt` (a PDF:
    /// points of the page as displayed).
    pub unit: &'static str,
    /// The page's size in `unit`.
    pub width: f32,
    pub height: f32,
    /// The resolution the input gives its image (or pdftoppm rendered it at).
    pub dpi: f32,
    /// The resolution it was read at (pages are brought to 140–400 dpi).
    pub read_dpi: f32,
    /// It lay this many degrees clockwise from upright and was read turned.
    pub turned: u32,
    /// The skew it was straightened by, in degrees.
    pub skew_deg: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub edition: String,
    pub year: Option<i32>,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub source: SourceInfo,
    pub field_ids: Vec<String>,
    pub cells: Vec<FieldOut>,
    pub checks: Vec<CheckResult>,
    pub warnings: Vec<Warning>,
    /// Filled by the verification stage.
    pub review: Vec<ReviewEntry>,
    pub tally: Tally,
    /// Which build and templates made it; set with the verification.
    pub tool: Option<Tool>,
    /// Scans: how each page was read; its boxes are already in the input's
    /// own coordinates. Empty for other inputs.
    pub pages: Vec<PageGeometry>,
}

impl Report {
    pub fn failed_rules(&self) -> usize {
        self.checks.iter().filter(|c| c.status == CheckStatus::Failed).count()
    }

    pub fn value(&self, id: &str) -> Option<Dec> {
        self.field_ids.iter().position(|f| f == id).and_then(|i| self.cells[i].value)
    }
}
