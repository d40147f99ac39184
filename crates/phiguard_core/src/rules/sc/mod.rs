//! SC rules.

use crate::rule::Rule;

pub mod digest;
pub mod mutable_tag;
pub mod untrusted_registry;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[mutable_tag::RULE, digest::RULE, untrusted_registry::RULE];
