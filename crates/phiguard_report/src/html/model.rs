//! The data the HTML report embeds: everything it shows, computed from a scan report. Values that could be PHI are
//! masked here, before anything is rendered.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use phiguard_core::finding::{mask_value, SENSITIVE_SNIPPET_RULES};
use phiguard_core::rules::CATALOG;
use phiguard_core::{Finding, ScanReport, Severity};
use serde::Serialize;

use super::trend::Trend;
use crate::hipaa::{self, Requirement, Safeguard, STANDARDS};

/// Format identifier of the embedded data.
pub const MODEL_FORMAT: &str = "phiguard-html/v1";

/// Longest snippet line shown, in characters.
const SNIPPET_CHARS: usize = 160;

/// The whole report.
#[derive(Debug, Serialize)]
pub struct ReportModel {
    pub format: &'static str,
    pub summary: Summary,
    pub safeguards: Vec<SafeguardRow>,
    pub matrix: Vec<StandardRow>,
    /// Cited sections outside 164.308/310/312 (documentation, Privacy Rule), with the rules citing them.
    pub other_citations: Vec<OtherCitation>,
    pub scope: ScopeInventory,
    pub rules: Vec<RuleInfo>,
    pub findings: Vec<FindingRow>,
    pub errors: Vec<String>,
    /// Network segmentation results, when that analysis ran.
    pub segmentation: Option<AnalysisSection>,
    /// RBAC analysis results, when that analysis ran.
    pub rbac: Option<AnalysisSection>,
    pub trend: Option<Trend>,
    pub provenance: Provenance,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub inputs: usize,
    pub inputs_failed: usize,
    pub objects: usize,
    pub workloads: usize,
    pub namespaces: usize,
    pub phi_namespaces: usize,
    pub phi_workloads: usize,
    pub rules_run: usize,
    /// Unwaived findings.
    pub findings: usize,
    pub waived: usize,
    pub fail_on: Severity,
    /// Unwaived findings at or above `fail_on`.
    pub failing: usize,
    /// Unwaived findings per severity, highest first.
    pub by_severity: Vec<SeverityCount>,
    pub objects_by_kind: BTreeMap<String, usize>,
    pub annotation_waivers_ignored: usize,
}

#[derive(Debug, Serialize)]
pub struct SeverityCount {
    pub severity: Severity,
    pub count: usize,
}

/// What a standard or specification looks like after the scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Unwaived findings from the rules mapped to it.
    Findings,
    /// Findings, all of them waived.
    Waived,
    /// Mapped rules found nothing, but some inputs failed to parse or nothing was scanned: not evidence.
    Incomplete,
    /// Mapped rules ran and found nothing.
    NoFindings,
    /// Rules map to it, but none of them ran (deselected).
    NotRun,
    /// No rule maps to it: a manifest scan cannot show it.
    NotCheckable,
}

/// One of 164.308, 164.310, 164.312.
#[derive(Debug, Serialize)]
pub struct SafeguardRow {
    pub section: &'static str,
    pub title: &'static str,
    pub status: Status,
    pub findings: usize,
    pub waived: usize,
    /// Specifications (or standards without separate specifications) per status.
    pub specs_by_status: BTreeMap<Status, usize>,
}

#[derive(Debug, Serialize)]
pub struct StandardRow {
    pub citation: &'static str,
    pub safeguard: Safeguard,
    pub title: &'static str,
    /// Set when the standard has no separate implementation specifications.
    pub requirement: Option<Requirement>,
    /// The worst status of the standard's own citation and its specifications.
    pub status: Status,
    /// The status from the rules citing the standard itself.
    pub own_status: Status,
    /// Rules citing the standard itself.
    pub rules: Vec<&'static str>,
    pub rules_not_run: Vec<&'static str>,
    /// Unwaived findings of those rules.
    pub findings: usize,
    pub waived: usize,
    /// Open findings counted once per standard, whichever of its citations they carry.
    pub total_findings: usize,
    /// Waived findings counted once per standard.
    pub total_waived: usize,
    pub limits: &'static str,
    pub specs: Vec<SpecRow>,
}

#[derive(Debug, Serialize)]
pub struct SpecRow {
    pub citation: &'static str,
    pub title: &'static str,
    pub requirement: Requirement,
    pub status: Status,
    pub rules: Vec<&'static str>,
    pub rules_not_run: Vec<&'static str>,
    pub findings: usize,
    pub waived: usize,
    pub limits: &'static str,
}

