//! Link layers (Ethernet with VLAN tags and PPPoE, Linux cooked SLL and SLL2, raw IPv4/IPv6, BSD loopback),
//! IPv4 and IPv6 (extension headers), TCP and UDP.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub const TCP_FIN: u8 = 0x01;
pub const TCP_SYN: u8 = 0x02;
pub const TCP_RST: u8 = 0x04;
pub const TCP_ACK: u8 = 0x10;

/// A TCP or UDP packet's addressing and payload.
#[derive(Debug)]
pub struct Segment<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub sport: u16,
    pub dport: u16,
    pub tcp: Option<TcpHeader>,
    pub payload: &'a [u8],
}

#[derive(Clone, Copy, Debug)]
pub struct TcpHeader {
    pub seq: u32,
    pub flags: u8,
}

/// What a frame turned out to be.
#[derive(Debug)]
pub enum Decoded<'a> {
    Segment(Segment<'a>),
    /// A piece of a fragmented IPv4 or IPv6 datagram (fragments are counted, not reassembled).
    Fragment,
    /// Not IP, or IP carrying something other than TCP and UDP.
    Skipped,
    /// Headers cut short or inconsistent.
    Malformed(&'static str),
    /// A link type this reader does not decode.
    UnknownLink,
}

/// Decodes a frame of link type `link` (LINKTYPE_ values).
pub fn decode(link: u32, data: &[u8]) -> Decoded<'_> {
    match link {
        // NULL: a 4-byte address family in the capturing host's byte order.
        0 => match data.get(..4) {
            Some(h) => {
                let le = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
                let be = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
                let af = if le < 0x100 { le } else { be };
                by_family(af, &data[4..])
            }
            None => Decoded::Malformed("loopback header"),
        },
        // LOOP: network byte order.
        108 => match data.get(..4) {
            Some(h) => by_family(u32::from_be_bytes([h[0], h[1], h[2], h[3]]), &data[4..]),
            None => Decoded::Malformed("loopback header"),
        },
        1 => ethernet(data),
        // RAW (101, and 12/14 on some systems), IPV4, IPV6.
        101 | 12 | 14 => ip(data),
        228 => ipv4(data),
        229 => ipv6(data),
        // Linux cooked capture v1: protocol at 14, header 16 bytes.
        113 => match data.get(14..16) {
            Some(p) => ethertype(u16::from_be_bytes([p[0], p[1]]), &data[16..]),
            None => Decoded::Malformed("SLL header"),
        },
        // Linux cooked capture v2: protocol at 0, header 20 bytes.
        276 => match (data.get(0..2), data.get(20..)) {
            (Some(p), Some(rest)) => ethertype(u16::from_be_bytes([p[0], p[1]]), rest),
            _ => Decoded::Malformed("SLL2 header"),
        },
        _ => Decoded::UnknownLink,
    }
}

fn by_family(af: u32, rest: &[u8]) -> Decoded<'_> {
    match af {
        2 => ipv4(rest),
        // AF_INET6 differs between BSDs, Darwin and Linux.
        10 | 24 | 28 | 30 => ipv6(rest),
        _ => Decoded::Skipped,
    }
}

fn ip(data: &[u8]) -> Decoded<'_> {
    match data.first().map(|b| b >> 4) {
        Some(4) => ipv4(data),
        Some(6) => ipv6(data),
        _ => Decoded::Skipped,
    }
}

fn ethernet(data: &[u8]) -> Decoded<'_> {
    match data.get(12..14) {
        Some(t) => ethertype(u16::from_be_bytes([t[0], t[1]]), &data[14..]),
        None => Decoded::Malformed("Ethernet header"),
    }
}

fn ethertype(mut t: u16, mut rest: &[u8]) -> Decoded<'_> {
    // VLAN tags (802.1Q, 802.1ad, and the older QinQ value), any depth.
    while matches!(t, 0x8100 | 0x88A8 | 0x9100) {
        match rest.get(2..4) {
            Some(n) => {
                t = u16::from_be_bytes([n[0], n[1]]);
                rest = &rest[4..];
            }
            None => return Decoded::Malformed("VLAN tag"),
        }
    }
    match t {
        0x0800 => ipv4(rest),
        0x86DD => ipv6(rest),
        // PPPoE session: 6-byte header, then the PPP protocol.
        0x8864 => match rest.get(6..8) {
            Some(p) => match u16::from_be_bytes([p[0], p[1]]) {
                0x0021 => ipv4(&rest[8..]),
                0x0057 => ipv6(&rest[8..]),
                _ => Decoded::Skipped,
            },
            None => Decoded::Malformed("PPPoE header"),
        },
        _ => Decoded::Skipped,
    }
}

