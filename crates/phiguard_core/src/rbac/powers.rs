//! Derived powers: what a set of RBAC permissions lets a subject do beyond the literal verbs, each with its
//! reason. Follows the "privilege escalation risks" of the Kubernetes RBAC good-practices page
//! (https://kubernetes.io/docs/concepts/security/rbac-good-practices/).

use std::collections::{BTreeMap, BTreeSet};

use super::matching::{is_cluster_scoped_resource, rule_reaches};
use super::{Identity, Model, RoleKind, SubjectKind, SubjectRef};
use crate::scope::Scope;

/// Verbs on resources of one API group; a rule satisfies the probe when it reaches any verb on any resource
/// (ignoring `resourceNames`, which are reported as a limitation instead).
#[derive(Debug)]
pub struct Probe {
    pub verbs: &'static [&'static str],
    pub group: &'static str,
    /// `resource` or `resource/subresource`.
    pub resources: &'static [&'static str],
}

#[derive(Debug, serde::Serialize)]
pub struct Power {
    pub id: &'static str,
    pub title: &'static str,
    pub reason: &'static str,
    /// Powers that can undo network segmentation.
    pub segmentation: bool,
    /// Every item must be met, each by any of its probes.
    #[serde(skip)]
    pub requires: &'static [&'static [Probe]],
}

const WRITE: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

