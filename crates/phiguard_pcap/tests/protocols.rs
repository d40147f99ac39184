#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Byte-built captures through the whole scan: exact findings (entity, frame, flow, value), flow classification,
//! TCP reassembly edge cases, every supported file format and link type, IPv4 and IPv6.

mod support;

use phiguard_pcap::{scan, AppProtocol, Encryption, Kind, Options, Report, Side, Transport};
use phiguard_phi::Detector;
use support::*;

fn run(bytes: &[u8]) -> Report {
    let r = scan(&Detector::new(), bytes, &Options::default());
    assert!(
        r.error.is_none(),
        "unexpected error: {:?}",
        r.error.map(|e| e.to_string())
    );
    r
}

fn eth(frames: &[Frame]) -> Vec<u8> {
    pcap(frames, Link::Ethernet.linktype(), false, false)
}

/// (entity tag, frame, flow label, value) of every PHI finding, in report order.
fn phi(r: &Report) -> Vec<(&'static str, u64, String, String)> {
    r.findings
        .iter()
        .filter_map(|f| match f.kind {
            Kind::Phi { entity, .. } => Some((
                entity.tag(),
                f.frame,
                r.flows[f.flow].label(),
                String::from_utf8_lossy(&f.value).into_owned(),
            )),
            Kind::Credential { .. } => None,
        })
        .collect()
}

fn credentials(r: &Report) -> Vec<(&'static str, u64)> {
    r.findings
        .iter()
        .filter_map(|f| match f.kind {
            Kind::Credential { scheme } => Some((scheme, f.frame)),
            Kind::Phi { .. } => None,
        })
        .collect()
}

fn t(e: &'static str, frame: u64, flow: &str, v: &str) -> (&'static str, u64, String, String) {
    (e, frame, flow.to_string(), v.to_string())
}

const PATIENT_JSON: &[u8] =
    br#"{"patient":{"name":"Maria Gonzalez","ssn":"123-45-6789","dob":"1984-03-12","mrn":"MRN-00482913"}}"#;

fn http_exchange(c: &mut Conn) -> Vec<Frame> {
    let req = http(
        "POST /api/patients HTTP/1.1",
        &[
            ("Host", "ehr.local"),
            ("Content-Type", "application/json"),
            ("Authorization", "Basic dXNlcjpwYXNz"),
        ],
        PATIENT_JSON,
    );
    let resp = http(
        "HTTP/1.1 201 Created",
        &[("Content-Type", "application/json")],
        br#"{"id":7,"note":"Patient John Smith, DOB 02/14/1951, phone (555) 123-4567"}"#,
    );
    c.exchange(&req, &resp)
}

fn http_expected(flow: &str) -> Vec<(&'static str, u64, String, String)> {
    vec![
        t("NAME", 4, flow, "Maria Gonzalez"),
        t("SSN", 4, flow, "123-45-6789"),
        t("DATE", 4, flow, "1984-03-12"),
        t("MRN", 4, flow, "MRN-00482913"),
        t("NAME", 5, flow, "John Smith"),
        t("DATE", 5, flow, "02/14/1951"),
        t("PHONE", 5, flow, "(555) 123-4567"),
    ]
}

#[test]
fn http_json_bodies_request_and_response() {
    let mut c = Conn::new("10.0.0.5:51000", "10.0.0.9:80", Link::Ethernet);
    let r = run(&eth(&http_exchange(&mut c)));
    let flow = "10.0.0.5:51000 -> 10.0.0.9:80";
    assert_eq!(phi(&r), http_expected(flow));
    assert_eq!(credentials(&r), vec![("HTTP Basic", 4)]);
    assert_eq!(r.flows.len(), 1);
    let f = &r.flows[0];
    assert_eq!(
        (f.transport, f.protocol, f.encryption),
        (Transport::Tcp, AppProtocol::Http, Encryption::Cleartext)
    );
    assert_eq!((f.phi, f.credentials, f.gaps, f.packets), (7, 1, 0, 8));
    assert!(f.phi_in_clear());
    assert_eq!(r.stats.frames, 8);
    assert_eq!(r.stats.tcp_packets, 8);
    // Sides and protocols of the findings.
    let sides: Vec<Side> = r.findings.iter().map(|f| f.side).collect();
    assert_eq!(
        sides.iter().filter(|s| **s == Side::ClientToServer).count(),
        5
    );
    assert!(r
        .findings
        .iter()
        .all(|f| f.protocol == AppProtocol::Http && !f.decoded));
    // Credentials are reported, their value never kept.
    assert!(r
        .findings
        .iter()
        .filter(|f| matches!(f.kind, Kind::Credential { .. }))
        .all(|f| f.value.is_empty()));
}

