//! Tamper-evident evidence trail: records hashed into an RFC 6962 Merkle tree, Ed25519-signed checkpoints, and
//! CloudTrail-like signed digests per period, chained to the previous digest and written even for empty periods.
//! Storage in a local directory (append-only segment files, fsync on seal) or PostgreSQL (several writers
//! sharing one trail).
//!
//! A trail is a sequence of lines. The first is a signed genesis (origin, period length, retention). Records
//! follow, each with its sequence number, time, kind, leaf hash and verbatim JSON body. Signed heads interleave:
//! a digest for every period (empty or not) and a checkpoint whenever a writer seals. Every head carries the tree
//! size and Merkle root at that point and the SHA-256 of the previous head's line, so the heads form one signed
//! chain and any deleted, inserted, modified or reordered line breaks it at a place `verify` names.

pub mod entry;
pub mod keys;
pub mod merkle;
pub mod store;
pub mod time;
pub mod trail;
pub mod verify;

pub use entry::{Head, Record};
pub use store::{DirStore, Line, PgStore, Store};
pub use trail::{Options, Trail};
pub use verify::{verify, Level, Problem, Report};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Io(String),
    #[error("PostgreSQL: {0}")]
    Db(String),
    #[error("key: {0}")]
    Key(String),
    #[error("{0}")]
    Input(String),
}
