//! SE005 unencrypted-storage-class.

use std::collections::BTreeMap;

use crate::finding::Out;
use crate::inventory::ObjectId;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "SE005",
    name: "unencrypted-storage-class",
    family: Family::SE,
    severity: Severity::High,
    title: "StorageClass provisions unencrypted volumes",
    hipaa: &["164.312(a)(2)(iv)", "164.310(d)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0264"],
        trivy: &[],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags StorageClasses (`storage.k8s.io`) that provision unencrypted volumes:\n- an AWS EBS \
provisioner (`ebs.csi.aws.com`, `kubernetes.io/aws-ebs`) without `parameters.encrypted: \"true\"`, since EBS volumes \
are unencrypted unless the parameter is set or encryption by default is enabled on the account (which a manifest \
cannot show);\n- any provisioner with `parameters.encrypted: \"false\"`.\nThen, for objects in PHI scope, flags \
each PersistentVolumeClaim and StatefulSet `volumeClaimTemplates` entry whose `storageClassName` names such a \
class, or that has no `storageClassName` while the cluster's default class (annotation \
`storageclass.kubernetes.io/is-default-class: \"true\"`) is such a class.\n\nGCE Persistent Disk \
(`pd.csi.storage.gke.io`, `kubernetes.io/gce-pd`), Azure Disk (`disk.csi.azure.com`, `kubernetes.io/azure-disk`) \
and Azure Files are encrypted at rest by the platform and are not flagged unless a parameter explicitly disables \
encryption; customer-managed keys for those are out of scope of this rule.",
        why_it_matters: "Volumes of databases, queues and file stores hold PHI at rest. An unencrypted EBS volume \
is readable from its snapshots, from a detached volume attached elsewhere, and from the decommissioned media. \
Encryption (164.312(a)(2)(iv)) is the addressable safeguard auditors expect for ePHI at rest, and device and media \
controls (164.310(d)(1)) require that media reused or disposed of not expose it.",
        example: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: gp3\nprovisioner: \
ebs.csi.aws.com\nparameters:\n  type: gp3",
        remediation: "Set `encrypted: \"true\"` (and `kmsKeyId` for a customer-managed key) on the StorageClass, \
create a new class if the old one is in use (parameters are immutable), and migrate PHI volumes by snapshot and \
restore into encrypted volumes:\n\nparameters:\n  type: gp3\n  encrypted: \"true\"\n  kmsKeyId: \
arn:aws:kms:us-east-1:111122223333:key/...",
        references: &[
            "https://kubernetes.io/docs/concepts/storage/storage-classes/",
            "https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md",
            "45 CFR 164.312(a)(2)(iv), 164.310(d)(1)",
        ],
    },
    check,
};

const EBS: &[&str] = &["ebs.csi.aws.com", "kubernetes.io/aws-ebs"];
const DEFAULT_CLASS: &[&str] = &[
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
];

fn param<'a>(params: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    params.and_then(|p| p.get(key)).filter(|n| !n.is_null())
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    // Unencrypted classes by name, and whether one of them is the default class.
    let mut unencrypted: BTreeMap<&str, (ObjectId, &str)> = BTreeMap::new();
    let mut default_unencrypted: Option<&str> = None;
    for (id, sc) in cx.objects_of_kind("storage.k8s.io", "StorageClass") {
        let provisioner = sc
            .root
            .get("provisioner")
            .and_then(Node::as_str)
            .unwrap_or("");
        let params = sc.root.get("parameters").filter(|n| !n.is_null());
        let encrypted = param(params, "encrypted");
        let value = encrypted
            .and_then(Node::as_str)
            .map(|s| s.trim().to_ascii_lowercase());
        let (node, path, why) = if value.as_deref() == Some("false") {
            (
                encrypted,
                "parameters.encrypted",
                "sets parameters.encrypted: \"false\"".to_string(),
            )
        } else if EBS.contains(&provisioner) && value.as_deref() != Some("true") {
            match encrypted {
                Some(n) => (
                    Some(n),
                    "parameters.encrypted",
                    format!("uses {provisioner} without parameters.encrypted: \"true\""),
                ),
                None => match params {
                    Some(p) => (
                        Some(p),
                        "parameters",
                        format!("uses {provisioner} without parameters.encrypted: \"true\""),
                    ),
                    None => (
                        sc.root.get("provisioner"),
                        "provisioner",
                        format!("uses {provisioner} without parameters.encrypted: \"true\""),
                    ),
                },
            }
        } else {
            continue;
        };
        let Some(node) = node else {
            continue;
        };
        out.at(
            id,
            node,
            path,
            format!("StorageClass \"{}\" {why}", sc.name()),
        );
        unencrypted.insert(sc.name(), (id, provisioner));
        if DEFAULT_CLASS
            .iter()
            .any(|k| sc.annotation(k).is_some_and(|v| v.trim() == "true"))
        {
            default_unencrypted = Some(sc.name());
        }
    }
    if unencrypted.is_empty() {
        return;
    }

    // Claims in PHI scope: (object, claim spec, path of the claim spec, description).
    let mut claims: Vec<(ObjectId, &Node, String, String)> = Vec::new();
    for (id, pvc) in cx.objects_of_kind("", "PersistentVolumeClaim") {
        if let Some(spec) = pvc.root.get("spec").filter(|_| cx.is_phi(id)) {
            claims.push((
                id,
                spec,
                "spec".to_string(),
                format!("PersistentVolumeClaim \"{}\"", pvc.name()),
            ));
        }
    }
    for (id, sts) in cx.objects_of_kind("apps", "StatefulSet") {
        if !cx.is_phi(id) {
            continue;
        }
        let templates = sts
            .root
            .at(&["spec", "volumeClaimTemplates"])
            .map(Node::as_seq)
            .unwrap_or(&[]);
        for (i, t) in templates.iter().enumerate() {
            if let Some(spec) = t.get("spec") {
                let name = t
                    .at(&["metadata", "name"])
                    .and_then(Node::as_str)
                    .unwrap_or("");
                claims.push((
                    id,
                    spec,
                    format!("spec.volumeClaimTemplates[{i}].spec"),
                    format!("StatefulSet \"{}\" volume claim \"{name}\"", sts.name()),
                ));
            }
        }
    }
    claims.sort_by_key(|c| c.0);
    for (id, spec, path, describe) in claims {
        match spec.get("storageClassName").filter(|n| !n.is_null()) {
            Some(n) => {
                let Some(class) = n.as_str() else { continue };
                if let Some((sc_id, provisioner)) = unencrypted.get(class) {
                    out.at(
                        id,
                        n,
                        format!("{path}.storageClassName"),
                        format!(
                            "{describe} in PHI scope uses unencrypted StorageClass \"{class}\" ({provisioner})"
                        ),
                    );
                    related(cx, out, *sc_id);
                }
            }
            None => {
                if let Some(class) = default_unencrypted {
                    out.at(
                        id,
                        spec,
                        path,
                        format!(
                            "{describe} in PHI scope has no storageClassName and gets the default StorageClass \"{class}\", which is unencrypted"
                        ),
                    );
                    if let Some((sc_id, _)) = unencrypted.get(class) {
                        related(cx, out, *sc_id);
                    }
                }
            }
        }
    }
}

fn related(cx: &Ctx<'_>, out: &mut Out, sc_id: ObjectId) {
    let sc = cx.inv.object(sc_id);
    if let Some(n) = sc.root.at(&["metadata", "name"]) {
        out.related(sc_id, n, format!("StorageClass \"{}\"", sc.name()));
    }
}
