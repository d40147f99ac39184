#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The shipped deployment: `deploy/` passes phiguard's own rules, the Helm chart in `charts/phiguard/` renders
//! to the same objects, and the webhook's own Deployment is admitted by the webhook.
//!
//! Helm is not available here, so the chart is rendered by a small renderer of exactly the Go-template subset
//! the chart uses (tested below): `{{ .Values.x }}`, `{{ .Release.Namespace }}`, trim markers, `if`/`else`/`end`,
//! comments, pipelines and the functions `quote`, `toJson`, `toYaml`, `indent`, `nindent`. A value the chart names
//! but the values do not define is an error (Helm would print nothing), and so is any other action.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use phiguard_core::yaml;
use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

// ---------------------------------------------------------------- the template subset

#[derive(Debug)]
enum Tpl {
    Text(String),
    Out(String),
    If(String, Vec<Tpl>, Vec<Tpl>),
}

/// Splits a template into text and actions, applying `{{-` and `-}}` trimming.
fn lex(src: &str) -> Result<Vec<(bool, String)>, String> {
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut rest = src;
    let mut trim_next = false;
    while let Some(start) = rest.find("{{") {
        let mut text = rest[..start].to_string();
        if trim_next {
            text = text.trim_start().to_string();
        }
        let after = &rest[start + 2..];
        let (trim_prev, after) = match after.strip_prefix('-') {
            Some(a) if a.starts_with([' ', '\n', '\t']) => (true, a),
            _ => (false, after),
        };
        if trim_prev {
            text = text.trim_end().to_string();
        }
        out.push((false, text));
        let end = after
            .find("}}")
            .ok_or_else(|| "unterminated action".to_string())?;
        let mut action = &after[..end];
        trim_next = false;
        if let Some(a) = action.strip_suffix('-') {
            if a.ends_with([' ', '\n', '\t']) {
                action = a;
                trim_next = true;
            }
        }
        let action = action.trim();
        if !(action.starts_with("/*") && action.ends_with("*/")) {
            out.push((true, action.to_string()));
        }
        rest = &after[end + 2..];
    }
    let mut text = rest.to_string();
    if trim_next {
        text = text.trim_start().to_string();
    }
    out.push((false, text));
    Ok(out)
}

fn parse_block(
    toks: &mut std::iter::Peekable<std::vec::IntoIter<(bool, String)>>,
) -> Result<(Vec<Tpl>, Option<String>), String> {
    let mut items = Vec::new();
    while let Some((action, s)) = toks.next() {
        if !action {
            items.push(Tpl::Text(s));
            continue;
        }
        if s == "end" || s == "else" {
            return Ok((items, Some(s)));
        }
        if let Some(cond) = s.strip_prefix("if ") {
            let (then, stop) = parse_block(toks)?;
            let otherwise = match stop.as_deref() {
                Some("else") => {
                    let (e, stop) = parse_block(toks)?;
                    if stop.as_deref() != Some("end") {
                        return Err("`else` without `end`".into());
                    }
                    e
                }
                Some("end") => Vec::new(),
                _ => return Err("`if` without `end`".into()),
            };
            items.push(Tpl::If(cond.trim().to_string(), then, otherwise));
            continue;
        }
        items.push(Tpl::Out(s));
    }
    Ok((items, None))
}

fn parse(src: &str) -> Result<Vec<Tpl>, String> {
    let mut toks = lex(src)?.into_iter().peekable();
    match parse_block(&mut toks)? {
        (items, None) => Ok(items),
        (_, Some(stop)) => Err(format!("unexpected `{stop}`")),
    }
}

/// Splits on a separator outside double quotes.
fn split_outside_quotes(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for c in s.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c == sep && !quoted {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn lookup(ctx: &Value, path: &str) -> Result<Value, String> {
    let mut v = ctx;
    for key in path.trim_start_matches('.').split('.') {
        v = v
            .get(key)
            .ok_or_else(|| format!("`{path}` is not defined"))?;
    }
    Ok(v.clone())
}

fn atom(ctx: &Value, word: &str) -> Result<Value, String> {
    if word == "." {
        return Ok(ctx.clone());
    }
    if word.starts_with('.') {
        return lookup(ctx, word);
    }
    if let Some(s) = word.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
        return Ok(Value::String(s.to_string()));
    }
    word.parse::<i64>()
        .map(Value::from)
        .map_err(|_| format!("unsupported term `{word}`"))
}

fn to_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Block-style YAML for a value; strings are double-quoted with JSON escapes (valid YAML).
fn to_yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                match v {
                    Value::Object(c) if !c.is_empty() => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        to_yaml(v, indent + 2, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        to_yaml(v, indent, out);
                    }
                    scalar => out.push_str(&format!("{pad}{k}: {}\n", scalar_yaml(scalar))),
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for item in a {
                match item {
                    Value::Object(_) | Value::Array(_) => {
                        let mut inner = String::new();
                        to_yaml(item, indent + 2, &mut inner);
                        out.push_str(&format!("{pad}- {}", inner.trim_start()));
                    }
                    scalar => out.push_str(&format!("{pad}- {}\n", scalar_yaml(scalar))),
                }
            }
        }
        scalar => out.push_str(&format!("{pad}{}\n", scalar_yaml(scalar))),
    }
}

