//! `who-can get secrets -n <ns>` over real installs from the shared corpus, against answers checked by hand from
//! the manifests (each expectation says why). Skips with a message when the corpus is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::rbac::matching::parse_target;
use phiguard_core::rbac::{Model, Options, QueryScope};
use phiguard_core::source::walk;
use phiguard_core::Source;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/manifests"
    ));
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        eprintln!(
            "SKIPPED: the shared corpus {} is absent; the who-can corpus expectations were not checked",
            dir.display()
        );
        None
    }
}

fn who_can(
    paths: &[PathBuf],
    default_ns: Option<&str>,
    verb: &str,
    resource: &str,
    name: Option<&str>,
    ns: &str,
) -> Vec<String> {
    let mut sources = Vec::new();
    for p in paths {
        for f in walk(p).unwrap() {
            sources.push(Source::new(
                f.display().to_string(),
                std::fs::read_to_string(&f).unwrap(),
            ));
        }
    }
    assert!(!sources.is_empty(), "no inputs in {paths:?}");
    let (objects, errors, _) = load(&sources);
    assert!(errors.is_empty(), "{errors:?}");
    let inv = Inventory::new(sources, objects);
    let model = Model::build_with(
        &inv,
        &Options {
            bootstrap: true,
            default_namespace: default_ns.map(str::to_string),
        },
    );
    let target = parse_target(resource, name).unwrap();
    let mut rows: Vec<String> = model
        .who_can(verb, &target, &QueryScope::Namespace(ns.to_string()))
        .iter()
        .map(|g| {
            let b = &model.bindings[g.binding];
            let rule = &model.rules[g.rule];
            // Every answer cites a real position.
            assert!(b.subjects[g.subject].loc.line > 0 && rule.loc.line > 0);
            format!(
                "{} via {} ({})",
                b.subjects[g.subject].subject.describe(),
                b.describe(),
                rule.role
            )
        })
        .collect();
    rows.sort();
    rows
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// Argo CD `manifests/install.yaml`, applied with `-n argocd` (its namespaced objects name no namespace).
/// Hand check: the Roles of application-controller, applicationset-controller, dex-server and server grant
/// `get` on secrets without `resourceNames`; application-controller's ClusterRole is `*/*/*`,
/// applicationset-controller's ClusterRole reads secrets, server's ClusterRole has get on `*` in `*` groups.
/// notifications-controller only has list/watch plus get limited to `argocd-notifications-secret`, and redis only
/// get on `argocd-redis`: an unnamed get is denied to both. From the bootstrap policy: system:masters holds
/// cluster-admin, and system:kube-controller-manager has get on secrets (in every expectation below).
#[test]
fn argo_cd_get_secrets_in_argocd() {
    let Some(c) = corpus() else { return };
    let install = [c.join("argoproj__argo-cd/manifests/install.yaml")];
    let rows = who_can(&install, Some("argocd"), "get", "secrets", None, "argocd");
    assert_eq!(
        rows,
        sorted(&[
            "Group \"system:masters\" via ClusterRoleBinding \"cluster-admin\" (ClusterRole \"cluster-admin\")",
            "User \"system:kube-controller-manager\" via ClusterRoleBinding \"system:kube-controller-manager\" (ClusterRole \"system:kube-controller-manager\")",
            "ServiceAccount \"argocd/argocd-application-controller\" via ClusterRoleBinding \"argocd-application-controller\" (ClusterRole \"argocd-application-controller\")",
            "ServiceAccount \"argocd/argocd-application-controller\" via RoleBinding \"argocd/argocd-application-controller\" (Role \"argocd/argocd-application-controller\")",
            "ServiceAccount \"argocd/argocd-applicationset-controller\" via ClusterRoleBinding \"argocd-applicationset-controller\" (ClusterRole \"argocd-applicationset-controller\")",
            "ServiceAccount \"argocd/argocd-applicationset-controller\" via RoleBinding \"argocd/argocd-applicationset-controller\" (Role \"argocd/argocd-applicationset-controller\")",
            "ServiceAccount \"argocd/argocd-dex-server\" via RoleBinding \"argocd/argocd-dex-server\" (Role \"argocd/argocd-dex-server\")",
            "ServiceAccount \"argocd/argocd-server\" via ClusterRoleBinding \"argocd-server\" (ClusterRole \"argocd-server\")",
            "ServiceAccount \"argocd/argocd-server\" via RoleBinding \"argocd/argocd-server\" (Role \"argocd/argocd-server\")",
        ])
    );
    // Naming the redis Secret admits the redis Role's named rule.
    let named = who_can(
        &install,
        Some("argocd"),
        "get",
        "secrets",
        Some("argocd-redis"),
        "argocd",
    );
    assert_eq!(named.len(), rows.len() + 1);
    assert!(named
        .iter()
        .any(|r| r.starts_with("ServiceAccount \"argocd/argocd-redis\"")));
    // In another namespace only the ClusterRoleBindings remain.
    let elsewhere = who_can(&install, Some("argocd"), "get", "secrets", None, "clinic");
    assert_eq!(elsewhere.len(), 5, "{elsewhere:#?}");
}

/// Flux `manifests/rbac/`: ClusterRole `crd-controller` reads secrets (get/list/watch in the core group) and is
/// bound cluster-wide to the seven controllers; `cluster-reconciler` binds cluster-admin to kustomize-controller
/// and helm-controller. flux-view and flux-edit aggregate into view/edit/admin but grant only Flux API groups.
#[test]
fn flux_get_secrets_in_flux_system() {
    let Some(c) = corpus() else { return };
    let rows = who_can(
        &[c.join("fluxcd__flux2/manifests/rbac")],
        None,
        "get",
        "secrets",
        None,
        "flux-system",
    );
    let mut want = vec![
        "Group \"system:masters\" via ClusterRoleBinding \"cluster-admin\" (ClusterRole \"cluster-admin\")".to_string(),
        "User \"system:kube-controller-manager\" via ClusterRoleBinding \"system:kube-controller-manager\" (ClusterRole \"system:kube-controller-manager\")".to_string(),
        "ServiceAccount \"flux-system/helm-controller\" via ClusterRoleBinding \"cluster-reconciler\" (ClusterRole \"cluster-admin\")".to_string(),
        "ServiceAccount \"flux-system/kustomize-controller\" via ClusterRoleBinding \"cluster-reconciler\" (ClusterRole \"cluster-admin\")".to_string(),
    ];
    for sa in [
        "kustomize-controller",
        "helm-controller",
        "source-controller",
        "notification-controller",
        "image-reflector-controller",
        "image-automation-controller",
        "source-watcher",
    ] {
        want.push(format!(
            "ServiceAccount \"flux-system/{sa}\" via ClusterRoleBinding \"crd-controller\" (ClusterRole \"crd-controller\")"
        ));
    }
    want.sort();
    assert_eq!(rows, want);
}

/// prometheus-operator `example/rbac/`: the operator's ClusterRole grants `*` on configmaps and secrets and is
/// bound to ServiceAccount default/prometheus-operator; the prometheus and prometheus-agent roles read only
/// nodes, services, endpoints, pods, configmaps and URLs.
#[test]
fn prometheus_operator_get_secrets_in_default() {
    let Some(c) = corpus() else { return };
    let rows = who_can(
        &[c.join("prometheus-operator__prometheus-operator/example/rbac")],
        None,
        "get",
        "secrets",
        None,
        "default",
    );
    assert_eq!(
        rows,
        sorted(&[
            "Group \"system:masters\" via ClusterRoleBinding \"cluster-admin\" (ClusterRole \"cluster-admin\")",
            "User \"system:kube-controller-manager\" via ClusterRoleBinding \"system:kube-controller-manager\" (ClusterRole \"system:kube-controller-manager\")",
            "ServiceAccount \"default/prometheus-operator\" via ClusterRoleBinding \"prometheus-operator\" (ClusterRole \"prometheus-operator\")",
        ])
    );
}

/// Calico `manifests/calico.yaml`: no Calico role grants secrets; calico-kube-controllers has `*` resources, but
/// only in the projectcalico.org and crd.projectcalico.org groups, which never match core-group secrets.
#[test]
fn calico_get_secrets_in_kube_system() {
    let Some(c) = corpus() else { return };
    let rows = who_can(
        &[c.join("projectcalico__calico/manifests/calico.yaml")],
        None,
        "get",
        "secrets",
        None,
        "kube-system",
    );
    assert_eq!(
        rows,
        sorted(&[
            "Group \"system:masters\" via ClusterRoleBinding \"cluster-admin\" (ClusterRole \"cluster-admin\")",
            "User \"system:kube-controller-manager\" via ClusterRoleBinding \"system:kube-controller-manager\" (ClusterRole \"system:kube-controller-manager\")",
        ])
    );
}
