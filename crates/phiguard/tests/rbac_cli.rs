//! End-to-end tests of `phiguard rbac` on real files: answers cite file:line, formats, exit codes, bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const CLUSTER: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: clinic
  labels:
    phiguard.io/phi: "true"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: devs-edit
  namespace: clinic
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: edit
subjects:
  - kind: Group
    name: developers
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: metrics-reader
  labels:
    rbac.authorization.k8s.io/aggregate-to-view: "true"
rules:
  - apiGroups: ["metrics.k8s.io"]
    resources: ["pods"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: sandbox
  namespace: sandbox
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: admin
subjects:
  - kind: User
    name: intern
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: dangling
  namespace: clinic
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: does-not-exist
subjects:
  - kind: User
    name: ghost
"#;

fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .args(args)
        .current_dir(dir)
        .env_remove("PHIGUARD_LOG")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("phiguard runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cluster.yaml"), CLUSTER).unwrap();
    dir
}

#[test]
fn who_can_cites_binding_and_rule() {
    let dir = setup();
    let o = run(
        dir.path(),
        &[
            "rbac",
            "who-can",
            "get",
            "secrets",
            "-n",
            "clinic",
            "cluster.yaml",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("Group \"developers\""), "{text}");
    // The subject's name line in the input and the bootstrap rule that grants it.
    assert!(
        text.contains("RoleBinding \"clinic/devs-edit\" at cluster.yaml:19"),
        "{text}"
    );
    assert!(
        text.contains("ClusterRole \"system:aggregate-to-edit\" rule 0 (builtin:kubernetes-bootstrap-rbac.yaml:"),
        "{text}"
    );
    assert!(!text.contains("intern"), "{text}");
    // The unresolved roleRef is said, not silently dropped.
    assert!(
        text.contains("cluster.yaml:53: RoleBinding \"dangling\""),
        "{text}"
    );
}

#[test]
fn who_can_json_and_aggregated_custom_rule() {
    let dir = setup();
    let o = run(
        dir.path(),
        &[
            "rbac",
            "who-can",
            "list",
            "pods.metrics.k8s.io",
            "-o",
            "json",
            "cluster.yaml",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let grants = v["grants"].as_array().unwrap();
    // view <- metrics-reader, edit <- view, admin <- edit: both the clinic devs and the sandbox intern; the
    // bootstrap kube-controller-manager role lists and watches everything.
    let who: Vec<&str> = grants
        .iter()
        .map(|g| g["subject"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        who,
        vec![
            "intern",
            "system:kube-controller-manager",
            "developers",
            "system:masters"
        ],
        "{v:#}"
    );
    let dev = &grants[2];
    assert_eq!(dev["rule"]["role"], "ClusterRole \"metrics-reader\"");
    assert_eq!(dev["rule"]["file"], "cluster.yaml");
    assert_eq!(dev["rule"]["line"], 28);
    assert_eq!(dev["binding"]["line"], 19);
}

#[test]
fn subject_groups_powers_and_marks_phi() {
    let dir = setup();
    let o = run(
        dir.path(),
        &[
            "rbac",
            "subject",
            "group",
            "developers",
            "-o",
            "json",
            "cluster.yaml",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let powers: Vec<(&str, bool)> = v["powers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["power"].as_str().unwrap(), p["phi"].as_bool().unwrap()))
        .collect();
    assert!(powers.contains(&("read-secrets", true)), "{powers:?}");
    assert!(powers.contains(&("exec", true)), "{powers:?}");
    assert!(
        powers.contains(&("modify-network-policies", true)),
        "{powers:?}"
    );
    assert!(
        !powers.iter().any(|(p, _)| *p == "escalate-bind"),
        "{powers:?}"
    );
    for p in v["powers"].as_array().unwrap() {
        assert!(!p["reason"].as_str().unwrap().is_empty());
        assert!(p["evidence"][0]["rule"]["line"].as_u64().unwrap() > 0);
    }
}

#[test]
fn report_puts_phi_first_and_exits_one() {
    let dir = setup();
    let o = run(
        dir.path(),
        &["rbac", "report", "-o", "markdown", "-"],
        Some(CLUSTER),
    );
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let text = out(&o);
    let dev = text
        .find("## Group \"developers\" — reaches PHI namespace(s) clinic")
        .unwrap();
    let intern = text.find("## User \"intern\"").unwrap();
    assert!(dev < intern, "{text}");
    assert!(!text.contains("## Group \"system:masters\""), "{text}");
}

#[test]
fn bad_input_is_an_error_but_the_rest_is_answered() {
    let dir = setup();
    std::fs::write(dir.path().join("broken.yaml"), "kind: [unclosed\n").unwrap();
    let o = run(
        dir.path(),
        &["rbac", "who-can", "get", "secrets", "-n", "clinic", "."],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("developers"), "{text}");
    assert!(text.contains("broken.yaml"), "{text}");

    let o = run(
        dir.path(),
        &["rbac", "who-can", "get", "a/b/c", "cluster.yaml"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let o = run(
        dir.path(),
        &["rbac", "subject", "sa", "nons", "cluster.yaml"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("namespace"), "{}", out(&o));
    let o = run(dir.path(), &["rbac", "report", "missing.yaml"], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    // Nothing to analyse is never a clean answer.
    std::fs::write(dir.path().join("empty.yaml"), "# nothing\n").unwrap();
    let o = run(
        dir.path(),
        &["rbac", "who-can", "get", "secrets", "empty.yaml"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
}
