//! `xxgk models fields`: the field dictionary ([`xxgk::dictionary`]) as
//! Markdown, CSV or JSON on stdout.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::ValueEnum;

use xxgk::dictionary;
use xxgk::TemplateSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FieldsFormat {
    Md,
    Csv,
    Json,
}

/// `xxgk models fields`, as typed.
#[derive(clap::Args, Debug)]
pub struct FieldsArgs {
    /// Models directory (default: the built-in models).
    dir: Option<PathBuf>,
    /// Only this edition's fields (2019, 2021).
    #[arg(long, value_name = "E")]
    edition: Option<String>,
    #[arg(long, value_enum, default_value_t = FieldsFormat::Md)]
    format: FieldsFormat,
}

pub fn fields(args: FieldsArgs) -> Result<u8> {
    let set = match &args.dir {
        Some(d) => TemplateSet::load_dir(d)?,
        None => TemplateSet::builtin()?,
    };
    if let Some(e) = args.edition.as_deref().filter(|e| !set.editions().contains(e)) {
        bail!("no edition {e} in the models (editions: {})", set.editions().join(", "));
    }
    let fields = dictionary::fields(&set, args.edition.as_deref());
    let text = match args.format {
        FieldsFormat::Md => dictionary::to_markdown(&set, &fields),
        FieldsFormat::Csv => dictionary::to_csv(&fields),
        FieldsFormat::Json => serde_json::to_string_pretty(&dictionary::to_json(&fields))? + "\n",
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        r => r.map(|_| 0).map_err(Into::into),
    }
}
