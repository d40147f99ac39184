//! phiguard_core: the pure, synchronous rule engine of phiguard.
//!
//! Sources with exact positions ([`yaml`], [`source`]), the [`inventory`] of objects and pod templates, the
//! PHI [`scope`], the [`rule`] model and its [`rules`] catalog, [`settings`] from `phiguard.toml`, and the
//! [`engine`] that runs a scan.

pub mod engine;
pub mod finding;
pub mod image;
pub mod inventory;
pub mod netpol;
pub mod rbac;
pub mod rule;
pub mod rules;
pub mod scope;
pub mod settings;
pub mod source;
pub mod yaml;

pub use engine::{scan, ScanReport};
pub use finding::Finding;
pub use rule::{Family, Rule, Severity};
pub use settings::Settings;
pub use source::Source;