#[test]
fn every_format_link_type_and_address_family_gives_the_same_findings() {
    let links = [Link::Ethernet, Link::Sll, Link::Raw, Link::Null, Link::Loop];
    let mut cases = 0;
    for v6 in [false, true] {
        let (client, server, flow) = if v6 {
            (
                "[fd00::5]:51000",
                "[fd00::9]:80",
                "[fd00::5]:51000 -> [fd00::9]:80",
            )
        } else {
            (
                "10.0.0.5:51000",
                "10.0.0.9:80",
                "10.0.0.5:51000 -> 10.0.0.9:80",
            )
        };
        for link in links {
            let mut c = Conn::new(client, server, link);
            let frames = http_exchange(&mut c);
            let files = [
                ("pcap le us", pcap(&frames, link.linktype(), false, false)),
                ("pcap be us", pcap(&frames, link.linktype(), true, false)),
                ("pcap le ns", pcap(&frames, link.linktype(), false, true)),
                ("pcap be ns", pcap(&frames, link.linktype(), true, true)),
                ("pcapng le", pcapng(&frames, link.linktype(), false)),
                ("pcapng be", pcapng(&frames, link.linktype(), true)),
                (
                    "pcap.gz",
                    gzip(&pcap(&frames, link.linktype(), false, true)),
                ),
                ("pcapng.gz", gzip(&pcapng(&frames, link.linktype(), true))),
            ];
            for (name, bytes) in files {
                let r = run(&bytes);
                let what = format!("{name} {link:?} v6={v6}");
                assert_eq!(phi(&r), http_expected(flow), "{what}");
                assert_eq!(r.flows.len(), 1, "{what}");
                assert_eq!(r.flows[0].protocol, AppProtocol::Http, "{what}");
                assert_eq!(r.stats.frames, 8, "{what}");
                assert_eq!(
                    r.stats.malformed + r.stats.skipped + r.stats.unknown_link,
                    0,
                    "{what}"
                );
                // Timestamps: microsecond files lose the sub-microsecond part, the others keep it.
                let first = &r.findings[0];
                assert_eq!(first.ts.secs, 1_700_000_000, "{what}");
                assert_eq!(first.ts.nanos, 3_000_000, "{what}");
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 80);
}

#[test]
fn nanosecond_timestamps_are_kept() {
    let mut c = Conn::new("10.0.0.5:51000", "10.0.0.9:80", Link::Raw);
    c.now = 1_700_000_000_123_456_789;
    let frames = http_exchange(&mut c);
    let ns = run(&pcap(&frames, 101, false, true));
    let us = run(&pcap(&frames, 101, false, false));
    let ng = run(&pcapng(&frames, 101, true));
    // Frame 4 is 3 ms after the first frame.
    assert_eq!(ns.findings[0].ts.nanos, 126_456_789);
    assert_eq!(ng.findings[0].ts.nanos, 126_456_789);
    assert_eq!(us.findings[0].ts.nanos, 126_456_000);
    assert_eq!(
        ns.findings[0].ts.rfc3339(),
        "2023-11-14T22:13:20.126456789Z"
    );
}

#[test]
fn http_chunked_body_with_a_value_split_across_chunks() {
    let mut c = Conn::new("10.0.0.5:51010", "10.0.0.9:8080", Link::Ethernet);
    let body = chunked(&[
        b"{\"ssn\":\"234-5",
        b"6-7890\",\"name\":\"Robert ",
        b"Johnson\"}",
    ]);
    let mut resp =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    resp.extend_from_slice(&body);
    let frames = c.exchange(b"GET /patients/42 HTTP/1.1\r\nHost: ehr\r\n\r\n", &resp);
    let r = run(&eth(&frames));
    let flow = "10.0.0.5:51010 -> 10.0.0.9:8080";
    assert_eq!(
        phi(&r),
        vec![
            t("SSN", 5, flow, "234-56-7890"),
            t("NAME", 5, flow, "Robert Johnson")
        ]
    );
    // The offsets point into the stream, past the chunk headers.
    let ssn = &r.findings[0];
    let at = memfind(&resp, b"234-5").unwrap() as u64;
    assert_eq!(ssn.offset, at);
    assert_eq!(ssn.side, Side::ServerToClient);
}

fn memfind(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

#[test]
fn http_gzip_body_is_decoded_and_pointed_at_its_first_frame() {
    let mut c = Conn::new("10.0.0.5:51011", "10.0.0.9:80", Link::Ethernet);
    // A body large enough to span three segments: the finding points at the body's first frame.
    let mut json = b"{\"filler\":\"".to_vec();
    json.extend(std::iter::repeat_n(b'x', 3000));
    json.extend_from_slice(b"\",\"ssn\":\"345-67-8901\"}");
    let gz = gzip_body(&json);
    let resp = http(
        "HTTP/1.1 200 OK",
        &[
            ("Content-Encoding", "gzip"),
            ("Content-Type", "application/json"),
        ],
        &gz,
    );
    let mut frames = c.handshake();
    frames.extend(c.send(
        true,
        b"GET /p HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n",
        1448,
    ));
    frames.extend(c.send(false, &resp, 1448));
    frames.extend(c.close());
    let r = run(&eth(&frames));
    let flow = "10.0.0.5:51011 -> 10.0.0.9:80";
    assert_eq!(phi(&r), vec![t("SSN", 5, flow, "345-67-8901")]);
    assert!(r.findings[0].decoded);
    assert_eq!(r.flows[0].encryption, Encryption::Cleartext);
}

#[test]
fn http_gzip_body_cut_by_the_capture_is_decoded_up_to_the_cut() {
    let mut c = Conn::new("10.0.0.5:51012", "10.0.0.9:80", Link::Ethernet);
    let mut json = b"{\"ssn\":\"345-67-8901\",\"filler\":\"".to_vec();
    json.extend(std::iter::repeat_n(b'y', 4000));
    json.extend_from_slice(b"\"}");
    let gz = gzip_body(&json);
    let resp = http("HTTP/1.1 200 OK", &[("Content-Encoding", "gzip")], &gz);
    let mut frames = c.handshake();
    frames.extend(c.send(true, b"GET /p HTTP/1.1\r\nHost: a\r\n\r\n", 1448));
    // Only the first segment of the response is captured.
    let seg = c.send(false, &resp, 1448);
    frames.push(seg[0].clone());
    let r = run(&eth(&frames));
    assert_eq!(
        phi(&r),
        vec![t("SSN", 5, "10.0.0.5:51012 -> 10.0.0.9:80", "345-67-8901")]
    );
}

#[test]
fn http_headers_and_query_strings() {
    let mut c = Conn::new("10.0.0.5:51013", "10.0.0.9:80", Link::Ethernet);
    let req = b"GET /lookup?patient_email=jane.doe@example.com HTTP/1.1\r\nHost: ehr\r\nX-Patient-SSN: 456-78-9012\r\n\r\n";
    let frames = c.exchange(req, &http("HTTP/1.1 204 No Content", &[], b""));
    let r = run(&eth(&frames));
    let flow = "10.0.0.5:51013 -> 10.0.0.9:80";
    assert_eq!(
        phi(&r),
        vec![
            t("EMAIL", 4, flow, "jane.doe@example.com"),
            t("SSN", 4, flow, "456-78-9012")
        ]
    );
}

#[test]
fn http_metadata_headers_are_not_scanned_but_custom_headers_are() {
    // A response's Date and Last-Modified are when it was sent, not dates of service; User-Agent carries
    // versions. A custom header with a patient's date of birth is PHI.
    let mut c = Conn::new("10.0.0.5:51016", "10.0.0.9:80", Link::Ethernet);
    let req = b"GET /chart HTTP/1.1\r\nHost: ehr\r\nUser-Agent: curl/8.5.0 (x86_64-pc-linux-gnu) 2024-03-12\r\nX-Patient-DOB: 1961-07-23\r\n\r\n";
    let resp = http(
        "HTTP/1.1 200 OK",
        &[
            ("Date", "Tue, 24 Nov 2026 14:28:01 GMT"),
            ("Last-Modified", "Mon, 23 Nov 2026 09:00:00 GMT"),
        ],
        b"",
    );
    let frames = c.exchange(req, &resp);
    let r = run(&eth(&frames));
    let flow = "10.0.0.5:51016 -> 10.0.0.9:80";
    assert_eq!(phi(&r), vec![t("DATE", 4, flow, "1961-07-23")]);
    // The skipped lines are still counted as bytes sent in the clear.
    assert_eq!(r.flows[0].clear_bytes, r.flows[0].bytes);
}

#[test]
fn http_keep_alive_head_response_has_no_body() {
    // HEAD's response announces a length but carries no body; the next response must still be parsed as one
    // (its gzip body decoded) rather than swallowed as the HEAD response's body.
    let mut c = Conn::new("10.0.0.5:51014", "10.0.0.9:80", Link::Ethernet);
    let mut reqs = b"HEAD /record HTTP/1.1\r\nHost: a\r\n\r\n".to_vec();
    reqs.extend_from_slice(b"GET /record HTTP/1.1\r\nHost: a\r\n\r\n");
    let mut resps =
        b"HTTP/1.1 200 OK\r\nContent-Length: 120\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
    resps.extend(http(
        "HTTP/1.1 200 OK",
        &[("Content-Encoding", "gzip")],
        &gzip_body(br#"{"ssn":"567-89-0123"}"#),
    ));
    let r = run(&eth(&c.exchange(&reqs, &resps)));
    assert_eq!(
        phi(&r),
        vec![t("SSN", 5, "10.0.0.5:51014 -> 10.0.0.9:80", "567-89-0123")]
    );
    assert!(r.findings[0].decoded);
}

#[test]
fn http_connect_tunnel_is_tls_not_a_body() {
    let mut c = Conn::new("10.0.0.5:51015", "10.0.0.9:3128", Link::Ethernet);
    let mut client =
        b"CONNECT ehr.example.org:443 HTTP/1.1\r\nHost: ehr.example.org:443\r\n\r\n".to_vec();
    client.extend(tls_client_hello("ehr.example.org"));
    client.extend(tls_record(
        23,
        b"ssn=678-90-1234 in the clear would be a finding",
    ));
    let mut server = b"HTTP/1.1 200 Connection established\r\n\r\n".to_vec();
    server.extend(tls_record(22, &[2, 0, 0, 4, 3, 3, 0, 0]));
    server.extend(tls_record(
        23,
        b"dob=1950-01-01 ssn=789-01-2345 name=John Smith",
    ));
    let r = run(&eth(&c.exchange(&client, &server)));
    // Only the CONNECT request's cleartext host names; nothing from inside the tunnel.
    let flow = "10.0.0.5:51015 -> 10.0.0.9:3128";
    assert_eq!(
        phi(&r),
        vec![
            t("URL", 4, flow, "ehr.example.org"),
            t("URL", 4, flow, "ehr.example.org")
        ]
    );
    assert_eq!(r.flows[0].protocol, AppProtocol::Http);
    assert_eq!(r.flows[0].encryption, Encryption::ClearThenTls);
}

#[test]
fn hl7_v2_over_mllp() {
    let mut c = Conn::new("10.1.0.20:40100", "10.1.0.30:2575", Link::Sll);
    let msg = mllp(&[
        "MSH|^~\\&|ADT|HOSP|LAB|HOSP|202401011200||ADT^A01|MSG0001|P|2.5",
        "PID|1||448812^^^HOSP^MR||DOE^JANE^Q||19610415|F|||12 ELM ST^^SPRINGFIELD^IL^62704||(217)555-0199|||||ACC99812|123-45-6789",
    ]);
    let ack = mllp(&[
        "MSH|^~\\&|LAB|HOSP|ADT|HOSP|202401011200||ACK|A1|P|2.5",
        "MSA|AA|MSG0001",
    ]);
    let r = run(&pcap(
        &c.exchange(&msg, &ack),
        Link::Sll.linktype(),
        false,
        false,
    ));
    let flow = "10.1.0.20:40100 -> 10.1.0.30:2575";
    assert_eq!(
        phi(&r),
        vec![
            t("MRN", 4, flow, "448812"),
            t("NAME", 4, flow, "DOE^JANE^Q"),
            t("DATE", 4, flow, "19610415"),
            t("ADDRESS", 4, flow, "12 ELM ST^^SPRINGFIELD^IL^62704"),
            t("PHONE", 4, flow, "(217)555-0199"),
            t("ACCOUNT", 4, flow, "ACC99812"),
            t("SSN", 4, flow, "123-45-6789"),
        ]
    );
    assert_eq!(
        (r.flows[0].protocol, r.flows[0].encryption),
        (AppProtocol::Hl7Mllp, Encryption::Cleartext)
    );
    // Offsets point into the MLLP stream: the PID's SSN where the client sent it.
    let ssn = r
        .findings
        .iter()
        .find(|f| f.value == b"123-45-6789")
        .unwrap();
    assert_eq!(ssn.offset, memfind(&msg, b"123-45-6789").unwrap() as u64);
}

fn pg_session() -> (Vec<u8>, Vec<u8>) {
    let mut cl = pg_startup("app", "ehr");
    cl.extend(pg(
        b'Q',
        b"SELECT name, ssn, dob FROM patients WHERE ssn = '123-45-6789'\0",
    ));
    let mut sv = pg(b'R', &0u32.to_be_bytes());
    sv.extend(pg(b'Z', b"I"));
    sv.extend(pg_row_description(&["name", "ssn", "dob"]));
    sv.extend(pg_data_row(&[
        Some("Robert Johnson"),
        Some("234-56-7890"),
        Some("1972-11-30"),
    ]));
    sv.extend(pg_data_row(&[
        Some("Linda Martinez"),
        None,
        Some("1990-07-04"),
    ]));
    sv.extend(pg(b'C', b"SELECT 2\0"));
    sv.extend(pg(b'Z', b"I"));
    (cl, sv)
}

#[test]
fn postgresql_simple_query_and_data_rows() {
    let mut c = Conn::new("10.2.0.7:53000", "10.2.0.8:5432", Link::Ethernet);
    let (cl, sv) = pg_session();
    let r = run(&eth(&c.exchange(&cl, &sv)));
    let flow = "10.2.0.7:53000 -> 10.2.0.8:5432";
    assert_eq!(
        phi(&r),
        vec![
            t("SSN", 4, flow, "123-45-6789"),
            t("NAME", 5, flow, "Robert Johnson"),
            t("SSN", 5, flow, "234-56-7890"),
            t("DATE", 5, flow, "1972-11-30"),
            t("NAME", 5, flow, "Linda Martinez"),
            t("DATE", 5, flow, "1990-07-04"),
        ]
    );
    let f = &r.flows[0];
    assert_eq!(
        (f.protocol, f.encryption),
        (AppProtocol::Postgres, Encryption::Cleartext)
    );
    // Row values point at their bytes in the server's stream.
    let row = r
        .findings
        .iter()
        .find(|x| x.value == b"Linda Martinez")
        .unwrap();
    assert_eq!(row.offset, memfind(&sv, b"Linda Martinez").unwrap() as u64);
    // Only query text and values are scanned, not the protocol framing.
    assert!(f.clear_bytes < f.bytes);
}

#[test]
fn postgresql_cleartext_password_is_a_credential() {
    let mut c = Conn::new("10.2.0.7:53001", "10.2.0.8:5432", Link::Ethernet);
    let mut frames = c.handshake();
    frames.extend(c.send(true, &pg_startup("app", "ehr"), 1448));
    frames.extend(c.send(false, &pg(b'R', &3u32.to_be_bytes()), 1448));
    frames.extend(c.send(true, &pg(b'p', b"s3cret-Pa55\0"), 1448));
    frames.extend(c.send(false, &pg(b'R', &0u32.to_be_bytes()), 1448));
    frames.extend(c.close());
    let r = run(&eth(&frames));
    assert_eq!(credentials(&r), vec![("PostgreSQL cleartext password", 6)]);
    assert!(r.findings.iter().all(|f| f.value.is_empty()));
}

#[test]
fn postgresql_ssl_request_accepted_is_tls_and_not_scanned() {
    let mut c = Conn::new("10.2.0.7:53002", "10.2.0.8:5432", Link::Ethernet);
    let mut ssl = 8u32.to_be_bytes().to_vec();
    ssl.extend_from_slice(&80_877_103u32.to_be_bytes());
    let mut frames = c.handshake();
    frames.extend(c.send(true, &ssl, 1448));
    frames.extend(c.send(false, b"S", 1448));
    let mut hello = tls_client_hello("db");
    hello.extend(tls_record(
        23,
        b"SELECT * FROM patients WHERE ssn='123-45-6789'",
    ));
    frames.extend(c.send(true, &hello, 1448));
    frames.extend(c.send(
        false,
        &tls_record(23, b"Robert Johnson 234-56-7890 1972-11-30"),
        1448,
    ));
    frames.extend(c.close());
    let r = run(&eth(&frames));
    assert_eq!(phi(&r), vec![]);
    let f = &r.flows[0];
    assert_eq!(
        (f.protocol, f.encryption, f.clear_bytes),
        (AppProtocol::Postgres, Encryption::Tls, 0)
    );
}

#[test]
fn postgresql_ssl_request_refused_stays_cleartext() {
    let mut c = Conn::new("10.2.0.7:53003", "10.2.0.8:5432", Link::Ethernet);
    let mut ssl = 8u32.to_be_bytes().to_vec();
    ssl.extend_from_slice(&80_877_103u32.to_be_bytes());
    let (cl, sv) = pg_session();
    let mut frames = c.handshake();
    frames.extend(c.send(true, &ssl, 1448));
    frames.extend(c.send(false, b"N", 1448));
    frames.extend(c.send(true, &cl, 1448));
    frames.extend(c.send(false, &sv, 1448));
    frames.extend(c.close());
    let r = run(&eth(&frames));
    assert_eq!(r.flows[0].encryption, Encryption::Cleartext);
    assert_eq!(phi(&r).len(), 6);
    assert_eq!(phi(&r)[0].1, 6);
}

#[test]
fn tls_client_hello_is_encrypted_and_never_scanned() {
    // PHI-looking text inside TLS records (as if it were ciphertext) must not be reported, on any port.
    for port in [443u16, 80, 5432, 2575] {
        let mut c = Conn::new(
            "10.3.0.1:49152",
            &format!("10.3.0.2:{port}"),
            Link::Ethernet,
        );
        let mut ch = tls_client_hello("ehr.example.org");
        ch.extend(tls_record(23, b"SSN 123-45-6789 John Smith DOB 02/14/1951"));
        let mut sh = tls_record(22, &[2, 0, 0, 4, 3, 3, 0, 0]);
        sh.extend(tls_record(23, b"name=Maria Gonzalez ssn=234-56-7890"));
        let r = run(&eth(&c.exchange(&ch, &sh)));
        assert_eq!(phi(&r), vec![], "port {port}");
        let f = &r.flows[0];
        assert_eq!(
            (f.protocol, f.encryption, f.clear_bytes),
            (AppProtocol::Tls, Encryption::Tls, 0),
            "port {port}"
        );
        assert!(f.bytes > 0);
        assert!(!f.phi_in_clear());
    }
}

#[test]
fn starttls_after_cleartext() {
    let mut c = Conn::new("10.3.0.1:49153", "10.3.0.2:25", Link::Ethernet);
    let mut cl =
        b"EHLO clinic.example\r\nMAIL FROM:<dr.who@clinic.example>\r\nSTARTTLS\r\n".to_vec();
    cl.extend(tls_client_hello("mail"));
    cl.extend(tls_record(23, b"Patient SSN 123-45-6789"));
    let r = run(&eth(
        &c.exchange(&cl, b"220 mail ESMTP\r\n250 ok\r\n220 go ahead\r\n")
    ));
    let flow = "10.3.0.1:49153 -> 10.3.0.2:25";
    assert_eq!(phi(&r), vec![t("EMAIL", 4, flow, "dr.who@clinic.example")]);
    assert_eq!(
        (r.flows[0].protocol, r.flows[0].encryption),
        (AppProtocol::Raw, Encryption::ClearThenTls)
    );
}

#[test]
fn value_split_across_segments_out_of_order_with_retransmission_is_found_once() {
    let mut c = Conn::new("10.4.0.1:50000", "10.4.0.2:80", Link::Ethernet).isn(u32::MAX - 10, 77);
    let body = br#"{"note":"x","ssn":"234-56-7890","tail":"end"}"#;
    let req = http("POST /r HTTP/1.1", &[("Host", "a")], body);
    let split = memfind(&req, b"234-56").unwrap() + 6; // "234-56" | "-7890"
    let mut frames = c.handshake(); // frames 1-3
    let base = c.cseq;
    let seq = |off: usize| base.wrapping_add(off as u32);
    // Frame 4: the second half first (sequence numbers wrap around 2^32 in between).
    frames.push(c.raw(true, seq(split), ACK | PSH, &req[split..]));
    // Frame 5: the first half.
    frames.push(c.raw(true, seq(0), ACK | PSH, &req[..split]));
    // Frame 6: a retransmission overlapping both halves with different bytes: the first copy wins.
    let mut bogus = req[split - 4..split + 4].to_vec();
    bogus.iter_mut().for_each(|b| *b = b'9');
    frames.push(c.raw(true, seq(split - 4), ACK | PSH, &bogus));
    // Frame 7: an exact retransmission of the first half.
    frames.push(c.raw(true, seq(0), ACK | PSH, &req[..split]));
    c.cseq = seq(req.len());
    frames.extend(c.send(false, &http("HTTP/1.1 200 OK", &[], b""), 1448));
    frames.extend(c.close());
    let r = run(&eth(&frames));
    // Found once, at the frame that carried its first byte.
    assert_eq!(
        phi(&r),
        vec![t("SSN", 5, "10.4.0.1:50000 -> 10.4.0.2:80", "234-56-7890")]
    );
    let f = &r.flows[0];
    assert_eq!(f.gaps, 0);
    assert_eq!(f.duplicate_bytes, 8 + split as u64);
    assert!(c.cseq < base, "the test must wrap the sequence space");
}

#[test]
fn a_missing_segment_is_reported_as_a_gap_and_the_rest_is_still_scanned() {
    let mut c = Conn::new("10.4.0.1:50001", "10.4.0.2:9000", Link::Ethernet);
    let mut frames = c.handshake();
    let first = c.send(true, b"record 1: name=John Smith\n", 1448);
    let lost = c.send(true, b"record 2: lost in the capture\n", 1448);
    let third = c.send(true, b"record 3: ssn=345-67-8901\n", 1448);
    frames.extend(first);
    drop(lost);
    frames.extend(third);
    // The last segment before the FIN is lost too.
    let _ = c.send(true, b"tail\n", 1448);
    frames.extend(c.close());
    let r = run(&eth(&frames));
    let flow = "10.4.0.1:50001 -> 10.4.0.2:9000";
    assert_eq!(
        phi(&r),
        vec![
            t("NAME", 4, flow, "John Smith"),
            t("SSN", 5, flow, "345-67-8901")
        ]
    );
    let f = &r.flows[0];
    assert_eq!((f.gaps, f.missing_bytes), (2, 30 + 5));
    assert!(
        f.notes.iter().any(|n| n.contains("35 byte(s) missing")),
        "{:?}",
        f.notes
    );
}

#[test]
fn capture_started_mid_connection() {
    // No handshake: the client is told by the port numbers, the stream starts at the first byte seen.
    let mut c = Conn::new("10.4.0.1:50002", "10.4.0.2:80", Link::Ethernet);
    let frames = c.send(
        true,
        &http(
            "POST /x HTTP/1.1",
            &[("Host", "a")],
            br#"{"ssn":"456-78-9012"}"#,
        ),
        1448,
    );
    let r = run(&eth(&frames));
    assert_eq!(
        phi(&r),
        vec![t("SSN", 1, "10.4.0.1:50002 -> 10.4.0.2:80", "456-78-9012")]
    );
    assert_eq!(r.flows[0].protocol, AppProtocol::Http);
}

#[test]
fn port_reuse_starts_a_new_flow() {
    let mut c = Conn::new("10.4.0.1:50003", "10.4.0.2:80", Link::Ethernet);
    let mut frames = c.exchange(
        b"GET /a HTTP/1.1\r\nHost: a\r\n\r\n",
        &http("HTTP/1.1 200 OK", &[], b"ok"),
    );
    let mut c2 = Conn::new("10.4.0.1:50003", "10.4.0.2:80", Link::Ethernet).isn(90_000, 123);
    frames.extend(c2.exchange(
        &http(
            "POST /b HTTP/1.1",
            &[("Host", "a")],
            br#"{"ssn":"456-78-9012"}"#,
        ),
        &http("HTTP/1.1 200 OK", &[], b""),
    ));
    let r = run(&eth(&frames));
    assert_eq!(r.flows.len(), 2);
    assert_eq!((r.flows[0].phi, r.flows[1].phi), (0, 1));
    assert_eq!(r.findings[0].frame, 12);
    assert_eq!(r.findings[0].flow, 1);
}

#[test]
fn udp_datagrams_are_scanned_and_ip_fragments_counted() {
    let frames = vec![
        udp_frame(
            Link::Ethernet,
            "10.5.0.1:514",
            "10.5.0.2:514",
            b"<14>app: patient ssn=567-89-0123 admitted",
            1,
        ),
        udp_frame(
            Link::Ethernet,
            "[fd00::1]:40000",
            "[fd00::2]:514",
            b"<14>app: mrn=MRN-99120034",
            2,
        ),
        Frame {
            ts_ns: 3,
            data: link_frame(
                Link::Ethernet,
                &ipv4_fragment([10, 5, 0, 1], [10, 5, 0, 2], 17, 0, true, &[0; 64]),
            ),
        },
        Frame {
            ts_ns: 4,
            data: link_frame(
                Link::Ethernet,
                &ipv4_fragment([10, 5, 0, 1], [10, 5, 0, 2], 17, 64, false, &[0; 8]),
            ),
        },
    ];
    let r = run(&eth(&frames));
    assert_eq!(
        phi(&r),
        vec![
            t("SSN", 1, "10.5.0.1:514 -> 10.5.0.2:514", "567-89-0123"),
            t("MRN", 2, "[fd00::1]:40000 -> [fd00::2]:514", "MRN-99120034"),
        ]
    );
    assert_eq!(r.stats.ip_fragments, 2);
    assert_eq!(r.stats.udp_packets, 2);
    assert!(r
        .flows
        .iter()
        .all(|f| f.transport == Transport::Udp && f.encryption == Encryption::Cleartext));
}

#[test]
fn memory_caps_drop_and_count_bytes() {
    let mut c = Conn::new("10.6.0.1:50000", "10.6.0.2:9000", Link::Ethernet);
    let mut data = b"ssn=234-56-7890\n".to_vec();
    data.extend(std::iter::repeat_n(b'z', 5000));
    data.extend_from_slice(b"\nssn=345-67-8901\n");
    let mut frames = c.handshake();
    frames.extend(c.send(true, &data, 1000));
    frames.extend(c.close());
    let opts = Options {
        max_stream_bytes: 2000,
        ..Options::default()
    };
    let r = scan(&Detector::new(), &eth(&frames)[..], &opts);
    let f = &r.flows[0];
    assert_eq!(f.dropped_bytes, data.len() as u64 - 2000);
    assert_eq!(
        f.gaps, 0,
        "bytes dropped at a cap are not gaps in the capture"
    );
    assert_eq!(
        phi(&r),
        vec![t(
            "SSN",
            4,
            "10.6.0.1:50000 -> 10.6.0.2:9000",
            "234-56-7890"
        )]
    );
    assert!(f.notes.iter().any(|n| n.contains("memory cap")));
    assert_eq!(r.stats.dropped_bytes, f.dropped_bytes);
}

#[test]
fn many_closed_connections_are_all_reported_in_order() {
    // More connections than a closed flow lingers for: each is analysed once, in the order it started.
    let mut frames = Vec::new();
    for i in 0..700u32 {
        let mut c = Conn::new(
            &format!("10.7.{}.{}:40000", i / 250, i % 250 + 1),
            "10.7.9.9:80",
            Link::Raw,
        );
        let body = if i % 100 == 7 {
            br#"{"ssn":"456-78-9012"}"#.to_vec()
        } else {
            b"{}".to_vec()
        };
        frames.extend(c.exchange(
            &http("POST /x HTTP/1.1", &[("Host", "a")], &body),
            &http("HTTP/1.1 200 OK", &[], b""),
        ));
    }
    let r = run(&pcap(&frames, 101, false, false));
    assert_eq!(r.flows.len(), 700);
    assert!(r
        .flows
        .windows(2)
        .all(|w| w[0].first_frame < w[1].first_frame));
    let frames_with_ssn: Vec<u64> = r.findings.iter().map(|f| f.frame).collect();
    assert_eq!(
        frames_with_ssn,
        (0..7).map(|k| (k * 100 + 7) * 8 + 4).collect::<Vec<u64>>()
    );
}

#[test]
fn vlan_tags_pppoe_and_sll2() {
    let mut c = Conn::new("10.0.0.5:51000", "10.0.0.9:80", Link::Raw);
    let raw = http_exchange(&mut c);
    let flow = "10.0.0.5:51000 -> 10.0.0.9:80";
    // Ethernet with two VLAN tags (802.1ad outer, 802.1Q inner).
    let qinq: Vec<Frame> = raw
        .iter()
        .map(|f| {
            let mut d = vec![
                2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xA8, 0, 10, 0x81, 0x00, 0, 100, 0x08,
                0x00,
            ];
            d.extend_from_slice(&f.data);
            Frame {
                ts_ns: f.ts_ns,
                data: d,
            }
        })
        .collect();
    assert_eq!(
        phi(&run(&pcap(&qinq, 1, false, false))),
        http_expected(flow)
    );
    // PPPoE session over Ethernet.
    let pppoe: Vec<Frame> = raw
        .iter()
        .map(|f| {
            let mut d = vec![
                2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0x64, 0x11, 0, 0, 1,
            ];
            d.extend_from_slice(&((f.data.len() + 2) as u16).to_be_bytes());
            d.extend_from_slice(&[0x00, 0x21]);
            d.extend_from_slice(&f.data);
            Frame {
                ts_ns: f.ts_ns,
                data: d,
            }
        })
        .collect();
    assert_eq!(
        phi(&run(&pcap(&pppoe, 1, false, false))),
        http_expected(flow)
    );
    // Linux cooked capture v2.
    let sll2: Vec<Frame> = raw
        .iter()
        .map(|f| {
            let mut d = vec![
                0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0,
            ];
            d.extend_from_slice(&f.data);
            Frame {
                ts_ns: f.ts_ns,
                data: d,
            }
        })
        .collect();
    assert_eq!(phi(&run(&pcapng(&sll2, 276, false))), http_expected(flow));
}

#[test]
fn postgresql_extended_protocol_parse_and_bind_parameters() {
    let mut c = Conn::new("10.2.0.7:53004", "10.2.0.8:5432", Link::Ethernet);
    let mut cl = pg_startup("app", "ehr");
    // Parse: unnamed statement, query text, no parameter types.
    let mut parse = b"\0INSERT INTO patients (name, ssn, email) VALUES ($1, $2, $3)\0".to_vec();
    parse.extend_from_slice(&0u16.to_be_bytes());
    cl.extend(pg(b'P', &parse));
    // Bind: unnamed portal and statement, no format codes, three text parameters, no result formats.
    let mut bind = b"\0\0".to_vec();
    bind.extend_from_slice(&0u16.to_be_bytes());
    bind.extend_from_slice(&3u16.to_be_bytes());
    for v in [
        "Robert Johnson",
        "345-67-8901",
        "robert.johnson@example.com",
    ] {
        bind.extend_from_slice(&(v.len() as u32).to_be_bytes());
        bind.extend_from_slice(v.as_bytes());
    }
    bind.extend_from_slice(&0u16.to_be_bytes());
    cl.extend(pg(b'B', &bind));
    cl.extend(pg(b'E', b"\0\0\0\0\0"));
    cl.extend(pg(b'S', b""));
    let mut sv = pg(b'R', &0u32.to_be_bytes());
    sv.extend(pg(b'Z', b"I"));
    sv.extend(pg(b'1', b""));
    sv.extend(pg(b'2', b""));
    sv.extend(pg(b'C', b"INSERT 0 1\0"));
    sv.extend(pg(b'Z', b"I"));
    let r = run(&eth(&c.exchange(&cl, &sv)));
    let flow = "10.2.0.7:53004 -> 10.2.0.8:5432";
    assert_eq!(
        phi(&r),
        vec![
            t("NAME", 4, flow, "Robert Johnson"),
            t("SSN", 4, flow, "345-67-8901"),
            t("EMAIL", 4, flow, "robert.johnson@example.com"),
        ]
    );
    let f = &r.flows[0];
    assert_eq!(
        (f.protocol, f.encryption),
        (AppProtocol::Postgres, Encryption::Cleartext)
    );
    assert!(f.notes.is_empty(), "every message parsed: {:?}", f.notes);
    let ssn = r
        .findings
        .iter()
        .find(|x| x.value == b"345-67-8901")
        .unwrap();
    assert_eq!(ssn.offset, memfind(&cl, b"345-67-8901").unwrap() as u64);
}

#[test]
fn flow_limit_counts_what_it_refuses_and_closed_flows_make_room() {
    let exchange = |port: u16| {
        let mut c = Conn::new(&format!("10.8.0.1:{port}"), "10.8.0.2:80", Link::Ethernet);
        c.exchange(
            &http(
                "POST /x HTTP/1.1",
                &[("Host", "a")],
                br#"{"ssn":"456-78-9012"}"#,
            ),
            &http("HTTP/1.1 200 OK", &[], b""),
        )
    };
    let opts = Options {
        max_flows: 2,
        ..Options::default()
    };
    // Three connections one after another: each closes before the next starts, all are analysed.
    let mut seq = exchange(40001);
    seq.extend(exchange(40002));
    seq.extend(exchange(40003));
    let r = scan(&Detector::new(), &eth(&seq)[..], &opts);
    assert_eq!((r.flows.len(), r.stats.flows_over_cap), (3, 0));
    assert_eq!(r.findings.len(), 3);
    // Three at once: the third is counted, not analysed.
    let (a, b, c) = (exchange(40004), exchange(40005), exchange(40006));
    let mut interleaved = Vec::new();
    for i in 0..a.len() {
        interleaved.extend([a[i].clone(), b[i].clone(), c[i].clone()]);
    }
    let r = scan(&Detector::new(), &eth(&interleaved)[..], &opts);
    // The third connection's handshake, request and response are refused (later packets may open a flow
    // once the others closed, but its data is gone).
    assert!(r.stats.flows_over_cap >= 5, "{:?}", r.stats);
    assert_eq!(r.findings.len(), 2);
    assert!(r
        .findings
        .iter()
        .all(|f| r.flows[f.flow].client.port() != 40006));
}

#[test]
fn ssh_is_encrypted_and_never_scanned() {
    let mut c = Conn::new("10.4.0.1:50022", "10.4.0.2:22", Link::Ethernet);
    let mut client = b"SSH-2.0-OpenSSH_9.6\r\n".to_vec();
    client.extend_from_slice(b"\x00\x00\x01\x0c ssn=456-78-9012 name=Maria Gonzalez");
    let server = b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\x00\x00\x00\x7c dob 1961-07-23";
    let r = run(&eth(&c.exchange(&client, server)));
    assert!(phi(&r).is_empty(), "{:?}", phi(&r));
    let f = &r.flows[0];
    assert_eq!(
        (f.protocol, f.encryption, f.clear_bytes),
        (AppProtocol::Ssh, Encryption::Ssh, 0)
    );
}

#[test]
fn zero_ip_total_length_from_segmentation_offload_is_read_as_captured() {
    // Captures taken on a sending host with TSO show IPv4 total length 0 on large segments.
    let mut c = Conn::new("10.0.0.5:51020", "10.0.0.9:80", Link::Ethernet);
    let req = http(
        "POST /p HTTP/1.1",
        &[("Host", "ehr")],
        br#"{"ssn":"456-78-9012"}"#,
    );
    let mut frames = c.exchange(&req, &http("HTTP/1.1 204 No Content", &[], b""));
    for f in &mut frames {
        f.data[16] = 0;
        f.data[17] = 0;
    }
    let r = run(&eth(&frames));
    assert_eq!(r.stats.malformed, 0);
    assert_eq!(
        phi(&r),
        vec![t("SSN", 4, "10.0.0.5:51020 -> 10.0.0.9:80", "456-78-9012")]
    );
}

#[test]
fn http_content_length_list_of_identical_values_keeps_framing() {
    // `Content-Length: 21, 21` frames the first response; the next response is still parsed as one.
    let mut c = Conn::new("10.0.0.5:51021", "10.0.0.9:80", Link::Ethernet);
    let reqs = b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut resps = b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n{}".to_vec();
    resps.extend(http(
        "HTTP/1.1 200 OK",
        &[("Content-Encoding", "gzip")],
        &gzip_body(br#"{"ssn":"567-89-0123"}"#),
    ));
    let r = run(&eth(&c.exchange(reqs, &resps)));
    assert_eq!(
        phi(&r),
        vec![t("SSN", 5, "10.0.0.5:51021 -> 10.0.0.9:80", "567-89-0123")]
    );
    assert!(r.findings[0].decoded);
}
