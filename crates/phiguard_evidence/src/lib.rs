//! Tamper-evident evidence trail: records hashed into an RFC 6962 Merkle tree, Ed25519-signed checkpoints, and
//! CloudTrail-like signed digests per period, chained to the previous digest and written even for empty periods.
//! Storage in a local directory (append-only segment files, fsync on seal) or PostgreSQL (several writers
//! sharing one trail).

pub mod merkle;