#[derive(Debug, Serialize)]
pub struct OtherCitation {
    pub citation: &'static str,
    pub title: &'static str,
    pub rules: Vec<&'static str>,
    pub rules_not_run: Vec<&'static str>,
    pub findings: usize,
    pub waived: usize,
}

#[derive(Debug, Serialize)]
pub struct ScopeInventory {
    pub namespaces: Vec<ScopedNamespace>,
    pub workloads: Vec<ScopedWorkload>,
}

#[derive(Debug, Serialize)]
pub struct ScopedNamespace {
    pub name: String,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ScopedWorkload {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub file: String,
    pub line: u32,
    pub reasons: Vec<String>,
    /// Unwaived findings on this workload.
    pub findings: usize,
}

/// A rule that ran.
#[derive(Debug, Serialize)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub family: &'static str,
    pub family_title: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub hipaa: &'static [&'static str],
    pub remediation: &'static str,
}

/// A finding as the page shows it. Absent optional fields are left out of the JSON to keep large reports small.
#[derive(Debug, Serialize)]
pub struct FindingRow {
    pub code: &'static str,
    pub severity: Severity,
    pub family: String,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm_source: Option<String>,
    pub phi_scope: bool,
    pub hipaa: &'static [&'static str],
    /// The standards the citations belong to.
    pub standards: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverInfo>,
    pub fingerprint: String,
}

#[derive(Debug, Serialize)]
pub struct Snippet {
    pub line: u32,
    pub text: String,
    /// The value on the line was replaced because it may hold a credential or PHI.
    pub masked: bool,
}

#[derive(Debug, Serialize)]
pub struct WaiverInfo {
    pub reason: String,
    pub owner: String,
    pub expires: Option<String>,
    pub origin: &'static str,
}

