//! The findings of one input, as the stages hand them on and the writers
//! take them: each field's outcome ([`FieldOut`]), the rule results
//! ([`CheckResult`]), [`Warning`]s, and the whole [`Report`]. These types lie
//! below the stages (table reading, solving, the scan rereading) and the
//! writers ([`crate::report`]), so that none of those imports another to name
//! them.

use serde::Serialize;

use crate::decimal::Dec;
use crate::doc::Loc;

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

/// A finding a user should see; never fatal.
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub loc: Option<Loc>,
}

impl Warning {
    pub fn new(code: &'static str, message: String) -> Warning {
        Warning { code, message, field: None, loc: None }
    }

    pub fn field(code: &'static str, field: &str, loc: Option<Loc>, message: String) -> Warning {
        Warning { code, message, field: Some(field.to_string()), loc }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SourceInfo {
    pub path: String,
    pub kind: &'static str,
    pub sha256: String,
    pub bytes: u64,
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
}

impl Report {
    pub fn failed_rules(&self) -> usize {
        self.checks.iter().filter(|c| c.status == CheckStatus::Failed).count()
    }

    pub fn value(&self, id: &str) -> Option<Dec> {
        self.field_ids.iter().position(|f| f == id).and_then(|i| self.cells[i].value)
    }
}
