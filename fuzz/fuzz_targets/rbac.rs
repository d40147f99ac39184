//! Fuzzes the RBAC engine on arbitrary input: model building (aggregation included), who-can in every scope,
//! the powers of every subject, and the resource-argument parser. Checks that every answer cites a position.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::rbac::matching::parse_target;
use phiguard_core::rbac::powers::powers_of;
use phiguard_core::rbac::{Identity, Model, QueryScope};
use phiguard_core::Source;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The first line doubles as a who-can resource argument.
    let first = text.lines().next().unwrap_or("");
    let _ = parse_target(first, Some(first));
    let sources = vec![Source::new("fuzz.yaml", text.to_string())];
    let (objects, _, _) = load(&sources);
    let inv = Inventory::new(sources, objects);
    let model = Model::build(&inv);
    let target = parse_target("secrets", None).unwrap_or_else(|_| unreachable!());
    for scope in [QueryScope::Cluster, QueryScope::AnyNamespace, QueryScope::Namespace("default".into())] {
        for g in model.who_can("get", &target, &scope) {
            let b = &model.bindings[g.binding];
            assert!(b.subjects[g.subject].loc.line >= 1, "uncited subject");
            assert!(model.rules[g.rule].loc.line >= 1, "uncited rule");
        }
    }
    for s in model.subjects() {
        for h in powers_of(&model, &Identity::of(&s)) {
            assert!(!h.evidence.is_empty(), "power without evidence");
        }
    }
});
