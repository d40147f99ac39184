//! TX005 ingress-ssl-redirect-disabled.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "TX005",
    name: "ingress-ssl-redirect-disabled",
    family: Family::TX,
    severity: Severity::Medium,
    title: "Ingress annotation allows plain HTTP",
    hipaa: &["164.312(e)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Flags Ingress annotations that explicitly keep plain HTTP open: \
`nginx.ingress.kubernetes.io/ssl-redirect: \"false\"`, `nginx.ingress.kubernetes.io/force-ssl-redirect: \"false\"` \
(ingress-nginx), and `kubernetes.io/ingress.allow-http: \"true\"` (GCE ingress, whose default also serves HTTP). \
One finding per annotation, at the annotation.",
        why_it_matters: "With the redirect off, a user who types the portal's address, or an integration configured \
with an `http://` URL, sends credentials and PHI in clear text before any TLS is negotiated, and keeps doing so \
without noticing. Transmission security (164.312(e)(1)) requires that the unencrypted path be closed, not just \
that an encrypted one exist.",
        example: "metadata:\n  name: portal\n  annotations:\n    nginx.ingress.kubernetes.io/ssl-redirect: \
\"false\"",
        remediation: "Remove the annotation (ingress-nginx redirects to HTTPS by default when the Ingress has TLS) \
or set it to \"true\"; on GCE set `kubernetes.io/ingress.allow-http: \"false\"`. Add HSTS \
(`nginx.ingress.kubernetes.io/hsts: \"true\"` or a response header) so browsers never try HTTP again.",
        references: &[
            "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#server-side-https-enforcement-through-redirect",
            "https://cloud.google.com/kubernetes-engine/docs/concepts/ingress-xlb#disabling_http",
            "45 CFR 164.312(e)(1)",
        ],
    },
    check,
};

/// (annotation, value that keeps plain HTTP open).
const OPEN: &[(&str, &str)] = &[
    ("nginx.ingress.kubernetes.io/ssl-redirect", "false"),
    ("nginx.ingress.kubernetes.io/force-ssl-redirect", "false"),
    ("kubernetes.io/ingress.allow-http", "true"),
];

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for group in ["networking.k8s.io", "extensions"] {
        for (id, ing) in cx.objects_of_kind(group, "Ingress") {
            for (key, bad) in OPEN {
                let Some(node) = ing.root.at(&["metadata", "annotations", key]) else {
                    continue;
                };
                let Some(value) = node.as_str() else { continue };
                if value.trim().eq_ignore_ascii_case(bad) {
                    out.at(
                        id,
                        node,
                        format!("metadata.annotations[\"{key}\"]"),
                        format!(
                            "Ingress \"{}\" sets {key}: \"{}\", keeping plain HTTP open",
                            ing.name(),
                            value.trim()
                        ),
                    );
                }
            }
        }
    }
}