pub static POWERS: &[Power] = &[
    Power {
        id: "read-secrets",
        title: "read Secrets",
        reason: "get, list and watch on secrets all return the Secrets' contents (list and watch return every \
Secret in scope): the passwords, keys and tokens that guard PHI data stores",
        segmentation: false,
        requires: &[&[Probe {
            verbs: &["get", "list", "watch"],
            group: "",
            resources: &["secrets"],
        }]],
    },
    Power {
        id: "exec",
        title: "exec, attach or port-forward into pods",
        reason: "runs commands in, attaches to or tunnels into running pods and so reads the PHI they hold in \
memory and on volumes; a WebSocket upgrade needs only get on the subresource (create is also checked from \
Kubernetes 1.35)",
        segmentation: false,
        requires: &[&[Probe {
            verbs: &["create", "get"],
            group: "",
            resources: &["pods/exec", "pods/attach", "pods/portforward"],
        }]],
    },
    Power {
        id: "create-workloads",
        title: "create or change workloads",
        reason: "a pod created (directly or through a controller) in a namespace can run as any ServiceAccount \
of that namespace and mount any of its Secrets, ConfigMaps and volumes, so this subject holds all of their \
permissions and data",
        segmentation: false,
        requires: &[&[
            Probe {
                verbs: &["create"],
                group: "",
                resources: &["pods"],
            },
            Probe {
                verbs: &["create", "update", "patch"],
                group: "",
                resources: &["replicationcontrollers"],
            },
            Probe {
                verbs: &["create", "update", "patch"],
                group: "apps",
                resources: &["deployments", "statefulsets", "daemonsets", "replicasets"],
            },
            Probe {
                verbs: &["create", "update", "patch"],
                group: "batch",
                resources: &["jobs", "cronjobs"],
            },
        ]],
    },
    Power {
        id: "escalate-bind",
        title: "escalate or bind roles",
        reason: "escalate lifts the check that a role can only hold what its author holds, and bind lets a \
binding reference any role: either way the subject can grant itself any permission",
        segmentation: false,
        requires: &[&[Probe {
            verbs: &["escalate", "bind"],
            group: "rbac.authorization.k8s.io",
            resources: &["roles", "clusterroles"],
        }]],
    },
    Power {
        id: "impersonate",
        title: "impersonate users, groups or service accounts",
        reason: "acts as another identity (for groups, as system:masters) with all of its permissions, and the \
audit log records the impersonated identity's actions",
        segmentation: false,
        requires: &[&[
            Probe {
                verbs: &["impersonate"],
                group: "",
                resources: &["users", "groups", "serviceaccounts"],
            },
            Probe {
                verbs: &["impersonate"],
                group: "authentication.k8s.io",
                resources: &["uids", "userextras"],
            },
        ]],
    },
    Power {
        id: "nodes-proxy",
        title: "use nodes/proxy (the kubelet API)",
        reason: "the kubelet API runs commands in every pod of the node, bypassing admission control and API \
audit logging; get is enough through a WebSocket, so get is not read-only here",
        segmentation: false,
        requires: &[&[Probe {
            verbs: &["get", "create", "update", "patch", "delete"],
            group: "",
            resources: &["nodes/proxy"],
        }]],
    },
    Power {
        id: "serviceaccount-token",
        title: "create ServiceAccount tokens",
        reason: "the TokenRequest API mints a token for any ServiceAccount in scope, so the subject acts with \
that account's permissions",
        segmentation: false,
        requires: &[&[Probe {
            verbs: &["create"],
            group: "",
            resources: &["serviceaccounts/token"],
        }]],
    },
    Power {
        id: "csr-approval",
        title: "approve certificate signing requests",
        reason: "approving a CSR for the kube-apiserver-client signer issues a client certificate for any user \
and group, including system:masters, which bypasses RBAC",
        segmentation: false,
        requires: &[
            &[Probe {
                verbs: &["update", "patch"],
                group: "certificates.k8s.io",
                resources: &["certificatesigningrequests/approval"],
            }],
            &[Probe {
                verbs: &["approve"],
                group: "certificates.k8s.io",
                resources: &["signers"],
            }],
        ],
    },
    Power {
        id: "webhook-config",
        title: "write admission webhook or policy configuration",
        reason: "an admission webhook receives (and a mutating one rewrites) every object sent to the API, \
Secrets and PHI-bearing objects included; removing webhooks or policies disables the controls they enforce",
        segmentation: false,
        requires: &[&[Probe {
            verbs: WRITE,
            group: "admissionregistration.k8s.io",
            resources: &[
                "validatingwebhookconfigurations",
                "mutatingwebhookconfigurations",
                "validatingadmissionpolicies",
                "validatingadmissionpolicybindings",
                "mutatingadmissionpolicies",
                "mutatingadmissionpolicybindings",
            ],
        }]],
    },
    Power {
        id: "create-persistentvolumes",
        title: "create PersistentVolumes",
        reason: "a hostPath PersistentVolume mounts any directory of the node into a pod, including other pods' \
volumes with PHI and the kubelet's credentials",
        segmentation: false,
        requires: &[&[Probe {
            verbs: &["create"],
            group: "",
            resources: &["persistentvolumes"],
        }]],
    },
    Power {
        id: "delete-evidence",
        title: "delete or rewrite events",
        reason: "Events are part of the record of what happened in the cluster; deleting or rewriting them \
destroys audit evidence (audit controls, 164.312(b))",
        segmentation: false,
        requires: &[&[
            Probe {
                verbs: &["delete", "deletecollection", "update", "patch"],
                group: "",
                resources: &["events"],
            },
            Probe {
                verbs: &["delete", "deletecollection", "update", "patch"],
                group: "events.k8s.io",
                resources: &["events"],
            },
        ]],
    },
    Power {
        id: "modify-network-policies",
        title: "modify network policies",
        reason: "creating, changing or deleting NetworkPolicies (or Calico, Cilium and admin network policies) \
opens the network paths that segment PHI workloads",
        segmentation: true,
        requires: &[&[
            Probe {
                verbs: WRITE,
                group: "networking.k8s.io",
                resources: &["networkpolicies"],
            },
            Probe {
                verbs: WRITE,
                group: "extensions",
                resources: &["networkpolicies"],
            },
            Probe {
                verbs: WRITE,
                group: "crd.projectcalico.org",
                resources: &["networkpolicies", "globalnetworkpolicies"],
            },
            Probe {
                verbs: WRITE,
                group: "projectcalico.org",
                resources: &["networkpolicies", "globalnetworkpolicies"],
            },
            Probe {
                verbs: WRITE,
                group: "cilium.io",
                resources: &["ciliumnetworkpolicies", "ciliumclusterwidenetworkpolicies"],
            },
            Probe {
                verbs: WRITE,
                group: "policy.networking.k8s.io",
                resources: &["adminnetworkpolicies", "baselineadminnetworkpolicies"],
            },
        ]],
    },
    Power {
        id: "relabel",
        title: "change pod or namespace labels",
        reason: "labels decide which NetworkPolicies select a pod and which namespaceSelectors admit a \
namespace, so relabelling moves workloads into or out of a segment; namespace labels also set the Pod Security \
level",
        segmentation: true,
        requires: &[&[Probe {
            verbs: &["update", "patch"],
            group: "",
            resources: &["pods", "namespaces"],
        }]],
    },
];

