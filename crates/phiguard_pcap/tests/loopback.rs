#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A real capture: tcpdump records an HTTP exchange over loopback sockets, and the scan finds the identifier in
//! it. Skipped with a message when tcpdump is not installed or may not capture (needs CAP_NET_RAW).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use phiguard_pcap::{scan, AppProtocol, Encryption, Kind, Options, Report};
use phiguard_phi::Detector;

struct Capture(Child);

impl Capture {
    /// Sends SIGINT and waits (up to five seconds) for tcpdump to flush its file and exit.
    fn interrupt(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts tcpdump on the loopback interface for one port; `None` (with the reason printed) when it cannot run.
fn start(port: u16, file: &std::path::Path) -> Option<Capture> {
    let mut child = match Command::new("tcpdump")
        .args([
            "-i",
            "lo",
            "-n",
            "-U",
            "--immediate-mode",
            "-Z",
            "root",
            "-w",
        ])
        .arg(file)
        .arg(format!("tcp port {port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("SKIPPED: tcpdump not available ({e}); install it (apt-get install tcpdump) to run this test");
            return None;
        }
    };
    // tcpdump prints "listening on lo ..." once the capture runs, or an error and exits.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let _ = err.read_line(&mut line);
    if !line.contains("listening on") {
        let mut rest = String::new();
        let _ = err.read_to_string(&mut rest);
        let _ = child.kill();
        let _ = child.wait();
        eprintln!(
            "SKIPPED: tcpdump cannot capture on lo: {}{}",
            line.trim(),
            rest.trim()
        );
        return None;
    }
    // Keep draining stderr so tcpdump never blocks on it.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut err, &mut std::io::sink());
    });
    Some(Capture(child))
}

fn ssn_flow(r: &Report) -> Option<usize> {
    r.findings
        .iter()
        .find(|f| matches!(f.kind, Kind::Phi { .. }) && f.value == b"234-56-7890")
        .map(|f| f.flow)
}

#[test]
fn http_over_loopback_captured_by_tcpdump() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lo.pcap");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let Some(mut capture) = start(port, &file) else {
        return;
    };

    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; 4096];
        let mut got = Vec::new();
        while !got.ends_with(b"}") {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let body = r#"{"patient":"Maria Gonzalez","dob":"1984-03-12"}"#;
        let resp = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        s.write_all(resp.as_bytes()).unwrap();
    });
    let body = r#"{"ssn":"234-56-7890"}"#;
    let req = format!("POST /patients HTTP/1.1\r\nHost: ehr\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(req.as_bytes()).unwrap();
    let mut resp = Vec::new();
    c.read_to_end(&mut resp).unwrap();
    drop(c);
    server.join().unwrap();
    assert!(resp.ends_with(b"}"));

    // Packets reach tcpdump asynchronously: read the file until the exchange is in it. If it is still
    // incomplete, stop tcpdump the way a user does (SIGINT), which writes out what it holds, and read it once more.
    let det = Detector::new();
    let read = |det: &Detector| {
        let bytes = std::fs::read(&file).unwrap_or_default();
        scan(det, &bytes[..], &Options::default())
    };
    let complete = |r: &Report| ssn_flow(r).is_some_and(|i| r.flows[i].phi >= 3);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut report = read(&det);
    while !complete(&report) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        report = read(&det);
    }
    if !complete(&report) {
        capture.interrupt();
        report = read(&det);
    }
    let i = ssn_flow(&report).expect("the SSN sent over loopback is in the capture");
    let flow = &report.flows[i];
    assert_eq!(flow.server.port(), port);
    assert_eq!(
        (flow.protocol, flow.encryption),
        (AppProtocol::Http, Encryption::Cleartext)
    );
    assert_eq!(flow.gaps, 0);
    let values: Vec<&[u8]> = report
        .findings
        .iter()
        .filter(|f| f.flow == i)
        .map(|f| &f.value[..])
        .collect();
    for v in [&b"234-56-7890"[..], b"Maria Gonzalez", b"1984-03-12"] {
        assert!(
            values.contains(&v),
            "{:?} missing; flows {:?}; findings {:?}",
            String::from_utf8_lossy(v),
            report.flows,
            report.findings
        );
    }
    // The SYN is the first captured frame; the request follows the handshake.
    assert_eq!(flow.first_frame, 1);
    let ssn = report
        .findings
        .iter()
        .find(|f| f.value == b"234-56-7890")
        .unwrap();
    assert!(ssn.frame >= 4, "frame {}", ssn.frame);
}
