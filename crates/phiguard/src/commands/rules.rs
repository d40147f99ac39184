//! `phiguard rules` and `phiguard rule CODE`.

use anyhow::bail;

use crate::cli::CatalogFormat;

pub fn list(format: CatalogFormat) -> anyhow::Result<u8> {
    let text = match format {
        CatalogFormat::Text => phiguard_report::catalog_text(),
        CatalogFormat::Json => phiguard_report::catalog_json(),
        CatalogFormat::Markdown => phiguard_report::catalog_markdown(),
    };
    println!("{}", text.trim_start());
    Ok(super::EXIT_CLEAN)
}

pub fn show(code: &str) -> anyhow::Result<u8> {
    match phiguard_core::rules::find(code) {
        Some(rule) => {
            print!("{}", phiguard_report::rule_doc(rule));
            Ok(super::EXIT_CLEAN)
        }
        None => bail!("unknown rule `{code}` (see `phiguard rules`)"),
    }
}
