//! Detection settings: `[phi] namespaces` and the `[audit]` table of phiguard.toml.

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// Working hours for AL013.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hours {
    /// Minutes after local midnight, start inclusive, end exclusive.
    pub start_min: u32,
    pub end_min: u32,
    /// Bit 0 = Monday ... bit 6 = Sunday.
    pub days: u8,
    /// Local time minus UTC, in minutes.
    pub utc_offset_min: i32,
}

impl Hours {
    /// Whether a time (µs since the epoch) is inside the hours.
    pub fn contains(&self, time_us: i64) -> bool {
        let local_s = time_us.div_euclid(1_000_000) + i64::from(self.utc_offset_min) * 60;
        let days = local_s.div_euclid(86_400);
        let minute = (local_s.rem_euclid(86_400) / 60) as u32;
        // 1970-01-01 was a Thursday (Monday = 0 -> Thursday = 3).
        let weekday = (days + 3).rem_euclid(7) as u8;
        self.days & (1 << weekday) != 0 && minute >= self.start_min && minute < self.end_min
    }
}

#[derive(Clone, Debug)]
pub struct AuditConfig {
    /// PHI namespaces (globs).
    pub phi_namespaces: Vec<String>,
    /// Usernames (globs) expected to read secrets.
    pub secret_readers: Vec<String>,
    pub self_namespace: String,
    pub failure_window_s: i64,
    pub failure_threshold: u32,
    pub business_hours: Option<Hours>,
    pub volume_period_s: i64,
    pub volume_factor: f64,
    pub volume_min: u64,
    pub volume_history: u32,
    /// `[audit] webhook`: where `phiguard serve` forwards the alerts of `/audit` (an http:// URL).
    pub webhook: Option<String>,
    /// `[audit] webhook-format`: `alertmanager` (default) or `json`.
    pub webhook_format: Option<String>,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            phi_namespaces: Vec::new(),
            secret_readers: vec!["system:serviceaccount:kube-system:*".to_string()],
            self_namespace: "phiguard-system".to_string(),
            failure_window_s: 300,
            failure_threshold: 10,
            business_hours: None,
            volume_period_s: 3600,
            volume_factor: 5.0,
            volume_min: 100,
            volume_history: 3,
            webhook: None,
            webhook_format: None,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawDoc {
    phi: Option<RawPhi>,
    audit: Option<RawAudit>,
}

#[derive(Deserialize, Default)]
struct RawPhi {
    namespaces: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAudit {
    secret_readers: Option<Vec<String>>,
    self_namespace: Option<String>,
    failure_window: Option<i64>,
    failure_threshold: Option<u32>,
    business_hours: Option<String>,
    business_days: Option<Vec<String>>,
    utc_offset: Option<String>,
    volume_period: Option<i64>,
    volume_factor: Option<f64>,
    volume_min: Option<u64>,
    volume_history: Option<u32>,
    webhook: Option<String>,
    webhook_format: Option<String>,
}

impl AuditConfig {
    /// Reads `[phi] namespaces` and `[audit]` from a phiguard.toml text. Other tables are left to `phiguard scan`.
    pub fn from_toml(file: &str, text: &str) -> Result<AuditConfig, ConfigError> {
        let bad = |message: String| ConfigError::Invalid {
            file: file.to_string(),
            message,
        };
        let raw: RawDoc = toml::from_str(text).map_err(|e| bad(e.message().to_string()))?;
        let mut c = AuditConfig::default();
        if let Some(ns) = raw.phi.and_then(|p| p.namespaces) {
            c.phi_namespaces = ns;
        }
        let Some(a) = raw.audit else {
            return Ok(c);
        };
        if let Some(v) = a.secret_readers {
            c.secret_readers = v;
        }
        if let Some(v) = a.self_namespace {
            c.self_namespace = v;
        }
        if let Some(v) = a.failure_window {
            if v <= 0 {
                return Err(bad(
                    "[audit] failure-window must be a positive number of seconds".into(),
                ));
            }
            c.failure_window_s = v;
        }
        if let Some(v) = a.failure_threshold {
            if v < 2 {
                return Err(bad("[audit] failure-threshold must be at least 2".into()));
            }
            c.failure_threshold = v;
        }
        if let Some(v) = a.volume_period {
            if v <= 0 {
                return Err(bad(
                    "[audit] volume-period must be a positive number of seconds".into(),
                ));
            }
            c.volume_period_s = v;
        }
        if let Some(v) = a.volume_factor {
            if !(v > 1.0 && v.is_finite()) {
                return Err(bad("[audit] volume-factor must be greater than 1".into()));
            }
            c.volume_factor = v;
        }
        if let Some(v) = a.volume_min {
            c.volume_min = v;
        }
        if let Some(v) = a.webhook {
            if !v.starts_with("http://") {
                return Err(bad(format!(
                    "[audit] webhook `{v}` must be an http:// URL (terminate TLS in a local proxy or sidecar)"
                )));
            }
            c.webhook = Some(v);
        }
        if let Some(v) = a.webhook_format {
            if v != "alertmanager" && v != "json" {
                return Err(bad(format!(
                    "[audit] webhook-format `{v}` must be `alertmanager` or `json`"
                )));
            }
            c.webhook_format = Some(v);
        }
        if let Some(v) = a.volume_history {
            if v == 0 {
                return Err(bad("[audit] volume-history must be at least 1".into()));
            }
            c.volume_history = v;
        }
        let offset = match a.utc_offset.as_deref() {
            None => 0,
            Some(s) => parse_offset(s).ok_or_else(|| {
                bad(format!(
                    "[audit] utc-offset `{s}` is not of the form +HH:MM or -HH:MM"
                ))
            })?,
        };
        let days = match &a.business_days {
            None => 0b001_1111,
            Some(list) => {
                let mut mask = 0u8;
                for d in list {
                    let i = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                        .iter()
                        .position(|x| d.eq_ignore_ascii_case(x))
                        .ok_or_else(|| {
                            bad(format!(
                                "[audit] business-days: unknown day `{d}` (mon..sun)"
                            ))
                        })?;
                    mask |= 1 << i;
                }
                mask
            }
        };
        match a.business_hours.as_deref() {
            Some(h) => {
                let (start, end) = h
                    .split_once('-')
                    .and_then(|(s, e)| Some((parse_hhmm(s)?, parse_hhmm(e)?)))
                    .filter(|(s, e)| s < e)
                    .ok_or_else(|| {
                        bad(format!(
                            "[audit] business-hours `{h}` is not of the form HH:MM-HH:MM"
                        ))
                    })?;
                c.business_hours = Some(Hours {
                    start_min: start,
                    end_min: end,
                    days,
                    utc_offset_min: offset,
                });
            }
            None if a.business_days.is_some() || a.utc_offset.is_some() => {
                return Err(bad(
                    "[audit] business-days/utc-offset need business-hours".into()
                ));
            }
            None => {}
        }
        Ok(c)
    }
}

fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

fn parse_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let m = parse_hhmm(rest)? as i32;
    (m <= 14 * 60).then_some(sign * m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let c = AuditConfig::from_toml(
            "p.toml",
            "[phi]\nnamespaces=[\"ehr\"]\n[audit]\nbusiness-hours=\"07:00-19:00\"\nutc-offset=\"-05:00\"\n",
        );
        let c = c.ok().unwrap_or_default();
        assert_eq!(c.phi_namespaces, vec!["ehr".to_string()]);
        let h = c.business_hours.unwrap_or(Hours {
            start_min: 0,
            end_min: 0,
            days: 0,
            utc_offset_min: 0,
        });
        assert_eq!(
            (h.start_min, h.end_min, h.utc_offset_min),
            (420, 1140, -300)
        );
        // Monday 2026-03-02 13:00 UTC = 08:00 local: inside. 23:00 UTC = 18:00 local: inside. 01:00 UTC Tue = 20:00 Mon local: outside.
        let t = |s: &str| crate::event::parse_rfc3339_us(s).unwrap_or(0);
        assert!(h.contains(t("2026-03-02T13:00:00Z")));
        assert!(h.contains(t("2026-03-02T23:00:00Z")));
        assert!(!h.contains(t("2026-03-03T01:00:00Z")));
        // Saturday.
        assert!(!h.contains(t("2026-03-07T15:00:00Z")));
        assert!(AuditConfig::from_toml("p.toml", "[audit]\nbogus=1\n").is_err());
        let w = AuditConfig::from_toml(
            "p.toml",
            "[audit]\nwebhook=\"http://am:9093/api/v2/alerts\"\nwebhook-format=\"json\"\n",
        )
        .ok()
        .unwrap_or_default();
        assert_eq!(w.webhook.as_deref(), Some("http://am:9093/api/v2/alerts"));
        assert_eq!(w.webhook_format.as_deref(), Some("json"));
        assert!(AuditConfig::from_toml("p.toml", "[audit]\nwebhook=\"https://x\"\n").is_err());
        assert!(AuditConfig::from_toml("p.toml", "[audit]\nwebhook-format=\"xml\"\n").is_err());
        assert!(
            AuditConfig::from_toml("p.toml", "[audit]\nbusiness-hours=\"19:00-07:00\"\n").is_err()
        );
    }
}
