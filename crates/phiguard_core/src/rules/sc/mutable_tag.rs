//! SC001 image-tag-mutable.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util::container_images;

pub const RULE: Rule = Rule {
    code: "SC001",
    name: "image-tag-mutable",
    family: Family::SC,
    severity: Severity::Medium,
    title: "Image has no tag or uses `latest`",
    hipaa: &["164.312(c)(1)", "164.308(a)(5)(ii)(B)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_14"],
        kubescape: &[],
        trivy: &["KSV-0013"],
        kube_linter: &["latest-tag"],
        polaris: &["tagNotSpecified"],
    },
    docs: Docs {
        what_it_does: "Flags the `image` of a container, init container or ephemeral container that has no tag \
(so Kubernetes pulls `latest`) or the tag `latest`, unless the reference is pinned by a digest \
(`@sha256:` + 64 hex digits). References are parsed as the container runtime does: a first component with a `.` \
or `:`, or `localhost`, is a registry host, so `localhost:5000/app` has no tag while `app:5000` has the tag \
`5000`.",
        why_it_matters: "`latest`, or no tag at all, names whatever was pushed last. Two pods of the same \
Deployment can run different code, a rollback does not restore the previous code, and nobody can say which build \
processed PHI at a given time. Knowing exactly what runs is a precondition of integrity controls (164.312(c)(1)) \
and of keeping unvetted, possibly malicious software out (164.308(a)(5)(ii)(B)).",
        example: "containers:\n  - name: api\n    image: registry.example.com/api:latest",
        remediation: "Deploy an immutable version tag, ideally with its digest:\n\n```yaml\nimage: registry.example.com/api:1.4.2@sha256:<digest>\n```\n\n\
Make tags immutable in the registry as well (ECR, Artifact Registry, Harbor and others have a setting for it).",
        references: &[
            "https://kubernetes.io/docs/concepts/containers/images/#image-names",
            "45 CFR 164.312(c)(1), 164.308(a)(5)(ii)(B)",
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
        let problem = match r.tag {
            None => "has no tag, so the runtime pulls latest",
            Some("latest") => "uses the mutable tag latest",
            Some(_) => continue,
        };
        out.at(
            w.id,
            node,
            w.cpath(&c, "image"),
            format!("{} image {} {problem}", c.describe(), image.trim()),
        );
    }
}
