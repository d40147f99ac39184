#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every detection fires exactly at the events injected into a generated stream, and nowhere else.

use phiguard_audit::generate::{self, Expected};
use phiguard_audit::reader;
use phiguard_audit::{event::Event, AccessReport, Alert, Detector, Issue, Loc, Pipeline};

fn run(text: &str, file: &str) -> (Vec<Alert>, Vec<Issue>, reader::ReadStats, AccessReport) {
    let mut det = Detector::new(generate::config());
    let mut access = AccessReport::default();
    let mut alerts = Vec::new();
    let mut issues = Vec::new();
    let stats = {
        let mut on_alert = |a: Alert| alerts.push(a);
        let mut on_issue = |i: Issue| issues.push(i);
        let mut p = Pipeline::new(&mut det, Some(&mut access), &mut on_alert, &mut on_issue);
        reader::read(file, text.as_bytes(), &mut p).unwrap()
    };
    (alerts, issues, stats, access)
}

#[test]
fn each_detection_fires_exactly_at_the_injected_events() {
    let stream = generate::generate(7, 144);
    let (alerts, issues, stats, _) = run(&stream.text(), "gen.jsonl");
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(stats.events as usize, stream.lines.len());
    assert!(stream.lines.len() > 20_000, "{}", stream.lines.len());

    let mut unexpected = Vec::new();
    let mut matched = vec![0usize; stream.expected.len()];
    for a in &alerts {
        let hit = stream
            .expected
            .iter()
            .position(|e| e.code == a.code && (e.first..=e.last).contains(&a.at.line));
        match hit {
            Some(i) => matched[i] += 1,
            None => unexpected.push(format!("{} at line {}: {}", a.code, a.at.line, a.message)),
        }
    }
    assert!(
        unexpected.is_empty(),
        "alerts on normal traffic: {unexpected:#?}"
    );
    let missing: Vec<&Expected> = stream
        .expected
        .iter()
        .zip(&matched)
        .filter(|(_, n)| **n != 1)
        .map(|(e, _)| e)
        .collect();
    assert!(missing.is_empty(), "not fired exactly once: {missing:#?}");
    // Every detection in the catalog is exercised.
    for d in phiguard_audit::detections::DETECTIONS {
        assert!(
            stream.expected.iter().any(|e| e.code == d.code),
            "{} has no injected attack",
            d.code
        );
    }
}

#[test]
fn normal_traffic_alone_is_quiet() {
    let stream = generate::generate(11, 120);
    assert!(stream.expected.is_empty());
    let (alerts, issues, _, _) = run(&stream.text(), "normal.jsonl");
    assert!(issues.is_empty());
    assert!(alerts.is_empty(), "{:#?}", &alerts[..alerts.len().min(5)]);
}

#[test]
fn malformed_lines_are_reported_and_skipped() {
    let stream = generate::generate(3, 144);
    let mut lines = stream.lines.clone();
    // Inserted before line 2: every later line number moves by the number of inserted lines.
    let bad = [
        "{\"kind\":\"Event\",\"verb\":\"get\",\"user\":{\"username\":\"x\"", // truncated
        "not json at all",
        "[1,2,3]",
        "{\"verb\": }",
    ];
    for (i, b) in bad.iter().enumerate() {
        lines.insert(1 + i, b.to_string());
    }
    lines.insert(10, String::new());
    let text = lines.join("\n");
    let (alerts, issues, stats, _) = run(&text, "bad.jsonl");
    let at: Vec<u64> = issues.iter().map(|i| i.line).collect();
    assert_eq!(at, vec![2, 3, 4, 5], "{issues:#?}");
    assert!(
        issues[0].message.contains("truncated"),
        "{}",
        issues[0].message
    );
    assert!(issues.iter().all(|i| i.file == "bad.jsonl"));
    assert_eq!(stats.events as usize, stream.lines.len());
    // The detections still fire, at the shifted lines.
    assert_eq!(alerts.len(), stream.expected.len());
    for (a, e) in alerts.iter().zip(&stream.expected) {
        let shift = if e.first >= 10 { 5 } else { 4 };
        assert!(
            a.at.line >= e.first + shift - 1 && a.at.line <= e.last + shift,
            "{a:?} vs {e:?}"
        );
    }
}

