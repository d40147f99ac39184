//! AV rules.

use crate::rule::Rule;

pub mod liveness_probe;
pub mod no_pdb;
pub mod readiness_probe;
pub mod resource_limits;
pub mod resource_requests;
pub mod single_replica;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[
    single_replica::RULE,
    no_pdb::RULE,
    readiness_probe::RULE,
    liveness_probe::RULE,
    resource_limits::RULE,
    resource_requests::RULE,
];
