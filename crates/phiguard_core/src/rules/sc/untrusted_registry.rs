//! SC003 untrusted-registry.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util::container_images;

pub const RULE: Rule = Rule {
    code: "SC003",
    name: "untrusted-registry",
    family: Family::SC,
    severity: Severity::High,
    title: "Image comes from a registry that is not trusted",
    hipaa: &["164.308(a)(5)(ii)(B)", "164.312(c)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0078", "C-0001"],
        trivy: &["KSV-0125", "KSV-0032", "KSV-0033", "KSV-0034", "KSV-0035"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Runs only when `[images] trusted-registries` in phiguard.toml is not empty. Flags the \
`image` of a container, init container or ephemeral container whose fully qualified reference does not start with \
one of the trusted prefixes. References are normalized first: no registry host means Docker Hub (`nginx:1.27` is \
`docker.io/library/nginx:1.27`, `bitnami/redis` is `docker.io/bitnami/redis`), and `index.docker.io` is read as \
`docker.io`. A prefix without a `/` (a bare host such as `registry.example.com`) must be followed by `/`, so it \
does not also trust `registry.example.com.attacker.io`. Comparison is case-insensitive.",
        why_it_matters: "Images pulled from public or unknown registries have not passed your vulnerability \
scanning, signing and approval process, and can be replaced by their publisher at any time. Restricting PHI \
workloads to a vetted registry is how protection from malicious software (164.308(a)(5)(ii)(B)) and the integrity \
of the software that processes ePHI (164.312(c)(1)) are enforced for containers.",
        example: "# phiguard.toml: [images] trusted-registries = [\"registry.example.com/\"]\ncontainers:\n  - name: api\n    image: docker.io/someone/api:1.0.0",
        remediation: "Mirror or rebuild the image into a trusted registry, scan and sign it there, and reference \
it from there:\n\n```yaml\nimage: registry.example.com/mirror/api:1.0.0@sha256:<digest>\n```\n\n\
Enforce the same list at admission (Kyverno, Gatekeeper `K8sAllowedRepos` or a ValidatingAdmissionPolicy) and \
list every trusted prefix in phiguard.toml:\n\n```toml\n[images]\ntrusted-registries = [\"registry.example.com/\", \"docker.io/library/\"]\n```",
        references: &[
            "https://kubernetes.io/docs/concepts/containers/images/",
            "45 CFR 164.308(a)(5)(ii)(B), 164.312(c)(1)",
        ],
    },
    check,
};

/// A trusted prefix, lower-cased, with `index.docker.io` read as `docker.io` and a bare host followed by `/`.
fn normalize_prefix(prefix: &str) -> String {
    let p = prefix.trim().to_ascii_lowercase();
    let p = match p.strip_prefix("index.docker.io") {
        Some(rest) => format!("docker.io{rest}"),
        None => p,
    };
    if p.contains('/') {
        p
    } else {
        format!("{p}/")
    }
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    let trusted: Vec<String> = cx
        .settings
        .trusted_registries
        .iter()
        .map(|p| normalize_prefix(p))
        .filter(|p| p != "/")
        .collect();
    if trusted.is_empty() {
        return;
    }
    for (w, c, node, r) in container_images(cx) {
        let image = node.as_str().unwrap_or("");
        let full = r.normalized();
        if trusted.iter().any(|p| full.starts_with(p.as_str())) {
            continue;
        }
        let shown = if full == image.trim() {
            full.clone()
        } else {
            format!("{} ({full})", image.trim())
        };
        out.at(
            w.id,
            node,
            w.cpath(&c, "image"),
            format!(
                "{} image {shown} is not from a trusted registry ({})",
                c.describe(),
                cx.settings.trusted_registries.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_prefix;
    use crate::image::ImageRef;

    #[test]
    fn image_references() {
        let r = ImageRef::parse("localhost:5000/app").unwrap();
        assert_eq!(
            (r.host, r.repository, r.tag),
            (Some("localhost:5000"), "app", None)
        );
        let r = ImageRef::parse("app:5000").unwrap();
        assert_eq!((r.host, r.tag), (None, Some("5000")));
        assert_eq!(
            ImageRef::parse("nginx").unwrap().normalized(),
            "docker.io/library/nginx"
        );
        assert_eq!(
            ImageRef::parse("Index.Docker.IO/bitnami/redis:7")
                .unwrap()
                .normalized(),
            "docker.io/bitnami/redis:7"
        );
        let d = format!("ghcr.io/o/a@sha256:{}", "a".repeat(64));
        assert!(ImageRef::parse(&d).unwrap().pinned());
        assert!(!ImageRef::parse("ghcr.io/o/a@sha256:abc").unwrap().pinned());
        assert!(ImageRef::parse("  ").is_none());
    }

    #[test]
    fn bare_hosts_need_a_slash() {
        assert_eq!(
            normalize_prefix("Registry.example.com"),
            "registry.example.com/"
        );
        assert_eq!(
            normalize_prefix("index.docker.io/library/"),
            "docker.io/library/"
        );
    }
}
