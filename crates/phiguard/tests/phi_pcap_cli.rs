#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `phiguard phi pcap`: the real binary on byte-built capture files in a temporary directory.

#[path = "../../phiguard_pcap/tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::*;

const SSN: &str = "234-56-7890";
const NAME: &str = "Maria Gonzalez";
const DOB: &str = "1984-03-12";
const FLOW: &str = "10.0.0.5:51000 -> 10.0.0.9:80";

fn phiguard(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .args(args)
        .current_dir(dir)
        .env_remove("PHIGUARD_LOG")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Handshake (1-3), request with PHI and HTTP Basic (4), response (5), close (6-8).
fn cleartext_frames() -> Vec<Frame> {
    let mut c = Conn::new("10.0.0.5:51000", "10.0.0.9:80", Link::Ethernet);
    let body = format!(r#"{{"patient":{{"name":"{NAME}","ssn":"{SSN}","dob":"{DOB}"}}}}"#);
    c.exchange(
        &http(
            "POST /api/patients HTTP/1.1",
            &[
                ("Host", "ehr"),
                ("Authorization", "Basic dXNlcjpwYXNzd29yZA=="),
            ],
            body.as_bytes(),
        ),
        &http("HTTP/1.1 201 Created", &[], b"{}"),
    )
}

fn tls_frames() -> Vec<Frame> {
    let mut c = Conn::new("10.0.0.5:51001", "10.0.0.9:443", Link::Ethernet);
    let mut hello = tls_client_hello("ehr.example.org");
    hello.extend(tls_record(23, format!("ssn={SSN} name={NAME}").as_bytes()));
    c.exchange(&hello, &tls_record(22, &[2, 0, 0, 4, 3, 3, 0, 0]))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn findings_name_file_frame_flow_protocol_entity_and_mask_values() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ehr.pcap",
        &pcap(&cleartext_frames(), 1, false, false),
    );
    let o = phiguard(dir.path(), &["phi", "pcap", "ehr.pcap"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let out = stdout(&o);
    for v in [SSN, NAME, DOB, "Gonzalez", "234-56", "dXNlcjpwYXNzd29yZA"] {
        assert!(!out.contains(v), "{v} leaked: {out}");
    }
    assert!(
        out.contains(&format!(
            "ehr.pcap: frame 4: {FLOW} http client->server SSN 1.00 ***-**-**90"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "ehr.pcap: frame 4: {FLOW} http client->server NAME"
        )),
        "{out}"
    );
    assert!(out.contains(&format!("ehr.pcap: frame 4: {FLOW} http client->server CREDENTIAL (HTTP Basic) 1.00 (not shown)")), "{out}");
    assert!(
        out.contains(&format!("ehr.pcap: {FLOW} http cleartext: 3 identifier(s) sent without encryption, first in frame 4: transmission security (45 CFR 164.312(e)(1)")),
        "{out}"
    );
    assert!(out.contains("3 identifier(s) and 1 credential(s) in 1 flow(s) (0 encrypted, 1 carrying PHI in the clear) of 1 capture(s), 8 frame(s)"), "{out}");

    let shown = stdout(&phiguard(
        dir.path(),
        &["phi", "pcap", "--show-values", "ehr.pcap"],
    ));
    for v in [SSN, NAME, DOB] {
        assert!(shown.contains(v), "{v} missing: {shown}");
    }
    assert!(
        !shown.contains("dXNlcjpwYXNzd29yZA"),
        "credentials are never shown: {shown}"
    );
}

#[test]
fn entity_selection_and_min_confidence() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ehr.pcapng",
        &pcapng(&cleartext_frames(), 1, true),
    );
    let out = stdout(&phiguard(
        dir.path(),
        &["phi", "pcap", "--entities", "SSN", "ehr.pcapng"],
    ));
    assert!(
        out.contains(" SSN ") && !out.contains(" NAME ") && !out.contains(" DATE "),
        "{out}"
    );
    assert!(out.starts_with("ehr.pcapng: frame 4:"), "{out}");
    let o = phiguard(
        dir.path(),
        &["phi", "pcap", "--entities", "123-45-6789", "ehr.pcapng"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains("123-45-6789"), "{}", stderr(&o));
    let o = phiguard(
        dir.path(),
        &["phi", "pcap", "--min-confidence", "1.5", "ehr.pcapng"],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn tls_only_capture_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tls.pcap", &pcap(&tls_frames(), 1, true, true));
    let o = phiguard(dir.path(), &["phi", "pcap", "--flows", "tls.pcap"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = stdout(&o);
    assert!(
        out.contains("tls.pcap: flow 10.0.0.5:51001 -> 10.0.0.9:443 tcp tls tls: 8 packet(s)"),
        "{out}"
    );
    assert!(out.contains("0 identifier(s) and 0 credential(s) in 1 flow(s) (1 encrypted, 0 carrying PHI in the clear)"), "{out}");
    assert!(!out.contains(SSN));
}

#[test]
fn json_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut frames = cleartext_frames();
    frames.extend(tls_frames());
    write(
        dir.path(),
        "mixed.pcap.gz",
        &gzip(&pcap(&frames, 1, false, true)),
    );
    let o = phiguard(dir.path(), &["phi", "pcap", "-o", "json", "mixed.pcap.gz"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["stats"]["identifiers"], 3);
    assert_eq!(doc["stats"]["credentials"], 1);
    assert_eq!(doc["stats"]["cleartext_flows_with_phi"], 1);
    let cap = &doc["captures"][0];
    assert_eq!(cap["path"], "mixed.pcap.gz");
    assert_eq!(cap["frames"], 16);
    let flows = cap["flows"].as_array().unwrap();
    assert_eq!(flows.len(), 2);
    assert_eq!(flows[0]["encryption"], "cleartext");
    assert_eq!(flows[0]["protocol"], "http");
    assert_eq!(flows[0]["hipaa"], "45 CFR 164.312(e)(1)");
    assert_eq!(flows[1]["encryption"], "tls");
    assert_eq!(flows[1]["hipaa"], serde_json::Value::Null);
    let ssn = cap["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["entity"] == "SSN")
        .unwrap();
    assert_eq!(ssn["frame"], 4);
    assert_eq!(ssn["flow_label"], FLOW);
    assert_eq!(ssn["direction"], "client->server");
    assert_eq!(ssn["value"], "***-**-**90");
    assert_eq!(ssn["safe_harbor"], 7);
    assert_eq!(ssn["time"], "2023-11-14T22:13:20.003000Z");
    let cred = cap["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "credential")
        .unwrap();
    assert_eq!(cred["scheme"], "HTTP Basic");
    assert!(!stdout(&o).contains(SSN));
}

#[test]
fn sarif_output() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ehr.pcap",
        &pcap(&cleartext_frames(), 1, false, false),
    );
    let o = phiguard(dir.path(), &["phi", "pcap", "-o", "sarif", "ehr.pcap"]);
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let run = &doc["runs"][0];
    let ids: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"PHI-SSN")
            && ids.contains(&"PHI-IN-TRANSIT")
            && ids.contains(&"CLEARTEXT-CREDENTIAL"),
        "{ids:?}"
    );
    let transit = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "PHI-IN-TRANSIT")
        .unwrap();
    assert_eq!(transit["properties"]["hipaa"], "45 CFR 164.312(e)(1)");
    assert_eq!(
        transit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "ehr.pcap"
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "PHI-IN-TRANSIT"
        && r["properties"]["hipaa"]
            .as_str()
            .unwrap()
            .contains("164.312(e)(2)(ii)")));
    assert!(!stdout(&o).contains(SSN));
}

#[test]
fn truncated_capture_is_an_error_with_its_position_and_keeps_earlier_findings() {
    let dir = tempfile::tempdir().unwrap();
    let frames = cleartext_frames();
    let full = pcap(&frames, 1, false, false);
    // Cut inside record 6.
    let at6 = 24 + frames[..5].iter().map(|f| 16 + f.data.len()).sum::<usize>();
    write(dir.path(), "cut.pcap", &full[..at6 + 20]);
    let o = phiguard(dir.path(), &["phi", "pcap", "cut.pcap"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "error: cut.pcap: byte {} (record 6): truncated pcap record data",
            at6 + 16
        )),
        "{err}"
    );
    assert!(err.contains("5 frame(s) before it were analysed"), "{err}");
    assert!(stdout(&o).contains("cut.pcap: frame 4:"), "{}", stdout(&o));
    for v in [SSN, NAME, DOB] {
        assert!(!err.contains(v));
    }
}

