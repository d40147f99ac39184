#![no_main]
//! The evidence segment parser and the verifier on arbitrary bytes: never a panic; a trail that was not
//! written by the key never verifies as complete and untampered with records in it.

use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;
use phiguard_evidence::store::split_segment;
use phiguard_evidence::verify;

fuzz_target!(|data: &[u8]| {
    let (lines, _, _) = split_segment("segments/seg-00000001.jsonl", data, 0);
    let key = SigningKey::from_bytes(&[1; 32]).verifying_key();
    let r = verify(&lines, &key, None);
    if r.records > 0 {
        assert!(!r.ok(), "forged records verified");
    }
});
