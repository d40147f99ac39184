//! The catalog: one folder per family, one file per rule. Codes are stable and never reused; a test snapshots
//! the list.

pub mod util;

pub mod au;
pub mod av;
pub mod id;
pub mod nw;
pub mod pg;
pub mod ph;
pub mod ps;
pub mod sc;
pub mod se;
pub mod tx;

use std::sync::LazyLock;

use crate::rule::Rule;

/// Every rule, sorted by family (in the order of [`crate::rule::Family`]) and code.
pub static CATALOG: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let mut all: Vec<Rule> = [
        ps::RULES,
        id::RULES,
        se::RULES,
        ph::RULES,
        tx::RULES,
        nw::RULES,
        au::RULES,
        av::RULES,
        sc::RULES,
        pg::RULES,
    ]
    .concat();
    all.sort_by_key(|r| (r.family, r.code));
    all
});

/// Looks a rule up by code (case-insensitive) or name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    CATALOG
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}
