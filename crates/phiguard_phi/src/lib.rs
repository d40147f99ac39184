//! phiguard_phi: find and redact the HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)) in text, logs and
//! structured data.
//!
//! - [`entity`]: identifier types, matches with confidence, masking.
//! - [`validate`]: checksums and assignment rules (SSN, NPI, DEA, MBI, VIN, Luhn, IBAN, NANP, ZIP3, ages).
//! - [`scan`]: the single-pass scanner (patterns, context words, dictionaries, JSON/logfmt keys, HL7 v2).
//! - [`Detector`]: scanner + configuration (custom patterns, deny and allow lists) + overlap resolution.
//! - [`stream`]: bounded-memory scanning and redaction of readers, with line and column.
//! - [`redact`]: tags, keyed pseudonyms, partial masks.
//! - [`config`]: the `[phi-detect]` section of `phiguard.toml`.
//! - [`eval`]: precision / recall / F1 against annotated corpora.
//! - [`synth`]: a generator of PHI-bearing logs, HL7 and FHIR with exact offsets.

pub mod config;
pub mod dict;
pub mod entity;
pub mod eval;
pub mod redact;
pub mod scan;
pub mod stream;
pub mod synth;
pub mod validate;

pub use config::{ConfigError, DetectConfig};
pub use entity::{mask, Entity, Match, Method};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// The confidence at or above which a match is reported by default.
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.5;

/// Scanner, configuration and overlap resolution.
#[derive(Clone)]
pub struct Detector {
    min_confidence: f32,
    entities: Option<Vec<Entity>>,
    custom: Vec<(regex::bytes::Regex, Entity, f32)>,
    deny: Option<(AhoCorasick, Vec<Entity>)>,
    allow: Vec<Vec<u8>>,
    /// CSV column types, when the input is CSV with a header.
    csv: Option<Vec<Option<Entity>>>,
}

impl Default for Detector {
    fn default() -> Self {
        Detector {
            min_confidence: DEFAULT_MIN_CONFIDENCE,
            entities: None,
            custom: Vec::new(),
            deny: None,
            allow: Vec::new(),
            csv: None,
        }
    }
}

impl Detector {
    /// A detector with the default threshold and no custom rules.
    pub fn new() -> Detector {
        Detector::default()
    }

    /// A detector from a validated configuration.
    pub fn from_config(cfg: &DetectConfig) -> Result<Detector, ConfigError> {
        let mut d = Detector::new();
        if let Some(m) = cfg.min_confidence {
            d.min_confidence = m;
        }
        if !cfg.entities.is_empty() {
            d.entities = Some(cfg.entities.clone());
        }
        for p in &cfg.patterns {
            let re = regex::bytes::RegexBuilder::new(&p.regex)
                .size_limit(1 << 22)
                .build()
                .map_err(|e| ConfigError::Pattern {
                    name: p.name.clone(),
                    message: e.to_string(),
                })?;
            d.custom.push((re, p.entity, p.confidence));
        }
        if !cfg.deny.is_empty() {
            let ac = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(cfg.deny.iter().map(|d| d.value.as_bytes()))
                .map_err(|e| ConfigError::Deny(e.to_string()))?;
            d.deny = Some((ac, cfg.deny.iter().map(|x| x.entity).collect()));
        }
        d.allow = cfg
            .allow
            .iter()
            .map(|a| a.to_ascii_lowercase().into_bytes())
            .collect();
        Ok(d)
    }

    pub fn min_confidence(&self) -> f32 {
        self.min_confidence
    }
    pub fn set_min_confidence(&mut self, c: f32) {
        self.min_confidence = c.clamp(0.0, 1.0);
    }
    /// Restricts reports to these types (empty: all).
    pub fn set_entities(&mut self, e: Vec<Entity>) {
        self.entities = if e.is_empty() { None } else { Some(e) };
    }
    /// Treats input as CSV whose header is `header` (column types from header names).
    pub fn set_csv_header(&mut self, header: &[u8]) {
        self.csv = Some(csv_columns(header));
    }
    pub fn csv_enabled(&self) -> bool {
        self.csv.is_some()
    }

