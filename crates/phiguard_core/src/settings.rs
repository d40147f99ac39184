//! `phiguard.toml`: rule selection, severities, PHI scope, trusted registries and waivers.
//!
//! The file is validated once. Unknown keys, unknown rule codes or families, bad dates and bad severities are
//! errors that point into the file; nothing is silently ignored.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::rule::{Family, Rule, Severity};
use crate::source::LineIndex;
use crate::yaml::Pos;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{file}:{line}:{col}: {message}")]
    At {
        file: String,
        line: u32,
        col: u32,
        message: String,
    },
    #[error("{0}")]
    Plain(String),
}

/// A calendar date (for waiver expiry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '-');
        let year: i32 = it.next()?.parse().ok()?;
        let month: u32 = it.next()?.parse().ok()?;
        let day: u32 = it.next()?.parse().ok()?;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// The date (UTC) of a number of days since 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        // Civil-from-days (proleptic Gregorian), after H. Hinnant's public-domain date algorithms.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Today's date in UTC.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_days_since_epoch(secs.div_euclid(86_400))
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A rule selector: a code (`PS001`), a family (`PS`) or `ALL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    All,
    Family(Family),
    Code(&'static str),
}

impl Selector {
    /// Parses a selector against the catalog; unknown codes and families are errors.
    pub fn parse(s: &str, catalog: &[Rule]) -> Result<Selector, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("all") {
            return Ok(Selector::All);
        }
        let up = t.to_ascii_uppercase();
        if let Some(rule) = catalog.iter().find(|r| r.code == up || r.name == t) {
            return Ok(Selector::Code(rule.code));
        }
        if let Some(f) = Family::from_prefix(&up) {
            return Ok(Selector::Family(f));
        }
        Err(format!(
            "unknown rule code or family `{t}` (see `phiguard rules` for the catalog)"
        ))
    }
    pub fn matches(&self, rule: &Rule) -> bool {
        match self {
            Selector::All => true,
            Selector::Family(f) => rule.family == *f,
            Selector::Code(c) => rule.code == *c,
        }
    }
}

/// Which objects a waiver covers. Absent fields match anything.
#[derive(Clone, Debug, Default)]
pub struct Waiver {
    pub rules: Vec<Selector>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    /// Object name; `*` at the end matches a prefix.
    pub name: Option<String>,
    pub reason: String,
    pub owner: String,
    pub expires: Option<Date>,
    /// Where the waiver is written in the configuration file.
    pub pos: Pos,
}

impl Waiver {
    pub fn covers(
        &self,
        code: &str,
        family: Family,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> bool {
        self.rules.iter().any(|s| match s {
            Selector::All => true,
            Selector::Family(f) => *f == family,
            Selector::Code(c) => *c == code,
        }) && self.kind.as_deref().is_none_or(|k| k == kind)
            && self
                .namespace
                .as_deref()
                .is_none_or(|ns| glob(ns, namespace.unwrap_or("default")))
            && self.name.as_deref().is_none_or(|n| glob(n, name))
    }
}

/// `*` anywhere matches any run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// PHI scope configuration.
#[derive(Clone, Debug)]
pub struct PhiSettings {
    /// Namespaces in scope (globs).
    pub namespaces: Vec<String>,
    /// Workloads whose pod labels include all of these are in scope.
    pub labels: BTreeMap<String, String>,
    /// Whether image and port heuristics (FHIR, HL7, DICOM servers) put workloads in scope.
    pub heuristics: bool,
}

impl Default for PhiSettings {
    fn default() -> Self {
        PhiSettings {
            namespaces: Vec::new(),
            labels: BTreeMap::new(),
            heuristics: true,
        }
    }
}

/// The `[admission]` section: how findings become admission decisions.
#[derive(Clone, Debug, Default)]
pub struct AdmissionSettings {
    /// Deny when a finding is at or above this severity; `None` means the same level as `fail-on`.
    pub deny_on: Option<Severity>,
    /// Never deny; report what would have been denied as warnings.
    pub audit_only: bool,
    /// Namespaces (globs) whose requests are admitted without evaluation.
    pub exempt_namespaces: Vec<String>,
    /// On UPDATE, do not deny a violation that the old object already had.
    pub allow_existing_on_update: bool,
}

/// Validated settings.
#[derive(Clone, Debug)]
pub struct Settings {
    pub select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    pub severity: BTreeMap<&'static str, Severity>,
    pub fail_on: Severity,
    pub allow_annotation_waivers: bool,
    pub phi: PhiSettings,
    pub trusted_registries: Vec<String>,
    pub waivers: Vec<Waiver>,
    /// Network zones, flows and external networks (`[netpol]`).
    pub netpol: crate::netpol::zones::NetpolSettings,
    /// How `phiguard serve` turns findings into admission decisions.
    pub admission: AdmissionSettings,
    /// The configuration file's name, if one was read.
    pub file: Option<String>,
    /// SHA-256 of the configuration text (empty without a file).
    pub digest: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            select: vec![Selector::All],
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            fail_on: Severity::Low,
            allow_annotation_waivers: false,
            phi: PhiSettings::default(),
            trusted_registries: Vec::new(),
            waivers: Vec::new(),
            netpol: Default::default(),
            admission: AdmissionSettings::default(),
            file: None,
            digest: String::new(),
        }
    }
}

impl Settings {
    /// Whether a rule is enabled by select/ignore.
    pub fn enabled(&self, rule: &Rule) -> bool {
        self.select.iter().any(|s| s.matches(rule)) && !self.ignore.iter().any(|s| s.matches(rule))
    }

    /// The severity of a rule after overrides.
    pub fn severity_of(&self, rule: &Rule) -> Severity {
        self.severity
            .get(rule.code)
            .copied()
            .unwrap_or(rule.severity)
    }

    /// Parses and validates a configuration text.
    pub fn from_toml(file: &str, text: &str, catalog: &[Rule]) -> Result<Settings, SettingsError> {
        let lines = LineIndex::new(text);
        let at = |span: std::ops::Range<usize>, message: String| {
            let pos = lines.pos(span.start);
            SettingsError::At {
                file: file.to_string(),
                line: pos.line,
                col: pos.col,
                message,
            }
        };
        let raw: RawSettings = toml::from_str(text).map_err(|e| match e.span() {
            Some(span) => at(span, e.message().to_string()),
            None => SettingsError::Plain(format!("{file}: {}", e.message())),
        })?;
        if let Some(section) = raw.phi_detect {
            // `[phi-detect]` configures `phiguard phi`; a mistake there is an error here too.
            phiguard_phi::DetectConfig::from_value(section)
                .map_err(|e| SettingsError::Plain(format!("{file}: {e}")))?;
        }
        let mut s = Settings {
            file: Some(file.to_string()),
            digest: crate::source::hex(&sha2::Digest::finalize(
                <sha2::Sha256 as sha2::Digest>::new_with_prefix(text.as_bytes()),
            )),
            allow_annotation_waivers: raw.allow_annotation_waivers.unwrap_or(false),
            ..Settings::default()
        };
        let sel = |list: Option<Vec<toml::Spanned<String>>>| -> Result<Option<Vec<Selector>>, SettingsError> {
            match list {
                None => Ok(None),
                Some(items) => items
                    .into_iter()
                    .map(|i| {
                        let span = i.span();
                        Selector::parse(i.get_ref(), catalog).map_err(|m| at(span, m))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some),
            }
        };
        if let Some(select) = sel(raw.select)? {
            if select.is_empty() {
                return Err(SettingsError::Plain(format!(
                    "{file}: `select` is empty, so no rule would run; remove it to run every rule"
                )));
            }
            s.select = select;
        }
        s.ignore = sel(raw.ignore)?.unwrap_or_default();
        if let Some(f) = raw.fail_on {
            let span = f.span();
            s.fail_on = Severity::parse(f.get_ref()).ok_or_else(|| {
                at(
                    span,
                    format!(
                        "unknown severity `{}` (low, medium, high, critical)",
                        f.get_ref()
                    ),
                )
            })?;
        }
        for (code, sev) in raw.severity.unwrap_or_default() {
            let span = sev.span();
            let rule = catalog
                .iter()
                .find(|r| r.code == code.to_ascii_uppercase())
                .ok_or_else(|| {
                    at(
                        span.clone(),
                        format!("unknown rule code `{code}` in [severity]"),
                    )
                })?;
            let level = Severity::parse(sev.get_ref()).ok_or_else(|| {
                at(
                    span,
                    format!(
                        "unknown severity `{}` (low, medium, high, critical)",
                        sev.get_ref()
                    ),
                )
            })?;
            s.severity.insert(rule.code, level);
        }
        if let Some(phi) = raw.phi {
            s.phi.namespaces = phi.namespaces.unwrap_or_default();
            s.phi.labels = phi.labels.unwrap_or_default();
            s.phi.heuristics = phi.heuristics.unwrap_or(true);
        }
        if let Some(images) = raw.images {
            s.trusted_registries = images.trusted_registries.unwrap_or_default();
        }
        if let Some(netpol) = raw.netpol {
            s.netpol = crate::netpol::zones::from_raw(netpol, &at)?;
        }
        if let Some(adm) = raw.admission {
            if let Some(level) = adm.deny_on {
                let span = level.span();
                s.admission.deny_on = Some(Severity::parse(level.get_ref()).ok_or_else(|| {
                    at(
                        span,
                        format!(
                            "unknown severity `{}` (low, medium, high, critical)",
                            level.get_ref()
                        ),
                    )
                })?);
            }
            s.admission.audit_only = adm.audit_only.unwrap_or(false);
            s.admission.exempt_namespaces = adm.exempt_namespaces.unwrap_or_default();
            s.admission.allow_existing_on_update = adm.allow_existing_on_update.unwrap_or(false);
        }
        for w in raw.waiver.unwrap_or_default() {
            let span = w.span();
            let w = w.into_inner();
            let rules = match w.rule {
                RuleList::One(r) => vec![r],
                RuleList::Many(rs) => rs,
            };
            let rules = rules
                .iter()
                .map(|r| {
                    Selector::parse(r, catalog)
                        .map_err(|m| at(span.clone(), format!("waiver: {m}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if rules.contains(&Selector::All) {
                return Err(at(
                    span,
                    "waiver: a waiver must name rules or families, not ALL".into(),
                ));
            }
            if w.reason.trim().is_empty() || w.owner.trim().is_empty() {
                return Err(at(
                    span,
                    "waiver: `reason` and `owner` must not be empty".into(),
                ));
            }
            let expires = match &w.expires {
                None => None,
                Some(d) => Some(Date::parse(d).ok_or_else(|| {
                    at(
                        span.clone(),
                        format!("waiver: `expires` must be a date like 2026-12-31, not `{d}`"),
                    )
                })?),
            };
            s.waivers.push(Waiver {
                rules,
                kind: w.kind,
                namespace: w.namespace,
                name: w.name,
                reason: w.reason,
                owner: w.owner,
                expires,
                pos: lines.pos(span.start),
            });
        }
        Ok(s)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSettings {
    select: Option<Vec<toml::Spanned<String>>>,
    ignore: Option<Vec<toml::Spanned<String>>>,
    fail_on: Option<toml::Spanned<String>>,
    allow_annotation_waivers: Option<bool>,
    severity: Option<BTreeMap<String, toml::Spanned<String>>>,
    phi: Option<RawPhi>,
    images: Option<RawImages>,
    waiver: Option<Vec<toml::Spanned<RawWaiver>>>,
    netpol: Option<crate::netpol::zones::RawNetpol>,
    /// Audit-log detection settings, validated by `phiguard audit`.
    #[allow(dead_code)]
    audit: Option<toml::Value>,
    #[serde(rename = "phi-detect")]
    phi_detect: Option<toml::Value>,
    admission: Option<RawAdmission>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAdmission {
    deny_on: Option<toml::Spanned<String>>,
    audit_only: Option<bool>,
    exempt_namespaces: Option<Vec<String>>,
    allow_existing_on_update: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPhi {
    namespaces: Option<Vec<String>>,
    labels: Option<BTreeMap<String, String>>,
    heuristics: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawImages {
    trusted_registries: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RuleList {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawWaiver {
    rule: RuleList,
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    reason: String,
    owner: String,
    expires: Option<String>,
}

/// The commented template `phiguard init` writes.
pub const TEMPLATE: &str = r#"# phiguard.toml: configuration for `phiguard scan` (and `phiguard serve`).
# Every rule code or family named here must exist: a typo is an error, never a silent pass.

# Rules to run: codes (PS001), families (PS, ID, SE, TX, NW, AV, SC) or ALL. Default: ALL.
# select = ["ALL"]
# Rules to skip.
# ignore = ["AV004"]

# Exit with code 1 when a finding is at or above this severity: low, medium, high, critical.
fail-on = "low"

# Whether objects may waive rules for themselves with the annotation
#   phiguard.io/waive: "PS015,AV001"  (plus phiguard.io/waive-reason and phiguard.io/waive-owner).
# Off by default: otherwise anyone who can deploy can exempt their own workload.
allow-annotation-waivers = false

# Severity overrides per rule code.
[severity]
# AV004 = "low"

[phi]
# Namespaces that hold or handle PHI (globs allowed). Objects labelled or annotated
# phiguard.io/phi: "true" are in scope too, and "false" takes an object out of scope.
namespaces = []
# Workloads whose pod labels include all of these are in PHI scope.
# labels = { "app.kubernetes.io/part-of" = "ehr" }
# Put FHIR/HL7/DICOM servers, and the namespaces they run in, in scope by their images and ports.
heuristics = true

[images]
# Registries (prefixes of image references) that images must come from. Empty: SC003 does not run.
trusted-registries = []

# Network zones for `phiguard netpol verify` and rules NW009-NW012: named groups of pods (by namespace globs,
# namespace labels, pod labels) or of external CIDRs, and the flows allowed between them. The zone `internet`
# (public addresses) always exists.
# [netpol]
# cluster-dns = true                                   # model kube-system/kube-dns when the inputs lack it
# networks = { cloud-metadata = "169.254.169.254/32" }
# [[netpol.zone]]
# name = "web"
# namespaces = ["web"]
# [[netpol.zone]]
# name = "database"
# namespaces = ["clinical"]
# pod-labels = { app = "postgres" }
# [[netpol.flow]]
# from = "web"
# to = "database"
# ports = ["TCP/5432"]                                 # omit for any port

[admission]
# `phiguard serve`: deny a request when a finding is at or above this level (default: the fail-on level);
# lower findings are returned to the client as warnings.
# deny-on = "high"
# Never deny; return what would have been denied as warnings (for a trial period).
# audit-only = false
# Namespaces (globs) whose requests are admitted without evaluation.
# exempt-namespaces = ["kube-system"]
# On UPDATE, do not deny a violation the object already had (only new violations are denied).
# allow-existing-on-update = false

# Waivers: accepted risks, each with a reason, an owner and an expiry. An expired waiver is itself a finding.
# [[waiver]]
# rule = "PS015"                 # or a list: ["PS015", "AV001"]
# kind = "Deployment"
# namespace = "clinical"
# name = "legacy-hl7-bridge"
# reason = "vendor image writes to /opt; replacement tracked in TICKET-123"
# owner = "platform-team@example.com"
# expires = "2027-03-31"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(20_781).to_string(),
            "2026-11-24"
        );
        assert_eq!(
            Date::parse("2024-02-29").map(|d| d.to_string()).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(Date::parse("2025-02-29"), None);
        assert_eq!(Date::parse("soon"), None);
    }

    #[test]
    fn globs() {
        assert!(glob("ehr-*", "ehr-prod"));
        assert!(!glob("ehr-*", "billing"));
        assert!(glob("*", "x"));
        assert!(glob("a*c", "abbbc"));
        assert!(glob("exact", "exact"));
    }
}
