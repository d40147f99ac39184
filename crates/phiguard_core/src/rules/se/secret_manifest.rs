//! SE003 secret-manifest-committed.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "SE003",
    name: "secret-manifest-committed",
    family: Family::SE,
    severity: Severity::High,
    title: "Secret values are committed in a manifest",
    hipaa: &["164.312(a)(2)(iv)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Flags `kind: Secret` objects whose `data` or `stringData` has at least one non-empty \
value, one finding per field, at the field. The message gives the number of keys, never the values. Secrets \
without values (an empty `type: kubernetes.io/service-account-token` Secret that the control plane fills in, or \
a skeleton whose values are empty) do not fire. Encrypted forms (SealedSecret, SOPS-encrypted files, \
ExternalSecret) are other kinds and are not flagged.",
        why_it_matters: "The values of a Secret manifest are only base64-encoded, which is not encryption: whoever \
can read the repository, a CI artifact or a rendered Helm chart has the credentials, forever, because Git keeps \
history. Encryption and decryption (164.312(a)(2)(iv)) requires that the keys and passwords protecting ePHI be \
stored encrypted, with access limited to the systems that need them.",
        example: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ehr-db\ntype: Opaque\ndata:\n  password: \
czNjcjN0",
        remediation: "Do not commit Secret values. Keep them in a secret manager and sync them with External \
Secrets Operator or the Secrets Store CSI driver, or commit them encrypted (Sealed Secrets, SOPS with a KMS key). \
Rotate every credential that was committed, since it stays in the repository history.",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/secret/",
            "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
            "45 CFR 164.312(a)(2)(iv)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, s) in cx.objects_of_kind("", "Secret") {
        for field in ["data", "stringData"] {
            let Some(node) = s.root.get(field) else {
                continue;
            };
            let entries = node.as_map();
            let filled = entries.iter().any(|(_, v)| {
                !v.is_null() && !matches!(v.as_str(), Some(t) if t.trim().is_empty())
            });
            if !filled {
                continue;
            }
            let n = entries.len();
            out.at(
                id,
                node,
                field,
                format!(
                    "Secret \"{}\" commits {n} key{} in {field}",
                    s.name(),
                    if n == 1 { "" } else { "s" }
                ),
            );
        }
    }
}