pub fn find(id: &str) -> Option<&'static Power> {
    POWERS.iter().find(|p| p.id == id)
}

/// A rule that contributes to a power.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Evidence {
    pub binding: usize,
    pub subject: usize,
    pub rule: usize,
    /// `list secrets`, `create pods/exec`.
    pub what: String,
}

/// A power a subject holds in a scope.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Held {
    pub power: &'static Power,
    /// `None`: cluster-wide (every namespace).
    pub namespace: Option<String>,
    pub evidence: Vec<Evidence>,
    /// When every contributing rule is limited by `resourceNames`: the names it is limited to.
    pub only_names: Vec<String>,
}

/// The first rule among `candidates` meeting a requirement; rules without `resourceNames` are preferred.
/// `in_namespace`: probes on cluster-scoped resources cannot be met through a RoleBinding.
fn meet(
    model: &Model,
    requirement: &[Probe],
    candidates: &[(usize, usize)],
    cluster_only_ok: bool,
) -> Option<Evidence> {
    let mut named: Option<Evidence> = None;
    for &(bi, si) in candidates {
        let b = &model.bindings[bi];
        let via_role_binding = b.kind == RoleKind::Role;
        for &r in model.binding_rules(b) {
            let spec = &model.rules[r].spec;
            for p in requirement {
                for res in p.resources {
                    let (resource, sub) = res.split_once('/').unwrap_or((res, ""));
                    if via_role_binding
                        && is_cluster_scoped_resource(p.group, resource)
                        && !(cluster_only_ok && p.group.is_empty() && resource == "namespaces")
                    {
                        continue;
                    }
                    let verbs: Vec<&str> = p
                        .verbs
                        .iter()
                        .copied()
                        .filter(|v| rule_reaches(spec, v, p.group, resource, sub))
                        .collect();
                    if verbs.is_empty() {
                        continue;
                    }
                    let e = Evidence {
                        binding: bi,
                        subject: si,
                        rule: r,
                        what: format!("{} {res}", verbs.join("/")),
                    };
                    if spec.resource_names.is_empty() {
                        return Some(e);
                    }
                    if named.is_none() {
                        named = Some(e);
                    }
                }
            }
        }
    }
    named
}

fn held_in(
    model: &Model,
    power: &'static Power,
    candidates: &[(usize, usize)],
    namespace: Option<&str>,
) -> Option<Held> {
    let mut evidence = Vec::new();
    for req in power.requires {
        evidence.push(meet(model, req, candidates, namespace.is_some())?);
    }
    let mut only_names: Vec<String> = Vec::new();
    if evidence
        .iter()
        .all(|e| !model.rules[e.rule].spec.resource_names.is_empty())
    {
        for e in &evidence {
            only_names.extend(model.rules[e.rule].spec.resource_names.iter().cloned());
        }
        only_names.sort();
        only_names.dedup();
    }
    Some(Held {
        power,
        namespace: namespace.map(str::to_string),
        evidence,
        only_names,
    })
}

/// The powers of an identity: cluster-wide ones (through ClusterRoleBindings), then per namespace those not
/// already held cluster-wide without a name restriction.
pub fn powers_of(model: &Model, identity: &Identity) -> Vec<Held> {
    let bindings = model.bindings_of(identity);
    let cluster: Vec<(usize, usize)> = bindings
        .iter()
        .copied()
        .filter(|(bi, _)| model.bindings[*bi].namespace.is_none())
        .collect();
    let mut by_ns: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for &(bi, si) in &bindings {
        if let Some(ns) = &model.bindings[bi].namespace {
            by_ns.entry(ns.as_str()).or_default().push((bi, si));
        }
    }
    let mut out = Vec::new();
    for power in POWERS {
        let at_cluster = held_in(model, power, &cluster, None);
        let full_cluster = at_cluster.as_ref().is_some_and(|h| h.only_names.is_empty());
        if let Some(h) = at_cluster {
            out.push(h);
        }
        if full_cluster {
            continue;
        }
        for (ns, list) in &by_ns {
            let mut candidates = list.clone();
            candidates.extend_from_slice(&cluster);
            if let Some(h) = held_in(model, power, &candidates, Some(ns)) {
                if h.evidence
                    .iter()
                    .any(|e| model.bindings[e.binding].namespace.is_some())
                {
                    out.push(h);
                }
            }
        }
    }
    out
}

