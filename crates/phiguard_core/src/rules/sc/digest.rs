//! SC002 image-not-pinned-by-digest.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util::container_images;

pub const RULE: Rule = Rule {
    code: "SC002",
    name: "image-not-pinned-by-digest",
    family: Family::SC,
    severity: Severity::Low,
    title: "Image is not pinned by digest",
    hipaa: &["164.312(c)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_43"],
        kubescape: &["C-0306"],
        trivy: &[],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags the `image` of a container, init container or ephemeral container that is not \
pinned by a well-formed content digest: `@sha256:` followed by 64 hex digits (or `@sha512:` and 128). A malformed \
digest is reported too, since the runtime would refuse it.",
        why_it_matters: "A tag, even a version tag, can be moved to a different image by anyone with push access \
to the registry, or by an attacker who has it. A digest names exactly one image: what was scanned, signed and \
approved is what runs. That is the simplest verifiable integrity control (164.312(c)(1)) for the software that \
handles ePHI.",
        example: "containers:\n  - name: api\n    image: registry.example.com/api:1.4.2",
        remediation: "Append the digest of the approved image (keep the tag for readability):\n\n```yaml\nimage: registry.example.com/api:1.4.2@sha256:<digest>\n```\n\n\
Get it with `crane digest registry.example.com/api:1.4.2` or `docker buildx imagetools inspect`, or let your CD \
tool (Kustomize `images`, Flux or Argo CD image updaters, Renovate) write it.",
        references: &[
            "https://kubernetes.io/docs/concepts/containers/images/#image-names",
            "45 CFR 164.312(c)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (w, c, node, r) in container_images(cx) {
        let image = node.as_str().unwrap_or("");
        if r.pinned() {
            continue;
        }
        let problem = if r.digest.is_some() {
            "has a malformed digest"
        } else {
            "is not pinned by digest"
        };
        out.at(
            w.id,
            node,
            w.cpath(&c, "image"),
            format!("{} image {} {problem}", c.describe(), image.trim()),
        );
    }
}
