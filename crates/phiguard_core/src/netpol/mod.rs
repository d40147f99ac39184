//! Network connectivity: the exact semantics of Kubernetes NetworkPolicy (networking.k8s.io/v1),
//! AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) and Calico
//! NetworkPolicy / GlobalNetworkPolicy (projectcalico.org/v3) over the workloads of an inventory, the cluster
//! DNS and external networks; zones and the invariants `phiguard netpol verify` proves.
//!
//! Evaluation order for one direction of a connection: AdminNetworkPolicies by priority (Allow and Deny decide,
//! Pass skips to the next layer), then Calico policies and NetworkPolicies by order (NetworkPolicies have order
//! 1000; a layer that selects the endpoint denies what it does not allow), then the
//! BaselineAdminNetworkPolicy, then allow. A connection needs the source's egress and the destination's
//! ingress.
//!
//! Out of scope, and said so in outputs: `hostNetwork` pods (undefined upstream), pod IPs (pods are matched by
//! labels, never by `ipBlock`), IPv6 external addresses, Calico tiers, host endpoints, service accounts and
//! services as Calico peers, ANP `nodes` peers, traffic from a pod's own node.

pub mod bitset;
pub mod eval;
pub mod ip;
pub mod model;
pub mod ports;
pub mod selector;
pub mod zones;

pub use eval::{find_endpoint, Edge, Engine, Explanation};
pub use model::{build, Model, Options};
pub use ports::{Conn, PortSet, Protocol};