/// The powers that one binding alone grants (to each of its subjects), in its own scope: its namespace for a
/// RoleBinding, cluster-wide for a ClusterRoleBinding.
pub fn binding_powers(model: &Model, binding: usize) -> Vec<Held> {
    let b = &model.bindings[binding];
    let candidates = [(binding, 0)];
    POWERS
        .iter()
        .filter_map(|p| held_in(model, p, &candidates, b.namespace.as_deref()))
        .collect()
}

/// Whether a held power reaches a namespace (cluster-wide powers reach all of them).
pub fn reaches(h: &Held, namespace: &str) -> bool {
    match h.namespace.as_deref() {
        None => true,
        Some(ns) => ns == namespace,
    }
}

/// The service accounts a subject can act as by creating workloads: every ServiceAccount named by a binding in
/// a namespace where it holds `create-workloads` (in every namespace when held cluster-wide), except itself.
pub fn service_accounts_reachable(
    model: &Model,
    held: &[Held],
    me: &SubjectRef,
) -> Vec<SubjectRef> {
    let scopes: Vec<Option<&str>> = held
        .iter()
        .filter(|h| h.power.id == "create-workloads" && h.only_names.is_empty())
        .map(|h| h.namespace.as_deref())
        .collect();
    if scopes.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<SubjectRef> = model
        .subjects()
        .into_iter()
        .filter(|s| s.kind == SubjectKind::ServiceAccount && s != me)
        .filter(|s| {
            scopes
                .iter()
                .any(|sc| sc.is_none() || *sc == s.namespace.as_deref())
        })
        .collect();
    out.sort();
    out
}

/// Whether a held power touches PHI: it is held in a PHI namespace, or cluster-wide while PHI namespaces exist.
pub fn touches_phi(h: &Held, scope: &Scope) -> bool {
    match &h.namespace {
        None => !scope.namespaces.is_empty(),
        Some(ns) => scope.namespace_in_scope(ns),
    }
}

/// A subject of the risk report: its powers and the PHI namespaces they reach.
#[derive(Clone, Debug)]
pub struct RiskySubject {
    pub subject: SubjectRef,
    pub held: Vec<Held>,
    pub phi_namespaces: BTreeSet<String>,
}

/// The risk report (`phiguard rbac report`): every subject bound in the model that holds a risky power, those
/// reaching the most PHI namespaces first, then those with the most powers. System subjects and subjects bound
/// only by the bootstrap policy are left out unless `include_system`.
pub fn risky_subjects(model: &Model, scope: &Scope, include_system: bool) -> Vec<RiskySubject> {
    let mut risky: Vec<RiskySubject> = Vec::new();
    for s in model.subjects() {
        let only_bootstrap = model
            .bindings
            .iter()
            .filter(|b| b.subjects.iter().any(|x| x.subject == s))
            .all(|b| b.bootstrap);
        if !include_system && (s.is_system() || only_bootstrap) {
            continue;
        }
        let held = powers_of(model, &Identity::of(&s));
        if held.is_empty() {
            continue;
        }
        let phi_namespaces: BTreeSet<String> = scope
            .namespaces
            .keys()
            .filter(|ns| held.iter().any(|h| reaches(h, ns)))
            .cloned()
            .collect();
        risky.push(RiskySubject {
            subject: s,
            held,
            phi_namespaces,
        });
    }
    risky.sort_by(|a, b| {
        (b.phi_namespaces.len(), b.held.len(), &a.subject).cmp(&(
            a.phi_namespaces.len(),
            a.held.len(),
            &b.subject,
        ))
    });
    risky
}
