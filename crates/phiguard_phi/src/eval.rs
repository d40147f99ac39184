//! Scoring against annotated corpora: precision, recall and F1 per identifier group and overall, with exact
//! or any-overlap span matching.
//!
//! Rules: corpus labels are mapped to phiguard types (tables below); labels that are not Safe Harbor
//! identifiers (organisations, titles, nationalities, sex, profession, ages of 89 or less, bare years) are
//! *ignored*: they are not expected, and a prediction overlapping one is neither a true nor a false positive.
//! A prediction and a gold span match when their groups are equal and (exact) their byte spans are equal or
//! (overlap) they share at least one byte. Each gold span and each prediction is matched at most once.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::entity::Entity;
use crate::Detector;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
}

/// Scoring groups: types a corpus may not tell apart are merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Group {
    Name,
    Location,
    Date,
    Age,
    Phone,
    Email,
    Ssn,
    CreditCard,
    Iban,
    Url,
    Ip,
    Id,
}

impl Group {
    pub fn of(e: Entity) -> Group {
        match e {
            Entity::Name => Group::Name,
            Entity::Address | Entity::Location | Entity::Zip => Group::Location,
            Entity::Date => Group::Date,
            Entity::AgeOver89 => Group::Age,
            Entity::Phone | Entity::Fax => Group::Phone,
            Entity::Email => Group::Email,
            Entity::Ssn => Group::Ssn,
            Entity::CreditCard => Group::CreditCard,
            Entity::Iban => Group::Iban,
            Entity::Url => Group::Url,
            Entity::Ip => Group::Ip,
            Entity::Mrn
            | Entity::Account
            | Entity::HealthPlanId
            | Entity::License
            | Entity::VehicleId
            | Entity::DeviceId
            | Entity::BiometricId
            | Entity::OtherId => Group::Id,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Group::Name => "NAME",
            Group::Location => "LOCATION",
            Group::Date => "DATE",
            Group::Age => "AGE_OVER_89",
            Group::Phone => "PHONE",
            Group::Email => "EMAIL",
            Group::Ssn => "SSN",
            Group::CreditCard => "CREDIT_CARD",
            Group::Iban => "IBAN",
            Group::Url => "URL",
            Group::Ip => "IP",
            Group::Id => "ID",
        }
    }
    /// Groups with a fixed format (the "structured" types).
    pub fn structured(self) -> bool {
        matches!(
            self,
            Group::Ssn
                | Group::CreditCard
                | Group::Iban
                | Group::Email
                | Group::Ip
                | Group::Phone
                | Group::Date
        )
    }
}

