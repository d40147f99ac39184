//! The `[phi-detect]` section of `phiguard.toml`:
//!
//! ```toml
//! [phi-detect]
//! min-confidence = 0.6
//! entities = ["SSN", "MRN", "NAME"]          # empty or absent: all
//! allow = ["Jane Doe"]                       # values never reported (case-insensitive, whole value)
//!
//! [[phi-detect.pattern]]
//! name = "site-mrn"
//! regex = '\bMRN-\d{8}\b'
//! entity = "MRN"
//! confidence = 0.95
//!
//! [[phi-detect.deny]]
//! value = "Acme Memorial"
//! entity = "LOCATION"
//! ```

use serde::Deserialize;

use crate::entity::Entity;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("[phi-detect]: {0}")]
    Toml(String),
    #[error("[phi-detect] pattern `{name}`: invalid regex: {message}")]
    Pattern { name: String, message: String },
    #[error(
        "[phi-detect] unknown entity type `{0}` (see `phiguard phi scan --help` for the list)"
    )]
    Entity(String),
    #[error("[phi-detect] min-confidence {0} is outside 0.0..=1.0")]
    Confidence(f32),
    #[error("[phi-detect] deny list: {0}")]
    Deny(String),
}

#[derive(Clone, Debug, Default)]
pub struct DetectConfig {
    pub min_confidence: Option<f32>,
    pub entities: Vec<Entity>,
    pub allow: Vec<String>,
    pub patterns: Vec<CustomPattern>,
    pub deny: Vec<DenyEntry>,
}

#[derive(Clone, Debug)]
pub struct CustomPattern {
    pub name: String,
    pub regex: String,
    pub entity: Entity,
    pub confidence: f32,
}

#[derive(Clone, Debug)]
pub struct DenyEntry {
    pub value: String,
    pub entity: Entity,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    min_confidence: Option<f32>,
    #[serde(default)]
    entities: Vec<String>,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    pattern: Vec<RawPattern>,
    #[serde(default)]
    deny: Vec<RawDeny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    name: String,
    regex: String,
    entity: String,
    confidence: Option<f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeny {
    value: String,
    entity: String,
}

#[derive(Deserialize)]
struct File {
    #[serde(rename = "phi-detect")]
    phi_detect: Option<toml::Value>,
}

fn entity(s: &str) -> Result<Entity, ConfigError> {
    Entity::parse(s).ok_or_else(|| ConfigError::Entity(crate::entity::mask(s)))
}

impl DetectConfig {
    /// Reads the `[phi-detect]` section from the text of a whole `phiguard.toml` (other sections are ignored
    /// here; `phiguard scan` validates them). A file without the section gives the defaults.
    pub fn from_toml(text: &str) -> Result<DetectConfig, ConfigError> {
        let file: File =
            toml::from_str(text).map_err(|e| ConfigError::Toml(e.message().to_string()))?;
        match file.phi_detect {
            None => Ok(DetectConfig::default()),
            Some(v) => DetectConfig::from_value(v),
        }
    }

    /// From the section's own value.
    pub fn from_value(v: toml::Value) -> Result<DetectConfig, ConfigError> {
        let raw: Raw = v
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Toml(e.message().to_string()))?;
        if let Some(c) = raw.min_confidence {
            if !(0.0..=1.0).contains(&c) {
                return Err(ConfigError::Confidence(c));
            }
        }
        let mut cfg = DetectConfig {
            min_confidence: raw.min_confidence,
            allow: raw.allow,
            ..DetectConfig::default()
        };
        for e in &raw.entities {
            cfg.entities.push(entity(e)?);
        }
        for p in raw.pattern {
            let confidence = p.confidence.unwrap_or(0.9);
            if !(0.0..=1.0).contains(&confidence) {
                return Err(ConfigError::Confidence(confidence));
            }
            cfg.patterns.push(CustomPattern {
                entity: entity(&p.entity)?,
                name: p.name,
                regex: p.regex,
                confidence,
            });
        }
        for d in raw.deny {
            if d.value.trim().is_empty() {
                return Err(ConfigError::Deny("empty value".into()));
            }
            cfg.deny.push(DenyEntry {
                entity: entity(&d.entity)?,
                value: d.value,
            });
        }
        Ok(cfg)
    }
}
