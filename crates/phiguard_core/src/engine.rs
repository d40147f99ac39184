//! One scan: parse every source, build the inventory and PHI scope, run the enabled rules, apply waivers.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::finding::{fingerprint, AppliedWaiver, Finding, Location, Out, Related};
use crate::inventory::Inventory;
use crate::rule::{Ctx, Family, Rule, Severity};
use crate::rules::CATALOG;
use crate::scope::{self, Scope};
use crate::settings::{Date, Settings};
use crate::source::{parse_source, LoadError, Object, Source};

/// Annotation through which an object may waive rules for itself (only when the configuration allows it).
pub const WAIVE_ANNOTATION: &str = "phiguard.io/waive";
pub const WAIVE_REASON_ANNOTATION: &str = "phiguard.io/waive-reason";
pub const WAIVE_OWNER_ANNOTATION: &str = "phiguard.io/waive-owner";
pub const WAIVE_EXPIRES_ANNOTATION: &str = "phiguard.io/waive-expires";

/// Inventories up to this size are evaluated on the calling thread.
pub const SEQUENTIAL_MAX_OBJECTS: usize = 4;

/// Counts describing what was scanned.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Stats {
    pub inputs: usize,
    pub documents_not_kubernetes: usize,
    pub objects: usize,
    pub objects_by_kind: BTreeMap<String, usize>,
    pub workloads: usize,
    pub namespaces: usize,
    pub phi_namespaces: usize,
    pub phi_workloads: usize,
    pub rules_run: usize,
    pub inputs_failed: usize,
    /// Objects that carry a waiver annotation the configuration does not honour.
    pub annotation_waivers_ignored: usize,
}

/// An input file and its digest, for provenance.
#[derive(Clone, Debug, serde::Serialize)]
pub struct InputInfo {
    pub name: String,
    pub sha256: String,
    pub bytes: usize,
}

/// A workload in PHI scope and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ScopedObject {
    pub object: crate::source::ObjectRef,
    pub location: Location,
    pub reasons: Vec<String>,
}

/// Everything a renderer needs.
#[derive(Debug, serde::Serialize)]
pub struct ScanReport {
    pub version: &'static str,
    pub fail_on: Severity,
    pub findings: Vec<Finding>,
    /// Findings suppressed by an active waiver (kept for the audit trail).
    pub waived: Vec<Finding>,
    pub errors: Vec<LoadError>,
    pub stats: Stats,
    pub phi_namespaces: BTreeMap<String, Vec<String>>,
    pub phi_workloads: Vec<ScopedObject>,
    pub inputs: Vec<InputInfo>,
    /// Codes of the rules that ran.
    pub rules: Vec<&'static str>,
    pub config_file: Option<String>,
    pub config_sha256: String,
    /// The inputs' texts, for source snippets in text output.
    #[serde(skip)]
    pub sources: Vec<Source>,
}

impl ScanReport {
    /// Findings at or above the fail level.
    pub fn failing(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= self.fail_on)
            .count()
    }

    /// Counts of (unwaived) findings per severity, highest first.
    pub fn by_severity(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .map(|&s| (s, self.findings.iter().filter(|f| f.severity == s).count()))
            .collect()
    }

    /// Counts of findings per HIPAA citation.
    pub fn by_hipaa(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for f in &self.findings {
            for h in f.hipaa {
                *m.entry(*h).or_insert(0) += 1;
            }
        }
        m
    }

    /// Counts of findings per family prefix.
    pub fn by_family(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for f in &self.findings {
            *m.entry(f.code[..2].to_string()).or_insert(0) += 1;
        }
        m
    }

    /// The scan is an error: an input failed, or nothing was scanned.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.stats.objects == 0
    }
}

/// Parses sources in parallel. Returns objects in input order and every load error.
pub fn load(sources: &[Source]) -> (Vec<Object>, Vec<LoadError>, usize) {
    let parsed: Vec<_> = sources
        .par_iter()
        .enumerate()
        .map(|(id, s)| parse_source(id, s))
        .collect();
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    let mut other = 0;
    for p in parsed {
        objects.extend(p.objects);
        errors.extend(p.errors);
        other += p.other_documents;
    }
    (objects, errors, other)
}

/// Runs a whole scan. `extra_errors` are input errors found before parsing (unreadable files).
pub fn scan(
    sources: Vec<Source>,
    settings: &Settings,
    today: Date,
    extra_errors: Vec<LoadError>,
) -> ScanReport {
    scan_with(sources, settings, today, extra_errors, |_| ()).0
}