    /// All reported matches in `text`, sorted by start, non-overlapping, above the threshold and of the
    /// selected types.
    pub fn detect(&self, text: &[u8]) -> Vec<Match> {
        let mut all = Vec::new();
        self.candidates(text, true, &mut all);
        self.finish(text, all)
    }

    /// Every candidate (overlapping, any confidence) — for evaluation and debugging.
    pub fn candidates(&self, text: &[u8], at_line_start: bool, out: &mut Vec<Match>) {
        scan::scan(text, out);
        if let Some(cols) = &self.csv {
            csv_cells(text, at_line_start, cols, out);
        }
        for (re, e, c) in &self.custom {
            for m in re.find_iter(text) {
                if m.end() > m.start() {
                    out.push(Match::new(*e, m.start(), m.end(), *c, Method::Custom));
                }
            }
        }
        if let Some((ac, types)) = &self.deny {
            for m in ac.find_iter(text) {
                let (s, e) = (m.start(), m.end());
                let left = s == 0 || !text[s - 1].is_ascii_alphanumeric();
                let right = e == text.len() || !text[e].is_ascii_alphanumeric();
                if left && right {
                    out.push(Match::new(
                        types[m.pattern().as_usize()],
                        s,
                        e,
                        1.0,
                        Method::Custom,
                    ));
                }
            }
        }
    }

    /// Resolution then filtering over candidates found by [`Detector::candidates`].
    pub fn finish(&self, text: &[u8], mut all: Vec<Match>) -> Vec<Match> {
        self.finish_in(text, &mut all);
        all
    }

    /// [`Detector::finish`] in place: `all` is left holding the reported matches, by start.
    pub fn finish_in(&self, text: &[u8], all: &mut Vec<Match>) {
        // A candidate below the threshold can only displace candidates less confident than itself, which are
        // below the threshold too: dropping them first changes nothing but the work.
        all.retain(|m| m.confidence >= self.min_confidence);
        resolve_in(all);
        all.retain(|m| self.keep(m, text));
    }

    fn keep(&self, m: &Match, text: &[u8]) -> bool {
        if m.confidence < self.min_confidence {
            return false;
        }
        if let Some(es) = &self.entities {
            if !es.contains(&m.entity) {
                return false;
            }
        }
        if !self.allow.is_empty() {
            let v: Vec<u8> = text[m.start..m.end].to_ascii_lowercase();
            if self.allow.contains(&v) {
                return false;
            }
        }
        true
    }
}

/// Keeps, among overlapping candidates, the most confident (then the longest, then the earliest, then the
/// first found); returns them by start.
pub fn resolve(mut all: Vec<Match>) -> Vec<Match> {
    resolve_in(&mut all);
    all
}

/// The order in which overlapping candidates are preferred.
fn preference(a: &Match, b: &Match) -> std::cmp::Ordering {
    b.confidence
        .total_cmp(&a.confidence)
        .then((b.end - b.start).cmp(&(a.end - a.start)))
        .then(a.start.cmp(&b.start))
}

/// [`resolve`] in place. Candidates are cut into clusters of chained overlaps; a candidate alone in its
/// cluster is kept as it is, and only the members of a cluster compete (greedily, by [`preference`]). This
/// gives the same result as one greedy pass over all candidates, since candidates of different clusters never
/// overlap, in time linear in the number of candidates that overlap nothing.
pub fn resolve_in(all: &mut Vec<Match>) {
    all.sort_by_key(|m| m.start);
    let mut kept: Vec<Match> = Vec::new();
    let mut w = 0;
    let mut k = 0;
    while k < all.len() {
        let mut reach = all[k].end;
        let mut e = k + 1;
        while e < all.len() && all[e].start < reach {
            reach = reach.max(all[e].end);
            e += 1;
        }
        if e == k + 1 {
            all[w] = all[k];
            w += 1;
        } else {
            let cluster = &mut all[k..e];
            cluster.sort_by(preference);
            kept.clear();
            if cluster.len() <= 64 {
                for m in cluster.iter() {
                    if !kept.iter().any(|x| x.start < m.end && m.start < x.end) {
                        kept.push(*m);
                    }
                }
            } else {
                // Large clusters (long runs of overlapping candidates): kept intervals by start.
                let mut spans: std::collections::BTreeMap<usize, usize> = Default::default();
                for m in cluster.iter() {
                    let before = spans.range(..m.end).next_back();
                    if !before.is_some_and(|(&s, &e)| s < m.end && m.start < e) {
                        spans.insert(m.start, m.end);
                        kept.push(*m);
                    }
                }
            }
            kept.sort_by_key(|m| m.start);
            for m in &kept {
                all[w] = *m;
                w += 1;
            }
        }
        k = e;
    }
    all.truncate(w);
}

