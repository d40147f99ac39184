//! `phiguard phi`: find (`scan`), redact (`redact`) and score (`eval`) HIPAA Safe Harbor identifiers in text,
//! logs, JSON, HL7 v2, FHIR and CSV; `gen` writes synthetic PHI-bearing logs with gold spans.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use phiguard_phi::eval::{self, SpanMode};
use phiguard_phi::redact::Redactor;
use phiguard_phi::stream::{self, Located};
use phiguard_phi::{mask, DetectConfig, Detector, Entity, Method};
use rayon::prelude::*;

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

#[derive(Subcommand, Debug)]
pub enum PhiCommand {
    /// Report identifiers found in files, directories (recursive) or stdin (`-`).
    Scan(ScanArgs),
    /// Write the input with identifiers replaced (tags, keyed pseudonyms or partial masks) to stdout.
    Redact(RedactArgs),
    /// Score precision, recall and F1 against an annotated corpus.
    Eval(EvalArgs),
    /// Write synthetic PHI-bearing logs, HL7 and FHIR records (and their gold spans).
    Gen(GenArgs),
    /// Find identifiers and credentials in unencrypted network traffic (pcap, pcapng, gzip-compressed).
    Pcap(super::phi_pcap::PcapArgs),
}

/// What configures the detector, shared by every `phi` command that detects.
#[derive(Args, Debug)]
pub struct DetectArgs {
    /// Configuration file with a `[phi-detect]` section (default: ./phiguard.toml if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Report matches at or above this confidence (0.0-1.0; default 0.5 or the configuration's).
    #[arg(long)]
    pub min_confidence: Option<f32>,
    /// Only these types (comma-separated): NAME, DATE, PHONE, FAX, ADDRESS, LOCATION, ZIP, SSN, EMAIL, MRN,
    /// ACCOUNT, CREDIT_CARD, IBAN, HEALTH_PLAN_ID, LICENSE, VEHICLE_ID, DEVICE_ID, URL, IP, BIOMETRIC_ID,
    /// AGE_OVER_89, OTHER_ID.
    #[arg(long, value_delimiter = ',')]
    pub entities: Vec<String>,
}

#[derive(Args, Debug)]
pub struct Common {
    #[command(flatten)]
    pub detect: DetectArgs,
    /// Treat every input as CSV with a header row (default: by the `.csv` extension).
    #[arg(long)]
    pub csv: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum PhiFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files or directories; `-` (the default) reads stdin.
    pub paths: Vec<String>,
    #[arg(short, long, value_enum, default_value_t = PhiFormat::Text)]
    pub output: PhiFormat,
    /// Print matched values instead of masks.
    #[arg(long)]
    pub show_values: bool,
    /// Print bytes, matches and throughput on stderr.
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum RedactMode {
    /// `[SSN]`
    Tag,
    /// `[SSN:3f9a1c22]`: HMAC-SHA-256 keyed pseudonyms; the key comes from --key-file or $PHIGUARD_PHI_KEY.
    Hmac,
    /// `***-**-6789`, `J*** S****`.
    Partial,
}

#[derive(Args, Debug)]
pub struct RedactArgs {
    /// Files; `-` (the default) reads stdin. Output goes to stdout, inputs one after another.
    pub paths: Vec<String>,
    #[arg(long, value_enum, default_value_t = RedactMode::Tag)]
    pub mode: RedactMode,
    /// File holding the pseudonym key (for --mode hmac).
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Corpus {
    /// presidio-research `synth_dataset_v2.json`.
    Presidio,
    /// A directory of BRAT `.txt`/`.ann` files (MEDDOCAN).
    Brat,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum EvalFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    #[arg(long, value_enum)]
    pub corpus: Corpus,
    /// The corpus file or directory.
    pub path: PathBuf,
    /// Only documents from this index (inclusive).
    #[arg(long, default_value_t = 0)]
    pub from: usize,
    /// Only documents before this index.
    #[arg(long)]
    pub to: Option<usize>,
    #[arg(short, long, value_enum, default_value_t = EvalFormat::Text)]
    pub output: EvalFormat,
    /// Also list missed spans and false positives (any-overlap) with their text.
    #[arg(long)]
    pub errors: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct GenArgs {
    /// Approximate size in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub bytes: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Records per thousand that carry PHI (the rest is log noise).
    #[arg(long, default_value_t = 20)]
    pub phi_per_mille: u64,
    /// Also write the gold spans as JSON lines (`{"entity","start","end"}`, bytes) to this file.
    #[arg(long)]
    pub gold: Option<PathBuf>,
}

pub fn run(cmd: PhiCommand) -> anyhow::Result<u8> {
    match cmd {
        PhiCommand::Scan(a) => scan(a),
        PhiCommand::Redact(a) => redact(a),
        PhiCommand::Eval(a) => evaluate(a),
        PhiCommand::Gen(a) => generate(a),
        PhiCommand::Pcap(a) => super::phi_pcap::run(a),
    }
}

pub(super) fn detector(c: &DetectArgs) -> anyhow::Result<Detector> {
    let path = match &c.config {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from("phiguard.toml")).filter(|p| p.is_file()),
    };
    let cfg = match &path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("{}: cannot read", p.display()))?;
            DetectConfig::from_toml(&text).with_context(|| format!("{}", p.display()))?
        }
        None => DetectConfig::default(),
    };
    let mut det = Detector::from_config(&cfg)?;
    if let Some(m) = c.min_confidence {
        if !(0.0..=1.0).contains(&m) {
            bail!("--min-confidence {m} is outside 0.0..=1.0");
        }
        det.set_min_confidence(m);
    }
    if !c.entities.is_empty() {
        let mut es = Vec::new();
        for e in &c.entities {
            // The argument is masked: a value pasted by mistake must not be echoed.
            es.push(Entity::parse(e).with_context(|| {
                format!(
                    "unknown entity type `{}` in --entities (see --help for the list)",
                    mask(e)
                )
            })?);
        }
        det.set_entities(es);
    }
    Ok(det)
}

