//! Ed25519 key files: the private key signs heads, the public key verifies a trail offline.
//!
//! Files hold one line: `phiguard-evidence-ed25519-private <base64>` or `phiguard-evidence-ed25519-public <base64>`.

use std::path::Path;

use base64::Engine;
use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::Error;

const PRIVATE: &str = "phiguard-evidence-ed25519-private";
const PUBLIC: &str = "phiguard-evidence-ed25519-public";

pub fn generate() -> Result<SigningKey, Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| Error::Key(format!("no randomness: {e}")))?;
    Ok(SigningKey::from_bytes(&seed))
}

pub fn private_text(key: &SigningKey) -> String {
    format!(
        "{PRIVATE} {}\n",
        base64::engine::general_purpose::STANDARD.encode(key.to_bytes())
    )
}

pub fn public_text(key: &VerifyingKey) -> String {
    format!(
        "{PUBLIC} {}\n",
        base64::engine::general_purpose::STANDARD.encode(key.as_bytes())
    )
}

fn decode(path: &Path, text: &str, label: &str) -> Result<[u8; 32], Error> {
    let bad = |m: &str| Error::Key(format!("{}: {m}", path.display()));
    let rest = text
        .trim()
        .strip_prefix(label)
        .ok_or_else(|| bad(&format!("not a {label} key file")))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .map_err(|_| bad("key is not valid base64"))?;
    raw.try_into().map_err(|_| bad("key is not 32 bytes"))
}

pub fn read_private(path: &Path) -> Result<SigningKey, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Key(format!("{}: {e}", path.display())))?;
    Ok(SigningKey::from_bytes(&decode(path, &text, PRIVATE)?))
}

pub fn read_public(path: &Path) -> Result<VerifyingKey, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Key(format!("{}: {e}", path.display())))?;
    // A private key file also yields the public key.
    if text.trim_start().starts_with(PRIVATE) {
        return Ok(SigningKey::from_bytes(&decode(path, &text, PRIVATE)?).verifying_key());
    }
    VerifyingKey::from_bytes(&decode(path, &text, PUBLIC)?).map_err(|_| {
        Error::Key(format!(
            "{}: not a valid Ed25519 public key",
            path.display()
        ))
    })
}

/// Writes a new key pair; refuses to overwrite. The private key file is readable by its owner only.
pub fn write_pair(private: &Path, public: &Path) -> Result<SigningKey, Error> {
    for p in [private, public] {
        if p.exists() {
            return Err(Error::Key(format!(
                "{} exists; not overwriting a key",
                p.display()
            )));
        }
    }
    let key = generate()?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let io = |p: &Path, e: std::io::Error| Error::Key(format!("{}: {e}", p.display()));
    {
        use std::io::Write;
        let mut f = opts.open(private).map_err(|e| io(private, e))?;
        f.write_all(private_text(&key).as_bytes())
            .map_err(|e| io(private, e))?;
        f.sync_all().map_err(|e| io(private, e))?;
    }
    std::fs::write(public, public_text(&key.verifying_key())).map_err(|e| io(public, e))?;
    Ok(key)
}
