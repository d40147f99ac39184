//! The catalog of audit-log detections (family `AL`). Codes are stable and never reused.

use phiguard_core::rule::{Docs, Severity};

/// One detection's metadata and documentation.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Detection {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub hipaa: &'static [&'static str],
    pub docs: Docs,
}

macro_rules! detection {
    ($id:ident, $code:literal, $name:literal, $sev:ident, $title:literal, [$($h:literal),*],
     what: $what:expr, why: $why:expr, example: $ex:expr, remediation: $rem:expr, refs: [$($r:expr),*]) => {
        pub const $id: Detection = Detection {
            code: $code,
            name: $name,
            severity: Severity::$sev,
            title: $title,
            hipaa: &[$($h),*],
            docs: Docs {
                what_it_does: $what,
                why_it_matters: $why,
                example: $ex,
                remediation: $rem,
                references: &[$($r),*],
            },
        };
    };
}

const AUDIT_REF: &str = "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/";

detection!(AL001, "AL001", "failed-request-burst-user", High,
    "Burst of denied requests (401/403) by one user",
    ["164.308(a)(5)(ii)(C)", "164.308(a)(1)(ii)(D)", "164.312(b)"],
    what: "Counts responses with code 401 or 403 per user in a sliding time window (`[audit] failure-window`, \
default 300 s) and alerts at the request that reaches `failure-threshold` (default 10). One alert per window.",
    why: "Repeated denials from one identity are credential guessing or an attacker probing stolen credentials \
for what they can reach. Log-in monitoring (164.308(a)(5)(ii)(C)) asks for exactly this review.",
    example: "10 x {\"verb\":\"get\",\"user\":{\"username\":\"mallory\"},\"objectRef\":{\"resource\":\"secrets\"},\"responseStatus\":{\"code\":403}}",
    remediation: "Find out who owns the identity, revoke its credentials if it was not them, and review what \
it tried to reach.",
    refs: [AUDIT_REF, "45 CFR 164.308(a)(5)(ii)(C)"]);

detection!(AL002, "AL002", "failed-request-burst-source", High,
    "Burst of failed authentication or authorization (401/403) from one source IP",
    ["164.308(a)(5)(ii)(C)", "164.308(a)(1)(ii)(D)", "164.312(d)"],
    what: "Counts responses with code 401 or 403 per first source IP in a sliding window and alerts at the request \
that reaches the threshold. Failed authentications carry no user, so this is the only way to see them.",
    why: "Password spraying and token guessing come from few addresses and many identities; per-user counting misses \
them. Person or entity authentication (164.312(d)) is only meaningful if failures are watched.",
    example: "10 x {\"verb\":\"list\",\"sourceIPs\":[\"203.0.113.9\"],\"responseStatus\":{\"code\":401}}",
    remediation: "Block the address at the API server's network boundary and check whether any request from it \
succeeded.",
    refs: [AUDIT_REF, "45 CFR 164.312(d)"]);

detection!(AL003, "AL003", "anonymous-request-allowed", Critical,
    "Anonymous request was allowed",
    ["164.312(a)(1)", "164.312(d)"],
    what: "Alerts on requests by `system:anonymous` or the `system:unauthenticated` group that were allowed, \
except the health endpoints (/healthz, /livez, /readyz, /version).",
    why: "Anything an anonymous request may do, anyone who can reach the API server may do, without a unique user \
identification (164.312(a)(2)(i)).",
    example: "{\"verb\":\"list\",\"user\":{\"username\":\"system:anonymous\"},\"objectRef\":{\"resource\":\"pods\"},\"responseStatus\":{\"code\":200}}",
    remediation: "Remove RoleBindings and ClusterRoleBindings to `system:anonymous` and `system:unauthenticated`; \
start the API server with `--anonymous-auth=false` where possible.",
    refs: [AUDIT_REF, "45 CFR 164.312(a)(1)"]);

