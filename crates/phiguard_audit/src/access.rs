//! Access report: who read or changed what in PHI namespaces, and when.

use std::collections::BTreeMap;

use crate::event::{format_rfc3339_us, Event};

/// Access of one subject to one (namespace, resource, verb).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AccessLine {
    pub namespace: String,
    pub resource: String,
    pub verb: String,
    pub allowed: u64,
    pub denied: u64,
    pub first: String,
    pub last: String,
    #[serde(skip)]
    first_us: i64,
    #[serde(skip)]
    last_us: i64,
}

/// One subject's access.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SubjectAccess {
    pub subject: String,
    pub reads: u64,
    pub writes: u64,
    pub denied: u64,
    pub access: Vec<AccessLine>,
}

/// Accumulates the access report over a stream of events.
#[derive(Default)]
pub struct AccessReport {
    map: BTreeMap<String, BTreeMap<(String, String, String), AccessLine>>,
}

impl AccessReport {
    pub fn observe(&mut self, ev: &Event, phi: impl Fn(&str) -> bool) {
        let ns = ev.namespace();
        if !phi(ns) || ev.stage == "RequestReceived" {
            return;
        }
        let Some(t) = ev.time_us() else { return };
        let subject = if ev.username().is_empty() {
            "(unauthenticated)".to_string()
        } else {
            ev.username().to_string()
        };
        let mut resource = ev.resource().to_string();
        if !ev.subresource().is_empty() {
            resource = format!("{resource}/{}", ev.subresource());
        }
        let key = (ns.to_string(), resource, ev.verb.clone());
        let lines = self.map.entry(subject).or_default();
        let line = lines.entry(key.clone()).or_insert_with(|| AccessLine {
            namespace: key.0.clone(),
            resource: key.1.clone(),
            verb: key.2.clone(),
            first_us: t,
            last_us: t,
            ..AccessLine::default()
        });
        if ev.succeeded() {
            line.allowed += 1;
        } else {
            line.denied += 1;
        }
        line.first_us = line.first_us.min(t);
        line.last_us = line.last_us.max(t);
    }

    /// The report, subjects in name order.
    pub fn subjects(&self) -> Vec<SubjectAccess> {
        self.map
            .iter()
            .map(|(subject, lines)| {
                let mut s = SubjectAccess {
                    subject: subject.clone(),
                    ..SubjectAccess::default()
                };
                for l in lines.values() {
                    let mut l = l.clone();
                    l.first = format_rfc3339_us(l.first_us);
                    l.last = format_rfc3339_us(l.last_us);
                    s.denied += l.denied;
                    match l.verb.as_str() {
                        "get" | "list" | "watch" => s.reads += l.allowed,
                        "create" | "update" | "patch" | "delete" | "deletecollection" => {
                            s.writes += l.allowed
                        }
                        _ => {}
                    }
                    s.access.push(l);
                }
                s
            })
            .collect()
    }

    /// Plain text.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let subjects = self.subjects();
        if subjects.is_empty() {
            out.push_str("No access to PHI namespaces in the input.\n");
        }
        for s in subjects {
            out.push_str(&format!(
                "{}: {} read(s), {} write(s), {} denied\n",
                s.subject, s.reads, s.writes, s.denied
            ));
            for l in s.access {
                out.push_str(&format!(
                    "  {:<16} {:<28} {:<8} allowed {:>6}  denied {:>4}  {} .. {}\n",
                    l.namespace, l.resource, l.verb, l.allowed, l.denied, l.first, l.last
                ));
            }
        }
        out
    }
}