/// Runs a whole scan like [`scan`], then calls `after` with the evaluation context (inventory, PHI scope,
/// settings and the analyses the rules computed, such as the netpol verification) before it is dropped.
pub fn scan_with<T>(
    sources: Vec<Source>,
    settings: &Settings,
    today: Date,
    extra_errors: Vec<LoadError>,
    after: impl FnOnce(&Ctx<'_>) -> T,
) -> (ScanReport, T) {
    let (objects, mut errors, other) = load(&sources);
    errors.splice(0..0, extra_errors);
    let inputs: Vec<InputInfo> = sources
        .iter()
        .map(|s| InputInfo {
            name: s.name.clone(),
            sha256: s.sha256.clone(),
            bytes: s.text.len(),
        })
        .collect();
    let inv = Inventory::new(sources, objects);
    let scope = scope::compute(&inv, settings);
    let cx = Ctx::new(&inv, &scope, settings);
    let mut report = evaluate_in(&cx, today);
    let extra = after(&cx);
    drop(cx);
    report.errors = errors;
    report.stats.documents_not_kubernetes = other;
    report.stats.inputs = inputs.len();
    // Distinct inputs with at least one error (unreadable files come first, then parse errors).
    let failed: std::collections::BTreeSet<&str> = report
        .errors
        .iter()
        .map(|e| e.source_name.as_str())
        .collect();
    report.stats.inputs_failed = failed.len();
    report.inputs = inputs;
    report.sources = inv.sources;
    (report, extra)
}

/// The rules that settings enable, in catalog order.
pub fn enabled_rules(settings: &Settings) -> Vec<&'static Rule> {
    CATALOG.iter().filter(|r| settings.enabled(r)).collect()
}

/// Runs the enabled rules over an inventory and applies waivers.
pub fn evaluate(inv: &Inventory, scope: &Scope, settings: &Settings, today: Date) -> ScanReport {
    evaluate_in(&Ctx::new(inv, scope, settings), today)
}

