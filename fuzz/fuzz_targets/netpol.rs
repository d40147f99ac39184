//! Fuzzes the connectivity engine: arbitrary manifests must build a model, a matrix and a verification without
//! panicking; every allowed connection is a subset of what each side's policies allow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::netpol::zones::{verify, NetpolSettings};
use phiguard_core::netpol::{build, Engine, Options};
use phiguard_core::settings::Settings;
use phiguard_core::{scope, Source};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let sources = vec![Source::new("fuzz.yaml", text.to_string())];
        let (objects, _, _) = load(&sources);
        let inv = Inventory::new(sources, objects);
        let model = build(&inv, &Options { cluster_dns: true, representatives: true, ..Options::default() });
        let mut engine = Engine::new(&model);
        let edges = engine.matrix();
        for e in edges.iter().take(50) {
            let x = engine.explain(e.src as usize, e.dst as usize);
            assert!(x.allowed.subset_of(&x.egress.allowed) && x.allowed.subset_of(&x.ingress.allowed));
            assert_eq!(&x.allowed, engine.conn(e.conn));
        }
        let settings = Settings::default();
        let sc = scope::compute(&inv, &settings);
        let _ = verify(&inv, &sc, &NetpolSettings::default());
    }
});
