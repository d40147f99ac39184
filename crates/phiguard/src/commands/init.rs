//! `phiguard init`: write the configuration template.

use std::path::Path;

use anyhow::{bail, Context};

pub fn run(path: &Path, force: bool) -> anyhow::Result<u8> {
    if path.exists() && !force {
        bail!(
            "{} already exists (use --force to overwrite)",
            path.display()
        );
    }
    std::fs::write(path, phiguard_core::settings::TEMPLATE)
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(super::EXIT_CLEAN)
}
