//! ID016 broad-group-power.

use crate::finding::Out;
use crate::rbac::powers::binding_powers;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::{model, relate_rule, report_at};

pub const RULE: Rule = Rule {
    code: "ID016",
    name: "broad-group-power",
    family: Family::ID,
    severity: Severity::Critical,
    title: "Anonymous, all authenticated users or all service accounts hold a risky power",
    hipaa: &["164.312(d)", "164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0262"],
        trivy: &["KSV-0122", "KSV-01011"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags bindings whose subject stands for a whole population (the user `system:anonymous`, \
the groups `system:unauthenticated`, `system:authenticated`, `system:serviceaccounts` and \
`system:serviceaccounts:<namespace>`) when the bound role, with aggregation and the bootstrap roles resolved, \
grants a derived power: reading Secrets, exec, creating workloads, escalate/bind/impersonate, nodes/proxy, \
token or certificate issuance, webhook writes, PersistentVolume creation, deleting events, or rewriting \
segmentation. Unlike ID009, which flags such bindings whatever they grant, this rule names the power and the \
rule that grants it, and also covers the service-account groups. At the subject's `name`.",
        why_it_matters: "Every pod of the cluster (or of the namespace) holds a token in these groups, and \
`system:authenticated` can include every account of a cloud provider; a power granted to them is held by \
whoever compromises any workload. No access is attributable to a person or entity (164.312(d)), and access \
control (164.312(a)(1)) is void for what the power reaches.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: \
sa-edit\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: edit\nsubjects:\n  - \
kind: Group\n    name: system:serviceaccounts",
        remediation: "Bind the role to the individual ServiceAccounts, users or groups that need it, never to the \
catch-all groups.",
        references: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#service-account-permissions",
            "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests",
            "45 CFR 164.312(d), 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    let m = model(cx);
    for (bi, b) in m.bindings.iter().enumerate() {
        let Some(object) = b.object else { continue };
        if !b.subjects.iter().any(|s| s.subject.is_everyone()) {
            continue;
        }
        let held = binding_powers(m, bi);
        if held.is_empty() {
            continue;
        }
        let scope = match &b.namespace {
            Some(ns) => format!("in namespace \"{ns}\""),
            None => "cluster-wide".to_string(),
        };
        for s in b.subjects.iter().filter(|s| s.subject.is_everyone()) {
            let titles: Vec<&str> = held.iter().map(|h| h.power.title).collect();
            let e = &held[0].evidence[0];
            report_at(
                out,
                object,
                &s.loc,
                format!("subjects[{}].name", s.index),
                format!(
                    "{} can {} {scope} through {} ({}, {})",
                    s.subject.describe(),
                    titles.join(", "),
                    b.describe(),
                    e.what,
                    m.rules[e.rule].cite()
                ),
            );
            relate_rule(out, &m.rules[e.rule], &e.what);
        }
    }
}
