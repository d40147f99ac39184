//! Fuzzes the loader: any text must parse to objects or positioned errors, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiguard_core::source::{parse_source, Source};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let source = Source::new("fuzz.yaml", text.to_string());
        let parsed = parse_source(0, &source);
        for e in &parsed.errors {
            if let Some(p) = e.pos {
                assert!(p.line >= 1, "error position must be 1-based: {e}");
            }
        }
    }
});
