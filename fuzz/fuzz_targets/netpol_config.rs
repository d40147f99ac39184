//! Fuzzes the parsers of `[netpol]` settings and Calico selectors: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiguard_core::netpol::selector::Expr;
use phiguard_core::rules::CATALOG;
use phiguard_core::settings::Settings;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(e) = Expr::parse(text) {
            let labels = [("app".to_string(), "db".to_string())].into_iter().collect();
            let _ = e.matches(&labels);
        }
        let _ = Settings::from_toml("fuzz.toml", text, &CATALOG);
        let _ = phiguard_core::netpol::zones::parse_port(text);
    }
});
