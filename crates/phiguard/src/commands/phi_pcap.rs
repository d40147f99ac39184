//! `phiguard phi pcap`: identifiers and credentials in unencrypted network traffic (pcap, pcapng, either
//! gzip-compressed), and the flows that carried PHI in the clear (45 CFR 164.312(e)(1), transmission security).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use phiguard_pcap::{Encryption, Finding, FlowSummary, Kind, Options, Report, Side};
use phiguard_phi::{mask, Detector};
use rayon::prelude::*;

use super::phi::{DetectArgs, PhiFormat};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// The HIPAA standard a cleartext flow carrying PHI fails.
const TRANSMISSION_SECURITY: &str = "45 CFR 164.312(e)(1)";
/// Its addressable encryption specification.
const TRANSMISSION_ENCRYPTION: &str = "45 CFR 164.312(e)(2)(ii)";

#[derive(Args, Debug)]
pub struct PcapArgs {
    /// Capture files (pcap or pcapng, optionally gzip-compressed), directories searched recursively for
    /// `.pcap`, `.pcapng`, `.cap` and their `.gz` forms, or `-` for stdin (`tcpdump -w - | phiguard phi pcap -`).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(short, long, value_enum, default_value_t = PhiFormat::Text)]
    pub output: PhiFormat,
    /// Print matched values instead of masks (credentials are never printed).
    #[arg(long)]
    pub show_values: bool,
    /// List every flow (text output), not only those with findings.
    #[arg(long)]
    pub flows: bool,
    /// Bytes kept per flow direction for analysis; the rest is counted as dropped.
    #[arg(long, default_value_t = 64 << 20)]
    pub max_stream_bytes: usize,
    /// Print frames, bytes and throughput on stderr.
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub detect: DetectArgs,
}

struct CaptureResult {
    path: String,
    report: Report,
    /// Opening failed or reading stopped early (the report holds what was read before).
    error: Option<String>,
}

fn is_capture_name(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".pcap", ".pcapng", ".cap"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// Files as given; directories expanded (recursively, sorted) to the capture files in them.
fn expand(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" || !p.is_dir() {
            files.push(p.clone());
            continue;
        }
        let found = super::phi::walk(p, is_capture_name, &mut errors);
        if found.is_empty() {
            errors.push(format!(
                "{}: no capture files (.pcap, .pcapng, .cap, .gz) in the directory",
                p.display()
            ));
        }
        files.extend(found);
    }
    (files, errors)
}

fn scan_file(
    det: &Detector,
    path: &Path,
    opts: &Options,
    bar: Option<&indicatif::ProgressBar>,
) -> CaptureResult {
    if path.as_os_str() == "-" {
        let report = phiguard_pcap::scan(det, io::stdin().lock(), opts);
        return result("-".into(), report);
    }
    let name = path.display().to_string();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return CaptureResult {
                error: Some(format!("{name}: cannot read: {}", e.kind())),
                path: name,
                report: Report::default(),
            }
        }
    };
    let file = super::phi::Progress {
        inner: file,
        bar: bar.cloned(),
    };
    let report = phiguard_pcap::scan(det, BufReader::with_capacity(1 << 20, file), opts);
    result(name, report)
}

fn result(name: String, report: Report) -> CaptureResult {
    let error = report.error.as_ref().map(|e| {
        format!(
            "{name}: {e}; {} frame(s) before it were analysed",
            report.stats.frames
        )
    });
    tracing::debug!(path = %name, frames = report.stats.frames, findings = report.findings.len(), "capture scanned");
    CaptureResult {
        path: name,
        report,
        error,
    }
}

fn side(s: Side) -> &'static str {
    match s {
        Side::ClientToServer => "client->server",
        Side::ServerToClient => "server->client",
    }
}

/// The first frame of flow `id` that carried an identifier.
fn first_phi_frame(r: &Report, id: usize) -> u64 {
    r.findings
        .iter()
        .filter(|f| f.flow == id && matches!(f.kind, Kind::Phi { .. }))
        .map(|f| f.frame)
        .min()
        .unwrap_or(0)
}

/// A flow with PHI in the clear: the transmission-security problem.
fn exposed(f: &FlowSummary) -> bool {
    f.phi_in_clear() && !matches!(f.encryption, Encryption::Tls | Encryption::Ssh)
}