/// Runs the enabled rules in a context and applies waivers.
pub fn evaluate_in(cx: &Ctx<'_>, today: Date) -> ScanReport {
    let (inv, scope, settings) = (cx.inv, cx.scope, cx.settings);
    let rules = enabled_rules(settings);
    let run = |rule: &&'static Rule| {
        let mut out = Out::default();
        (rule.check)(cx, &mut out);
        (*rule, out)
    };
    // A handful of objects (an admission request) is faster on the calling thread than across the pool.
    let raw: Vec<(&Rule, Out)> = if inv.objects.len() <= SEQUENTIAL_MAX_OBJECTS {
        rules.iter().map(run).collect()
    } else {
        rules.par_iter().map(run).collect()
    };

    let mut stats = Stats {
        objects: inv.objects.len(),
        workloads: inv.workloads.len(),
        namespaces: inv.namespaces.len(),
        phi_namespaces: scope.namespaces.len(),
        phi_workloads: inv
            .workloads
            .iter()
            .filter(|w| scope.object_in_scope(w.object))
            .count(),
        rules_run: rules.len(),
        ..Stats::default()
    };
    for o in &inv.objects {
        *stats
            .objects_by_kind
            .entry(o.kind().to_string())
            .or_insert(0) += 1;
        if o.annotation(WAIVE_ANNOTATION).is_some() && !settings.allow_annotation_waivers {
            stats.annotation_waivers_ignored += 1;
        }
    }

    let location = |obj: &Object, pos: crate::yaml::Pos| Location {
        file: inv
            .source_of(obj)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        line: pos.line,
        column: pos.col,
    };

    let mut findings = Vec::new();
    let mut waived = Vec::new();
    // Every waiver past its expiry is reported, whether or not it still matches anything.
    let expired_waivers: Vec<usize> = settings
        .waivers
        .iter()
        .enumerate()
        .filter(|(_, w)| w.expires.is_some_and(|d| d < today))
        .map(|(i, _)| i)
        .collect();
    for (rule, out) in raw {
        let severity = settings.severity_of(rule);
        for rf in out.findings {
            let obj = inv.object(rf.object);
            let path = obj.path(&rf.path);
            // A check that points at an absent node (no position) is reported at the object itself.
            let pos = if rf.pos.line == 0 {
                obj.root.pos
            } else {
                rf.pos
            };
            let loc = location(obj, pos);
            let mut finding = Finding {
                code: rule.code,
                name: rule.name,
                severity,
                message: rf.message,
                fingerprint: fingerprint(rule.code, Some(&obj.reference), &path, &loc.file),
                location: loc,
                path,
                object: Some(obj.reference.clone()),
                helm_source: obj.helm_source.clone(),
                phi_scope: scope.object_in_scope(rf.object),
                hipaa: rule.hipaa,
                remediation: rule.docs.remediation,
                related: rf
                    .related
                    .into_iter()
                    .map(|(id, pos, message)| Related {
                        location: location(inv.object(id), pos),
                        message,
                    })
                    .collect(),
                waiver: None,
                source: Some(obj.source),
            };
            if let Some(w) = waiver_for(rule, obj, settings, today) {
                finding.waiver = Some(w);
                waived.push(finding);
            } else {
                findings.push(finding);
            }
        }
    }

    // An expired waiver is itself a finding (PG001), at the waiver in the configuration file.
    if let Some(pg001) = CATALOG.iter().find(|r| r.code == "PG001") {
        if settings.enabled(pg001) {
            for i in expired_waivers {
                let w = &settings.waivers[i];
                let file = settings.file.clone().unwrap_or_default();
                let path = format!("waiver[{i}]");
                findings.push(Finding {
                    code: pg001.code,
                    name: pg001.name,
                    severity: settings.severity_of(pg001),
                    message: format!(
                        "waiver owned by {} expired on {} and no longer suppresses findings: {}",
                        w.owner,
                        w.expires.map(|d| d.to_string()).unwrap_or_default(),
                        w.reason
                    ),
                    fingerprint: fingerprint(pg001.code, None, &path, &file),
                    location: Location {
                        file,
                        line: w.pos.line,
                        column: w.pos.col,
                    },
                    path,
                    object: None,
                    helm_source: None,
                    phi_scope: false,
                    hipaa: pg001.hipaa,
                    remediation: pg001.docs.remediation,
                    related: Vec::new(),
                    waiver: None,
                    source: None,
                });
            }
        }
    }

    let order = |a: &Finding, b: &Finding| {
        (
            a.source.is_none(),
            a.source,
            a.location.line,
            a.location.column,
            a.code,
        )
            .cmp(&(
                b.source.is_none(),
                b.source,
                b.location.line,
                b.location.column,
                b.code,
            ))
    };
    findings.sort_by(order);
    findings.dedup_by(|a, b| a.fingerprint == b.fingerprint && a.location == b.location);
    waived.sort_by(order);

    let mut phi_workloads = Vec::new();
    for w in &inv.workloads {
        if scope.object_in_scope(w.object) {
            let obj = inv.object(w.object);
            phi_workloads.push(ScopedObject {
                object: obj.reference.clone(),
                location: location(obj, obj.root.pos),
                reasons: scope.reasons(w.object).to_vec(),
            });
        }
    }

    ScanReport {
        version: env!("CARGO_PKG_VERSION"),
        fail_on: settings.fail_on,
        findings,
        waived,
        errors: Vec::new(),
        stats,
        phi_namespaces: scope.namespaces.clone(),
        phi_workloads,
        inputs: Vec::new(),
        rules: rules.iter().map(|r| r.code).collect(),
        config_file: settings.file.clone(),
        config_sha256: settings.digest.clone(),
        sources: Vec::new(),
    }
}

fn waiver_for(
    rule: &Rule,
    obj: &Object,
    settings: &Settings,
    today: Date,
) -> Option<AppliedWaiver> {
    let ns = if crate::scope::is_cluster_scoped(obj.kind()) {
        None
    } else {
        Some(obj.namespace_or_default())
    };
    for w in &settings.waivers {
        if !w.covers(rule.code, rule.family, obj.kind(), ns, obj.name())
            || w.expires.is_some_and(|d| d < today)
        {
            continue;
        }
        return Some(AppliedWaiver {
            reason: w.reason.clone(),
            owner: w.owner.clone(),
            expires: w.expires.map(|d| d.to_string()),
            origin: "config",
        });
    }
    if settings.allow_annotation_waivers && rule.family != Family::PG {
        let list = obj.annotation(WAIVE_ANNOTATION)?;
        let named = list.split(',').map(str::trim).any(|c| {
            c.eq_ignore_ascii_case(rule.code)
                || c == rule.name
                || c.eq_ignore_ascii_case(rule.family.prefix())
        });
        if !named {
            return None;
        }
        let expires = obj
            .annotation(WAIVE_EXPIRES_ANNOTATION)
            .and_then(Date::parse);
        if expires.is_some_and(|d| d < today) {
            return None;
        }
        return Some(AppliedWaiver {
            reason: obj
                .annotation(WAIVE_REASON_ANNOTATION)
                .unwrap_or("(no reason given)")
                .to_string(),
            owner: obj
                .annotation(WAIVE_OWNER_ANNOTATION)
                .unwrap_or("(no owner given)")
                .to_string(),
            expires: expires.map(|d| d.to_string()),
            origin: "annotation",
        });
    }
    None
}
