//! IPv4 address ranges (external endpoints are atoms of the address space).

use std::fmt;

/// An inclusive IPv4 range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpRange {
    pub lo: u32,
    pub hi: u32,
}

/// Why a CIDR was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CidrError {
    /// An IPv6 prefix: external endpoints are IPv4 only.
    Ipv6,
    Invalid,
}

impl IpRange {
    pub const ALL: IpRange = IpRange {
        lo: 0,
        hi: u32::MAX,
    };

    /// Parses `a.b.c.d/n` (or a bare address, as /32). Host bits are ignored, as the API server's
    /// validation of `ipBlock.cidr` is not ours to repeat.
    pub fn parse_cidr(s: &str) -> Result<IpRange, CidrError> {
        let s = s.trim();
        if s.contains(':') {
            return Err(CidrError::Ipv6);
        }
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, l.trim().parse::<u32>().map_err(|_| CidrError::Invalid)?),
            None => (s, 32),
        };
        if len > 32 {
            return Err(CidrError::Invalid);
        }
        let ip = parse_ipv4(addr).ok_or(CidrError::Invalid)?;
        let mask: u32 = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        Ok(IpRange {
            lo: ip & mask,
            hi: (ip & mask) | !mask,
        })
    }

    pub fn contains(&self, other: &IpRange) -> bool {
        self.lo <= other.lo && other.hi <= self.hi
    }

    pub fn overlaps(&self, other: &IpRange) -> bool {
        self.lo <= other.hi && other.lo <= self.hi
    }
}

pub fn parse_ipv4(s: &str) -> Option<u32> {
    let mut out: u32 = 0;
    let mut n = 0;
    for part in s.trim().split('.') {
        let v: u8 = part.parse().ok()?;
        out = (out << 8) | u32::from(v);
        n += 1;
    }
    (n == 4).then_some(out)
}

fn fmt_ip(ip: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        ip >> 24,
        (ip >> 16) & 255,
        (ip >> 8) & 255,
        ip & 255
    )
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", fmt_ip(self.lo), fmt_ip(self.hi))
    }
}

/// A set of addresses: a CIDR minus exceptions, or a union of such.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct IpSet(Vec<IpRange>);

impl IpSet {
    pub fn of(r: IpRange) -> IpSet {
        IpSet(vec![r])
    }
    pub fn ranges(&self) -> &[IpRange] {
        &self.0
    }
    pub fn add(&mut self, r: IpRange) {
        self.0.push(r);
        self.normalise();
    }
    fn normalise(&mut self) {
        self.0.sort_unstable();
        let mut out: Vec<IpRange> = Vec::with_capacity(self.0.len());
        for r in self.0.drain(..) {
            match out.last_mut() {
                Some(last) if u64::from(r.lo) <= u64::from(last.hi) + 1 => {
                    last.hi = last.hi.max(r.hi)
                }
                _ => out.push(r),
            }
        }
        self.0 = out;
    }
    /// Removes a range.
    pub fn remove(&mut self, cut: IpRange) {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        for r in &self.0 {
            if !r.overlaps(&cut) {
                out.push(*r);
                continue;
            }
            if r.lo < cut.lo {
                out.push(IpRange {
                    lo: r.lo,
                    hi: cut.lo - 1,
                });
            }
            if r.hi > cut.hi {
                out.push(IpRange {
                    lo: cut.hi + 1,
                    hi: r.hi,
                });
            }
        }
        self.0 = out;
    }
    /// Whether the whole range is in the set.
    pub fn contains(&self, r: &IpRange) -> bool {
        self.0.iter().any(|s| s.contains(r))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Splits the address space at every boundary of the given ranges: the returned atoms are disjoint, cover
/// everything, and each lies wholly inside or wholly outside every given range.
pub fn atoms(ranges: &[IpRange]) -> Vec<IpRange> {
    let mut cuts: Vec<u64> = vec![0, 1 << 32];
    for r in ranges {
        cuts.push(u64::from(r.lo));
        cuts.push(u64::from(r.hi) + 1);
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| IpRange {
            lo: w[0] as u32,
            hi: (w[1] - 1) as u32,
        })
        .collect()
}

/// Address ranges that are not the internet: private (RFC 1918), shared (RFC 6598), loopback, link-local
/// and the unspecified network.
pub const NON_INTERNET: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_and_atoms() {
        let r = IpRange::parse_cidr("10.1.2.3/8");
        assert_eq!(
            r.map(|r| r.to_string()),
            Ok("10.0.0.0-10.255.255.255".into())
        );
        assert_eq!(IpRange::parse_cidr("::/0"), Err(CidrError::Ipv6));
        assert_eq!(IpRange::parse_cidr("1.2.3/8"), Err(CidrError::Invalid));
        let all = IpRange::parse_cidr("0.0.0.0/0").unwrap_or(IpRange::ALL);
        assert_eq!(all, IpRange::ALL);
        let ten = IpRange::parse_cidr("10.0.0.0/8").unwrap_or(IpRange::ALL);
        let a = atoms(&[all, ten]);
        assert_eq!(a.len(), 3);
        let mut set = IpSet::of(all);
        set.remove(ten);
        assert!(set.contains(&a[0]) && !set.contains(&a[1]) && set.contains(&a[2]));
    }
}