fn ipv4(d: &[u8]) -> Decoded<'_> {
    if d.len() < 20 || d[0] >> 4 != 4 {
        return Decoded::Malformed("IPv4 header");
    }
    let ihl = usize::from(d[0] & 0x0F) * 4;
    // A total length of 0 is what segmentation offload (TSO, BIG TCP) leaves in captures taken on the sending
    // host: the packet is as long as what was captured.
    let total = match usize::from(u16::from_be_bytes([d[2], d[3]])) {
        0 => d.len(),
        t => t,
    };
    if ihl < 20 || d.len() < ihl || total < ihl {
        return Decoded::Malformed("IPv4 header length");
    }
    let frag = u16::from_be_bytes([d[6], d[7]]);
    if frag & 0x2000 != 0 || frag & 0x1FFF != 0 {
        return Decoded::Fragment;
    }
    // Captured bytes may stop short of the total length (snap length); Ethernet padding may follow it.
    let end = total.min(d.len());
    let src = IpAddr::V4(Ipv4Addr::new(d[12], d[13], d[14], d[15]));
    let dst = IpAddr::V4(Ipv4Addr::new(d[16], d[17], d[18], d[19]));
    transport(d[9], src, dst, &d[ihl..end])
}

fn ipv6(d: &[u8]) -> Decoded<'_> {
    if d.len() < 40 || d[0] >> 4 != 6 {
        return Decoded::Malformed("IPv6 header");
    }
    let plen = usize::from(u16::from_be_bytes([d[4], d[5]]));
    let mut next = d[6];
    let mut src = [0u8; 16];
    let mut dst = [0u8; 16];
    src.copy_from_slice(&d[8..24]);
    dst.copy_from_slice(&d[24..40]);
    // A payload length of 0 (jumbogram or segmentation offload): as long as what was captured.
    let end = if plen == 0 {
        d.len()
    } else {
        (40 + plen).min(d.len())
    };
    let mut at = 40;
    loop {
        match next {
            // Hop-by-hop, routing, destination options.
            0 | 43 | 60 => {
                let Some(h) = d.get(at..at + 2) else {
                    return Decoded::Malformed("IPv6 extension header");
                };
                next = h[0];
                at += (usize::from(h[1]) + 1) * 8;
            }
            44 => return Decoded::Fragment,
            // Authentication header.
            51 => {
                let Some(h) = d.get(at..at + 2) else {
                    return Decoded::Malformed("IPv6 authentication header");
                };
                next = h[0];
                at += (usize::from(h[1]) + 2) * 4;
            }
            _ => break,
        }
        if at > end {
            return Decoded::Malformed("IPv6 extension header");
        }
    }
    transport(
        next,
        IpAddr::V6(Ipv6Addr::from(src)),
        IpAddr::V6(Ipv6Addr::from(dst)),
        &d[at..end],
    )
}

fn transport<'a>(proto: u8, src: IpAddr, dst: IpAddr, d: &'a [u8]) -> Decoded<'a> {
    match proto {
        6 => {
            if d.len() < 20 {
                return Decoded::Malformed("TCP header");
            }
            let off = usize::from(d[12] >> 4) * 4;
            if off < 20 || off > d.len() {
                return Decoded::Malformed("TCP header length");
            }
            Decoded::Segment(Segment {
                src,
                dst,
                sport: u16::from_be_bytes([d[0], d[1]]),
                dport: u16::from_be_bytes([d[2], d[3]]),
                tcp: Some(TcpHeader {
                    seq: u32::from_be_bytes([d[4], d[5], d[6], d[7]]),
                    flags: d[13],
                }),
                payload: &d[off..],
            })
        }
        17 => {
            if d.len() < 8 {
                return Decoded::Malformed("UDP header");
            }
            let len = usize::from(u16::from_be_bytes([d[4], d[5]]));
            // Length 0 is used by jumbograms; otherwise it bounds the payload.
            let end = if len >= 8 { len.min(d.len()) } else { d.len() };
            Decoded::Segment(Segment {
                src,
                dst,
                sport: u16::from_be_bytes([d[0], d[1]]),
                dport: u16::from_be_bytes([d[2], d[3]]),
                tcp: None,
                payload: &d[8..end],
            })
        }
        _ => Decoded::Skipped,
    }
}
