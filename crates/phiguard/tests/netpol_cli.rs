//! End-to-end tests of `phiguard netpol` on the bundled examples and temporary files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn phiguard_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .args(args)
        .current_dir(dir)
        .env_remove("PHIGUARD_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("phiguard runs")
}

fn phiguard(args: &[&str]) -> Output {
    phiguard_in(&root(), args)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn verify_proves_the_hardened_zones() {
    let o = phiguard(&["netpol", "verify", "examples/hardened"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(text.contains("4 invariants proved, 0 violated"), "{text}");
    for code in ["NW009", "NW010", "NW011", "NW012"] {
        assert!(text.contains(&format!("PROVED   {code}")), "{text}");
    }
    assert!(
        text.contains("database: clinical/postgres[StatefulSet]"),
        "{text}"
    );
}

#[test]
fn verify_prints_counterexamples_for_the_insecure_example() {
    let o = phiguard(&["netpol", "verify", "examples/insecure"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(text.contains("VIOLATED NW010"), "{text}");
    assert!(
        text.contains("counterexample: clinical/postgres[StatefulSet] (zone database) -> "),
        "{text}"
    );
    // The policy line that opens the data store's egress.
    assert!(
        text.contains("NetworkPolicy clinical/allow-all egress[0] (examples/insecure/networkpolicies.yaml:13): Allow All Connections"),
        "{text}"
    );
    // hostNetwork workloads are named as out of scope, not silently dropped.
    assert!(
        err(&o).contains("clinical/hl7-listener[Deployment] is out of policy scope"),
        "{}",
        err(&o)
    );
    let j = phiguard(&["netpol", "verify", "examples/insecure", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).expect("json");
    assert_eq!(v["holds"], false);
    let nw010 = v["invariants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "NW010")
        .unwrap();
    assert_eq!(nw010["proved"], false);
    assert_eq!(
        nw010["counterexamples"][0]["egress"]["steps"][0]["line"],
        13
    );
}

#[test]
fn matrix_in_every_format() {
    let o = phiguard(&["netpol", "matrix", "examples/hardened"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.contains("web/frontend[Deployment] => clinical/clinic-api[Deployment] : TCP 8443\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "clinical/clinic-api[Deployment] => clinical/postgres[StatefulSet] : TCP 5432\n"
        ),
        "{text}"
    );
    assert!(
        !text.contains("web/frontend[Deployment] => clinical/postgres"),
        "{text}"
    );
    let csv = out(&phiguard(&[
        "netpol",
        "matrix",
        "examples/hardened",
        "-o",
        "csv",
    ]));
    assert!(csv.starts_with("src,dst,conn\n"), "{csv}");
    assert!(
        csv.contains("web/frontend[Deployment],clinical/clinic-api[Deployment],\"TCP 8443\""),
        "{csv}"
    );
    let md = out(&phiguard(&[
        "netpol",
        "matrix",
        "examples/hardened",
        "-o",
        "markdown",
    ]));
    assert!(
        md.contains("| web/frontend[Deployment] | clinical/clinic-api[Deployment] | TCP 8443 |"),
        "{md}"
    );
    let json = phiguard(&["netpol", "matrix", "examples/hardened", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert!(v["connections"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["src"] == "web/frontend[Deployment]"
            && c["dst"] == "clinical/clinic-api[Deployment]"
            && c["conn"] == "TCP 8443"));
    let dot = out(&phiguard(&[
        "netpol",
        "matrix",
        "examples/hardened",
        "-o",
        "dot",
    ]));
    assert!(dot.starts_with("digraph {"), "{dot}");
    assert!(dot.contains("subgraph \"cluster_clinical\""), "{dot}");
    assert!(dot.contains("\"web/frontend[Deployment]\" -> \"clinical/clinic-api[Deployment]\" [label=\"TCP 8443\""), "{dot}");
}

#[test]
fn explain_names_the_deciding_rules_and_sets_the_exit_code() {
    let o = phiguard(&[
        "netpol",
        "explain",
        "web/frontend",
        "clinical/clinic-api",
        "TCP/8443",
        "-f",
        "examples/hardened",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(text.contains("on TCP 8443: ALLOWED"), "{text}");
    assert!(text.contains("NetworkPolicy web/frontend egress[0] (examples/hardened/networkpolicies.yaml:148): Allow TCP 8443"), "{text}");
    assert!(text.contains("NetworkPolicy clinical/api ingress[0] (examples/hardened/networkpolicies.yaml:42): Allow TCP 8443"), "{text}");
    let d = phiguard(&[
        "netpol",
        "explain",
        "frontend",
        "postgres",
        "5432",
        "-f",
        "examples/hardened",
    ]);
    assert_eq!(d.status.code(), Some(1), "{}{}", out(&d), err(&d));
    assert!(out(&d).contains("DENIED"), "{}", out(&d));
    assert!(out(&d).contains("selected by NetworkPolicy clinical/default-deny-all (examples/hardened/networkpolicies.yaml:5), NetworkPolicy clinical/postgres (examples/hardened/networkpolicies.yaml:93) and allowed by none of their rules"), "{}", out(&d));
    // External addresses are endpoints too.
    let e = phiguard(&[
        "netpol",
        "explain",
        "postgres",
        "8.8.8.8",
        "-f",
        "examples/insecure",
    ]);
    assert_eq!(e.status.code(), Some(0));
    assert!(
        out(&e).contains("allowed connections: All Connections"),
        "{}",
        out(&e)
    );
    let bad = phiguard(&[
        "netpol",
        "explain",
        "nosuch",
        "postgres",
        "-f",
        "examples/hardened",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        err(&bad).contains("no workload or address matches `nosuch`"),
        "{}",
        err(&bad)
    );
}

#[test]
fn zone_config_errors_point_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("phiguard.toml"),
        "[[netpol.zone]]\nname = \"web\"\nnamespaces = [\"web\"]\n\n[[netpol.flow]]\nfrom = \"web\"\nto = \"db\"\n",
    )
    .unwrap();
    let hardened = root().join("examples/hardened").display().to_string();
    let o = phiguard_in(dir.path(), &["netpol", "verify", &hardened]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("phiguard.toml:5:1"), "{}", err(&o));
    assert!(err(&o).contains("unknown zone `db`"), "{}", err(&o));
    std::fs::write(
        dir.path().join("phiguard.toml"),
        "[[netpol.zone]]\nname = \"web\"\nnamespaces = [\"web\"]\n\n[[netpol.flow]]\nfrom = \"web\"\nto = \"internet\"\nports = [\"TCP/http\"]\n",
    )
    .unwrap();
    let o = phiguard_in(dir.path(), &["netpol", "verify", &hardened]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("phiguard.toml:8:10"), "{}", err(&o));
}

#[test]
fn bad_input_is_an_error_and_the_rest_is_still_analysed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("examples/hardened/networkpolicies.yaml"),
        dir.path().join("networkpolicies.yaml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("examples/hardened/api.yaml"),
        dir.path().join("api.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.yaml"), "kind: Pod\nmetadata: [\n").unwrap();
    let o = phiguard_in(dir.path(), &["netpol", "matrix", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("broken.yaml"), "{}", err(&o));
    assert!(
        out(&o).contains(
            "clinical/clinic-api[Deployment] => kube-system/kube-dns[ClusterDNS] : TCP 53,UDP 53"
        ),
        "{}",
        out(&o)
    );
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.yaml"), "just: text\n").unwrap();
    let o = phiguard_in(empty.path(), &["netpol", "matrix", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("nothing was analysed"), "{}", err(&o));
}