/// Column types of a CSV header.
pub fn csv_columns(header: &[u8]) -> Vec<Option<Entity>> {
    split_csv(header)
        .into_iter()
        .map(|(s, e)| {
            let name = String::from_utf8_lossy(&header[s..e]);
            let name = name.trim().trim_matches('"');
            let probe = format!("{name}: \"x1x1x\"");
            let mut tmp = Vec::new();
            scan::scan(probe.as_bytes(), &mut tmp);
            let e = tmp
                .iter()
                .find(|m| m.method == Method::Field)
                .map(|m| m.entity);
            e.or_else(|| match name.to_ascii_lowercase().as_str() {
                "name" | "patient" => Some(Entity::Name),
                "age" => Some(Entity::AgeOver89),
                _ => None,
            })
        })
        .collect()
}

/// Cell spans of one CSV line (quotes respected, no embedded newlines).
fn split_csv(line: &[u8]) -> Vec<(usize, usize)> {
    let mut cells = Vec::new();
    let mut s = 0;
    let mut quoted = false;
    for (k, &b) in line.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                cells.push((s, k));
                s = k + 1;
            }
            _ => {}
        }
    }
    let mut e = line.len();
    while e > s && matches!(line[e - 1], b'\r' | b'\n') {
        e -= 1;
    }
    cells.push((s, e));
    cells
}

fn csv_cells(text: &[u8], at_line_start: bool, cols: &[Option<Entity>], out: &mut Vec<Match>) {
    let mut pos = 0;
    if !at_line_start {
        match memchr::memchr(b'\n', text) {
            Some(p) => pos = p + 1,
            None => return,
        }
    }
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |p| pos + p);
        let line = &text[pos..end];
        for (x, (s, e)) in split_csv(line).into_iter().enumerate() {
            let Some(Some(entity)) = cols.get(x) else {
                continue;
            };
            let (mut s, mut e) = (s, e);
            if e > s + 1 && line[s] == b'"' && line[e - 1] == b'"' {
                s += 1;
                e -= 1;
            }
            let cell = &line[s..e];
            if cell.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if *entity == Entity::AgeOver89 {
                let ok = cell.len() <= 3
                    && cell.iter().all(u8::is_ascii_digit)
                    && std::str::from_utf8(cell)
                        .ok()
                        .and_then(|v| v.parse().ok())
                        .is_some_and(validate::age_over_89);
                if !ok {
                    continue;
                }
            }
            out.push(Match::new(*entity, pos + s, pos + e, 0.9, Method::Field));
        }
        pos = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The greedy definition of [`resolve`]: all candidates by preference, each kept unless it overlaps one
    /// already kept.
    fn greedy(mut all: Vec<Match>) -> Vec<Match> {
        all.sort_by(preference);
        let mut kept: Vec<Match> = Vec::new();
        for m in all {
            if !kept.iter().any(|x| x.start < m.end && m.start < x.end) {
                kept.push(m);
            }
        }
        kept.sort_by_key(|m| m.start);
        kept
    }

    #[test]
    fn clustered_resolution_equals_the_greedy_definition() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..400 {
            // Sparse rounds give small clusters, dense ones clusters of hundreds of candidates.
            let (count, span) = if round % 4 == 0 {
                (600, 400)
            } else {
                (60, 2000)
            };
            let all: Vec<Match> = (0..count)
                .map(|k| {
                    let start = next(span) as usize;
                    let len = 1 + next(12) as usize;
                    let entity = if k % 2 == 0 {
                        Entity::Name
                    } else {
                        Entity::Date
                    };
                    let conf = [0.3, 0.5, 0.7, 0.9][next(4) as usize];
                    Match::new(entity, start, start + len, conf, Method::Pattern)
                })
                .collect();
            assert_eq!(resolve(all.clone()), greedy(all), "round {round}");
        }
    }
}