detection!(AL004, "AL004", "secret-read", High,
    "Secret read by a person or an unexpected service account",
    ["164.312(a)(1)", "164.308(a)(4)", "164.312(b)"],
    what: "Alerts on successful get, list and watch of `secrets` by people, and by service accounts not listed in \
`[audit] secret-readers` (globs; default: kube-system service accounts). Control-plane users (`system:` other than \
service accounts) are not reported. list and watch return secret values too, not only get.",
    why: "Secrets hold the database passwords and keys that protect PHI; reading one is as good as reading the data \
it guards. Information access management (164.308(a)(4)) requires that such access be authorised and reviewed.",
    example: "{\"verb\":\"list\",\"user\":{\"username\":\"alice@example.org\"},\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"ehr\"},\"responseStatus\":{\"code\":200}}",
    remediation: "Confirm the access was authorised; remove get/list/watch on secrets from people's roles and use \
break-glass access that is itself audited.",
    refs: [AUDIT_REF, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"]);

detection!(AL005, "AL005", "exec-into-phi-workload", High,
    "Interactive access (exec, attach, port-forward, ephemeral container) into a PHI workload",
    ["164.312(a)(1)", "164.312(b)", "164.308(a)(3)(ii)(A)"],
    what: "Alerts on pods/exec, pods/attach and pods/portforward (verb create, or get for the WebSocket form) and \
on writes to pods/ephemeralcontainers, in PHI namespaces (`[phi] namespaces`).",
    why: "A shell in a PHI workload reads PHI without passing through the application's access control or its \
own audit trail.",
    example: "{\"verb\":\"get\",\"objectRef\":{\"resource\":\"pods\",\"subresource\":\"exec\",\"namespace\":\"ehr\"},\"responseStatus\":{\"code\":101}}",
    remediation: "Confirm the session was authorised; remove pods/exec and friends from people's roles in PHI \
namespaces and provide audited break-glass access instead.",
    refs: [AUDIT_REF]);

detection!(AL006, "AL006", "rbac-change", Medium,
    "RBAC role or binding changed",
    ["164.308(a)(4)(ii)(C)", "164.312(b)"],
    what: "Alerts on create, update, patch and delete of Roles, ClusterRoles, RoleBindings and ClusterRoleBindings \
by anyone except the API server and the ClusterRole aggregation controller.",
    why: "Access establishment and modification (164.308(a)(4)(ii)(C)) must be documented; an unreviewed RBAC \
change is how access to PHI grows unnoticed.",
    example: "{\"verb\":\"create\",\"objectRef\":{\"resource\":\"rolebindings\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"namespace\":\"ehr\"},\"responseStatus\":{\"code\":201}}",
    remediation: "Match the change to an approved request; revert it if there is none. Manage RBAC through \
reviewed GitOps changes only.",
    refs: [AUDIT_REF, "https://kubernetes.io/docs/reference/access-authn-authz/rbac/"]);

detection!(AL007, "AL007", "cluster-admin-grant", Critical,
    "Binding grants cluster-admin or system:masters",
    ["164.308(a)(4)(ii)(C)", "164.312(a)(1)"],
    what: "Alerts when a RoleBinding or ClusterRoleBinding is created or changed with roleRef `cluster-admin`, or \
names the group `system:masters`. Needs the request body (audit level Request or RequestResponse for RBAC; see AU003).",
    why: "cluster-admin reads every secret and every PHI volume in the cluster; a new grant is the largest possible \
change in who can reach PHI.",
    example: "{\"verb\":\"create\",\"objectRef\":{\"resource\":\"clusterrolebindings\"},\"requestObject\":{\"roleRef\":{\"name\":\"cluster-admin\"}}}",
    remediation: "Remove the binding unless it is an approved, time-limited break-glass grant.",
    refs: [AUDIT_REF]);

detection!(AL008, "AL008", "clusterrole-aggregation", High,
    "ClusterRole with an aggregation label written",
    ["164.308(a)(4)(ii)(C)"],
    what: "Alerts when a ClusterRole carrying a `rbac.authorization.k8s.io/aggregate-to-*` label is created or \
changed. Needs the request body.",
    why: "An aggregation label silently adds the role's rules to admin, edit or view, and so to everyone bound to \
them, without any binding changing.",
    example: "{\"verb\":\"create\",\"objectRef\":{\"resource\":\"clusterroles\"},\"requestObject\":{\"metadata\":{\"labels\":{\"rbac.authorization.k8s.io/aggregate-to-edit\":\"true\"}}}}",
    remediation: "Review the role's rules; remove the label unless every subject of the target role should have them.",
    refs: ["https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles"]);

detection!(AL009, "AL009", "admission-webhook-change", High,
    "Admission webhook or admission policy changed",
    ["164.312(c)(1)", "164.312(b)"],
    what: "Alerts on writes to MutatingWebhookConfigurations, ValidatingWebhookConfigurations, \
ValidatingAdmissionPolicies and their bindings.",
    why: "Admission control is what keeps non-compliant workloads out of PHI namespaces; disabling or bypassing it \
is the first step of an attack on those safeguards.",
    example: "{\"verb\":\"delete\",\"objectRef\":{\"resource\":\"validatingwebhookconfigurations\",\"name\":\"phiguard\"}}",
    remediation: "Restore the configuration from source control and find out who changed it.",
    refs: ["https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/"]);

detection!(AL010, "AL010", "phiguard-tampering", Critical,
    "phiguard's own deployment changed",
    ["164.312(b)", "164.312(c)(1)"],
    what: "Alerts on writes to workloads, pods, services, config maps, secrets, service accounts and RBAC in \
phiguard's namespace (`[audit] self-namespace`, default `phiguard-system`).",
    why: "Whoever can change phiguard can switch off the controls and the evidence trail that demonstrate \
compliance.",
    example: "{\"verb\":\"patch\",\"objectRef\":{\"resource\":\"deployments\",\"namespace\":\"phiguard-system\"}}",
    remediation: "Confirm the change was a reviewed release; otherwise restore and investigate.",
    refs: [AUDIT_REF]);

detection!(AL011, "AL011", "phi-networkpolicy-change", High,
    "NetworkPolicy changed in a PHI namespace",
    ["164.312(e)(1)", "164.308(a)(4)(ii)(C)"],
    what: "Alerts on writes to NetworkPolicies (any API group, so Calico and Cilium policies too) in PHI namespaces.",
    why: "Segmentation is what keeps PHI services reachable only by their clients; one edited policy can open a \
database to the whole cluster.",
    example: "{\"verb\":\"delete\",\"objectRef\":{\"resource\":\"networkpolicies\",\"namespace\":\"ehr\"}}",
    remediation: "Compare with the reviewed policy in source control and re-run `phiguard scan`.",
    refs: ["https://kubernetes.io/docs/concepts/services-networking/network-policies/"]);

detection!(AL012, "AL012", "impersonation", High,
    "Request made by impersonating another user",
    ["164.312(a)(2)(i)", "164.312(b)"],
    what: "Alerts on requests carrying `impersonatedUser` and on the `impersonate` verb.",
    why: "Impersonation hides the real actor behind another identity; unique user identification \
(164.312(a)(2)(i)) only holds if it is rare and reviewed.",
    example: "{\"verb\":\"get\",\"user\":{\"username\":\"bob\"},\"impersonatedUser\":{\"username\":\"system:admin\"}}",
    remediation: "Restrict the impersonate verb to break-glass roles and review each use.",
    refs: ["https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation"]);

detection!(AL013, "AL013", "phi-access-outside-hours", Medium,
    "Person accessed a PHI namespace outside configured hours",
    ["164.308(a)(1)(ii)(D)", "164.308(a)(3)(ii)(A)"],
    what: "Alerts on the first request of a person into a PHI namespace outside `[audit] business-hours` \
(e.g. \"07:00-19:00\") and `business-days` (default mon-fri), in `utc-offset` (default +00:00); one alert per \
person, namespace and day. Inactive unless business-hours is configured (the output says so).",
    why: "Workforce supervision (164.308(a)(3)(ii)(A)) and activity review are easier when unusual hours stand out.",
    example: "{\"requestReceivedTimestamp\":\"2026-03-07T02:13:00Z\",\"user\":{\"username\":\"alice\"},\"objectRef\":{\"namespace\":\"ehr\"}}",
    remediation: "Confirm the access was on-call or otherwise approved.",
    refs: [AUDIT_REF]);

detection!(AL014, "AL014", "unusual-read-volume", High,
    "Unusual volume of reads in PHI namespaces by one subject",
    ["164.308(a)(1)(ii)(D)", "164.312(b)"],
    what: "Counts each subject's reads (get/list/watch) in PHI namespaces per period (`volume-period`, default \
3600 s). Once the subject has `volume-history` (default 3) active periods, alerts at the read that takes the current \
period above max(`volume-min`, `volume-factor` x the subject's mean per active period) (defaults 100 and 5).",
    why: "Bulk reading is how data leaves: an identity that suddenly reads many times its own normal volume is the \
pattern of exfiltration, whether by a person or a compromised service account.",
    example: "a service account that reads 40 configmaps an hour for days, then 900 in one hour",
    remediation: "Find the client behind the subject and what it read; rotate credentials if it was not expected.",
    refs: [AUDIT_REF]);

/// Every detection, in code order.
pub const DETECTIONS: &[Detection] = &[
    AL001, AL002, AL003, AL004, AL005, AL006, AL007, AL008, AL009, AL010, AL011, AL012, AL013,
    AL014,
];

/// Looks a detection up by code or name.
pub fn find(code_or_name: &str) -> Option<&'static Detection> {
    DETECTIONS
        .iter()
        .find(|d| d.code.eq_ignore_ascii_case(code_or_name) || d.name == code_or_name)
}
