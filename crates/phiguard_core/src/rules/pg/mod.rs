//! PG rules: phiguard's own configuration.

use crate::rule::Rule;

pub mod waiver_expired;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[waiver_expired::RULE];
