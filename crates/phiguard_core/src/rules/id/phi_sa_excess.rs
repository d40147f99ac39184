//! ID014 phi-serviceaccount-excess.

use crate::finding::Out;
use crate::rbac::powers::powers_of;
use crate::rbac::{Identity, SubjectKind, SubjectRef};
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

use super::{model, relate_rule};

pub const RULE: Rule = Rule {
    code: "ID014",
    name: "phi-serviceaccount-excess",
    family: Family::ID,
    severity: Severity::High,
    title: "ServiceAccount of a PHI workload holds more than the workload uses",
    hipaa: &["164.308(a)(4)", "164.312(a)(1)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "For each workload in PHI scope, resolves its ServiceAccount (`serviceAccountName`, else \
`default`) and every binding that applies to it, directly or through the groups `system:serviceaccounts` and \
`system:serviceaccounts:<namespace>`, with aggregation and the bootstrap roles resolved. Fires when (a) the pod \
does not mount the account's token (`automountServiceAccountToken: false` on the pod, or on the ServiceAccount \
without the pod turning it back on) yet manifests bind roles to the account with rules not limited to named objects \
(`resourceNames`): those permissions are never used by this workload, and any pod started with the account \
gets them; or (b) the token is mounted and the account holds a derived power (read Secrets, exec, create \
workloads, escalate/bind/impersonate, nodes/proxy, tokens, CSR approval, webhook writes, PersistentVolumes, \
deleting events, rewriting segmentation). An application serving PHI reads its own credentials from mounted \
volumes and does not administer the cluster. At `serviceAccountName` (or the pod spec).",
        why_it_matters: "The token of a PHI workload's ServiceAccount is in every one of its containers: a \
remote-code-execution bug in the FHIR server hands the attacker whatever the account holds. Information access \
management (164.308(a)(4)) and access control (164.312(a)(1)) require the workload's identity to hold only what \
its function needs.",
        example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: fhir\n  namespace: clinic\nspec:\n  \
template:\n    spec:\n      serviceAccountName: fhir   # bound to ClusterRole edit\n      containers:\n        \
- name: fhir\n          image: hapiproject/hapi:v7.4.0",
        remediation: "Give each PHI workload its own ServiceAccount with no bindings, or a Role with the few \
`get` rules on named objects it really calls; mount Secrets as volumes instead of reading them through the API, \
and set `automountServiceAccountToken: false` when the workload does not call the API at all. Remove bindings of \
accounts whose token is not mounted.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/service-accounts/",
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege",
            "45 CFR 164.308(a)(4), 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    let phi: Vec<_> = cx.workloads().filter(|w| w.phi).collect();
    if phi.is_empty() {
        return;
    }
    let m = model(cx);
    for w in phi {
        let name_node = ["serviceAccountName", "serviceAccount"]
            .iter()
            .find_map(|k| {
                w.spec
                    .get(k)
                    .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
            });
        let sa_name = name_node.and_then(Node::as_str).unwrap_or("default");
        let ns = w.object.namespace_or_default();
        let (anchor, path) = match name_node {
            Some(n) => (n, w.path("serviceAccountName")),
            None => (w.anchor(), w.path("")),
        };
        let me = SubjectRef {
            kind: SubjectKind::ServiceAccount,
            name: sa_name.to_string(),
            namespace: Some(ns.to_string()),
        };
        let identity = Identity::of(&me);
        let pod_setting = w
            .spec
            .get("automountServiceAccountToken")
            .and_then(Node::as_bool);
        let sa_setting = cx
            .objects_of_kind("", "ServiceAccount")
            .find(|(_, o)| o.name() == sa_name && o.namespace_or_default() == ns)
            .and_then(|(_, o)| o.root.get("automountServiceAccountToken"))
            .and_then(Node::as_bool);
        let projected = w
            .spec
            .get("volumes")
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|v| v.at(&["projected", "sources"]))
            .flat_map(Node::as_seq)
            .any(|s| s.get("serviceAccountToken").is_some());
        let mounted = pod_setting.or(sa_setting).unwrap_or(true) || projected;
        if !mounted {
            let bound: Vec<_> = m
                .bindings_of(&identity)
                .into_iter()
                .filter(|&(bi, _)| {
                    let b = &m.bindings[bi];
                    b.object.is_some()
                        && m.binding_rules(b)
                            .iter()
                            .any(|&r| m.rules[r].spec.resource_names.is_empty())
                })
                .collect();
            if let Some(&(bi, si)) = bound.first() {
                let b = &m.bindings[bi];
                out.at(
                    w.id,
                    anchor,
                    path,
                    format!(
                        "{} does not mount the token of {}, yet {} binding(s) grant it permissions (first: {} at {}): unused by this workload",
                        w.describe(),
                        me.describe(),
                        bound.len(),
                        b.describe(),
                        b.subjects[si].loc
                    ),
                );
                if let (Some(id), Some(last)) = (b.object, out.findings.last_mut()) {
                    last.related
                        .push((id, b.subjects[si].loc.pos(), b.describe()));
                }
            }
            continue;
        }
        let held: Vec<_> = powers_of(m, &identity)
            .into_iter()
            .filter(|h| {
                h.evidence
                    .iter()
                    .all(|e| m.bindings[e.binding].object.is_some())
            })
            .collect();
        if held.is_empty() {
            continue;
        }
        let list: Vec<String> = held
            .iter()
            .map(|h| {
                let scope = match &h.namespace {
                    Some(n) => format!("in \"{n}\""),
                    None => "cluster-wide".to_string(),
                };
                format!("{} {scope}", h.power.title)
            })
            .collect();
        let e = &held[0].evidence[0];
        out.at(
            w.id,
            anchor,
            path,
            format!(
                "{} runs as {}, which can {} (first through {}, {})",
                w.describe(),
                me.describe(),
                list.join("; "),
                m.bindings[e.binding].describe(),
                m.rules[e.rule].cite()
            ),
        );
        relate_rule(out, &m.rules[e.rule], &e.what);
    }
}
