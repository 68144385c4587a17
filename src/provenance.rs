//! Which build made an output: the crate version, the git commit it was
//! built from (`build.rs`), the Tesseract and Leptonica libraries it runs
//! with, and the SHA-256 of the template files. Every report records it
//! under `tool`; `xxgk --version` prints it; a resumed batch redoes an
//! output whose `tool` differs from the running one, since another build or
//! other templates can read the same input differently.

use std::sync::OnceLock;

use serde_json::{json, Value};

/// The provenance of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tool {
    pub version: &'static str,
    /// `git rev-parse HEAD` at build time, `-dirty` when the sources
    /// differed from it; `None` when built without git.
    pub commit: Option<&'static str>,
    /// The libraries loaded now (not the headers built against); `None`
    /// without the `ocr` feature.
    pub tesseract: Option<String>,
    pub leptonica: Option<String>,
    /// [`crate::TemplateSet::hash`] of the templates in use.
    pub templates: String,
}

impl Tool {
    /// This build, with the templates whose hash is `templates`.
    pub fn current(templates: &str) -> Tool {
        let (tesseract, leptonica) = ocr_versions().clone();
        Tool {
            version: env!("CARGO_PKG_VERSION"),
            commit: option_env!("XXGK_GIT_COMMIT"),
            tesseract,
            leptonica,
            templates: templates.to_string(),
        }
    }

    /// The `tool` object of a report's JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "name": "xxgk",
            "version": self.version,
            "commit": self.commit,
            "tesseract": self.tesseract,
            "leptonica": self.leptonica,
            "templates": self.templates,
        })
    }

    /// What `xxgk --version` prints after the program's name.
    pub fn describe(&self) -> String {
        let or_none = |v: Option<&str>, none: &str| v.unwrap_or(none).to_string();
        format!(
            "{}\ncommit: {}\ntesseract: {}\nleptonica: {}\ntemplates: sha256 {}",
            self.version,
            or_none(self.commit, "unknown (built without git)"),
            or_none(self.tesseract.as_deref(), "none (built without the ocr feature)"),
            or_none(self.leptonica.as_deref(), "none (built without the ocr feature)"),
            self.templates
        )
    }
}

/// Asked once: the libraries do not change while the program runs.
fn ocr_versions() -> &'static (Option<String>, Option<String>) {
    static VERSIONS: OnceLock<(Option<String>, Option<String>)> = OnceLock::new();
    VERSIONS.get_or_init(read_ocr_versions)
}

#[cfg(feature = "ocr")]
fn read_ocr_versions() -> (Option<String>, Option<String>) {
    use leptess::capi;
    use std::ffi::CStr;
    // SAFETY: TessVersion returns a pointer to a static NUL-terminated string.
    let tesseract = unsafe {
        let p = capi::TessVersion();
        (!p.is_null()).then(|| CStr::from_ptr(p).to_string_lossy().into_owned())
    };
    // SAFETY: getLeptonicaVersion returns a NUL-terminated string allocated
    // by Leptonica, which the caller frees with lept_free.
    let leptonica = unsafe {
        let p = capi::getLeptonicaVersion();
        (!p.is_null()).then(|| {
            let text = CStr::from_ptr(p).to_string_lossy().into_owned();
            capi::lept_free(p.cast());
            // "leptonica-1.82.0": the name is ours to give.
            text.trim_start_matches("leptonica-").to_string()
        })
    };
    (tesseract, leptonica)
}

#[cfg(not(feature = "ocr"))]
fn read_ocr_versions() -> (Option<String>, Option<String>) {
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_every_part_on_its_own_line() {
        let tool = Tool::current(&"ab".repeat(32));
        let text = tool.describe();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], env!("CARGO_PKG_VERSION"));
        assert!(lines[1].starts_with("commit: "), "{text}");
        assert_eq!(lines[4], format!("templates: sha256 {}", "ab".repeat(32)));
        #[cfg(feature = "ocr")]
        {
            // Debian bookworm: Tesseract 5.3, Leptonica 1.82.
            let t = tool.tesseract.as_deref().unwrap();
            assert!(t.starts_with(|c: char| c.is_ascii_digit()) && t.contains('.'), "{t}");
            let l = tool.leptonica.as_deref().unwrap();
            assert!(l.starts_with(|c: char| c.is_ascii_digit()) && l.contains('.'), "{l}");
        }
    }
}
