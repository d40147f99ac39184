//! NW009 phi-datastore-undeclared-ingress.

use crate::finding::Out;
use crate::netpol::zones::Invariant;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "NW009",
    name: "phi-datastore-undeclared-ingress",
    family: Family::NW,
    severity: Severity::High,
    title: "PHI data store is reachable from outside the zones declared for it",
    hipaa: &["164.312(a)(1)", "164.312(e)(1)", "164.308(a)(4)(ii)(C)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Computes the exact connectivity of the manifests (NetworkPolicy with API defaulting, \
AdminNetworkPolicy, BaselineAdminNetworkPolicy, Calico policies) and proves that every PHI data store (a PHI-scope \
workload running a database or object store image) accepts connections only from its own zone, or from zones \
with a declared flow to it on the declared ports (`[[netpol.zone]]`, `[[netpol.flow]]` in phiguard.toml). Without \
zones, only pods of the data store's own namespace may connect. Sources are every workload, the internet and \
other external ranges, and stand-ins for pods created later: an unlabelled pod in every namespace and in a new \
namespace, and for every policy peer a pod with labels its selectors admit. \
Points at the policy rule that lets the traffic in, or at the data store's pod spec when no policy isolates it.",
        why_it_matters: "A database holding ePHI must accept connections only from the services that need them; \
any other path is a way to read or alter records without going through the application's access control and \
audit. Proving the reachability of the data store, rather than checking that some policy exists, supports access \
control (164.312(a)(1)), transmission security (164.312(e)(1)) and access establishment (164.308(a)(4)(ii)(C)).",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-all\n  \
namespace: records\nspec:\n  podSelector: {}\n  ingress:\n    - {}   # every pod and address reaches postgres",
        remediation: "Give the data store an ingress policy that lists only its clients, and declare them:\n\n\
[[netpol.zone]]\nname = \"database\"\nnamespaces = [\"records\"]\npod-labels = { app = \"postgres\" }\n\n\
[[netpol.flow]]\nfrom = \"api\"\nto = \"database\"\nports = [\"TCP/5432\"]\n\nRun `phiguard netpol verify` to see each \
counterexample with the policy lines that allow it.",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
            "45 CFR 164.312(a)(1), 164.312(e)(1), 164.308(a)(4)(ii)(C)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    super::report_invariant(cx, out, Invariant::DataStoreIngress);
}
