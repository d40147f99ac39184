#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Real public captures (`../shared/corpus/pcap`: nDPI, LGPL-3.0, and Zeek, BSD-3-Clause, regression traces):
//! every file reads to its end without error, and known files are classified as what they carry.
//! Skipped with a message when the corpus is absent.

use std::path::{Path, PathBuf};

use phiguard_pcap::{scan, AppProtocol, Encryption, FlowSummary, Kind, Options, Report};
use phiguard_phi::Detector;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/pcap");

fn corpus() -> Option<PathBuf> {
    let p = Path::new(ROOT);
    if p.is_dir() {
        Some(p.to_path_buf())
    } else {
        eprintln!("SKIPPED: capture corpus not found at {ROOT}");
        None
    }
}

fn captures(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            captures(&p, out);
        } else if p
            .extension()
            .is_some_and(|x| x == "pcap" || x == "pcapng" || x == "cap")
        {
            out.push(p);
        }
    }
}

fn run(root: &Path, rel: &str) -> Report {
    let p = root.join(rel);
    let f = std::fs::File::open(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let r = scan(
        &Detector::new(),
        std::io::BufReader::new(f),
        &Options::default(),
    );
    assert!(r.error.is_none(), "{rel}: {}", r.error.as_ref().unwrap());
    r
}

/// Flows that carried application bytes.
fn data_flows(r: &Report) -> Vec<&FlowSummary> {
    r.flows.iter().filter(|f| f.bytes > 0).collect()
}

fn flow(r: &Report, server_port: u16, client_port: u16) -> &FlowSummary {
    r.flows
        .iter()
        .find(|f| f.server.port() == server_port && f.client.port() == client_port)
        .unwrap_or_else(|| panic!("no flow {client_port} -> {server_port}"))
}

#[test]
fn every_capture_reads_to_the_end() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    captures(&root, &mut files);
    files.sort();
    assert!(
        files.len() >= 50,
        "expected the nDPI and Zeek captures, found {}",
        files.len()
    );
    let mut frames = 0;
    for p in &files {
        let r = scan(
            &Detector::new(),
            std::io::BufReader::new(std::fs::File::open(p).unwrap()),
            &Options::default(),
        );
        assert!(
            r.error.is_none(),
            "{}: {}",
            p.display(),
            r.error.as_ref().unwrap()
        );
        assert!(r.stats.frames > 0, "{}", p.display());
        assert_eq!(r.stats.unknown_link, 0, "{}", p.display());
        assert_eq!(
            r.stats.file_bytes,
            std::fs::metadata(p).unwrap().len(),
            "{}",
            p.display()
        );
        for f in &r.findings {
            assert!(f.frame >= 1 && f.frame <= r.stats.frames);
            assert!(f.flow < r.flows.len());
        }
        // Nothing found inside TLS.
        for fl in r.flows.iter().filter(|f| f.encryption == Encryption::Tls) {
            assert_eq!(
                (fl.phi, fl.clear_bytes),
                (0, 0),
                "{}: {}",
                p.display(),
                fl.label()
            );
        }
        frames += r.stats.frames;
    }
    eprintln!("{} captures, {frames} frames", files.len());
}

#[test]
fn hl7_over_mllp() {
    let Some(root) = corpus() else { return };
    let r = run(&root, "ndpi/pcap/hl7.pcap");
    let flows = data_flows(&r);
    assert_eq!(flows.len(), 1);
    assert_eq!(
        (flows[0].protocol, flows[0].encryption),
        (AppProtocol::Hl7Mllp, Encryption::Cleartext)
    );
    assert!(flows[0].phi_in_clear());
    // PID fields are found by their position in the segment.
    let entities: Vec<&str> = r
        .findings
        .iter()
        .filter_map(|f| match f.kind {
            Kind::Phi { entity, .. } => Some(entity.tag()),
            Kind::Credential { .. } => None,
        })
        .collect();
    assert!(
        entities.contains(&"NAME") && entities.contains(&"DATE"),
        "{entities:?}"
    );
}

#[test]
fn postgresql_cleartext_tls_and_gssapi() {
    let Some(root) = corpus() else { return };
    let r = run(&root, "ndpi/pcap/pgsql.pcap");
    let md5 = flow(&r, 5432, 45930);
    assert_eq!(
        (md5.protocol, md5.encryption),
        (AppProtocol::Postgres, Encryption::Cleartext)
    );
    assert!(md5.notes.is_empty(), "{:?}", md5.notes);
    let gss = flow(&r, 5432, 59036);
    assert_eq!(gss.encryption, Encryption::Tls);
    assert!(gss
        .notes
        .iter()
        .any(|n| n.contains("GSSENCRequest accepted")));
    let refused = flow(&r, 5432, 59037);
    assert_eq!(
        (refused.protocol, refused.encryption),
        (AppProtocol::Postgres, Encryption::Cleartext)
    );

    let tls = run(
        &root,
        "zeek/testing/btest/Traces/postgresql/psql-aws-ssl-require.pcap",
    );
    for f in data_flows(&tls) {
        assert_eq!(
            (f.protocol, f.encryption),
            (AppProtocol::Postgres, Encryption::Tls),
            "{}",
            f.label()
        );
        assert_eq!(f.clear_bytes, 0);
    }
    let clear = run(
        &root,
        "zeek/testing/btest/Traces/postgresql/psql-aws-ssl-disable.pcap",
    );
    let flows = data_flows(&clear);
    assert!(!flows.is_empty());
    for f in flows {
        assert_eq!(
            (f.protocol, f.encryption),
            (AppProtocol::Postgres, Encryption::Cleartext),
            "{}",
            f.label()
        );
    }
    let sql = run(
        &root,
        "zeek/testing/btest/Traces/postgresql/psql-create-insert-select-delete-drop.pcap",
    );
    assert!(data_flows(&sql)
        .iter()
        .all(|f| f.protocol == AppProtocol::Postgres && f.notes.is_empty()));
}

