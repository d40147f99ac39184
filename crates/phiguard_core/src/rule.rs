//! The rule model: static metadata, fixed documentation sections, and a check function.

use std::sync::OnceLock;

use crate::finding::Out;
use crate::inventory::{containers, Container, Inventory, ObjectId, Workload};
use crate::netpol::zones::{self, Verification};
use crate::scope::Scope;
use crate::settings::Settings;
use crate::source::Object;
use crate::yaml::Node;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Rule families; the code prefix of every rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Family {
    PS,
    ID,
    SE,
    TX,
    NW,
    AU,
    AV,
    SC,
    CP,
    PH,
    PG,
}

impl Family {
    pub const ALL: [Family; 11] = [
        Family::PS,
        Family::ID,
        Family::SE,
        Family::TX,
        Family::NW,
        Family::AU,
        Family::AV,
        Family::SC,
        Family::CP,
        Family::PH,
        Family::PG,
    ];
    pub fn prefix(self) -> &'static str {
        match self {
            Family::PS => "PS",
            Family::ID => "ID",
            Family::SE => "SE",
            Family::TX => "TX",
            Family::NW => "NW",
            Family::AU => "AU",
            Family::AV => "AV",
            Family::SC => "SC",
            Family::CP => "CP",
            Family::PH => "PH",
            Family::PG => "PG",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Family::PS => "Pod and container isolation",
            Family::ID => "Identity, service accounts and RBAC",
            Family::SE => "Secrets and encryption at rest",
            Family::TX => "Transmission security",
            Family::NW => "Network segmentation and exposure",
            Family::AU => "Audit and monitoring",
            Family::AV => "Availability and contingency",
            Family::SC => "Supply chain and vulnerability management",
            Family::CP => "Control plane configuration",
            Family::PH => "PHI exposure",
            Family::PG => "phiguard configuration",
        }
    }
    pub fn from_prefix(s: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.prefix() == s)
    }
}

/// Other tools' identifiers for the same check, so users can migrate.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Equivalents {
    pub checkov: &'static [&'static str],
    pub kubescape: &'static [&'static str],
    pub trivy: &'static [&'static str],
    pub kube_linter: &'static [&'static str],
    pub polaris: &'static [&'static str],
}

impl Equivalents {
    pub const NONE: Equivalents = Equivalents {
        checkov: &[],
        kubescape: &[],
        trivy: &[],
        kube_linter: &[],
        polaris: &[],
    };
    /// Non-empty (tool, ids) pairs.
    pub fn entries(&self) -> Vec<(&'static str, &'static [&'static str])> {
        [
            ("Checkov", self.checkov),
            ("Kubescape", self.kubescape),
            ("Trivy", self.trivy),
            ("kube-linter", self.kube_linter),
            ("Polaris", self.polaris),
        ]
        .into_iter()
        .filter(|(_, ids)| !ids.is_empty())
        .collect()
    }
}

/// A rule's documentation, in fixed sections.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Docs {
    pub what_it_does: &'static str,
    pub why_it_matters: &'static str,
    /// A manifest excerpt that triggers the rule.
    pub example: &'static str,
    pub remediation: &'static str,
    pub references: &'static [&'static str],
}

/// Where a rule applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applies {
    /// Every object the rule understands.
    Everywhere,
    /// Only objects in PHI scope.
    PhiScope,
}

pub type CheckFn = fn(&Ctx<'_>, &mut Out);

/// One rule of the catalog.
#[derive(Clone, Copy, serde::Serialize)]
pub struct Rule {
    /// Stable code, e.g. `PS001`. Never reused.
    pub code: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    pub family: Family,
    pub severity: Severity,
    /// One line: what is wrong when it fires.
    pub title: &'static str,
    /// 45 CFR citations, e.g. `164.312(a)(1)`.
    pub hipaa: &'static [&'static str],
    pub applies: Applies,
    pub equivalents: Equivalents,
    pub docs: Docs,
    #[serde(skip)]
    pub check: CheckFn,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("code", &self.code).finish()
    }
}