fn scalar_yaml(v: &Value) -> String {
    match v {
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

fn indent_lines(n: usize, s: &str) -> String {
    let pad = " ".repeat(n);
    s.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn call(func: &str, args: &[Value]) -> Result<Value, String> {
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!("{func} takes {n} argument(s), got {}", args.len()))
        }
    };
    match func {
        "quote" => {
            arity(1)?;
            Ok(Value::String(Value::String(to_text(&args[0])).to_string()))
        }
        "toJson" => {
            arity(1)?;
            Ok(Value::String(args[0].to_string()))
        }
        "toYaml" => {
            arity(1)?;
            let mut s = String::new();
            to_yaml(&args[0], 0, &mut s);
            Ok(Value::String(s.trim_end().to_string()))
        }
        "indent" | "nindent" => {
            arity(2)?;
            let n = args[0].as_u64().ok_or("indent width must be a number")? as usize;
            let body = indent_lines(n, &to_text(&args[1]));
            Ok(Value::String(if func == "nindent" {
                format!("\n{body}")
            } else {
                body
            }))
        }
        other => Err(format!("unsupported function `{other}`")),
    }
}

fn eval_pipeline(ctx: &Value, pipeline: &str) -> Result<Value, String> {
    let mut prev: Option<Value> = None;
    for cmd in split_outside_quotes(pipeline, '|') {
        let words = split_outside_quotes(&cmd, ' ');
        let (head, tail) = words.split_first().ok_or("empty command")?;
        let mut args = tail
            .iter()
            .map(|w| atom(ctx, w))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(p) = prev.take() {
            args.push(p);
        }
        prev = Some(if head.starts_with('.') || head.starts_with('"') {
            if !args.is_empty() {
                return Err(format!("`{head}` is not a function"));
            }
            atom(ctx, head)?
        } else {
            call(head, &args)?
        });
    }
    prev.ok_or_else(|| "empty action".to_string())
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn exec(items: &[Tpl], ctx: &Value, out: &mut String) -> Result<(), String> {
    for item in items {
        match item {
            Tpl::Text(t) => out.push_str(t),
            Tpl::Out(p) => out.push_str(&to_text(&eval_pipeline(ctx, p)?)),
            Tpl::If(cond, then, otherwise) => {
                if truthy(&eval_pipeline(ctx, cond)?) {
                    exec(then, ctx, out)?;
                } else {
                    exec(otherwise, ctx, out)?;
                }
            }
        }
    }
    Ok(())
}

fn render(src: &str, ctx: &Value) -> Result<String, String> {
    let mut out = String::new();
    exec(&parse(src)?, ctx, &mut out)?;
    Ok(out)
}

#[test]
fn renderer_handles_the_subset_and_refuses_the_rest() {
    let ctx = json!({
        "Values": {"on": true, "off": false, "n": 3, "name": "a b", "list": ["x", "y"],
                   "res": {"limits": {"cpu": "1", "memory": "64Mi"}}},
        "Release": {"Namespace": "ns"}
    });
    let r = |s: &str| render(s, &ctx);
    assert_eq!(r("a {{ .Release.Namespace }} b").unwrap(), "a ns b");
    assert_eq!(r("a  {{- .Values.n -}}  b").unwrap(), "a3b");
    assert_eq!(r("{{ .Values.name | quote }}").unwrap(), "\"a b\"");
    assert_eq!(r("{{ toJson .Values.list }}").unwrap(), "[\"x\",\"y\"]");
    assert_eq!(
        r("x:\n{{- if .Values.on }}\n  y{{- end }}").unwrap(),
        "x:\n  y"
    );
    assert_eq!(r("{{ if .Values.off }}A{{ else }}B{{ end }}").unwrap(), "B");
    assert_eq!(r("{{/* note */}}z").unwrap(), "z");
    assert_eq!(
        r("r:\n  {{- toYaml .Values.res | nindent 2 }}").unwrap(),
        "r:\n  limits:\n    cpu: \"1\"\n    memory: \"64Mi\""
    );
    assert_eq!(
        r("{{ toYaml .Values.list | indent 4 }}").unwrap(),
        "    - \"x\"\n    - \"y\""
    );
    assert!(r("{{ .Values.missing }}")
        .unwrap_err()
        .contains("not defined"));
    assert!(r("{{ include \"x\" . }}")
        .unwrap_err()
        .contains("unsupported"));
    assert!(r("{{ range .Values.list }}{{ end }}").is_err());
    assert!(r("{{ .Values.n ").unwrap_err().contains("unterminated"));
    assert!(r("{{ if .Values.on }}x")
        .unwrap_err()
        .contains("without `end`"));
    assert!(r("{{ end }}").is_err());
}

// ---------------------------------------------------------------- objects

/// Objects by (kind, namespace, name), as JSON.
fn objects(text: &str, origin: &str) -> BTreeMap<(String, String, String), Value> {
    let mut map = BTreeMap::new();
    for doc in yaml::parse_stream(text) {
        let root = doc
            .root
            .unwrap_or_else(|e| panic!("{origin}: document {}: {e}", doc.index + 1));
        let v = root.to_json();
        if v.is_null() {
            continue;
        }
        let key = (
            v["kind"].as_str().unwrap_or("").to_string(),
            v["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            v["metadata"]["name"].as_str().unwrap_or("").to_string(),
        );
        assert!(
            map.insert(key.clone(), v).is_none(),
            "{origin}: duplicate {key:?}"
        );
    }
    map
}

fn manifests_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn plain_objects() -> BTreeMap<(String, String, String), Value> {
    let mut all = BTreeMap::new();
    for f in manifests_in(&repo().join("deploy")) {
        all.extend(objects(
            &std::fs::read_to_string(&f).unwrap(),
            &f.display().to_string(),
        ));
    }
    all
}

fn render_chart(namespace: &str, overrides: Value) -> String {
    let chart = repo().join("charts/phiguard");
    let values_text = std::fs::read_to_string(chart.join("values.yaml")).unwrap();
    let mut values = yaml::parse_document(&values_text, 1).unwrap().to_json();
    if let (Some(v), Some(o)) = (values.as_object_mut(), overrides.as_object()) {
        for (k, x) in o {
            v.insert(k.clone(), x.clone());
        }
    }
    let chart_meta = yaml::parse_document(
        &std::fs::read_to_string(chart.join("Chart.yaml")).unwrap(),
        1,
    )
    .unwrap()
    .to_json();
    let ctx = json!({
        "Values": values,
        "Release": {"Namespace": namespace, "Name": "phiguard"},
        "Chart": chart_meta,
    });
    let mut out = String::new();
    for t in manifests_in(&chart.join("templates")) {
        let src = std::fs::read_to_string(&t).unwrap();
        let rendered = render(&src, &ctx).unwrap_or_else(|e| panic!("{}: {e}", t.display()));
        out.push_str(&format!(
            "---\n# Source: phiguard/templates/{}\n",
            t.file_name().unwrap().to_string_lossy()
        ));
        out.push_str(&rendered);
        out.push('\n');
    }
    out
}

#[test]
fn chart_renders_the_plain_manifests() {
    let plain = plain_objects();
    assert_eq!(plain.len(), 13, "{:?}", plain.keys().collect::<Vec<_>>());
    let rendered = render_chart("phiguard-system", json!({"createNamespace": true}));
    let charted = objects(&rendered, "chart");
    assert_eq!(
        plain.keys().collect::<Vec<_>>(),
        charted.keys().collect::<Vec<_>>()
    );
    for (key, want) in &plain {
        assert_eq!(
            &charted[key], want,
            "{key:?} differs between deploy/ and the chart"
        );
    }
    // Defaults leave the namespace to `helm install --create-namespace`.
    let defaults = objects(&render_chart("phiguard-system", json!({})), "chart");
    assert_eq!(defaults.len(), plain.len() - 1);
}

fn scan(paths: &[&Path]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .arg("scan")
        .args(paths)
        .args(["--concise", "--color", "never"])
        .output()
        .unwrap()
}

#[test]
fn deploy_passes_phiguards_own_rules() {
    let out = scan(&[&repo().join("deploy")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("No findings"), "{text}");
    assert!(text.contains("Scanned 13 objects"), "{text}");

    // The chart rendered into another namespace, without cert-manager, is clean too.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chart.yaml");
    std::fs::write(
        &file,
        render_chart(
            "ehr-guard",
            json!({"createNamespace": true, "certManager": {"enabled": false}}),
        ),
    )
    .unwrap();
    let out = scan(&[&file]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_webhook_admits_its_own_deployment() {
    use phiguard_core::admission::{decide, Operation, Policy, Request};
    use phiguard_core::rules::CATALOG;
    use phiguard_core::settings::{Date, Settings};
    let deployment = std::fs::read_to_string(repo().join("deploy/deployment.yaml")).unwrap();
    let config = &plain_objects()[&(
        "ConfigMap".to_string(),
        "phiguard-system".to_string(),
        "phiguard-config".to_string(),
    )];
    let toml = config["data"]["phiguard.toml"].as_str().unwrap();
    let mut settings = Settings::from_toml("phiguard.toml", toml, &CATALOG).unwrap();
    // Judge it as if its namespace were not exempt.
    settings.admission.exempt_namespaces.clear();
    settings.admission.deny_on = Some(phiguard_core::Severity::Low);
    let policy = Policy::new(settings);
    let d = decide(
        &policy,
        &Request {
            operation: Operation::Create,
            object: Some(&deployment),
            old_object: None,
            namespace: Some("phiguard-system"),
            namespace_labels: None,
            sub_resource: None,
        },
        Date::today(),
    )
    .unwrap();
    assert!(d.allowed());
    assert!(
        d.denying.is_empty() && d.warnings.is_empty(),
        "{:?}",
        d.warnings
    );
}