/// A further analysis shown as a titled table (segmentation, RBAC).
#[derive(Debug, Serialize)]
pub struct AnalysisSection {
    pub title: String,
    pub summary: Vec<(String, String)>,
    /// What the analysis covers and how to see more, shown above the table.
    pub notes: Vec<String>,
    pub columns: Vec<String>,
    /// The column holding a row's status (e.g. `proved`, `violated`), which the page marks on the row.
    pub status_column: Option<usize>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct Provenance {
    pub version: &'static str,
    pub generated_at: String,
    pub config_file: Option<String>,
    pub config_sha256: String,
    pub inputs: Vec<InputDigest>,
    pub rules: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct InputDigest {
    pub name: String,
    pub sha256: String,
    pub bytes: usize,
}

/// What the model is built from besides the scan report.
#[derive(Debug, Default)]
pub struct ModelInput {
    /// RFC 3339 UTC time of the scan.
    pub generated_at: String,
    pub trend: Option<Trend>,
    pub segmentation: Option<AnalysisSection>,
    pub rbac: Option<AnalysisSection>,
}

/// Whether a finding's source line must be masked: rules about credentials, and PHI exposure rules.
pub fn snippet_is_sensitive(code: &str) -> bool {
    SENSITIVE_SNIPPET_RULES.contains(&code) || code.starts_with("PH")
}

/// The distinct standards a list of citations belongs to, in citation order.
pub fn standards_of(citations: &[&'static str]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for c in citations {
        if let Some(s) = hipaa::standard_of(c) {
            if !out.contains(&s.citation) {
                out.push(s.citation);
            }
        }
    }
    out
}

impl ReportModel {
    pub fn build(report: &ScanReport, input: ModelInput) -> ReportModel {
        let ran: BTreeSet<&str> = report.rules.iter().copied().collect();
        let s = &report.stats;
        let summary = Summary {
            inputs: s.inputs,
            inputs_failed: s.inputs_failed,
            objects: s.objects,
            workloads: s.workloads,
            namespaces: s.namespaces,
            phi_namespaces: s.phi_namespaces,
            phi_workloads: s.phi_workloads,
            rules_run: s.rules_run,
            findings: report.findings.len(),
            waived: report.waived.len(),
            fail_on: report.fail_on,
            failing: report.failing(),
            by_severity: report
                .by_severity()
                .into_iter()
                .map(|(severity, count)| SeverityCount { severity, count })
                .collect(),
            objects_by_kind: s.objects_by_kind.clone(),
            annotation_waivers_ignored: s.annotation_waivers_ignored,
        };
        let matrix = matrix(report, &ran);
        let safeguards = safeguards(&matrix);
        let other_citations = hipaa::OTHER_SECTIONS
            .iter()
            .filter_map(|&(citation, title)| {
                let (rules, rules_not_run) = rules_citing(citation, &ran);
                if rules.is_empty() && rules_not_run.is_empty() {
                    return None;
                }
                let cites = |f: &&Finding| f.hipaa.contains(&citation);
                Some(OtherCitation {
                    citation,
                    title,
                    rules,
                    rules_not_run,
                    findings: report.findings.iter().filter(cites).count(),
                    waived: report.waived.iter().filter(cites).count(),
                })
            })
            .collect();
        let findings = report
            .findings
            .iter()
            .chain(&report.waived)
            .map(|f| finding_row(report, f))
            .collect();
        let rules = CATALOG
            .iter()
            .filter(|r| ran.contains(r.code))
            .map(|r| RuleInfo {
                code: r.code,
                name: r.name,
                family: r.family.prefix(),
                family_title: r.family.title(),
                severity: r.severity,
                title: r.title,
                hipaa: r.hipaa,
                remediation: r.docs.remediation,
            })
            .collect();
        ReportModel {
            format: MODEL_FORMAT,
            summary,
            safeguards,
            matrix,
            other_citations,
            scope: scope(report),
            rules,
            findings,
            errors: report.errors.iter().map(|e| e.to_string()).collect(),
            segmentation: input.segmentation,
            rbac: input.rbac,
            trend: input.trend,
            provenance: Provenance {
                version: report.version,
                generated_at: input.generated_at,
                config_file: report.config_file.clone(),
                config_sha256: report.config_sha256.clone(),
                inputs: report
                    .inputs
                    .iter()
                    .map(|i| InputDigest {
                        name: i.name.clone(),
                        sha256: i.sha256.clone(),
                        bytes: i.bytes,
                    })
                    .collect(),
                rules: report.rules.clone(),
            },
        }
    }
}

fn finding_row(report: &ScanReport, f: &Finding) -> FindingRow {
    let snippet = f
        .source
        .and_then(|id| report.sources.get(id))
        .and_then(|s| s.line(f.location.line))
        .map(|text| {
            if snippet_is_sensitive(f.code) {
                let masked = mask_value(text);
                let changed = masked != text;
                Snippet {
                    line: f.location.line,
                    text: masked,
                    masked: changed,
                }
            } else {
                Snippet {
                    line: f.location.line,
                    text: text.chars().take(SNIPPET_CHARS).collect(),
                    masked: false,
                }
            }
        });
    FindingRow {
        code: f.code,
        severity: f.severity,
        family: f.code.get(..2).unwrap_or(f.code).to_string(),
        message: f.message.clone(),
        file: f.location.file.clone(),
        line: f.location.line,
        column: f.location.column,
        object: f.object.as_ref().map(|o| o.to_string()),
        namespace: f.object.as_ref().and_then(|o| o.namespace.clone()),
        helm_source: f.helm_source.clone(),
        phi_scope: f.phi_scope,
        hipaa: f.hipaa,
        standards: standards_of(f.hipaa),
        snippet,
        related: f
            .related
            .iter()
            .map(|r| {
                format!(
                    "{}:{}:{}: {}",
                    r.location.file, r.location.line, r.location.column, r.message
                )
            })
            .collect(),
        waiver: f.waiver.as_ref().map(|w| WaiverInfo {
            reason: w.reason.clone(),
            owner: w.owner.clone(),
            expires: w.expires.clone(),
            origin: w.origin,
        }),
        fingerprint: f.fingerprint.clone(),
    }
}

/// Rules (in catalog order) whose citations include `citation`, split into those that ran and those that did not.
fn rules_citing(citation: &str, ran: &BTreeSet<&str>) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut yes = Vec::new();
    let mut no = Vec::new();
    for r in CATALOG.iter().filter(|r| r.hipaa.contains(&citation)) {
        if ran.contains(r.code) {
            yes.push(r.code);
        } else {
            no.push(r.code);
        }
    }
    (yes, no)
}

fn status_of(
    rules: &[&str],
    not_run: &[&str],
    findings: usize,
    waived: usize,
    incomplete: bool,
) -> Status {
    if findings > 0 {
        Status::Findings
    } else if waived > 0 {
        Status::Waived
    } else if !rules.is_empty() && incomplete {
        Status::Incomplete
    } else if !rules.is_empty() {
        Status::NoFindings
    } else if !not_run.is_empty() {
        Status::NotRun
    } else {
        Status::NotCheckable
    }
}

fn matrix(report: &ScanReport, ran: &BTreeSet<&str>) -> Vec<StandardRow> {
    let mut open: HashMap<&str, usize> = HashMap::new();
    let mut waived: HashMap<&str, usize> = HashMap::new();
    let mut open_by_standard: HashMap<&str, usize> = HashMap::new();
    for f in &report.findings {
        for c in f.hipaa {
            *open.entry(c).or_default() += 1;
        }
        for s in standards_of(f.hipaa) {
            *open_by_standard.entry(s).or_default() += 1;
        }
    }
    let mut waived_by_standard: HashMap<&str, usize> = HashMap::new();
    for f in &report.waived {
        for c in f.hipaa {
            *waived.entry(c).or_default() += 1;
        }
        for s in standards_of(f.hipaa) {
            *waived_by_standard.entry(s).or_default() += 1;
        }
    }
    let count = |m: &HashMap<&str, usize>, c: &str| m.get(c).copied().unwrap_or(0);
    let incomplete = report.has_errors();
    STANDARDS
        .iter()
        .map(|st| {
            let specs: Vec<SpecRow> = st
                .specs
                .iter()
                .map(|sp| {
                    let (rules, rules_not_run) = rules_citing(sp.citation, ran);
                    let (f, w) = (count(&open, sp.citation), count(&waived, sp.citation));
                    SpecRow {
                        citation: sp.citation,
                        title: sp.title,
                        requirement: sp.requirement,
                        status: status_of(&rules, &rules_not_run, f, w, incomplete),
                        rules,
                        rules_not_run,
                        findings: f,
                        waived: w,
                        limits: sp.limits,
                    }
                })
                .collect();
            let (rules, rules_not_run) = rules_citing(st.citation, ran);
            let (f, w) = (count(&open, st.citation), count(&waived, st.citation));
            let own = status_of(&rules, &rules_not_run, f, w, incomplete);
            let status = specs.iter().map(|s| s.status).fold(own, Ord::min);
            StandardRow {
                citation: st.citation,
                safeguard: st.safeguard,
                title: st.title,
                requirement: st.requirement,
                status,
                own_status: own,
                rules,
                rules_not_run,
                findings: f,
                waived: w,
                total_findings: count(&open_by_standard, st.citation),
                total_waived: count(&waived_by_standard, st.citation),
                limits: st.limits,
                specs,
            }
        })
        .collect()
}

fn safeguards(matrix: &[StandardRow]) -> Vec<SafeguardRow> {
    Safeguard::ALL
        .iter()
        .map(|&sg| {
            let rows: Vec<&StandardRow> = matrix.iter().filter(|r| r.safeguard == sg).collect();
            let mut specs_by_status = BTreeMap::new();
            for r in &rows {
                // The standard counts as an entry of its own when it has no specifications, or when rules cite it.
                if r.specs.is_empty() || !r.rules.is_empty() || !r.rules_not_run.is_empty() {
                    *specs_by_status.entry(r.own_status).or_insert(0) += 1;
                }
                for s in &r.specs {
                    *specs_by_status.entry(s.status).or_insert(0) += 1;
                }
            }
            SafeguardRow {
                section: sg.section(),
                title: sg.title(),
                status: rows
                    .iter()
                    .map(|r| r.status)
                    .min()
                    .unwrap_or(Status::NotCheckable),
                findings: rows.iter().map(|r| r.total_findings).sum(),
                waived: rows.iter().map(|r| r.total_waived).sum(),
                specs_by_status,
            }
        })
        .collect()
}

fn scope(report: &ScanReport) -> ScopeInventory {
    let mut per_object: HashMap<String, usize> = HashMap::new();
    for f in &report.findings {
        if let Some(o) = &f.object {
            *per_object.entry(o.to_string()).or_default() += 1;
        }
    }
    ScopeInventory {
        namespaces: report
            .phi_namespaces
            .iter()
            .map(|(name, reasons)| ScopedNamespace {
                name: name.clone(),
                reasons: reasons.clone(),
            })
            .collect(),
        workloads: report
            .phi_workloads
            .iter()
            .map(|w| ScopedWorkload {
                kind: w.object.kind.clone(),
                namespace: w.object.namespace.clone(),
                name: w.object.name.clone(),
                file: w.location.file.clone(),
                line: w.location.line,
                reasons: w.reasons.clone(),
                findings: per_object.get(&w.object.to_string()).copied().unwrap_or(0),
            })
            .collect(),
    }
}