/// What a check sees.
pub struct Ctx<'a> {
    pub inv: &'a Inventory,
    pub scope: &'a Scope,
    pub settings: &'a Settings,
    /// The network policy verification, computed once by the first check that asks for it.
    netpol: OnceLock<Verification>,
    /// The RBAC model (with the bootstrap policy), built once by the first check that asks for it.
    rbac: OnceLock<crate::rbac::Model>,
}

/// A workload as rules see it: the object, its pod spec and whether it is in PHI scope.
#[derive(Clone, Copy)]
pub struct WorkloadView<'a> {
    pub id: ObjectId,
    pub object: &'a Object,
    pub workload: &'a Workload,
    pub spec: &'a Node,
    pub phi: bool,
}

impl<'a> WorkloadView<'a> {
    /// All containers (regular, init and ephemeral).
    pub fn containers(&self) -> Vec<Container<'a>> {
        containers(self.spec)
    }
    /// A JSON path relative to the object for a path relative to the pod spec.
    pub fn path(&self, rel: &str) -> String {
        let base = self.workload.spec_path();
        if rel.is_empty() {
            base
        } else {
            format!("{base}.{rel}")
        }
    }
    /// Path of a field of a container.
    pub fn cpath(&self, c: &Container<'_>, rel: &str) -> String {
        if rel.is_empty() {
            self.path(&c.path())
        } else {
            self.path(&format!("{}.{rel}", c.path()))
        }
    }
    /// A pod-level security context field.
    pub fn pod_sc(&self, field: &str) -> Option<&'a Node> {
        self.spec
            .at(&["securityContext", field])
            .filter(|n| !n.is_null())
    }
    /// The anchor for diagnostics about the pod as a whole: the pod spec key.
    /// Falls back to the object root when the workload has no pod spec at all.
    pub fn anchor(&self) -> &'a Node {
        if self.spec.loc().line == 0 {
            &self.object.root
        } else {
            self.spec
        }
    }
    pub fn describe(&self) -> String {
        self.object.reference.to_string()
    }
}

impl<'a> Ctx<'a> {
    pub fn new(inv: &'a Inventory, scope: &'a Scope, settings: &'a Settings) -> Ctx<'a> {
        Ctx {
            inv,
            scope,
            settings,
            netpol: OnceLock::new(),
            rbac: OnceLock::new(),
        }
    }
    /// The verification of the netpol invariants (`phiguard netpol verify`) over this inventory, scope and
    /// `[netpol]` settings. Computed on first use and shared by every later caller.
    pub fn netpol_verification(&self) -> &Verification {
        self.netpol
            .get_or_init(|| zones::verify(self.inv, self.scope, &self.settings.netpol))
    }
    /// The verification, if a check (or another caller) has computed it already.
    pub fn netpol_verification_if_computed(&self) -> Option<&Verification> {
        self.netpol.get()
    }
    /// The RBAC model of the inventory with the Kubernetes bootstrap policy. Built on first use and shared by
    /// every later caller.
    pub fn rbac_model(&self) -> &crate::rbac::Model {
        self.rbac
            .get_or_init(|| crate::rbac::Model::build(self.inv))
    }
    pub fn workloads(&self) -> impl Iterator<Item = WorkloadView<'a>> + 'a {
        let inv = self.inv;
        let scope = self.scope;
        inv.workloads.iter().map(move |w| WorkloadView {
            id: w.object,
            object: &inv.objects[w.object],
            workload: w,
            spec: inv.pod_spec(w),
            phi: scope.object_in_scope(w.object),
        })
    }

    pub fn objects_of_kind(
        &self,
        group: &'a str,
        kind: &'a str,
    ) -> impl Iterator<Item = (ObjectId, &'a Object)> + 'a {
        self.inv
            .of_kind(kind)
            .filter(move |(_, o)| o.group() == group)
    }

    pub fn is_phi(&self, id: ObjectId) -> bool {
        self.scope.object_in_scope(id)
    }
}
