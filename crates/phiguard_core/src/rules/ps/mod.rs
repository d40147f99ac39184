//! PS rules.

use crate::rule::Rule;

pub mod privileged;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[privileged::RULE];