/// One annotated document, offsets in bytes.
#[derive(Clone, Debug)]
pub struct Doc {
    pub text: String,
    pub gold: Vec<(Group, usize, usize, String)>,
    pub ignore: Vec<(usize, usize)>,
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Counts {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, o: &Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpanMode {
    Exact,
    Overlap,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub per_group: BTreeMap<&'static str, Counts>,
    pub overall: Counts,
    /// Recall by the corpus's own label.
    pub recall_by_label: BTreeMap<String, (u64, u64)>,
    pub docs: usize,
    pub bytes: usize,
    /// Missed gold spans and false positives as (label, text), for error analysis.
    #[serde(skip)]
    pub misses: Vec<(String, String)>,
    #[serde(skip)]
    pub false_positives: Vec<(String, String)>,
}

/// Scores the detector (its threshold and type selection apply) on the documents.
pub fn score(det: &Detector, docs: &[Doc], mode: SpanMode) -> Report {
    let mut rep = Report {
        docs: docs.len(),
        ..Report::default()
    };
    for doc in docs {
        rep.bytes += doc.text.len();
        let preds: Vec<(Group, usize, usize)> = det
            .detect(doc.text.as_bytes())
            .into_iter()
            .map(|m| (Group::of(m.entity), m.start, m.end))
            .filter(|p| !doc.ignore.iter().any(|&(s, e)| p.1 < e && s < p.2))
            .collect();
        let mut used = vec![false; preds.len()];
        let mut per: BTreeMap<&'static str, Counts> = BTreeMap::new();
        for (g, s, e, label) in &doc.gold {
            let hit = preds.iter().enumerate().position(|(k, p)| {
                !used[k]
                    && p.0 == *g
                    && match mode {
                        SpanMode::Exact => p.1 == *s && p.2 == *e,
                        SpanMode::Overlap => p.1 < *e && *s < p.2,
                    }
            });
            let c = per.entry(g.label()).or_default();
            let r = rep.recall_by_label.entry(label.clone()).or_default();
            r.1 += 1;
            match hit {
                Some(k) => {
                    used[k] = true;
                    c.tp += 1;
                    r.0 += 1;
                }
                None => {
                    c.fn_ += 1;
                    rep.misses
                        .push((label.clone(), doc.text[*s..*e].to_string()));
                }
            }
        }
        for (k, p) in preds.iter().enumerate() {
            if used[k] {
                continue;
            }
            // In overlap mode a second prediction inside an already matched gold span of the same group is
            // a split of that span, not a false positive.
            let inside_matched = mode == SpanMode::Overlap
                && doc
                    .gold
                    .iter()
                    .any(|(g, s, e, _)| *g == p.0 && p.1 < *e && *s < p.2);
            if !inside_matched {
                per.entry(p.0.label()).or_default().fp += 1;
                rep.false_positives
                    .push((p.0.label().to_string(), doc.text[p.1..p.2].to_string()));
            }
        }
        for (g, c) in per {
            rep.per_group.entry(g).or_default().add(&c);
            rep.overall.add(&c);
        }
    }
    rep
}

/// Byte offset of each code point index (plus the end).
fn cp_to_byte(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect()
}

/// Mapping of presidio-research synthetic labels; `None` means ignored.
fn presidio_label(label: &str, value: &str) -> Option<Group> {
    Some(match label {
        "PERSON" => Group::Name,
        "STREET_ADDRESS" | "GPE" | "ZIP_CODE" => Group::Location,
        "CREDIT_CARD" => Group::CreditCard,
        // Safe Harbor keeps the year (164.514(b)(2)(i)(C)): a bare year is not an identifier.
        "DATE_TIME" if value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit()) => {
            return None
        }
        "DATE_TIME" => Group::Date,
        "PHONE_NUMBER" => Group::Phone,
        "EMAIL_ADDRESS" => Group::Email,
        "DOMAIN_NAME" => Group::Url,
        "IBAN_CODE" => Group::Iban,
        "US_SSN" => Group::Ssn,
        "IP_ADDRESS" => Group::Ip,
        "US_DRIVER_LICENSE" => Group::Id,
        "AGE" => {
            let over = value
                .trim()
                .parse::<u32>()
                .is_ok_and(crate::validate::age_over_89);
            return over.then_some(Group::Age);
        }
        _ => return None,
    })
}

#[derive(serde::Deserialize)]
struct PresidioSample {
    full_text: String,
    spans: Vec<PresidioSpan>,
}

#[derive(serde::Deserialize)]
struct PresidioSpan {
    entity_type: String,
    entity_value: String,
    start_position: usize,
    end_position: usize,
}

/// Reads presidio-research's `synth_dataset_v2.json` (code-point offsets).
pub fn load_presidio(path: &Path) -> Result<Vec<Doc>, EvalError> {
    let err = |m: String| EvalError::Read {
        path: path.display().to_string(),
        message: m,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let samples: Vec<PresidioSample> = serde_json::from_str(&text).map_err(|e| {
        err(format!(
            "line {} column {}: {}",
            e.line(),
            e.column(),
            e.classify_str()
        ))
    })?;
    let mut docs = Vec::with_capacity(samples.len());
    for (k, s) in samples.into_iter().enumerate() {
        let map = cp_to_byte(&s.full_text);
        let mut doc = Doc {
            text: s.full_text,
            gold: Vec::new(),
            ignore: Vec::new(),
        };
        for sp in s.spans {
            let (Some(&b0), Some(&b1)) = (map.get(sp.start_position), map.get(sp.end_position))
            else {
                return Err(err(format!(
                    "sample {k}: span {}..{} outside the text",
                    sp.start_position, sp.end_position
                )));
            };
            match presidio_label(&sp.entity_type, &sp.entity_value) {
                Some(g) => doc.gold.push((g, b0, b1, sp.entity_type)),
                None => doc.ignore.push((b0, b1)),
            }
        }
        docs.push(doc);
    }
    Ok(docs)
}

trait ClassifyStr {
    fn classify_str(&self) -> &'static str;
}
impl ClassifyStr for serde_json::Error {
    fn classify_str(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "unexpected JSON structure",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}

/// Mapping of MEDDOCAN labels; `None` means ignored.
fn meddocan_label(label: &str, value: &str) -> Option<Group> {
    Some(match label {
        "NOMBRE_SUJETO_ASISTENCIA"
        | "NOMBRE_PERSONAL_SANITARIO"
        | "FAMILIARES_SUJETO_ASISTENCIA" => Group::Name,
        "FECHAS" => Group::Date,
        "TERRITORIO" | "CALLE" | "HOSPITAL" | "INSTITUCION" | "CENTRO_SALUD" => Group::Location,
        "ID_SUJETO_ASISTENCIA"
        | "ID_TITULACION_PERSONAL_SANITARIO"
        | "ID_ASEGURAMIENTO"
        | "ID_CONTACTO_ASISTENCIAL"
        | "ID_EMPLEO_PERSONAL_SANITARIO"
        | "IDENTIF_VEHICULOS_NRSERIE_PLACAS"
        | "IDENTIF_DISPOSITIVOS_NRSERIE"
        | "NUMERO_BENEF_PLAN_SALUD"
        | "OTRO_NUMERO_IDENTIF" => Group::Id,
        "CORREO_ELECTRONICO" => Group::Email,
        "NUMERO_TELEFONO" | "NUMERO_FAX" => Group::Phone,
        "URL_WEB" => Group::Url,
        "DIREC_PROT_INTERNET" => Group::Ip,
        "EDAD_SUJETO_ASISTENCIA" => {
            let n: String = value.chars().take_while(char::is_ascii_digit).collect();
            return n
                .parse::<u32>()
                .is_ok_and(crate::validate::age_over_89)
                .then_some(Group::Age);
        }
        _ => return None,
    })
}

/// Reads a directory of BRAT `.txt` / `.ann` pairs (MEDDOCAN; code-point offsets).
pub fn load_brat_dir(dir: &Path) -> Result<Vec<Doc>, EvalError> {
    let err = |p: &Path, m: String| EvalError::Read {
        path: p.display().to_string(),
        message: m,
    };
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| err(dir, e.to_string()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ann"))
        .collect();
    names.sort();
    let mut docs = Vec::new();
    for ann in names {
        let txt = ann.with_extension("txt");
        let text = std::fs::read_to_string(&txt).map_err(|e| err(&txt, e.to_string()))?;
        let annt = std::fs::read_to_string(&ann).map_err(|e| err(&ann, e.to_string()))?;
        let map = cp_to_byte(&text);
        let mut doc = Doc {
            text,
            gold: Vec::new(),
            ignore: Vec::new(),
        };
        for (ln, line) in annt.lines().enumerate() {
            if !line.starts_with('T') {
                continue;
            }
            let mut parts = line.splitn(3, '\t');
            let (_, Some(mid), value) = (parts.next(), parts.next(), parts.next().unwrap_or(""))
            else {
                return Err(err(
                    &ann,
                    format!("line {}: not a BRAT text-bound annotation", ln + 1),
                ));
            };
            let f: Vec<&str> = mid.split([' ', ';']).collect();
            let parsed =
                (f.len() >= 3).then(|| (f[1].parse::<usize>(), f[f.len() - 1].parse::<usize>()));
            let Some((Ok(s), Ok(e))) = parsed else {
                return Err(err(&ann, format!("line {}: bad offsets", ln + 1)));
            };
            let (Some(&b0), Some(&b1)) = (map.get(s), map.get(e)) else {
                return Err(err(&ann, format!("line {}: span outside the text", ln + 1)));
            };
            match meddocan_label(f[0], value) {
                Some(g) => doc.gold.push((g, b0, b1, f[0].to_string())),
                None => doc.ignore.push((b0, b1)),
            }
        }
        docs.push(doc);
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoring_rules() {
        let doc = Doc {
            text: "Call John Smith at 617-253-1000 from Acme Corp.".into(),
            gold: vec![
                (Group::Name, 5, 15, "PERSON".into()),
                (Group::Phone, 19, 31, "PHONE_NUMBER".into()),
            ],
            ignore: vec![(37, 46)],
        };
        let det = Detector::new();
        let r = score(&det, std::slice::from_ref(&doc), SpanMode::Exact);
        assert_eq!(r.overall.tp, 2, "{r:?}");
        assert_eq!(r.overall.fp, 0);
        let mut off = doc;
        off.gold[0].2 = 10;
        let r = score(&det, &[off.clone()], SpanMode::Exact);
        assert_eq!((r.overall.tp, r.overall.fp, r.overall.fn_), (1, 1, 1));
        let r = score(&det, &[off], SpanMode::Overlap);
        assert_eq!((r.overall.tp, r.overall.fp, r.overall.fn_), (2, 0, 0));
    }
}
