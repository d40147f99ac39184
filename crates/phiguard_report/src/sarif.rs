//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

use serde_json::{json, Value};

use phiguard_core::rules::CATALOG;
use phiguard_core::{Rule, ScanReport, Severity};

use crate::catalog::rule_markdown;

fn level(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` score for a severity.
fn security_severity(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// A SARIF `artifactLocation.uri` for a path as the user gave it: a relative reference (forward slashes,
/// percent-encoded), or a `file://` URI for an absolute path (SARIF forbids relative references that begin
/// with a slash); `stdin` for standard input.
pub fn uri(path: &str) -> String {
    let p = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
    if p == "-" {
        return "stdin".to_string();
    }
    // `C:/x` (a Windows drive) is absolute too.
    let b = p.as_bytes();
    let drive = b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/';
    let (mut out, rest) = if p.starts_with('/') {
        (String::from("file://"), b)
    } else if drive {
        (format!("file:///{}:", char::from(b[0])), &b[2..])
    } else {
        (String::new(), b)
    };
    for &b in rest {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if out.is_empty() {
        "stdin".to_string()
    } else {
        out
    }
}

fn rule_descriptor(r: &Rule) -> Value {
    let mut tags: Vec<String> = vec![
        "security".into(),
        "hipaa".into(),
        r.family.title().to_lowercase(),
    ];
    tags.extend(r.hipaa.iter().map(|h| format!("HIPAA-{h}")));
    json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.docs.what_it_does},
        "help": {
            "text": format!("{}\n\nWhy it matters for PHI: {}\n\nRemediation: {}", r.docs.what_it_does, r.docs.why_it_matters, r.docs.remediation),
            "markdown": rule_markdown(r),
        },
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": security_severity(r.severity),
            "hipaa": r.hipaa,
        }
    })
}

pub fn sarif(report: &ScanReport) -> String {
    let rules: Vec<&Rule> = CATALOG
        .iter()
        .filter(|r| report.rules.contains(&r.code))
        .collect();
    let index_of = |code: &str| rules.iter().position(|r| r.code == code);
    let mut results = Vec::new();
    for (f, suppressed) in report
        .findings
        .iter()
        .map(|f| (f, false))
        .chain(report.waived.iter().map(|f| (f, true)))
    {
        let mut region = json!({"startLine": f.location.line.max(1)});
        if f.location.column > 0 {
            region["startColumn"] = json!(f.location.column);
        }
        let mut result = json!({
            "ruleId": f.code,
            "level": level(f.severity),
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(&f.location.file)},
                    "region": region,
                },
                "logicalLocations": [{
                    "name": f.path,
                    "fullyQualifiedName": match &f.object {
                        Some(o) => format!("{o}:{}", f.path),
                        None => f.path.clone(),
                    },
                    "kind": "member",
                }],
            }],
            "partialFingerprints": {"phiguardFingerprint/v1": f.fingerprint},
            "properties": {
                "severity": f.severity.as_str(),
                "phiScope": f.phi_scope,
                "hipaa": f.hipaa,
                "object": f.object.as_ref().map(|o| o.to_string()),
                "helmSource": f.helm_source,
            },
        });
        if let Some(i) = index_of(f.code) {
            result["ruleIndex"] = json!(i);
        }
        if !f.related.is_empty() {
            result["relatedLocations"] = Value::Array(
                f.related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        json!({
                            "id": i,
                            "message": {"text": r.message},
                            "physicalLocation": {
                                "artifactLocation": {"uri": uri(&r.location.file)},
                                "region": {"startLine": r.location.line.max(1), "startColumn": r.location.column.max(1)},
                            }
                        })
                    })
                    .collect(),
            );
        }
        if suppressed {
            if let Some(w) = &f.waiver {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!("{} (owner: {}{})", w.reason, w.owner,
                        w.expires.as_ref().map(|e| format!(", expires {e}")).unwrap_or_default()),
                }]);
            }
        }
        results.push(result);
    }
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            let mut n = json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&e.source_name)}}}],
            });
            if let Some(p) = e.pos {
                n["locations"][0]["physicalLocation"]["region"] =
                    json!({"startLine": p.line.max(1), "startColumn": p.col.max(1)});
            }
            n
        })
        .collect();
    let artifacts: Vec<Value> = report
        .inputs
        .iter()
        .map(|i| {
            json!({
                "location": {"uri": uri(&i.name)},
                "length": i.bytes,
                "hashes": {"sha-256": i.sha256},
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "phiguard",
                "version": report.version,
                "semanticVersion": report.version,
                "informationUri": "https://github.com/phiguard/phiguard",
                "rules": rules.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
            }},
            "invocations": [{
                "executionSuccessful": !report.has_errors(),
                "toolExecutionNotifications": notifications,
            }],
            "artifacts": artifacts,
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn artifact_uris() {
        assert_eq!(uri("deploy/app.yaml"), "deploy/app.yaml");
        assert_eq!(uri("./deploy/my app.yaml"), "deploy/my%20app.yaml");
        assert_eq!(uri("/srv/k8s/app.yaml"), "file:///srv/k8s/app.yaml");
        assert_eq!(uri("C:\\k8s\\app.yaml"), "file:///C:/k8s/app.yaml");
        assert_eq!(uri("a:b.yaml"), "a%3Ab.yaml");
        assert_eq!(uri("-"), "stdin");
    }
}
