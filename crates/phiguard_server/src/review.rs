//! `admission.k8s.io/v1` AdmissionReview: parse a request, decide with the core, build the response.
//!
//! Every input gets an AdmissionReview answer: a malformed review is answered with `allowed: false` and a status
//! naming the problem (and the request's uid when it could be read), never a hang or a panic.

use phiguard_core::admission::{self, AdmissionError, Decision, Operation, Policy, Request};
use phiguard_core::settings::Date;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

pub const API_VERSION: &str = "admission.k8s.io/v1";

/// At most this many warnings go back to the client (Kubernetes shows them to the user).
const MAX_WARNINGS: usize = 20;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Review<'a> {
    api_version: Option<String>,
    kind: Option<String>,
    #[serde(borrow)]
    request: Option<ReviewRequest<'a>>,
}

#[derive(Deserialize)]
struct Gvk {
    #[serde(default)]
    kind: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewRequest<'a> {
    uid: Option<String>,
    kind: Option<Gvk>,
    operation: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    sub_resource: Option<String>,
    #[serde(borrow)]
    object: Option<&'a RawValue>,
    #[serde(borrow)]
    old_object: Option<&'a RawValue>,
    dry_run: Option<bool>,
}

/// What happened, for logs and metrics.
#[derive(Debug, Default)]
pub struct Outcome {
    pub uid: String,
    pub operation: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub dry_run: bool,
    /// `allowed`, `denied`, `warned`, `skipped`, `audit` or `error`.
    pub decision: &'static str,
    pub decision_detail: Option<Decision>,
    pub error: Option<String>,
    /// HTTP status for the answer.
    pub http_status: u16,
}

/// The response body for an error: an AdmissionReview that refuses with a status message.
pub fn error_review(uid: &str, code: u16, message: &str) -> Value {
    json!({
        "apiVersion": API_VERSION,
        "kind": "AdmissionReview",
        "response": {
            "uid": uid,
            "allowed": false,
            "status": {"status": "Failure", "code": code, "message": format!("phiguard: {message}")},
        }
    })
}

/// The uid of a review that failed typed parsing, when the JSON still has one.
fn salvage_uid(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/request/uid")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default()
}

fn fail(mut out: Outcome, status: u16, message: String) -> (Value, Outcome) {
    let body = error_review(&out.uid, status, &message);
    out.decision = "error";
    out.error = Some(message);
    out.http_status = status;
    (body, out)
}

/// Judges one AdmissionReview body. Always returns a review to send back and what happened.
pub fn handle(policy: &Policy, body: &[u8], today: Date) -> (Value, Outcome) {
    let mut out = Outcome {
        http_status: 200,
        ..Outcome::default()
    };
    let review: Review<'_> = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            out.uid = salvage_uid(body);
            return fail(out, 400, format!("malformed AdmissionReview: {e}"));
        }
    };
    if review.kind.as_deref() != Some("AdmissionReview") {
        let Some(req) = review.request.as_ref() else {
            return fail(out, 400, "body is not an AdmissionReview".into());
        };
        out.uid = req.uid.clone().unwrap_or_default();
        return fail(
            out,
            400,
            format!(
                "kind must be AdmissionReview, not `{}`",
                review.kind.unwrap_or_default()
            ),
        );
    }
    let Some(req) = review.request else {
        return fail(out, 400, "AdmissionReview has no request".into());
    };
    out.uid = req.uid.clone().unwrap_or_default();
    if review.api_version.as_deref() != Some(API_VERSION) {
        return fail(
            out,
            400,
            format!(
                "unsupported apiVersion `{}`; configure the webhook with admissionReviewVersions: [\"v1\"]",
                review.api_version.unwrap_or_default()
            ),
        );
    }
    if out.uid.is_empty() {
        return fail(out, 400, "AdmissionReview request has no uid".into());
    }
    out.kind = req.kind.map(|k| k.kind).unwrap_or_default();
    out.namespace = req.namespace.clone().unwrap_or_default();
    out.name = req.name.clone().unwrap_or_default();
    out.dry_run = req.dry_run.unwrap_or(false);
    let op_text = req.operation.unwrap_or_default();
    out.operation = op_text.clone();
    let Some(operation) = Operation::parse(&op_text) else {
        return fail(
            out,
            400,
            format!("unknown operation `{op_text}` (CREATE, UPDATE, DELETE, CONNECT)"),
        );
    };
    fn present(v: Option<&RawValue>) -> Option<&str> {
        v.map(RawValue::get).filter(|t| t.trim() != "null")
    }
    let request = Request {
        operation,
        object: present(req.object),
        old_object: present(req.old_object),
        namespace: req.namespace.as_deref().filter(|n| !n.is_empty()),
        namespace_labels: None,
        sub_resource: req.sub_resource.as_deref(),
    };
    if matches!(operation, Operation::Create | Operation::Update) && request.object.is_none() {
        return fail(out, 400, format!("{op_text} request has no object"));
    }
    let decision = match admission::decide(policy, &request, today) {
        Ok(d) => d,
        Err(e) => {
            let message = match &e {
                AdmissionError::Parse(le) => format!("request.object: {}", le.message),
                other => format!("request.object: {other}"),
            };
            return fail(out, 400, message);
        }
    };
    let allowed = decision.allowed();
    out.decision = if decision.skipped.is_some() {
        "skipped"
    } else if !allowed {
        "denied"
    } else if decision.audit_only && !decision.denying.is_empty() {
        "audit"
    } else if !decision.warnings.is_empty() || !decision.preexisting.is_empty() {
        "warned"
    } else {
        "allowed"
    };
    let mut warnings = decision.warning_lines();
    if warnings.len() > MAX_WARNINGS {
        let more = warnings.len() - MAX_WARNINGS + 1;
        warnings.truncate(MAX_WARNINGS - 1);
        warnings.push(format!("... and {more} more phiguard finding(s)"));
    }
    let codes: Vec<&str> = decision
        .denying
        .iter()
        .chain(&decision.preexisting)
        .chain(&decision.warnings)
        .map(|f| f.code)
        .collect();
    let mut response = json!({
        "uid": out.uid,
        "allowed": allowed,
        "auditAnnotations": {
            "decision": out.decision,
            "codes": codes.join(","),
            "phi-scope": decision.phi_scope.to_string(),
        },
    });
    if !warnings.is_empty() {
        response["warnings"] = json!(warnings);
    }
    if !allowed {
        response["status"] = json!({
            "status": "Failure",
            "code": 403,
            "reason": "Forbidden",
            "message": decision.message(),
        });
    }
    if let Some(skip) = &decision.skipped {
        response["auditAnnotations"]["skipped"] = json!(skip.to_string());
    }
    out.decision_detail = Some(decision);
    let body = json!({
        "apiVersion": API_VERSION,
        "kind": "AdmissionReview",
        "response": response,
    });
    (body, out)
}

/// Masks runs of three or more digits and e-mail addresses, so object names such as `patient-4711-import` do not
/// carry identifiers into logs.
pub fn mask_identifiers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.contains('@') {
        return "<masked>".to_string();
    }
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 3 {
            out.extend(std::iter::repeat_n('#', digits.len()));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_digit_runs_and_emails() {
        assert_eq!(
            mask_identifiers("patient-4711-import"),
            "patient-####-import"
        );
        assert_eq!(mask_identifiers("web-7f9c"), "web-7f9c");
        assert_eq!(mask_identifiers("jane.doe@example.org"), "<masked>");
        assert_eq!(mask_identifiers("api-v12"), "api-v12");
    }
}