#[test]
fn port_confusion_is_decided_by_content() {
    let Some(root) = corpus() else { return };
    let r = run(
        &root,
        "zeek/testing/btest/Traces/postgresql/http-on-port-5432.pcap",
    );
    assert!(data_flows(&r)
        .iter()
        .all(|f| f.protocol == AppProtocol::Http && f.server.port() == 5432));
    let r = run(
        &root,
        "zeek/testing/btest/Traces/postgresql/mysql-on-port-5432.pcap",
    );
    assert!(data_flows(&r)
        .iter()
        .all(|f| f.protocol != AppProtocol::Postgres));
}

#[test]
fn tls_captures_are_encrypted_and_yield_nothing() {
    let Some(root) = corpus() else { return };
    for (rel, port) in [
        ("ndpi/pcap/443-curl.pcap", 443),
        ("ndpi/pcap/google_ssl.pcap", 443),
        ("ndpi/pcap/imaps.pcap", 993),
        ("ndpi/pcap/tls_ech.pcapng", 443),
        ("ndpi/pcap/tls_1.3_unidirectional_client.pcapng", 443),
        ("zeek/testing/btest/Traces/tls/tls1.2.pcap", 443),
        ("zeek/testing/btest/Traces/tls/tls13_wolfssl.pcap", 9090),
        ("zeek/testing/btest/Traces/tls/client-certificate.pcap", 443),
    ] {
        let r = run(&root, rel);
        let tls: Vec<_> = data_flows(&r)
            .into_iter()
            .filter(|f| f.server.port() == port)
            .collect();
        assert!(!tls.is_empty(), "{rel}");
        for f in tls {
            assert_eq!(
                (f.protocol, f.encryption, f.phi),
                (AppProtocol::Tls, Encryption::Tls, 0),
                "{rel} {}",
                f.label()
            );
        }
    }
}

#[test]
fn starttls_is_cleartext_then_tls() {
    let Some(root) = corpus() else { return };
    for (rel, port) in [
        ("ndpi/pcap/smtp-starttls.pcap", 25),
        ("ndpi/pcap/imap-starttls.pcap", 143),
        ("ndpi/pcap/pop3_stls.pcap", 110),
    ] {
        let r = run(&root, rel);
        let f = r
            .flows
            .iter()
            .find(|f| f.server.port() == port && f.bytes > 0)
            .unwrap();
        assert_eq!(f.encryption, Encryption::ClearThenTls, "{rel}");
        assert!(f.clear_bytes > 0 && f.clear_bytes < f.bytes, "{rel}");
    }
    let r = run(
        &root,
        "zeek/testing/btest/Traces/mysql/tls-12-amazon-rds.pcap",
    );
    assert!(data_flows(&r)
        .iter()
        .all(|f| f.encryption == Encryption::ClearThenTls));
}

#[test]
fn http_in_the_clear() {
    let Some(root) = corpus() else { return };
    let r = run(&root, "ndpi/pcap/http_auth.pcap");
    let creds: Vec<_> = r
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                Kind::Credential {
                    scheme: "HTTP Basic"
                }
            )
        })
        .collect();
    assert!(!creds.is_empty());
    assert!(creds.iter().all(|c| c.value.is_empty()));
    for rel in [
        "ndpi/pcap/http.pcapng",
        "ndpi/pcap/jsonrpc.pcap",
        "ndpi/pcap/soap.pcap",
        "zeek/testing/btest/Traces/http/post.pcap",
        "zeek/testing/btest/Traces/http/multipart-form-data.pcap",
    ] {
        let r = run(&root, rel);
        let flows = data_flows(&r);
        assert!(
            flows
                .iter()
                .any(|f| f.protocol == AppProtocol::Http && f.encryption == Encryption::Cleartext),
            "{rel}"
        );
    }
    // Docker's attach upgrades the connection: what follows the 101 is raw, still in the clear.
    let r = run(
        &root,
        "zeek/testing/btest/Traces/http/docker-http-upgrade.pcap",
    );
    assert!(r
        .flows
        .iter()
        .any(|f| f.notes.iter().any(|n| n.contains("Upgrade"))));
}

#[test]
fn sampled_tls_capture_reports_its_gaps() {
    let Some(root) = corpus() else { return };
    // nDPI's tls-appdata.pcap keeps only some segments of a long download.
    let r = run(&root, "ndpi/pcap/tls-appdata.pcap");
    let f = r.flows.iter().max_by_key(|f| f.gaps).unwrap();
    assert!(f.gaps > 0 && f.missing_bytes > 0);
    assert_eq!((f.encryption, f.phi), (Encryption::Tls, 0));
}
