//! PH rules: identifiers (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)) written into Kubernetes objects.

use std::sync::LazyLock;

use phiguard_phi::{Detector, Entity};

use crate::rule::Rule;

pub mod phi_configmap;
pub mod phi_env;
pub mod phi_metadata;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[phi_configmap::RULE, phi_env::RULE, phi_metadata::RULE];

/// Confidence at which manifests are flagged: higher than the log default, since configuration is full of
/// hostnames, versions and identifiers of machines rather than people.
const MIN_CONFIDENCE: f32 = 0.8;

/// Types reported in manifests: service URLs and IP addresses in configuration name machines, not people.
static DETECTOR: LazyLock<Detector> = LazyLock::new(|| {
    let mut d = Detector::new();
    d.set_min_confidence(MIN_CONFIDENCE);
    d.set_entities(
        Entity::ALL
            .into_iter()
            .filter(|e| !matches!(e, Entity::Url | Entity::Ip))
            .collect(),
    );
    d
});

/// A description of the identifiers in `text` without their values: `SSN, NAME (2)`; `None` when clean.
pub(crate) fn phi_summary(text: &str) -> Option<String> {
    let found = DETECTOR.detect(text.as_bytes());
    if found.is_empty() {
        return None;
    }
    let mut types: Vec<Entity> = found.iter().map(|m| m.entity).collect();
    types.sort();
    let count = types.len();
    types.dedup();
    let names: Vec<&str> = types.iter().map(|e| e.tag()).collect();
    Some(if count > names.len() {
        format!("{} ({count} values, masked)", names.join(", "))
    } else {
        format!("{} (masked)", names.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_never_contains_the_value() {
        let s = phi_summary("patient_name: \"John Smith\" ssn=536-22-1234").unwrap_or_default();
        assert!(s.contains("SSN") && s.contains("NAME"), "{s}");
        assert!(!s.contains("536") && !s.contains("Smith"));
        assert_eq!(
            phi_summary("replicas: 3\nimage: nginx:1.25.3\nhost: 10.0.0.1"),
            None
        );
    }
}
