//! The entries of a trail, one JSON object per line: records, and signed heads (genesis, checkpoints, digests).

use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::merkle::{self, Hash};

pub const FORMAT: &str = "phiguard-evidence/v1";

/// One evidence record: a scan result, an alert, an admission decision.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// Always "rec".
    pub t: String,
    /// 0-based position in the Merkle tree.
    pub seq: u64,
    /// RFC 3339 UTC time of the append.
    pub time: String,
    /// What the record is: "scan", "alert", "admission", ...
    pub kind: String,
    /// Hex leaf hash of the record (see [`Record::leaf_data`]).
    pub h: String,
    /// The record's JSON text, kept verbatim so its hash can be recomputed byte for byte.
    pub body: String,
}

impl Record {
    /// The bytes hashed into the tree as this record's leaf.
    pub fn leaf_data(seq: u64, time: &str, kind: &str, body: &str) -> Vec<u8> {
        format!("{seq}\n{time}\n{kind}\n{body}").into_bytes()
    }
    pub fn compute_leaf(&self) -> Hash {
        merkle::leaf_hash(&Record::leaf_data(
            self.seq, &self.time, &self.kind, &self.body,
        ))
    }
}

/// What a signed head is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadKind {
    /// The first entry: parameters of the trail.
    Genesis,
    /// A signed tree head written when a writer seals (end of a command, shutdown, on request).
    Checkpoint,
    /// The signed digest of one period, written for every period, empty or not.
    Digest,
}

impl HeadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HeadKind::Genesis => "genesis",
            HeadKind::Checkpoint => "checkpoint",
            HeadKind::Digest => "digest",
        }
    }
    pub fn parse(s: &str) -> Option<HeadKind> {
        match s {
            "genesis" => Some(HeadKind::Genesis),
            "checkpoint" => Some(HeadKind::Checkpoint),
            "digest" => Some(HeadKind::Digest),
            _ => None,
        }
    }
}

/// A signed head. Every head carries the tree size and root at the time it was written and the hash of the
/// previous head's line, so heads form one chain from the genesis.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    pub t: String,
    pub origin: String,
    pub time: String,
    pub size: u64,
    /// Hex Merkle root over the first `size` records.
    pub root: String,
    /// Hex SHA-256 of the previous head's line; empty for the genesis.
    pub prev: String,
    /// Hex key id (first 16 hex digits of SHA-256 of the public key).
    pub key: String,
    /// Genesis: period length in seconds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub period_s: u64,
    /// Genesis: retention of the trail in days.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retention_days: u64,
    /// Digest: period index (start time / period length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<i64>,
    /// Digest: period bounds, RFC 3339.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub start: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub end: String,
    /// Digest: first record of the period and how many there are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seq: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Base64 Ed25519 signature over [`Head::message`].
    pub sig: String,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl Head {
    pub fn kind(&self) -> Option<HeadKind> {
        HeadKind::parse(&self.t)
    }

    /// The signed text: every field but the signature, one per line, in a fixed order.
    pub fn message(&self) -> String {
        format!(
            "{FORMAT}\ntype {}\norigin {}\ntime {}\nsize {}\nroot {}\nprev {}\nkey {}\nperiod-s {}\nretention-days {}\nperiod {}\nstart {}\nend {}\nfirst-seq {}\ncount {}\n",
            self.t,
            self.origin,
            self.time,
            self.size,
            self.root,
            self.prev,
            self.key,
            self.period_s,
            self.retention_days,
            self.period.map(|p| p.to_string()).unwrap_or_default(),
            self.start,
            self.end,
            self.first_seq.map(|p| p.to_string()).unwrap_or_default(),
            self.count.map(|p| p.to_string()).unwrap_or_default(),
        )
    }

    pub fn sign(&mut self, key: &SigningKey) {
        self.key = key_id(&key.verifying_key());
        let sig = key.sign(self.message().as_bytes());
        self.sig = base64::engine::general_purpose::STANDARD.encode(sig.to_bytes());
    }

    pub fn verify(&self, key: &VerifyingKey) -> bool {
        let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(&self.sig) else {
            return false;
        };
        let Ok(bytes) = <[u8; 64]>::try_from(raw.as_slice()) else {
            return false;
        };
        key.verify(self.message().as_bytes(), &Signature::from_bytes(&bytes))
            .is_ok()
    }

    /// The checkpoint in the transparency-dev note body form: origin, size, base64 root.
    pub fn checkpoint_text(&self) -> String {
        let root = from_hex(&self.root).unwrap_or_default();
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            base64::engine::general_purpose::STANDARD.encode(root)
        )
    }
}

/// A parsed line.
#[derive(Clone, Debug)]
pub enum Entry {
    Record(Record),
    Head(Head),
}

impl Entry {
    pub fn parse(text: &[u8]) -> Result<Entry, String> {
        let v: serde_json::Value =
            serde_json::from_slice(text).map_err(|e| format!("not JSON: {e}"))?;
        let t = v.get("t").and_then(|t| t.as_str()).map(str::to_string);
        match t.as_deref() {
            Some("rec") => serde_json::from_value(v)
                .map(Entry::Record)
                .map_err(|e| format!("bad record: {e}")),
            Some(t) if HeadKind::parse(t).is_some() => serde_json::from_value(v)
                .map(Entry::Head)
                .map_err(|e| format!("bad {t}: {e}")),
            Some(t) => Err(format!("unknown entry type `{t}`")),
            None => Err("entry without a type".to_string()),
        }
    }
}

pub fn line_hash(line: &[u8]) -> Hash {
    Sha256::digest(line).into()
}

pub fn key_id(key: &VerifyingKey) -> String {
    hex(&Sha256::digest(key.as_bytes())[..8])
}

pub fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

pub fn hash_from_hex(s: &str) -> Option<Hash> {
    from_hex(s)?.try_into().ok()
}
