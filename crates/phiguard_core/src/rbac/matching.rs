//! Request attributes and the rule-matching semantics of the Kubernetes RBAC authorizer.
//!
//! The authorizer (`pkg/apis/rbac/v1/evaluation_helpers.go` and `plugin/pkg/auth/authorizer/rbac/rbac.go` in
//! kubernetes/kubernetes) allows a request when any rule of any role bound to one of the requester's identities
//! matches it. A rule matches a resource request when each of its lists matches:
//! - `verbs`: `*` or the exact verb;
//! - `apiGroups`: `*` or the exact group (`""` is the core group);
//! - `resources`: `*`; or the exact `resource` (for a request without subresource) or `resource/subresource`;
//!   or `*/subresource` for any resource's subresource. Nothing else: `pods/*` is *not* a wildcard upstream;
//! - `resourceNames`: empty, or containing the exact name. A request without a name (list, watch, create,
//!   deletecollection) never matches a rule that lists names.
//!
//! and a non-resource request (`/healthz`) when its `verbs` match and a `nonResourceURLs` entry is `*`, the exact
//! path, or ends in `*` and is a prefix of the path once the `*` is removed. All comparisons are case-sensitive.

/// What a request asks for, as the API server's request-info resolver fills it in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Request {
    pub verb: String,
    pub target: Target,
    /// The request's namespace; `None` for cluster-scoped requests (and for "in any namespace" queries).
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Target {
    Resource {
        api_group: String,
        resource: String,
        subresource: String,
        name: String,
    },
    NonResource {
        path: String,
    },
}

/// One rule item, owned.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RuleSpec {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

pub fn verb_matches(rule: &RuleSpec, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

pub fn api_group_matches(rule: &RuleSpec, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

pub fn resource_matches(rule: &RuleSpec, resource: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        if r == "*" {
            return true;
        }
        if subresource.is_empty() {
            return r == resource;
        }
        if let Some((rr, rs)) = r.split_once('/') {
            (rr == resource || rr == "*") && rs == subresource
        } else {
            false
        }
    })
}

pub fn resource_name_matches(rule: &RuleSpec, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

pub fn non_resource_url_matches(rule: &RuleSpec, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| {
        u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
    })
}

/// Whether one rule allows a request (the namespace is the binding's business, not the rule's).
pub fn rule_allows(rule: &RuleSpec, verb: &str, target: &Target) -> bool {
    if !verb_matches(rule, verb) {
        return false;
    }
    match target {
        Target::Resource {
            api_group,
            resource,
            subresource,
            name,
        } => {
            api_group_matches(rule, api_group)
                && resource_matches(rule, resource, subresource)
                && resource_name_matches(rule, name)
        }
        Target::NonResource { path } => non_resource_url_matches(rule, path),
    }
}

/// Like [`rule_allows`] for an unnamed resource request, but ignoring `resourceNames`: whether the rule reaches the
/// resource at all, perhaps only for some named objects. Used for "can do X to some objects" questions.
pub fn rule_reaches(
    rule: &RuleSpec,
    verb: &str,
    api_group: &str,
    resource: &str,
    sub: &str,
) -> bool {
    verb_matches(rule, verb)
        && api_group_matches(rule, api_group)
        && resource_matches(rule, resource, sub)
}

/// Resources whose objects are not namespaced: a RoleBinding can never grant access to them (except
/// `namespaces`, whose request namespace is the namespace's own name).
pub fn is_cluster_scoped_resource(api_group: &str, resource: &str) -> bool {
    matches!(
        (api_group, resource),
        (
            "",
            "nodes" | "persistentvolumes" | "componentstatuses" | "users" | "groups"
        ) | (
            "rbac.authorization.k8s.io",
            "clusterroles" | "clusterrolebindings"
        ) | ("storage.k8s.io", _)
            | (
                "certificates.k8s.io",
                "certificatesigningrequests" | "signers" | "clustertrustbundles"
            )
            | ("admissionregistration.k8s.io", _)
            | ("apiextensions.k8s.io", _)
            | ("apiregistration.k8s.io", _)
            | ("scheduling.k8s.io", _)
            | ("node.k8s.io", _)
            | ("flowcontrol.apiserver.k8s.io", _)
            | ("authentication.k8s.io", "uids" | "userextras")
            | (
                "crd.projectcalico.org",
                "globalnetworkpolicies" | "globalnetworksets" | "hostendpoints"
            )
            | (
                "projectcalico.org",
                "globalnetworkpolicies" | "globalnetworksets" | "hostendpoints"
            )
    ) && !matches!(
        (api_group, resource),
        ("storage.k8s.io", "csistoragecapacities")
    )
}