#[test]
fn event_list_bodies_single_line_and_pretty() {
    let stream = generate::generate(5, 144);
    let items: Vec<serde_json::Value> = stream
        .lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let list = serde_json::json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": items});
    let one = list.to_string();
    let pretty = serde_json::to_string_pretty(&list).unwrap();
    for (name, body) in [("one", one), ("pretty", pretty)] {
        let (alerts, issues, stats, _) = run(&body, name);
        assert!(issues.is_empty(), "{name}: {issues:?}");
        assert_eq!(stats.events as usize, stream.lines.len(), "{name}");
        let got: Vec<(&str, u64)> = alerts
            .iter()
            .map(|a| (a.code, a.at.item.unwrap() + 1))
            .collect();
        assert_eq!(got.len(), stream.expected.len(), "{name}");
        for ((code, idx), e) in got.iter().zip(&stream.expected) {
            assert_eq!(*code, e.code);
            assert!((e.first..=e.last).contains(idx));
        }
    }
    // The same through the body entry point, in two halves: detector state carries over.
    let mut det = Detector::new(generate::config());
    let half = items.len() / 2;
    let mut total = Vec::new();
    for part in [&items[..half], &items[half..]] {
        let body = serde_json::json!({"kind": "EventList", "items": part}).to_string();
        let (alerts, issues) =
            phiguard_audit::alerts_from_body(&mut det, "POST /audit", body.as_bytes());
        assert!(issues.is_empty());
        total.extend(alerts);
    }
    assert_eq!(total.len(), stream.expected.len());
}

#[test]
fn bad_event_list_items_and_broken_documents() {
    let body = r#"{"kind":"EventList","items":[{"verb":"get","user":{"username":"system:anonymous"},"requestURI":"/api/v1/pods","responseStatus":{"code":200}}, 42, "x"]}"#;
    let (alerts, issues, stats, _) = run(body, "list.json");
    assert_eq!(stats.events, 1);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].code, "AL003");
    assert_eq!(issues.len(), 2, "{issues:?}");
    assert!(issues[0].message.contains("item 1"));

    let broken = "{\n  \"kind\": \"EventList\",\n  \"items\": [\n    {\"verb\": \"get\"},\n    {\"verb\": \n";
    let (_, issues, stats, _) = run(broken, "broken.json");
    assert_eq!(stats.events, 1);
    assert_eq!(issues.len(), 1);
    assert!(
        issues[0].message.contains("after 1 item"),
        "{}",
        issues[0].message
    );
}

#[test]
fn access_report_lists_phi_namespace_subjects() {
    let stream = generate::generate(7, 144);
    let (_, _, _, access) = run(&stream.text(), "gen.jsonl");
    let subjects = access.subjects();
    let names: Vec<&str> = subjects.iter().map(|s| s.subject.as_str()).collect();
    assert!(names.contains(&"alice@clinic.example"));
    assert!(names.contains(&"system:serviceaccount:ehr:ehr-api"));
    assert!(
        !names.contains(&"system:serviceaccount:monitoring:prometheus"),
        "prometheus never touches PHI namespaces"
    );
    let bob = subjects
        .iter()
        .find(|s| s.subject == "bob@clinic.example")
        .unwrap();
    assert!(bob
        .access
        .iter()
        .any(|l| l.resource == "pods/exec" && l.namespace == "ehr"));
    assert!(bob
        .access
        .iter()
        .any(|l| l.resource == "networkpolicies" && l.verb == "delete"));
    let text = access.render_text();
    assert!(text.contains("pods/portforward"));
}

#[test]
fn falco_style_exec_event() {
    // The shape of an exec event as the API server writes it at stage ResponseStarted.
    let line = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a1","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/ehr/pods/db-0/exec?command=bash&container=db&stdin=true&stdout=true&tty=true","verb":"create","user":{"username":"dev@example.org","groups":["system:authenticated"]},"sourceIPs":["192.0.2.4"],"userAgent":"kubectl/v1.31.0","objectRef":{"resource":"pods","namespace":"ehr","name":"db-0","apiVersion":"v1","subresource":"exec"},"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2026-03-03T10:00:00.000000Z","stageTimestamp":"2026-03-03T10:00:00.100000Z"}"#;
    let done = line.replace("ResponseStarted", "ResponseComplete");
    let text = format!("{line}\n{done}\n");
    let (alerts, _, _, _) = run(&text, "exec.jsonl");
    assert_eq!(
        alerts.iter().map(|a| a.code).collect::<Vec<_>>(),
        vec!["AL005"]
    );
    let _: Option<(Event, Loc)> = None;
}
