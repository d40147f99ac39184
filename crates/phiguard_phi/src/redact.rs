//! Replacement of identifiers: `[SSN]` tags, keyed pseudonyms (`[NAME:3f9a1c22]`, HMAC-SHA-256 with a user
//! key, so the same value always maps to the same token), or partial masks (`***-**-6789`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::entity::Entity;

#[derive(Clone, Debug)]
pub enum Redactor {
    /// `[SSN]`.
    Tag,
    /// `[SSN:8 hex]`, keyed.
    Pseudonym { key: Vec<u8> },
    /// Keep the last four digits of numbers, the first letter of words; mask the rest.
    Partial,
}

impl Redactor {
    pub fn replace(&self, e: Entity, value: &[u8]) -> String {
        match self {
            Redactor::Tag => format!("[{}]", e.tag()),
            Redactor::Pseudonym { key } => {
                let norm: Vec<u8> = value
                    .split(|b| b.is_ascii_whitespace())
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(&b' ')
                    .to_ascii_lowercase();
                // HMAC accepts keys of any length, so this cannot fail.
                let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
                    return format!("[{}]", e.tag());
                };
                mac.update(e.tag().as_bytes());
                mac.update(&[0]);
                mac.update(&norm);
                let out = mac.finalize().into_bytes();
                let hex: String = out[..4].iter().map(|b| format!("{b:02x}")).collect();
                format!("[{}:{hex}]", e.tag())
            }
            Redactor::Partial => partial(value),
        }
    }
}

fn partial(value: &[u8]) -> String {
    let s = String::from_utf8_lossy(value);
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if digits >= 6 {
        let mut seen = 0;
        s.chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    seen += 1;
                    if seen > digits - 4 {
                        c
                    } else {
                        '*'
                    }
                } else if c.is_alphanumeric() {
                    '*'
                } else {
                    c
                }
            })
            .collect()
    } else {
        let mut first = true;
        s.chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    if first {
                        first = false;
                        c
                    } else {
                        '*'
                    }
                } else {
                    first = true;
                    c
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert_eq!(Redactor::Tag.replace(Entity::Ssn, b"536-22-1234"), "[SSN]");
        assert_eq!(
            Redactor::Partial.replace(Entity::Ssn, b"536-22-1234"),
            "***-**-1234"
        );
        assert_eq!(
            Redactor::Partial.replace(Entity::Name, b"John Smith"),
            "J*** S****"
        );
        let k = Redactor::Pseudonym {
            key: b"k1".to_vec(),
        };
        let a = k.replace(Entity::Name, b"John  Smith");
        assert_eq!(a, k.replace(Entity::Name, b"john smith"), "normalised");
        assert_ne!(a, k.replace(Entity::Name, b"Jane Smith"));
        let k2 = Redactor::Pseudonym {
            key: b"k2".to_vec(),
        };
        assert_ne!(a, k2.replace(Entity::Name, b"John Smith"), "keyed");
        assert!(a.starts_with("[NAME:") && a.len() == "[NAME:12345678]".len());
    }
}
