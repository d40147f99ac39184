//! PS014 container-runtime-socket.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "PS014",
    name: "container-runtime-socket",
    family: Family::PS,
    severity: Severity::Critical,
    title: "Pod mounts the container runtime socket",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_27"],
        kubescape: &["C-0074"],
        trivy: &["KSV-0006"],
        kube_linter: &["docker-sock"],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags a `hostPath` volume whose path is a container runtime socket, or a directory that \
contains one, at `hostPath.path`. Paths are compared after removing duplicate and trailing slashes, and `/var/run` \
is read as `/run` (it is a symlink to it on current distributions). Reported paths:\n\
- the sockets of Docker (`/run/docker.sock`), containerd (`/run/containerd/containerd.sock`, \
`/run/k3s/containerd/containerd.sock`, `/run/docker/containerd/containerd.sock`), CRI-O (`/run/crio/crio.sock`), \
cri-dockerd, dockershim and Podman, under `/run` or `/var/run`;\n\
- any path whose file name is `docker.sock`, `containerd.sock`, `crio.sock`, `cri-dockerd.sock`, \
`dockershim.sock` or `podman.sock` (e.g. MicroK8s' `/var/snap/microk8s/common/run/containerd.sock`);\n\
- a directory above one of those sockets: `/`, `/run`, `/var/run`, `/run/containerd`, `/run/crio`, ...",
        why_it_matters: "Whoever can talk to the runtime socket controls the node: they can start a privileged \
container with the host's root file system, exec into any other container, and read the memory, environment, \
Secrets and volumes of every pod on the node, including all PHI it processes. No Kubernetes RBAC or audit log \
stands in the way, so none of the access controls required by 164.312(a)(1) hold for that node.",
        example: "volumes:\n  - name: docker\n    hostPath:\n      path: /var/run/docker.sock\n      type: Socket",
        remediation: "Remove the volume. Build images with a daemonless builder (BuildKit rootless, kaniko, \
buildah) instead of Docker-in-Docker through the socket; collect container metrics through the kubelet or the CRI \
API of a dedicated node agent that runs outside PHI namespaces, with a documented waiver.",
        references: &[
            "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

/// Runtime sockets, with `/var/run` written as `/run`.
const SOCKETS: &[&str] = &[
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/run/k3s/containerd/containerd.sock",
    "/run/docker/containerd/containerd.sock",
    "/run/crio/crio.sock",
    "/run/cri-dockerd.sock",
    "/run/dockershim.sock",
    "/run/podman/podman.sock",
];

/// File names of runtime sockets, wherever they are.
const SOCKET_NAMES: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "dockershim.sock",
    "podman.sock",
];

/// Collapses repeated slashes, drops a trailing slash and reads `/var/run` as `/run`.
fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let mut s = format!("/{}", parts.join("/"));
    if s == "/var/run" || s.starts_with("/var/run/") {
        s = s["/var".len()..].to_string();
    }
    s
}

/// `Some(true)` for a socket, `Some(false)` for a directory that contains one.
fn classify(path: &str) -> Option<bool> {
    if !path.starts_with('/') {
        return None;
    }
    let p = normalize(path);
    let file = p.rsplit('/').next().unwrap_or("");
    if SOCKETS.contains(&p.as_str()) || SOCKET_NAMES.contains(&file) {
        return Some(true);
    }
    let dir = if p == "/" {
        "/".to_string()
    } else {
        format!("{p}/")
    };
    SOCKETS.iter().any(|s| s.starts_with(&dir)).then_some(false)
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        let volumes = w.spec.get("volumes").map(Node::as_seq).unwrap_or(&[]);
        for (i, v) in volumes.iter().enumerate() {
            let Some(node) = v.at(&["hostPath", "path"]) else {
                continue;
            };
            let Some(path) = node.as_str() else { continue };
            let Some(is_socket) = classify(path) else {
                continue;
            };
            let name = v.get("name").and_then(Node::as_str).unwrap_or("");
            let message = if is_socket {
                format!(
                    "{}: volume \"{name}\" mounts the container runtime socket {path}",
                    w.describe()
                )
            } else {
                format!(
                    "{}: volume \"{name}\" mounts host directory {path}, which contains the container runtime socket",
                    w.describe()
                )
            };
            out.at(
                w.id,
                node,
                w.path(&format!("volumes[{i}].hostPath.path")),
                message,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::classify;

    #[test]
    fn sockets_and_their_directories() {
        assert_eq!(classify("/var/run/docker.sock"), Some(true));
        assert_eq!(classify("//run//containerd/containerd.sock"), Some(true));
        assert_eq!(
            classify("/var/snap/microk8s/common/run/containerd.sock"),
            Some(true)
        );
        assert_eq!(classify("/var/run/"), Some(false));
        assert_eq!(classify("/run/containerd"), Some(false));
        assert_eq!(classify("/"), Some(false));
        assert_eq!(classify("/var/log"), None);
        assert_eq!(classify("/var"), None);
        assert_eq!(classify("/run/secrets/app.sock"), None);
        assert_eq!(classify("docker.sock"), None);
    }
}
