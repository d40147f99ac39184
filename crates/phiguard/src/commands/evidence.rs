//! `phiguard evidence`: key generation, verification, listing and showing of an evidence trail; and the helper
//! other commands use to append to one.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use phiguard_evidence::entry::{Entry, Head};
use phiguard_evidence::{keys, merkle, store, verify, Level, Options, Trail};

/// Environment variable naming the private key used by `--evidence`.
pub const KEY_ENV: &str = "PHIGUARD_EVIDENCE_KEY";

#[derive(Args, Debug)]
pub struct EvidenceArgs {
    #[command(subcommand)]
    pub command: EvidenceCommand,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Output {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum EvidenceCommand {
    /// Generate an Ed25519 key pair: PREFIX.key (private, mode 0600) and PREFIX.pub.
    Keygen {
        #[arg(long, default_value = "phiguard-evidence")]
        out: PathBuf,
    },
    /// Verify a trail offline with the public key; every problem is reported with its position.
    Verify {
        /// Directory or postgres:// URL.
        trail: String,
        /// Public key file (a private key file works too).
        #[arg(long)]
        key: PathBuf,
        /// A head saved earlier (`phiguard evidence checkpoint`): detects truncation and rewriting.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        #[arg(short, long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// List the entries of a trail.
    List {
        trail: String,
        #[arg(short, long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Show one record with its inclusion proof against the last signed head.
    Show {
        trail: String,
        /// Record sequence number.
        seq: u64,
        /// Public key: also verify the proof and the head's signature.
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Write the digests of every period that has ended, and a signed checkpoint (run it periodically so empty
    /// periods are sealed too).
    Seal {
        trail: String,
        /// Private key file (default: $PHIGUARD_EVIDENCE_KEY).
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Print the last signed head as JSON, to keep elsewhere and pass to `verify --checkpoint` later.
    Checkpoint { trail: String },
}

pub fn run(args: EvidenceArgs) -> anyhow::Result<u8> {
    match args.command {
        EvidenceCommand::Keygen { out } => keygen(&out),
        EvidenceCommand::Verify {
            trail,
            key,
            checkpoint,
            output,
        } => verify_cmd(&trail, &key, checkpoint.as_deref(), output),
        EvidenceCommand::List { trail, output } => list(&trail, output),
        EvidenceCommand::Show { trail, seq, key } => show(&trail, seq, key.as_deref()),
        EvidenceCommand::Seal { trail, key } => {
            let key = private_key(key.as_deref())?;
            let mut t = Trail::open(store::open(&trail)?, key, Options::default())?;
            let h = t.seal()?;
            println!("sealed {trail}: {} records, root {}", h.size, h.root);
            Ok(super::EXIT_CLEAN)
        }
        EvidenceCommand::Checkpoint { trail } => {
            let lines = store::open(&trail)?.read_all()?;
            let last = lines
                .iter()
                .rev()
                .find_map(|l| match Entry::parse(&l.text) {
                    Ok(Entry::Head(h)) => Some(h),
                    _ => None,
                });
            match last {
                Some(h) => {
                    println!("{}", serde_json::to_string(&h)?);
                    Ok(super::EXIT_CLEAN)
                }
                None => bail!("{trail}: no signed head in the trail"),
            }
        }
    }
}

fn keygen(prefix: &Path) -> anyhow::Result<u8> {
    let sk = prefix.with_extension("key");
    let pk = prefix.with_extension("pub");
    let key = keys::write_pair(&sk, &pk)?;
    println!(
        "wrote {} (private, keep it secret) and {} (public, give it to auditors); key id {}",
        sk.display(),
        pk.display(),
        phiguard_evidence::entry::key_id(&key.verifying_key())
    );
    Ok(super::EXIT_CLEAN)
}

pub fn private_key(path: Option<&Path>) -> anyhow::Result<ed25519_dalek::SigningKey> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => match std::env::var_os(KEY_ENV) {
            Some(p) => PathBuf::from(p),
            None => {
                bail!("no evidence signing key: pass --evidence-key (or --key) or set {KEY_ENV}")
            }
        },
    };
    Ok(keys::read_private(&path)?)
}

/// Appends one record to a trail and seals it. Used by `scan --evidence` and `audit --evidence`.
pub fn append(location: &str, key: Option<&Path>, kind: &str, body: &str) -> anyhow::Result<()> {
    let key = private_key(key)?;
    let mut t = Trail::open(store::open(location)?, key, Options::default())
        .with_context(|| format!("opening evidence trail {location}"))?;
    let seq = t.append(kind, body)?;
    let h = t.seal()?;
    eprintln!(
        "evidence: {kind} recorded as seq {seq} in {}; checkpoint covers {} records",
        t.store_name(),
        h.size
    );
    Ok(())
}

fn verify_cmd(
    trail: &str,
    key: &Path,
    checkpoint: Option<&Path>,
    output: Output,
) -> anyhow::Result<u8> {
    let key = keys::read_public(key)?;
    let trusted: Option<Head> = match checkpoint {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            Some(
                serde_json::from_str(text.trim())
                    .with_context(|| format!("{}: not a head", p.display()))?,
            )
        }
        None => None,
    };
    let lines = store::open(trail)?.read_all()?;
    let r = verify(&lines, &key, trusted.as_ref());
    let mut out = std::io::stdout().lock();
    match output {
        Output::Json => writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?,
        Output::Text => {
            for p in &r.problems {
                let level = match p.level {
                    Level::Error => "error",
                    Level::Warning => "warning",
                };
                writeln!(out, "{level}: {}: {}", p.at, p.message)?;
            }
            writeln!(
                out,
                "{trail}: {} records ({} sealed, {} unsealed), {} digests, {} checkpoints; periods {} .. {}; key {}; retention {} days",
                r.records,
                r.sealed,
                r.unsealed,
                r.digests,
                r.checkpoints,
                if r.first_period_start.is_empty() { "-" } else { &r.first_period_start },
                if r.last_period_end.is_empty() { "-" } else { &r.last_period_end },
                r.key,
                r.retention_days
            )?;
            let sealed_until = if r.last_period_end.is_empty() {
                &r.first_period_start
            } else {
                &r.last_period_end
            };
            if let Some(end) = phiguard_evidence::time::parse_us(sealed_until) {
                let age_s = (phiguard_evidence::time::now_us() - end) / 1_000_000;
                if r.period_s > 0 && age_s > 2 * r.period_s as i64 {
                    writeln!(
                        out,
                        "warning: trail: no digest since {}: periods after it are unsealed (run `phiguard evidence seal` \
periodically, or the most recent periods were removed)",
                        sealed_until
                    )?;
                }
            }
            writeln!(
                out,
                "{}",
                if r.ok() {
                    "verified: no tampering found".to_string()
                } else {
                    format!("NOT VERIFIED: {} problem(s)", r.errors())
                }
            )?;
        }
    }
    Ok(if r.ok() {
        super::EXIT_CLEAN
    } else {
        super::EXIT_FINDINGS
    })
}

fn list(trail: &str, output: Output) -> anyhow::Result<u8> {
    let lines = store::open(trail)?.read_all()?;
    let mut out = std::io::stdout().lock();
    for l in &lines {
        let entry = if l.complete {
            Entry::parse(&l.text).ok()
        } else {
            None
        };
        match (output, entry) {
            (Output::Json, Some(Entry::Record(r))) => writeln!(
                out,
                "{}",
                serde_json::json!({"at": l.loc, "type": "rec", "seq": r.seq, "time": r.time, "kind": r.kind, "bytes": r.body.len()})
            )?,
            (Output::Json, Some(Entry::Head(h))) => {
                writeln!(out, "{}", serde_json::json!({"at": l.loc, "head": h}))?
            }
            (Output::Json, None) => writeln!(
                out,
                "{}",
                serde_json::json!({"at": l.loc, "type": "unreadable"})
            )?,
            (Output::Text, Some(Entry::Record(r))) => writeln!(
                out,
                "{:<40} rec        seq {:<8} {} {:<10} {} bytes",
                l.loc,
                r.seq,
                r.time,
                r.kind,
                r.body.len()
            )?,
            (Output::Text, Some(Entry::Head(h))) => {
                let extra = match (&h.period, h.count) {
                    (Some(_), Some(c)) => format!(" period {} .. {} ({c} records)", h.start, h.end),
                    _ => String::new(),
                };
                writeln!(
                    out,
                    "{:<40} {:<10} size {:<7} {} root {}{extra}",
                    l.loc,
                    h.t,
                    h.size,
                    h.time,
                    &h.root[..h.root.len().min(16)]
                )?
            }
            (Output::Text, None) => writeln!(out, "{:<40} (unreadable or cut short)", l.loc)?,
        }
    }
    Ok(super::EXIT_CLEAN)
}

fn show(trail: &str, seq: u64, key: Option<&Path>) -> anyhow::Result<u8> {
    let lines = store::open(trail)?.read_all()?;
    let mut leaves = Vec::new();
    let mut found = None;
    let mut last_head: Option<Head> = None;
    for l in &lines {
        match Entry::parse(&l.text) {
            Ok(Entry::Record(r)) => {
                let leaf = phiguard_evidence::entry::hash_from_hex(&r.h)
                    .unwrap_or_else(|| r.compute_leaf());
                leaves.push(leaf);
                if r.seq == seq {
                    found = Some((l.loc.clone(), r));
                }
            }
            Ok(Entry::Head(h)) => last_head = Some(h),
            Err(_) => {}
        }
    }
    let Some((at, rec)) = found else {
        bail!("{trail}: no record with seq {seq}");
    };
    let body: serde_json::Value =
        serde_json::from_str(&rec.body).unwrap_or(serde_json::Value::Null);
    println!(
        "record seq {} at {at}\ntime {}\nkind {}\nleaf {}",
        rec.seq, rec.time, rec.kind, rec.h
    );
    println!("{}", serde_json::to_string_pretty(&body)?);
    let Some(head) = last_head.filter(|h| h.size > seq) else {
        println!("not yet covered by a signed head (unsealed)");
        return Ok(super::EXIT_CLEAN);
    };
    let size = (head.size as usize).min(leaves.len());
    let proof = merkle::inclusion_proof(&leaves[..size], seq as usize).unwrap_or_default();
    println!(
        "inclusion proof against the {} of {} (size {}, root {}):",
        head.t, head.time, head.size, head.root
    );
    for p in &proof {
        println!("  {}", phiguard_evidence::entry::hex(p));
    }
    if let Some(k) = key {
        let key = keys::read_public(k)?;
        let root = phiguard_evidence::entry::hash_from_hex(&head.root).unwrap_or_default();
        let leaf = rec.compute_leaf();
        let ok =
            head.verify(&key) && merkle::verify_inclusion(seq, head.size, &leaf, &proof, &root);
        println!(
            "{}",
            if ok {
                "proof verified"
            } else {
                "PROOF DOES NOT VERIFY"
            }
        );
        if !ok {
            return Ok(super::EXIT_FINDINGS);
        }
    }
    Ok(super::EXIT_CLEAN)
}