/// Expands directories (recursively, sorted) into files.
fn expand(paths: &[String]) -> (Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let list: Vec<String> = if paths.is_empty() {
        vec!["-".into()]
    } else {
        paths.to_vec()
    };
    for p in list {
        if p == "-" {
            files.push(p);
            continue;
        }
        let path = Path::new(&p);
        if path.is_dir() {
            let found = walk(path, |f| f.is_file(), &mut errors);
            files.extend(found.iter().map(|f| f.display().to_string()));
        } else {
            files.push(p);
        }
    }
    (files, errors)
}

/// The files under `dir` (recursively, sorted) that `keep` accepts; unreadable directories are reported in
/// `errors` and the walk goes on.
pub(super) fn walk(
    dir: &Path,
    keep: impl Fn(&Path) -> bool,
    errors: &mut Vec<String>,
) -> Vec<std::path::PathBuf> {
    let mut stack = vec![dir.to_path_buf()];
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        match std::fs::read_dir(&dir) {
            Ok(rd) => {
                for e in rd.flatten() {
                    let ep = e.path();
                    if ep.is_dir() {
                        stack.push(ep);
                    } else if keep(&ep) {
                        found.push(ep);
                    }
                }
            }
            Err(e) => errors.push(format!(
                "{}: cannot read directory: {}",
                dir.display(),
                e.kind()
            )),
        }
    }
    found.sort();
    found
}

/// Inputs at least this large (in bytes) get a progress bar, when stderr is a terminal.
const PROGRESS_BYTES: u64 = 256 << 20;

/// A progress bar over the bytes of the regular files among `files`, when stderr is a terminal and they are
/// large enough for the wait to matter.
pub(super) fn byte_progress<'a>(
    files: impl Iterator<Item = &'a Path>,
    what: &'static str,
) -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let total: u64 = files
        .filter_map(|p| std::fs::metadata(p).ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    (total >= PROGRESS_BYTES).then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(what);
        bar
    })
}

/// A reader that advances a progress bar by the bytes read through it.
pub(super) struct Progress<R> {
    pub inner: R,
    pub bar: Option<indicatif::ProgressBar>,
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

fn open(path: &str) -> io::Result<Box<dyn Read + Send>> {
    if path == "-" {
        Ok(Box::new(io::stdin()))
    } else {
        Ok(Box::new(File::open(path)?))
    }
}

/// Reads the header line of a CSV input and returns a reader over the whole input again.
fn csv_prepare(
    det: &Detector,
    mut r: Box<dyn Read + Send>,
) -> io::Result<(Detector, Box<dyn Read + Send>)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while head.len() < 64 * 1024 {
        match r.read(&mut byte)? {
            0 => break,
            _ => {
                head.push(byte[0]);
                if byte[0] == b'\n' {
                    break;
                }
            }
        }
    }
    let mut d = det.clone();
    d.set_csv_header(&head);
    let chained: Box<dyn Read + Send> = Box::new(io::Cursor::new(head).chain(r));
    Ok((d, chained))
}