#[test]
fn not_a_capture_is_an_error_without_echoing_content() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "notes.pcap",
        format!("patient {NAME} ssn {SSN}\n").as_bytes(),
    );
    write(dir.path(), "ok.pcap", &pcap(&tls_frames(), 1, false, false));
    let o = phiguard(
        dir.path(),
        &["phi", "pcap", "notes.pcap", "ok.pcap", "missing.pcap"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("error: notes.pcap: byte 0: not a capture: unknown magic number"),
        "{err}"
    );
    assert!(
        err.contains("error: missing.pcap: cannot read: entity not found"),
        "{err}"
    );
    assert!(!err.contains(SSN) && !err.contains(NAME), "{err}");
    // The good file was still analysed.
    assert!(
        stdout(&o).contains("in 1 flow(s) (1 encrypted"),
        "{}",
        stdout(&o)
    );
    let o = phiguard(dir.path(), &["phi", "pcap", "-o", "json", "notes.pcap"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stdout(&o).contains(SSN));
}

#[test]
fn directories_and_captures_without_traffic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("caps/sub")).unwrap();
    write(
        dir.path(),
        "caps/a.pcap",
        &pcap(&tls_frames(), 1, false, false),
    );
    write(
        dir.path(),
        "caps/sub/b.pcapng.gz",
        &gzip(&pcapng(&cleartext_frames(), 1, false)),
    );
    write(dir.path(), "caps/readme.txt", b"not a capture");
    let o = phiguard(dir.path(), &["phi", "pcap", "caps"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let out = stdout(&o);
    assert!(
        out.contains(&format!("caps/sub/b.pcapng.gz: frame 4: {FLOW}")),
        "{out}"
    );
    assert!(out.contains("of 2 capture(s)"), "{out}");

    // ARP only: nothing analysed is an error, not a clean result.
    let mut arp = cleartext_frames()[0].clone();
    arp.data[12..14].copy_from_slice(&[0x08, 0x06]);
    write(dir.path(), "arp.pcap", &pcap(&[arp], 1, false, false));
    let o = phiguard(dir.path(), &["phi", "pcap", "arp.pcap"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no TCP or UDP traffic"),
        "{}",
        stderr(&o)
    );

    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let o = phiguard(dir.path(), &["phi", "pcap", "empty"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no capture files"), "{}", stderr(&o));
}

#[test]
fn capture_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .args(["phi", "pcap", "-o", "json", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = pcapng(&cleartext_frames(), 1, false);
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["captures"][0]["path"], "-");
    assert_eq!(doc["stats"]["identifiers"], 3);
    assert_eq!(doc["captures"][0]["file_bytes"], bytes.len());
}

#[test]
fn what_was_not_analysed_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let mut frames = tls_frames();
    // An IPv4 fragment and a frame cut inside its IP header.
    let mut frag = ip_packet(
        "10.0.0.5".parse().unwrap(),
        "10.0.0.9".parse().unwrap(),
        17,
        &udp(1, 2, b"x"),
    );
    frag[6] = 0x20;
    frames.push(Frame {
        ts_ns: 0,
        data: link_frame(Link::Ethernet, &frag),
    });
    frames.push(Frame {
        ts_ns: 0,
        data: link_frame(Link::Ethernet, &frag)[..20].to_vec(),
    });
    write(dir.path(), "partial.pcap", &pcap(&frames, 1, false, false));
    let o = phiguard(dir.path(), &["phi", "pcap", "partial.pcap"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(
        stdout(&o).contains(
            "partial.pcap: not analysed: 1 IP fragment(s) not reassembled, 1 malformed frame(s)"
        ),
        "{}",
        stdout(&o)
    );
    // JSON and SARIF say the same.
    let o = phiguard(dir.path(), &["phi", "pcap", "-o", "json", "partial.pcap"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        doc["captures"][0]["not_analysed"],
        serde_json::json!(["1 IP fragment(s) not reassembled", "1 malformed frame(s)"])
    );
    let o = phiguard(dir.path(), &["phi", "pcap", "-o", "sarif", "partial.pcap"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let inv = &doc["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    let notes: Vec<&str> = inv["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            "partial.pcap: not analysed: 1 IP fragment(s) not reassembled",
            "partial.pcap: not analysed: 1 malformed frame(s)"
        ]
    );
}

/// The bundled example: a real loopback capture (tcpdump) of a FHIR-style HTTP exchange and an HL7 ADT message
/// over MLLP, synthetic patient data. Every identifier in it is found, and nothing else (no HTTP Date header,
/// no HL7 control id).
#[test]
fn bundled_example_capture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let o = phiguard(
        &root,
        &["phi", "pcap", "-o", "json", "examples/traffic/ehr.pcap"],
    );
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["stats"]["cleartext_flows_with_phi"], 2);
    let cap = &doc["captures"][0];
    let mut found: Vec<(String, String)> = cap["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["protocol"].as_str().unwrap().to_string(),
                f["entity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let expected = [
        ("hl7-mllp", "ACCOUNT"),
        ("hl7-mllp", "ADDRESS"),
        ("hl7-mllp", "DATE"),
        ("hl7-mllp", "MRN"),
        ("hl7-mllp", "NAME"),
        ("hl7-mllp", "PHONE"),
        ("hl7-mllp", "SSN"),
        ("http", "DATE"),
        ("http", "DATE"),
        ("http", "MRN"),
        ("http", "NAME"),
        ("http", "NAME"),
        ("http", "NAME"),
        ("http", "PHONE"),
        ("http", "SSN"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(p, e)| (p.to_string(), e.to_string()))
        .collect();
    assert_eq!(found, expected);
    // Masked by default.
    assert!(!stdout(&o).contains("456-12-7890"));
}
