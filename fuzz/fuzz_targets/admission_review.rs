//! Fuzzes the webhook's review handling: any body gets an AdmissionReview answer, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiguard_core::admission::Policy;
use phiguard_core::settings::{Date, Settings};

fuzz_target!(|data: &[u8]| {
    let policy = Policy::new(Settings::default());
    let today = Date {
        year: 2026,
        month: 11,
        day: 24,
    };
    let (body, outcome) = phiguard_server::review::handle(&policy, data, today);
    assert_eq!(body["kind"], "AdmissionReview");
    assert!(body["response"]["allowed"].is_boolean());
    assert_eq!(body["response"]["uid"].as_str(), Some(outcome.uid.as_str()));
    if outcome.http_status != 200 {
        assert_eq!(body["response"]["allowed"], false);
    }
});