struct FileResult {
    path: String,
    found: Vec<Located>,
    bytes: u64,
    error: Option<String>,
}

fn scan_one(
    det: &Detector,
    path: &str,
    csv: bool,
    bar: Option<&indicatif::ProgressBar>,
) -> FileResult {
    let mut res = FileResult {
        path: path.to_string(),
        found: Vec::new(),
        bytes: 0,
        error: None,
    };
    let reader: Box<dyn Read + Send> = match open(path) {
        Ok(r) => Box::new(Progress {
            inner: r,
            bar: bar.cloned(),
        }),
        Err(e) => {
            res.error = Some(format!("{path}: cannot read: {}", e.kind()));
            return res;
        }
    };
    let is_csv = csv || path.to_ascii_lowercase().ends_with(".csv");
    let outcome = if is_csv {
        csv_prepare(det, reader)
            .and_then(|(d, r)| stream::scan_reader(&d, r, stream::CHUNK, |l| res.found.push(l)))
    } else {
        stream::scan_reader(det, reader, stream::CHUNK, |l| res.found.push(l))
    };
    match outcome {
        Ok(stats) => res.bytes = stats.bytes,
        Err(e) => {
            res.error = Some(format!(
                "{path}: read failed after {} findings: {}",
                res.found.len(),
                e.kind()
            ))
        }
    }
    tracing::debug!(path = %path, bytes = res.bytes, matches = res.found.len(), "scanned");
    res
}

/// The document `phi scan -o json` writes.
#[derive(serde::Serialize)]
struct JsonScan<'a> {
    findings: Vec<JsonFinding<'a>>,
    stats: JsonStats,
    errors: &'a [String],
}

#[derive(serde::Serialize)]
struct JsonStats {
    inputs: usize,
    bytes: u64,
    findings: usize,
}

/// One finding of `phi scan -o json` (fields in this order).
#[derive(serde::Serialize)]
struct JsonFinding<'a> {
    path: &'a str,
    line: u64,
    column: u64,
    offset: usize,
    length: usize,
    entity: Entity,
    safe_harbor: u8,
    confidence: f64,
    method: Method,
    value: String,
}

