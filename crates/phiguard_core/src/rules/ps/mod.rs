//! PS rules.

use crate::rule::Rule;

pub mod apparmor;
pub mod capabilities_not_dropped;
pub mod dangerous_capabilities;
pub mod host_ipc;
pub mod host_network;
pub mod host_path;
pub mod host_pid;
pub mod host_port;
pub mod net_raw;
pub mod privilege_escalation;
pub mod privileged;
pub mod proc_mount;
pub mod read_only_root_fs;
pub mod run_as_root;
pub mod run_as_user_root;
pub mod runtime_socket;
pub mod seccomp;
pub mod sysctls;
pub mod writable_host_path;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[
    privileged::RULE,
    privilege_escalation::RULE,
    run_as_root::RULE,
    run_as_user_root::RULE,
    dangerous_capabilities::RULE,
    capabilities_not_dropped::RULE,
    net_raw::RULE,
    host_pid::RULE,
    host_ipc::RULE,
    host_network::RULE,
    host_port::RULE,
    host_path::RULE,
    writable_host_path::RULE,
    runtime_socket::RULE,
    read_only_root_fs::RULE,
    seccomp::RULE,
    apparmor::RULE,
    proc_mount::RULE,
    sysctls::RULE,
];