/// The API group of a well-known resource, as `kubectl` would resolve a bare resource name. `None` for names
/// this table does not know (pass `resource.group` then).
pub fn default_group(resource: &str) -> Option<&'static str> {
    Some(match resource {
        "pods"
        | "secrets"
        | "configmaps"
        | "services"
        | "serviceaccounts"
        | "namespaces"
        | "nodes"
        | "persistentvolumes"
        | "persistentvolumeclaims"
        | "events"
        | "endpoints"
        | "replicationcontrollers"
        | "limitranges"
        | "resourcequotas"
        | "podtemplates"
        | "componentstatuses"
        | "bindings"
        | "users"
        | "groups" => "",
        "deployments" | "statefulsets" | "daemonsets" | "replicasets" | "controllerrevisions" => {
            "apps"
        }
        "jobs" | "cronjobs" => "batch",
        "roles" | "rolebindings" | "clusterroles" | "clusterrolebindings" => {
            "rbac.authorization.k8s.io"
        }
        "networkpolicies" | "ingresses" | "ingressclasses" => "networking.k8s.io",
        "validatingwebhookconfigurations"
        | "mutatingwebhookconfigurations"
        | "validatingadmissionpolicies"
        | "validatingadmissionpolicybindings" => "admissionregistration.k8s.io",
        "certificatesigningrequests" | "signers" => "certificates.k8s.io",
        "customresourcedefinitions" => "apiextensions.k8s.io",
        "storageclasses" | "volumeattachments" | "csidrivers" | "csinodes" => "storage.k8s.io",
        "horizontalpodautoscalers" => "autoscaling",
        "poddisruptionbudgets" => "policy",
        "leases" => "coordination.k8s.io",
        "endpointslices" => "discovery.k8s.io",
        "tokenreviews" | "selfsubjectreviews" | "uids" | "userextras" => "authentication.k8s.io",
        "subjectaccessreviews"
        | "selfsubjectaccessreviews"
        | "localsubjectaccessreviews"
        | "selfsubjectrulesreviews" => "authorization.k8s.io",
        "priorityclasses" => "scheduling.k8s.io",
        "runtimeclasses" => "node.k8s.io",
        "apiservices" => "apiregistration.k8s.io",
        "gateways" | "gatewayclasses" | "httproutes" | "grpcroutes" | "referencegrants"
        | "tcproutes" | "tlsroutes" | "udproutes" | "backendtlspolicies" => {
            "gateway.networking.k8s.io"
        }
        "adminnetworkpolicies" | "baselineadminnetworkpolicies" => "policy.networking.k8s.io",
        _ => return None,
    })
}

/// The plural of a well-known resource given in the singular (`pod`, `networkpolicy`, `ingress`), as kubectl
/// resolves it; anything else unchanged.
fn plural_of(name: &str) -> String {
    if default_group(name).is_some() {
        return name.to_string();
    }
    let candidates = [
        format!("{name}s"),
        format!("{name}es"),
        name.strip_suffix('y')
            .map(|stem| format!("{stem}ies"))
            .unwrap_or_default(),
    ];
    candidates
        .into_iter()
        .find(|c| !c.is_empty() && default_group(c).is_some())
        .unwrap_or_else(|| name.to_string())
}

/// Parses a `kubectl auth can-i` style resource argument: `secrets`, `pods/exec`, `deployments.apps`,
/// `deployments.apps/scale`, `widgets.example.com`, or a non-resource path starting with `/`. Well-known
/// resources may be singular (`pod`). A bare name that [`default_group`] does not know is taken to be in the
/// core group. Names are lower-cased like kubectl does.
pub fn parse_target(arg: &str, name: Option<&str>) -> Result<Target, String> {
    let arg = arg.trim();
    if arg.is_empty() {
        return Err("empty resource".to_string());
    }
    if arg.starts_with('/') {
        if name.is_some() {
            return Err("--name applies to resources, not to non-resource URLs".to_string());
        }
        return Ok(Target::NonResource {
            path: arg.to_string(),
        });
    }
    let lower = arg.to_ascii_lowercase();
    let (res_group, sub) = match lower.split_once('/') {
        Some((r, s)) => (r.to_string(), s.to_string()),
        None => (lower, String::new()),
    };
    if sub.contains('/') {
        return Err(format!("`{arg}`: at most one subresource"));
    }
    let (resource, group) = match res_group.split_once('.') {
        Some((r, g)) => (r.to_string(), g.to_string()),
        None => {
            let plural = plural_of(&res_group);
            let g = default_group(&plural).unwrap_or("").to_string();
            (plural, g)
        }
    };
    if resource.is_empty() {
        return Err(format!("`{arg}`: no resource name"));
    }
    Ok(Target::Resource {
        api_group: group,
        resource,
        subresource: sub,
        name: name.unwrap_or("").to_string(),
    })
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::NonResource { path } => f.write_str(path),
            Target::Resource {
                api_group,
                resource,
                subresource,
                name,
            } => {
                f.write_str(resource)?;
                if !api_group.is_empty() {
                    write!(f, ".{api_group}")?;
                }
                if !subresource.is_empty() {
                    write!(f, "/{subresource}")?;
                }
                if !name.is_empty() {
                    write!(f, " \"{name}\"")?;
                }
                Ok(())
            }
        }
    }
}