fn scan(a: ScanArgs) -> anyhow::Result<u8> {
    let det = detector(&a.common.detect)?;
    let (files, mut errors) = expand(&a.paths);
    if files.is_empty() {
        failed(&errors);
        eprintln!("error: no input files");
        return Ok(EXIT_ERROR);
    }
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let bar = byte_progress(
        files.iter().filter(|f| *f != "-").map(Path::new),
        "scanning",
    );
    let results: Vec<FileResult> = files
        .par_iter()
        .map(|p| scan_one(&det, p, a.common.csv, bar.as_ref()))
        .collect();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let elapsed = started.elapsed();
    let cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let bytes: u64 = results.iter().map(|r| r.bytes).sum();
    let total: usize = results.iter().map(|r| r.found.len()).sum();
    errors.extend(results.iter().filter_map(|r| r.error.clone()));
    let value = |l: &Located| -> String {
        let v = String::from_utf8_lossy(&l.value);
        if a.show_values {
            v.into_owned()
        } else {
            mask(&v)
        }
    };
    let mut out = BufWriter::new(io::stdout().lock());
    match a.output {
        PhiFormat::Text => {
            for r in &results {
                for l in &r.found {
                    writeln!(
                        out,
                        "{}:{}:{}: {} {:.2} {}",
                        r.path,
                        l.line,
                        l.column,
                        l.m.entity,
                        l.m.confidence,
                        value(l)
                    )?;
                }
            }
            writeln!(
                out,
                "{total} identifier(s) in {} input(s), {bytes} bytes",
                results.len()
            )?;
        }
        PhiFormat::Json => {
            let findings: Vec<JsonFinding> = results
                .iter()
                .flat_map(|r| {
                    r.found.iter().map(|l| JsonFinding {
                        path: &r.path,
                        line: l.line,
                        column: l.column,
                        offset: l.m.start,
                        length: l.m.end - l.m.start,
                        entity: l.m.entity,
                        safe_harbor: l.m.entity.safe_harbor(),
                        confidence: (f64::from(l.m.confidence) * 100.0).round() / 100.0,
                        method: l.m.method,
                        value: value(l),
                    })
                })
                .collect();
            let doc = JsonScan {
                findings,
                stats: JsonStats {
                    inputs: results.len(),
                    bytes,
                    findings: total,
                },
                errors: &errors,
            };
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        PhiFormat::Sarif => {
            let mut rules: Vec<Entity> = results
                .iter()
                .flat_map(|r| r.found.iter().map(|l| l.m.entity))
                .collect();
            rules.sort();
            rules.dedup();
            let results_json: Vec<serde_json::Value> = results
                .iter()
                .flat_map(|r| {
                    r.found.iter().map(|l| {
                        serde_json::json!({
                            "ruleId": format!("PHI-{}", l.m.entity),
                            "level": if l.m.confidence >= 0.8 { "error" } else { "warning" },
                            "message": {"text": format!("{} (Safe Harbor identifier {}), confidence {:.2}: {}", l.m.entity, l.m.entity.safe_harbor(), l.m.confidence, value(l))},
                            "locations": [{"physicalLocation": {
                                "artifactLocation": {"uri": phiguard_report::sarif_uri(&r.path)},
                                "region": {"startLine": l.line, "startColumn": l.column,
                                           "byteOffset": l.m.start, "byteLength": l.m.end - l.m.start}
                            }}]
                        })
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                "version": "2.1.0",
                "runs": [{
                    "tool": {"driver": {
                        "name": "phiguard",
                        "informationUri": "https://www.hhs.gov/hipaa/for-professionals/special-topics/de-identification/index.html",
                        "rules": rules.iter().map(|e| serde_json::json!({
                            "id": format!("PHI-{e}"),
                            "shortDescription": {"text": format!("HIPAA Safe Harbor identifier: {e}")},
                            "properties": {"hipaa": "45 CFR 164.514(b)(2)(i)"}
                        })).collect::<Vec<_>>()
                    }},
                    "results": results_json
                }]
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
    }
    out.flush()?;
    drop(out);
    if a.stats {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let per_cpu = match cpu {
            Some(c) if c > 0.0 => format!(
                ", {c:.2} CPU-s, {:.1} MB per CPU-second",
                bytes as f64 / c / 1e6
            ),
            _ => String::new(),
        };
        eprintln!(
            "phi scan: {bytes} bytes, {total} matches, {:.3} s, {:.1} MB/s wall{per_cpu}",
            secs,
            bytes as f64 / secs / 1e6
        );
    }
    if failed(&errors) {
        return Ok(EXIT_ERROR);
    }
    if bytes == 0 {
        eprintln!("error: the inputs are empty; nothing was scanned");
        return Ok(EXIT_ERROR);
    }
    Ok(if total > 0 { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Prints the errors of a run (paths and positions, never input values) on stderr; whether there were any.
pub(super) fn failed(errors: &[String]) -> bool {
    for e in errors {
        eprintln!("error: {e}");
    }
    !errors.is_empty()
}

fn redact(a: RedactArgs) -> anyhow::Result<u8> {
    let det = detector(&a.common.detect)?;
    let redactor = match a.mode {
        RedactMode::Tag => Redactor::Tag,
        RedactMode::Partial => Redactor::Partial,
        RedactMode::Hmac => {
            let key = match &a.key_file {
                Some(p) => std::fs::read(p)
                    .with_context(|| format!("{}: cannot read the key file", p.display()))?,
                None => std::env::var("PHIGUARD_PHI_KEY")
                    .map(String::into_bytes)
                    .unwrap_or_default(),
            };
            let key: Vec<u8> = key.trim_ascii().to_vec();
            if key.len() < 16 {
                bail!("--mode hmac needs a key of at least 16 bytes in --key-file or $PHIGUARD_PHI_KEY");
            }
            Redactor::Pseudonym { key }
        }
    };
    let (files, errors) = expand(&a.paths);
    let mut failed = !errors.is_empty();
    for e in &errors {
        eprintln!("error: {e}");
    }
    let mut out = BufWriter::new(io::stdout().lock());
    let mut total = 0;
    for path in &files {
        let reader = match open(path) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {path}: cannot read: {}", e.kind());
                failed = true;
                continue;
            }
        };
        let is_csv = a.common.csv || path.to_ascii_lowercase().ends_with(".csv");
        let res = if is_csv {
            csv_prepare(&det, reader)
                .and_then(|(d, r)| stream::redact_stream(&d, &redactor, r, &mut out, stream::CHUNK))
        } else {
            stream::redact_stream(&det, &redactor, reader, &mut out, stream::CHUNK)
        };
        match res {
            Ok(s) => total += s.matches,
            Err(e) => {
                eprintln!("error: {path}: redaction stopped: {}", e.kind());
                failed = true;
            }
        }
    }
    out.flush()?;
    tracing::info!(replaced = total, "redacted");
    Ok(if failed { EXIT_ERROR } else { EXIT_CLEAN })
}

fn evaluate(a: EvalArgs) -> anyhow::Result<u8> {
    let det = detector(&a.common.detect)?;
    let docs = match a.corpus {
        Corpus::Presidio => eval::load_presidio(&a.path)?,
        Corpus::Brat => eval::load_brat_dir(&a.path)?,
    };
    if docs.is_empty() {
        bail!("{}: no documents", a.path.display());
    }
    let to = a.to.unwrap_or(docs.len()).min(docs.len());
    if a.from >= to {
        bail!(
            "--from {} leaves no documents (corpus has {})",
            a.from,
            docs.len()
        );
    }
    let docs = &docs[a.from..to];
    let started = Instant::now();
    let exact = eval::score(&det, docs, SpanMode::Exact);
    let overlap = eval::score(&det, docs, SpanMode::Overlap);
    let secs = started.elapsed().as_secs_f64() / 2.0;
    let mut out = io::stdout().lock();
    match a.output {
        EvalFormat::Json => {
            let doc = serde_json::json!({"exact": exact, "overlap": overlap, "documents": docs.len(),
                "min_confidence": det.min_confidence()});
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        EvalFormat::Text => {
            writeln!(
                out,
                "{} documents, {} bytes, min-confidence {:.2}, {:.1} MB/s",
                docs.len(),
                exact.bytes,
                det.min_confidence(),
                exact.bytes as f64 / secs.max(1e-9) / 1e6
            )?;
            writeln!(
                out,
                "{:<12} {:>6} | {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6}",
                "type", "gold", "P-exa", "R-exa", "F1-exa", "P-ovl", "R-ovl", "F1-ovl"
            )?;
            let row = |out: &mut dyn Write,
                       name: &str,
                       e: &eval::Counts,
                       o: &eval::Counts|
             -> io::Result<()> {
                writeln!(
                    out,
                    "{:<12} {:>6} | {:>6.3} {:>6.3} {:>6.3} | {:>6.3} {:>6.3} {:>6.3}",
                    name,
                    e.tp + e.fn_,
                    e.precision(),
                    e.recall(),
                    e.f1(),
                    o.precision(),
                    o.recall(),
                    o.f1()
                )
            };
            for (g, e) in &exact.per_group {
                let o = overlap.per_group.get(g).copied().unwrap_or_default();
                row(&mut out, g, e, &o)?;
            }
            row(&mut out, "OVERALL", &exact.overall, &overlap.overall)?;
            if a.errors {
                for (label, text) in &overlap.misses {
                    writeln!(out, "MISS {label:<20} {text:?}")?;
                }
                for (label, text) in &overlap.false_positives {
                    writeln!(out, "FP   {label:<20} {text:?}")?;
                }
            }
            writeln!(out, "recall by corpus label (any-overlap):")?;
            for (label, (hit, n)) in &overlap.recall_by_label {
                writeln!(
                    out,
                    "  {label:<34} {hit:>5}/{n:<5} {:.3}",
                    *hit as f64 / (*n).max(1) as f64
                )?;
            }
        }
    }
    Ok(EXIT_CLEAN)
}

fn generate(a: GenArgs) -> anyhow::Result<u8> {
    let g = phiguard_phi::synth::logs(a.seed, a.bytes, a.phi_per_mille);
    let mut out = BufWriter::new(io::stdout().lock());
    out.write_all(g.text.as_bytes())?;
    out.flush()?;
    if let Some(p) = &a.gold {
        let mut f = BufWriter::new(
            File::create(p).with_context(|| format!("{}: cannot create", p.display()))?,
        );
        for (e, s, en) in &g.gold {
            writeln!(
                f,
                "{}",
                serde_json::json!({"entity": e, "start": s, "end": en})
            )?;
        }
        f.flush()?;
    }
    Ok(EXIT_CLEAN)
}

/// User + system CPU time of this process (all threads), from /proc (Linux); `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    // USER_HZ is 100 on Linux.
    Some((utime + stime) / 100.0)
}
