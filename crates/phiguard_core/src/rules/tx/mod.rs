//! TX rules.

use crate::finding::Out;
use crate::inventory::Container;
use crate::rule::{Ctx, Rule, WorkloadView};
use crate::source::Object;
use crate::yaml::Node;

pub mod database_tls_disabled;
pub mod ingress_ssl_redirect;
pub mod ingress_tls;
pub mod plaintext_database;
pub mod plaintext_dicom;
pub mod plaintext_hl7;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[
    ingress_tls::RULE,
    plaintext_database::RULE,
    plaintext_hl7::RULE,
    plaintext_dicom::RULE,
    ingress_ssl_redirect::RULE,
    database_tls_disabled::RULE,
];

/// The annotation that declares a listener encrypted (by the application, a sidecar or a mesh).
pub(crate) const TLS_ANNOTATION: &str = "phiguard.io/tls";

/// Whether an object carries `phiguard.io/tls: "true"`.
pub(crate) fn object_tls(obj: &Object) -> bool {
    obj.annotation(TLS_ANNOTATION)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// Whether a workload or its pod template carries `phiguard.io/tls: "true"`.
pub(crate) fn workload_tls(w: &WorkloadView<'_>) -> bool {
    object_tls(w.object)
        || w.workload
            .pod_annotations
            .get(TLS_ANNOTATION)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// `containerPort` entries of a container: (index in `ports`, port, node).
pub(crate) fn container_ports<'a>(c: &Container<'a>) -> Vec<(usize, i64, &'a Node)> {
    c.node
        .get("ports")
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let n = p.get("containerPort")?;
            Some((i, n.as_i64()?, n))
        })
        .collect()
}

/// Strings of a container's `command` and `args`, with their paths relative to the container.
pub(crate) fn command_args<'a>(c: &Container<'a>) -> Vec<(String, &'a str, &'a Node)> {
    let mut out = Vec::new();
    for field in ["command", "args"] {
        for (i, n) in c
            .node
            .get(field)
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            if let Some(s) = n.as_str() {
                out.push((format!("{field}[{i}]"), s, n));
            }
        }
    }
    out
}

/// Literal `env` entries of a container: (index, name, value, value node).
pub(crate) fn env_values<'a>(c: &Container<'a>) -> Vec<(usize, &'a str, &'a str, &'a Node)> {
    c.node
        .get("env")
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let name = e.get("name").and_then(Node::as_str)?;
            let node = e.get("value")?;
            Some((i, name, node.as_str()?, node))
        })
        .collect()
}

/// Reports unencrypted listeners on well-known plaintext ports: container ports of workloads and ports or
/// target ports of Services, unless the object is annotated `phiguard.io/tls: "true"`.
pub(crate) fn plaintext_ports(cx: &Ctx<'_>, out: &mut Out, ports: &[i64], protocol: &str) {
    for w in cx.workloads() {
        if workload_tls(&w) {
            continue;
        }
        for c in w.containers() {
            for (i, port, node) in container_ports(&c) {
                if ports.contains(&port) {
                    out.at(
                        w.id,
                        node,
                        w.cpath(&c, &format!("ports[{i}].containerPort")),
                        format!(
                            "{} listens on {protocol} port {port} without TLS",
                            c.describe()
                        ),
                    );
                }
            }
        }
    }
    for (id, svc) in cx.objects_of_kind("", "Service") {
        if object_tls(svc) {
            continue;
        }
        let items = svc
            .root
            .at(&["spec", "ports"])
            .map(Node::as_seq)
            .unwrap_or(&[]);
        for (i, p) in items.iter().enumerate() {
            let hit = ["port", "targetPort"].into_iter().find_map(|field| {
                let n = p.get(field)?;
                let port = n.as_i64()?;
                ports.contains(&port).then_some((field, port, n))
            });
            if let Some((field, port, n)) = hit {
                out.at(
                    id,
                    n,
                    format!("spec.ports[{i}].{field}"),
                    format!(
                        "Service \"{}\" exposes {protocol} port {port} without TLS",
                        svc.name()
                    ),
                );
            }
        }
    }
}
