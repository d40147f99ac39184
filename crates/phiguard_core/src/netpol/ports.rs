//! Sets of ports per protocol: the connection sets the engine computes with.

use std::fmt;

/// Protocols NetworkPolicy filters, in the order connection sets are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Sctp = 0,
    Tcp = 1,
    Udp = 2,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Sctp, Protocol::Tcp, Protocol::Udp];

    /// Parses a protocol name (case-insensitive).
    pub fn parse(s: &str) -> Option<Protocol> {
        match s.trim().to_ascii_uppercase().as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Sctp => "SCTP",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }
}

pub const MIN_PORT: u16 = 1;
pub const MAX_PORT: u16 = 65535;

/// A set of ports as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortSet(Vec<(u16, u16)>);

impl PortSet {
    pub fn empty() -> PortSet {
        PortSet(Vec::new())
    }
    pub fn full() -> PortSet {
        PortSet(vec![(MIN_PORT, MAX_PORT)])
    }
    /// The ports `lo..=hi` (clamped to 1..=65535; empty when `lo > hi`).
    pub fn range(lo: u32, hi: u32) -> PortSet {
        let lo = lo.max(u32::from(MIN_PORT));
        let hi = hi.min(u32::from(MAX_PORT));
        if lo > hi {
            return PortSet::empty();
        }
        PortSet(vec![(lo as u16, hi as u16)])
    }
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn is_full(&self) -> bool {
        self.0 == [(MIN_PORT, MAX_PORT)]
    }
    pub fn contains(&self, port: u16) -> bool {
        self.0.iter().any(|&(a, b)| a <= port && port <= b)
    }

    pub fn union(&self, other: &PortSet) -> PortSet {
        let mut all: Vec<(u16, u16)> = self.0.iter().chain(other.0.iter()).copied().collect();
        all.sort_unstable();
        let mut out: Vec<(u16, u16)> = Vec::with_capacity(all.len());
        for (a, b) in all {
            match out.last_mut() {
                Some(last) if u32::from(a) <= u32::from(last.1) + 1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        PortSet(out)
    }

    pub fn intersect(&self, other: &PortSet) -> PortSet {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < self.0.len() && j < other.0.len() {
            let (a1, b1) = self.0[i];
            let (a2, b2) = other.0[j];
            let lo = a1.max(a2);
            let hi = b1.min(b2);
            if lo <= hi {
                out.push((lo, hi));
            }
            if b1 < b2 {
                i += 1;
            } else {
                j += 1;
            }
        }
        PortSet(out)
    }

    pub fn complement(&self) -> PortSet {
        let mut out = Vec::new();
        let mut next = u32::from(MIN_PORT);
        for &(a, b) in &self.0 {
            if u32::from(a) > next {
                out.push((next as u16, a - 1));
            }
            next = u32::from(b) + 1;
        }
        if next <= u32::from(MAX_PORT) {
            out.push((next as u16, MAX_PORT));
        }
        PortSet(out)
    }

    pub fn minus(&self, other: &PortSet) -> PortSet {
        self.intersect(&other.complement())
    }

    /// Whether every port of `self` is in `other`.
    pub fn subset_of(&self, other: &PortSet) -> bool {
        self.minus(other).is_empty()
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(a, b)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}-{b}")?;
            }
        }
        Ok(())
    }
}

/// A connection set: ports per protocol.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Conn([PortSet; 3]);

impl Conn {
    pub fn none() -> Conn {
        Conn::default()
    }
    pub fn all() -> Conn {
        Conn([PortSet::full(), PortSet::full(), PortSet::full()])
    }
    /// Ports of one protocol.
    pub fn of(proto: Protocol, ports: PortSet) -> Conn {
        let mut c = Conn::none();
        c.0[proto as usize] = ports;
        c
    }
    pub fn ports(&self, proto: Protocol) -> &PortSet {
        &self.0[proto as usize]
    }
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(PortSet::is_empty)
    }
    pub fn is_all(&self) -> bool {
        self.0.iter().all(PortSet::is_full)
    }
    pub fn allows(&self, proto: Protocol, port: u16) -> bool {
        self.0[proto as usize].contains(port)
    }
    fn zip(&self, other: &Conn, f: impl Fn(&PortSet, &PortSet) -> PortSet) -> Conn {
        Conn([
            f(&self.0[0], &other.0[0]),
            f(&self.0[1], &other.0[1]),
            f(&self.0[2], &other.0[2]),
        ])
    }
    pub fn union(&self, other: &Conn) -> Conn {
        self.zip(other, PortSet::union)
    }
    pub fn intersect(&self, other: &Conn) -> Conn {
        self.zip(other, PortSet::intersect)
    }
    pub fn minus(&self, other: &Conn) -> Conn {
        self.zip(other, PortSet::minus)
    }
    pub fn subset_of(&self, other: &Conn) -> bool {
        self.minus(other).is_empty()
    }

    /// Parses the printed form: `All Connections`, `No Connections`, or `TCP 80,8080-8090,UDP 53`.
    pub fn parse(s: &str) -> Option<Conn> {
        let s = s.trim();
        match s {
            "All Connections" | "All connections" => return Some(Conn::all()),
            "No Connections" | "No connections" => return Some(Conn::none()),
            _ => {}
        }
        let mut out = Conn::none();
        let mut proto: Option<Protocol> = None;
        for part in s.split(',') {
            let part = part.trim();
            let item = match part.split_once(' ') {
                Some((p, rest)) => {
                    proto = Some(Protocol::parse(p)?);
                    rest.trim()
                }
                None => part,
            };
            let p = proto?;
            let set = match item.split_once('-') {
                Some((a, b)) => PortSet::range(a.trim().parse().ok()?, b.trim().parse().ok()?),
                None => {
                    let n: u32 = item.parse().ok()?;
                    PortSet::range(n, n)
                }
            };
            out.0[p as usize] = out.0[p as usize].union(&set);
        }
        Some(out)
    }
}

impl fmt::Display for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All Connections");
        }
        if self.is_empty() {
            return f.write_str("No Connections");
        }
        let mut first = true;
        for p in Protocol::ALL {
            let ports = &self.0[p as usize];
            if ports.is_empty() {
                continue;
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{} {}", p.as_str(), ports)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algebra_and_printing() {
        let a = PortSet::range(80, 90).union(&PortSet::range(91, 100));
        assert_eq!(a.ranges(), &[(80, 100)]);
        assert_eq!(a.complement().to_string(), "1-79,101-65535");
        assert_eq!(a.minus(&PortSet::range(85, 85)).to_string(), "80-84,86-100");
        let c = Conn::of(Protocol::Tcp, PortSet::range(10053, 10054))
            .union(&Conn::of(Protocol::Udp, PortSet::range(10053, 10053)));
        assert_eq!(c.to_string(), "TCP 10053-10054,UDP 10053");
        assert_eq!(Conn::parse("TCP 10053-10054,UDP 10053"), Some(c));
        let all_but_dns = Conn::all().minus(&Conn::of(Protocol::Udp, PortSet::range(5353, 5353)));
        assert_eq!(
            all_but_dns.to_string(),
            "SCTP 1-65535,TCP 1-65535,UDP 1-5352,5354-65535"
        );
        assert_eq!(Conn::parse(&all_but_dns.to_string()), Some(all_but_dns));
        assert_eq!(Conn::parse("All Connections"), Some(Conn::all()));
        assert!(PortSet::range(5, 3).is_empty());
    }
}