pub fn run(a: PcapArgs) -> anyhow::Result<u8> {
    let det = super::phi::detector(&a.detect)?;
    let opts = Options {
        max_stream_bytes: a.max_stream_bytes,
        ..Options::default()
    };
    let (files, mut errors) = expand(&a.paths);
    if files.is_empty() {
        super::phi::failed(&errors);
        eprintln!("error: no capture files");
        return Ok(EXIT_ERROR);
    }
    let started = Instant::now();
    let bar = super::phi::byte_progress(
        files
            .iter()
            .filter(|f| f.as_os_str() != "-")
            .map(PathBuf::as_path),
        "reading captures",
    );
    let results: Vec<CaptureResult> = files
        .par_iter()
        .map(|p| scan_file(&det, p, &opts, bar.as_ref()))
        .collect();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let elapsed = started.elapsed();
    errors.extend(results.iter().filter_map(|r| r.error.clone()));

    let value = |f: &Finding| -> String {
        match f.kind {
            Kind::Credential { .. } => "(not shown)".to_string(),
            Kind::Phi { .. } => {
                let v = String::from_utf8_lossy(&f.value);
                if a.show_values {
                    v.into_owned()
                } else {
                    mask(&v)
                }
            }
        }
    };
    let phi_total: usize = results
        .iter()
        .map(|r| r.report.flows.iter().map(|f| f.phi).sum::<usize>())
        .sum();
    let cred_total: usize = results
        .iter()
        .map(|r| r.report.flows.iter().map(|f| f.credentials).sum::<usize>())
        .sum();
    let exposed_total: usize = results
        .iter()
        .map(|r| r.report.flows.iter().filter(|f| exposed(f)).count())
        .sum();
    let flow_total: usize = results.iter().map(|r| r.report.flows.len()).sum();
    let frames: u64 = results.iter().map(|r| r.report.stats.frames).sum();
    let file_bytes: u64 = results.iter().map(|r| r.report.stats.file_bytes).sum();

    let mut out = BufWriter::new(io::stdout().lock());
    match a.output {
        PhiFormat::Text => write_text(&mut out, &results, &value, a.flows)?,
        PhiFormat::Json => write_json(&mut out, &results, &value, &errors)?,
        PhiFormat::Sarif => write_sarif(&mut out, &results, &value)?,
    }
    if a.output == PhiFormat::Text {
        let tls = results
            .iter()
            .flat_map(|r| r.report.flows.iter())
            .filter(|f| matches!(f.encryption, Encryption::Tls | Encryption::Ssh))
            .count();
        writeln!(
            out,
            "{phi_total} identifier(s) and {cred_total} credential(s) in {flow_total} flow(s) ({tls} encrypted, \
             {exposed_total} carrying PHI in the clear) of {} capture(s), {frames} frame(s)",
            results.len()
        )?;
    }
    out.flush()?;
    drop(out);
    if a.stats {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let scanned: u64 = results.iter().map(|r| r.report.stats.scanned_bytes).sum();
        eprintln!(
            "phi pcap: {file_bytes} capture bytes, {frames} frames, {scanned} bytes scanned, {:.3} s, {:.1} MB/s",
            secs,
            file_bytes as f64 / secs / 1e6
        );
    }
    if super::phi::failed(&errors) {
        return Ok(EXIT_ERROR);
    }
    if flow_total == 0 {
        eprintln!("error: no TCP or UDP traffic in the captures; nothing was analysed");
        return Ok(EXIT_ERROR);
    }
    Ok(if phi_total + cred_total > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

fn entity_label(f: &Finding) -> (String, String) {
    match f.kind {
        Kind::Phi {
            entity, confidence, ..
        } => (entity.to_string(), format!("{confidence:.2}")),
        Kind::Credential { scheme } => (format!("CREDENTIAL ({scheme})"), "1.00".into()),
    }
}

fn write_text(
    out: &mut impl Write,
    results: &[CaptureResult],
    value: &dyn Fn(&Finding) -> String,
    all_flows: bool,
) -> io::Result<()> {
    for r in results {
        for f in &r.report.findings {
            let Some(flow) = r.report.flow_of(f) else {
                continue;
            };
            let (entity, conf) = entity_label(f);
            writeln!(
                out,
                "{}: frame {}: {} {} {} {} {} {}{}",
                r.path,
                f.frame,
                flow.label(),
                f.protocol,
                side(f.side),
                entity,
                conf,
                value(f),
                if f.decoded { " (decoded body)" } else { "" }
            )?;
        }
        for (id, flow) in r.report.flows.iter().enumerate() {
            if exposed(flow) {
                writeln!(
                    out,
                    "{}: {} {} {}: {} identifier(s) sent without encryption, first in frame {}: transmission security \
                     ({TRANSMISSION_SECURITY}; encryption {TRANSMISSION_ENCRYPTION})",
                    r.path,
                    flow.label(),
                    flow.protocol,
                    flow.encryption.as_str(),
                    flow.phi,
                    first_phi_frame(&r.report, id)
                )?;
            }
            if all_flows
                || exposed(flow)
                || flow.credentials > 0
                || !flow.notes.is_empty() && flow.bytes > 0
            {
                writeln!(
                    out,
                    "{}: flow {} {} {} {}: {} packet(s), {} byte(s), {} scanned in the clear, {} gap(s){}",
                    r.path,
                    flow.label(),
                    flow.transport,
                    flow.protocol,
                    flow.encryption.as_str(),
                    flow.packets,
                    flow.bytes,
                    flow.clear_bytes,
                    flow.gaps,
                    if flow.notes.is_empty() {
                        String::new()
                    } else {
                        format!("; {}", flow.notes.join("; "))
                    }
                )?;
            }
        }
        // What was not analysed, so that a clean result is never read as "all of it was clean".
        let unread = not_analysed(&r.report.stats);
        if !unread.is_empty() {
            writeln!(out, "{}: not analysed: {}", r.path, unread.join(", "))?;
        }
    }
    Ok(())
}

/// The parts of a capture that were counted but not analysed.
fn not_analysed(st: &phiguard_pcap::Stats) -> Vec<String> {
    let mut unread = Vec::new();
    if st.ip_fragments > 0 {
        unread.push(format!(
            "{} IP fragment(s) not reassembled",
            st.ip_fragments
        ));
    }
    if st.malformed > 0 {
        unread.push(format!("{} malformed frame(s)", st.malformed));
    }
    if st.unknown_link > 0 {
        unread.push(format!(
            "{} frame(s) of an unsupported link type",
            st.unknown_link
        ));
    }
    if st.flows_over_cap > 0 {
        unread.push(format!(
            "{} packet(s) of flows beyond the flow limit",
            st.flows_over_cap
        ));
    }
    if st.dropped_bytes > 0 {
        unread.push(format!(
            "{} byte(s) beyond the memory caps",
            st.dropped_bytes
        ));
    }
    unread
}

#[derive(serde::Serialize)]
struct JsonDoc<'a> {
    captures: Vec<JsonCapture<'a>>,
    stats: JsonStats,
    errors: &'a [String],
}

#[derive(serde::Serialize)]
struct JsonStats {
    captures: usize,
    frames: u64,
    flows: usize,
    identifiers: usize,
    credentials: usize,
    cleartext_flows_with_phi: usize,
}

#[derive(serde::Serialize)]
struct JsonCapture<'a> {
    path: &'a str,
    frames: u64,
    file_bytes: u64,
    scanned_bytes: u64,
    ip_fragments: u64,
    malformed_frames: u64,
    unknown_link_frames: u64,
    packets_over_flow_limit: u64,
    bytes_over_memory_caps: u64,
    /// What was counted but not analysed, in words (empty when everything was).
    not_analysed: Vec<String>,
    error: Option<&'a str>,
    findings: Vec<JsonFinding>,
    flows: Vec<JsonFlow<'a>>,
}

