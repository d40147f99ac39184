//! ID015 phi-wildcard-grant.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::{model, phi_list, phi_reach, relate_rule, report_at};

pub const RULE: Rule = Rule {
    code: "ID015",
    name: "phi-wildcard-grant",
    family: Family::ID,
    severity: Severity::High,
    title: "Wildcard RBAC rule reaches a PHI namespace",
    hipaa: &["164.308(a)(4)", "164.312(a)(1)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_49"],
        kubescape: &["C-0187"],
        trivy: &["KSV-0044", "KSV-0045", "KSV-0046"],
        kube_linter: &["wildcard-in-rules"],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags bindings (RoleBindings in a PHI namespace, ClusterRoleBindings when PHI namespaces \
exist) whose role, after aggregation and with the bootstrap roles resolved, has a rule with `*` in `verbs` or \
`resources`, and at least one subject outside the control plane. Binding `cluster-admin` counts. One finding per \
binding, at `roleRef.name`, citing the first wildcard rule.",
        why_it_matters: "A wildcard grants every present and future verb or resource, including custom resources \
that hold PHI and the ones installed after the review: nobody can say what the binding authorises, so access \
authorisation (164.308(a)(4)) cannot be shown and access control (164.312(a)(1)) is not least privilege.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: app-all\n  \
namespace: clinic\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: app-all   # \
verbs: [\"*\"], resources: [\"*\"]",
        remediation: "List the verbs and resources the subject needs; use the bootstrap `view` or `edit` roles \
only where their (aggregated) content is acceptable for PHI.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege",
            "45 CFR 164.308(a)(4), 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    if cx.scope.namespaces.is_empty() {
        return;
    }
    let m = model(cx);
    for b in &m.bindings {
        let Some(object) = b.object else { continue };
        if b.subjects.iter().all(|s| s.subject.is_system()) {
            continue;
        }
        let reach = phi_reach(cx, b);
        if reach.is_empty() {
            continue;
        }
        let wild: Vec<usize> = m
            .binding_rules(b)
            .iter()
            .copied()
            .filter(|&r| {
                let spec = &m.rules[r].spec;
                spec.non_resource_urls.is_empty()
                    && (spec.verbs.iter().any(|v| v == "*")
                        || spec.resources.iter().any(|v| v == "*"))
            })
            .collect();
        let Some(&first) = wild.first() else { continue };
        let rule = &m.rules[first];
        let more = if wild.len() > 1 {
            format!(" and {} more wildcard rule(s)", wild.len() - 1)
        } else {
            String::new()
        };
        report_at(
            out,
            object,
            &b.role_ref_loc,
            "roleRef.name".to_string(),
            format!(
                "{} grants wildcard rule {} (verbs {:?}, resources {:?}){more} in {}",
                b.describe(),
                rule.cite(),
                rule.spec.verbs,
                rule.spec.resources,
                phi_list(&reach)
            ),
        );
        relate_rule(out, rule, "wildcard rule");
    }
}
