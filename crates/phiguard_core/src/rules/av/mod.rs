//! AV rules.

use crate::rule::Rule;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[];