#[derive(serde::Serialize)]
struct JsonFinding {
    frame: u64,
    time: String,
    flow: usize,
    flow_label: String,
    direction: &'static str,
    protocol: &'static str,
    kind: &'static str,
    entity: Option<phiguard_phi::Entity>,
    safe_harbor: Option<u8>,
    scheme: Option<&'static str>,
    confidence: f64,
    method: Option<phiguard_phi::Method>,
    stream_offset: u64,
    decoded: bool,
    value: String,
}

#[derive(serde::Serialize)]
struct JsonFlow<'a> {
    id: usize,
    client: String,
    server: String,
    transport: String,
    protocol: &'static str,
    encryption: &'static str,
    first_frame: u64,
    packets: u64,
    bytes: u64,
    clear_bytes: u64,
    identifiers: usize,
    credentials: usize,
    gaps: usize,
    missing_bytes: u64,
    duplicate_bytes: u64,
    dropped_bytes: u64,
    notes: &'a [String],
    /// Set when the flow carried PHI in the clear.
    hipaa: Option<&'static str>,
}

fn write_json(
    out: &mut impl Write,
    results: &[CaptureResult],
    value: &dyn Fn(&Finding) -> String,
    errors: &[String],
) -> anyhow::Result<()> {
    let mut stats = JsonStats {
        captures: results.len(),
        frames: 0,
        flows: 0,
        identifiers: 0,
        credentials: 0,
        cleartext_flows_with_phi: 0,
    };
    let captures = results
        .iter()
        .map(|r| {
            let rep = &r.report;
            stats.frames += rep.stats.frames;
            stats.flows += rep.flows.len();
            let findings = rep
                .findings
                .iter()
                .map(|f| {
                    let label = rep.flow_of(f).map(FlowSummary::label).unwrap_or_default();
                    let (entity, confidence, method, scheme) = match f.kind {
                        Kind::Phi {
                            entity,
                            confidence,
                            method,
                        } => {
                            stats.identifiers += 1;
                            (Some(entity), f64::from(confidence), Some(method), None)
                        }
                        Kind::Credential { scheme } => {
                            stats.credentials += 1;
                            (None, 1.0, None, Some(scheme))
                        }
                    };
                    JsonFinding {
                        frame: f.frame,
                        time: f.ts.rfc3339(),
                        flow: f.flow,
                        flow_label: label,
                        direction: side(f.side),
                        protocol: f.protocol.as_str(),
                        kind: if entity.is_some() {
                            "identifier"
                        } else {
                            "credential"
                        },
                        entity,
                        safe_harbor: entity.map(|e| e.safe_harbor()),
                        scheme,
                        confidence: (confidence * 100.0).round() / 100.0,
                        method,
                        stream_offset: f.offset,
                        decoded: f.decoded,
                        value: value(f),
                    }
                })
                .collect();
            let flows = rep
                .flows
                .iter()
                .enumerate()
                .map(|(id, f)| {
                    if exposed(f) {
                        stats.cleartext_flows_with_phi += 1;
                    }
                    JsonFlow {
                        id,
                        client: f.client.to_string(),
                        server: f.server.to_string(),
                        transport: f.transport.to_string(),
                        protocol: f.protocol.as_str(),
                        encryption: f.encryption.as_str(),
                        first_frame: f.first_frame,
                        packets: f.packets,
                        bytes: f.bytes,
                        clear_bytes: f.clear_bytes,
                        identifiers: f.phi,
                        credentials: f.credentials,
                        gaps: f.gaps,
                        missing_bytes: f.missing_bytes,
                        duplicate_bytes: f.duplicate_bytes,
                        dropped_bytes: f.dropped_bytes,
                        notes: &f.notes,
                        hipaa: exposed(f).then_some(TRANSMISSION_SECURITY),
                    }
                })
                .collect();
            JsonCapture {
                path: &r.path,
                frames: rep.stats.frames,
                file_bytes: rep.stats.file_bytes,
                scanned_bytes: rep.stats.scanned_bytes,
                ip_fragments: rep.stats.ip_fragments,
                malformed_frames: rep.stats.malformed,
                unknown_link_frames: rep.stats.unknown_link,
                packets_over_flow_limit: rep.stats.flows_over_cap,
                bytes_over_memory_caps: rep.stats.dropped_bytes,
                not_analysed: not_analysed(&rep.stats),
                error: r.error.as_deref(),
                findings,
                flows,
            }
        })
        .collect();
    let doc = JsonDoc {
        captures,
        stats,
        errors,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

fn write_sarif(
    out: &mut impl Write,
    results: &[CaptureResult],
    value: &dyn Fn(&Finding) -> String,
) -> anyhow::Result<()> {
    let mut rules: Vec<String> = Vec::new();
    let mut sarif_results = Vec::new();
    for r in results {
        for f in &r.report.findings {
            let Some(flow) = r.report.flow_of(f) else {
                continue;
            };
            let (rule, text, level) = match f.kind {
                Kind::Phi { entity, confidence, .. } => (
                    format!("PHI-{entity}"),
                    format!(
                        "{entity} (Safe Harbor identifier {}), confidence {confidence:.2}, in {} traffic {} ({}): {}",
                        entity.safe_harbor(),
                        f.protocol,
                        flow.label(),
                        side(f.side),
                        value(f)
                    ),
                    if confidence >= 0.8 { "error" } else { "warning" },
                ),
                Kind::Credential { scheme } => (
                    "CLEARTEXT-CREDENTIAL".to_string(),
                    format!("{scheme} credential sent in the clear in {} ({})", flow.label(), side(f.side)),
                    "error",
                ),
            };
            rules.push(rule.clone());
            sarif_results.push(serde_json::json!({
                "ruleId": rule,
                "level": level,
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": phiguard_report::sarif_uri(&r.path)}},
                    "logicalLocations": [{"name": format!("frame {}", f.frame), "fullyQualifiedName": format!("{}/frame/{}", flow.label(), f.frame)}]
                }],
                "properties": {"frame": f.frame, "flow": flow.label(), "protocol": f.protocol.as_str(), "direction": side(f.side), "time": f.ts.rfc3339()}
            }));
        }
        for (id, flow) in r
            .report
            .flows
            .iter()
            .enumerate()
            .filter(|(_, f)| exposed(f))
        {
            let first = first_phi_frame(&r.report, id);
            rules.push("PHI-IN-TRANSIT".into());
            sarif_results.push(serde_json::json!({
                "ruleId": "PHI-IN-TRANSIT",
                "level": "error",
                "message": {"text": format!(
                    "{} identifier(s) sent without encryption in {} {} ({}): transmission security, {TRANSMISSION_SECURITY}",
                    flow.phi, flow.protocol, flow.label(), flow.encryption.as_str()
                )},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": phiguard_report::sarif_uri(&r.path)}},
                    "logicalLocations": [{"name": format!("frame {first}"), "fullyQualifiedName": flow.label()}]
                }],
                "properties": {"first_phi_frame": first, "flow": flow.label(), "protocol": flow.protocol.as_str(), "hipaa": TRANSMISSION_SECURITY}
            }));
        }
    }
    rules.sort();
    rules.dedup();
    let rule_docs: Vec<serde_json::Value> = rules
        .iter()
        .map(|id| {
            let (text, hipaa) = match id.as_str() {
                "PHI-IN-TRANSIT" => (
                    "PHI transmitted over the network without encryption".to_string(),
                    format!("{TRANSMISSION_SECURITY}, {TRANSMISSION_ENCRYPTION}"),
                ),
                "CLEARTEXT-CREDENTIAL" => (
                    "Credential transmitted without encryption".to_string(),
                    format!("{TRANSMISSION_SECURITY}, 45 CFR 164.312(d)"),
                ),
                other => (
                    format!("HIPAA Safe Harbor identifier in network traffic: {}", other.trim_start_matches("PHI-")),
                    "45 CFR 164.514(b)(2)(i), 45 CFR 164.312(e)(1)".to_string(),
                ),
            };
            serde_json::json!({"id": id, "shortDescription": {"text": text}, "properties": {"hipaa": hipaa}})
        })
        .collect();
    // Read errors and what was not analysed, per capture.
    let notifications: Vec<serde_json::Value> = results
        .iter()
        .flat_map(|r| {
            let error = r.error.iter().map(|e| {
                serde_json::json!({"level": "error", "message": {"text": e}})
            });
            let unread = not_analysed(&r.report.stats).into_iter().map(|u| {
                serde_json::json!({"level": "warning", "message": {"text": format!("{}: not analysed: {u}", r.path)}})
            });
            error.chain(unread).collect::<Vec<_>>()
        })
        .collect();
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "phiguard", "rules": rule_docs}},
            "invocations": [{
                "executionSuccessful": results.iter().all(|r| r.error.is_none()),
                "toolExecutionNotifications": notifications
            }],
            "results": sarif_results
        }]
    });
    writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    Ok(())
}
