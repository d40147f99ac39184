//! The single-pass scanner: one walk over the bytes, tokens classified as they are met, context read
//! backwards only for the few candidates that need it.

use crate::dict::{self, ctx};
use crate::entity::{Entity, Match, Method};
use crate::validate;

/// The longest span the scanner reports (URLs, HL7 fields, quoted values are cut there).
pub const MAX_ENTITY: usize = 1024;
/// How far back context words are looked for.
const CONTEXT_BYTES: usize = 48;
// A context window is classified into 64-bit masks, one bit per byte.
const _: () = assert!(CONTEXT_BYTES <= 64);
const CONTEXT_WORDS: usize = 6;
/// The longest context keyword or phrase word ([`dict::keyword`], [`dict::phrase`]).
const KEYWORD_MAX: usize = 12;
/// Slots of the key-classification cache (a log's keys repeat on every line); two-choice, 7-bit indices.
const KEY_SLOTS: usize = 128;

// Byte classes, as bits so that a token's classes can be OR-ed in the same pass that finds its end.
const O: u8 = 0; // other
const D: u8 = 1; // digit
const LO: u8 = 2; // ASCII lower-case letter
const UP: u8 = 4; // ASCII upper-case letter
const H: u8 = 8; // byte of a non-ASCII character
const U: u8 = 16; // underscore
const X: u8 = 32; // with LO or UP: a letter that is not a hex digit (g-z, G-Z)

static CLASS: [u8; 256] = {
    let mut t = [O; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b.is_ascii_digit() {
            D
        } else if b.is_ascii_lowercase() {
            if b.is_ascii_hexdigit() {
                LO
            } else {
                LO | X
            }
        } else if b.is_ascii_uppercase() {
            if b.is_ascii_hexdigit() {
                UP
            } else {
                UP | X
            }
        } else if b >= 0x80 {
            H
        } else if b == b'_' {
            U
        } else {
            O
        };
        i += 1;
    }
    t
};

#[inline]
fn is_word(b: u8) -> bool {
    CLASS[b as usize] != O
}
#[inline]
fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
#[inline]
fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// The bits below bit `k` (all 64 for `k` = 64).
#[inline]
fn below(k: usize) -> u64 {
    u64::MAX.checked_shr(64 - k as u32).unwrap_or(0)
}

/// ASCII classes of up to 64 bytes as bit masks (bit k for byte k), eight bytes at a time.
struct WindowMasks {
    digit: u64,
    upper: u64,
    lower: u64,
}

impl WindowMasks {
    fn of(window: &[u8]) -> WindowMasks {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        const ONES: u64 = 0x0101_0101_0101_0101;
        // High bit of each byte set when its low seven bits lie in lo..=hi (no carries between bytes).
        let range = |x7: u64, lo: u8, hi: u8| {
            let ge = x7 + ONES * u64::from(0x80 - lo);
            let gt = x7 + ONES * u64::from(0x7f - hi);
            ge & !gt & HIGH
        };
        // The high bits of the eight bytes, gathered into one byte.
        let gather = |h: u64| (h >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        let mut buf = [0u8; 64];
        let n = window.len().min(64);
        buf[..n].copy_from_slice(&window[..n]);
        let mut m = WindowMasks {
            digit: 0,
            upper: 0,
            lower: 0,
        };
        for (c, chunk) in buf.chunks_exact(8).enumerate().take(n.div_ceil(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            let x = u64::from_le_bytes(b);
            let ascii = !x & HIGH;
            let x7 = x & LOW7;
            m.digit |= gather(range(x7, b'0', b'9') & ascii) << (8 * c);
            m.upper |= gather(range(x7, b'A', b'Z') & ascii) << (8 * c);
            m.lower |= gather(range(x7, b'a', b'z') & ascii) << (8 * c);
        }
        m
    }
}

/// Whether every byte is a hex digit (no early exit: short runs check faster without branches).
#[inline]
fn all_hex(b: &[u8]) -> bool {
    b.iter().fold(true, |ok, &c| ok & c.is_ascii_hexdigit())
}

/// A byte range known to be ASCII digits (or other ASCII) as `&str`, without allocating.
fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("")
}

fn parse_u32(b: &[u8]) -> u32 {
    b.iter()
        .take(9)
        .fold(0u32, |a, &c| a * 10 + u32::from(c.wrapping_sub(b'0') % 10))
}

/// Scans `t` and appends every candidate (overlapping candidates included) to `out`.
pub fn scan(t: &[u8], out: &mut Vec<Match>) {
    let mut s = Scan {
        t,
        out,
        keys: [(0, None, 0); KEY_SLOTS],
        clock: 0,
        last_ctx: std::cell::Cell::new((0, 0)),
    };
    let n = t.len();
    let mut i = 0;
    while i < n {
        let c = t[i];
        if CLASS[c as usize] == O {
            match c {
                b'@' => s.email(i),
                b':' | b'=' => s.field(i),
                b'+' | b'(' if i + 1 < n && t[i + 1].is_ascii_digit() => s.phone_prefixed(i),
                _ => {}
            }
            i += 1;
            continue;
        }
        let line_start = i == 0 || t[i - 1] == b'\n' || t[i - 1] == b'\r';
        if line_start && c.is_ascii_uppercase() {
            if let Some(skip) = s.hl7(i) {
                i = skip;
                continue;
            }
        }
        if let Some(skip) = s.noise(i) {
            i = skip;
            continue;
        }
        // The token's end and the union of its byte classes, in one pass.
        let mut end = i + 1;
        let mut mask = CLASS[c as usize];
        while end < n {
            let k = CLASS[t[end] as usize];
            if k == O {
                break;
            }
            mask |= k;
            end += 1;
        }
        if end < n && t[end] == b':' && end - i <= 4 && t[i..end].iter().all(|b| is_hex(*b)) {
            if let Some(e) = s.ipv6(i) {
                i = e;
                continue;
            }
        }
        let next = if mask == D {
            s.number(i, end)
        } else {
            s.word(i, end, mask)
        };
        i = next.max(end);
    }
}

struct Scan<'a> {
    t: &'a [u8],
    out: &'a mut Vec<Match>,
    /// Cache of key classifications (log keys repeat on every line): (FNV hash, kind, last use).
    keys: [(u64, Option<FieldKind>, u64); KEY_SLOTS],
    /// Key lookups so far.
    clock: u64,
    /// The last context read: (start, bits).
    last_ctx: std::cell::Cell<(usize, u32)>,
}

impl Scan<'_> {
    fn push(&mut self, e: Entity, start: usize, end: usize, conf: f32, m: Method) {
        if end > start && end - start <= MAX_ENTITY {
            self.out.push(Match::new(e, start, end, conf, m));
        }
    }

    /// Context bits from the words just before `start` (same line, whole words, camelCase and snake_case
    /// split, two-word phrases).
    fn ctx(&self, start: usize) -> u32 {
        // Several shapes may ask about the same token (a phone shape, then a bare number).
        let (at, bits) = self.last_ctx.get();
        if at == start && start > 0 {
            return bits;
        }
        let bits = self.ctx_uncached(start);
        self.last_ctx.set((start, bits));
        bits
    }

    fn ctx_uncached(&self, start: usize) -> u32 {
        let t = self.t;
        let mut lo = start.saturating_sub(CONTEXT_BYTES);
        if let Some(nl) = memchr::memrchr(b'\n', &t[lo..start]) {
            lo += nl + 1;
        }
        let window = &t[lo..start];
        // Bit k of each mask describes window[k]. Words are runs of letters and digits, found from the
        // right with leading-zero counts; sub-words start at the word start and at each lower→upper step.
        let m = WindowMasks::of(window);
        let alnum = m.digit | m.upper | m.lower;
        let starts = m.upper & (m.lower << 1);
        let mut ones = alnum;
        let mut bits = 0;
        let mut right = [0u8; KEYWORD_MAX];
        let mut right_len = 0usize;
        let mut words = 0;
        while ones != 0 && words < CONTEXT_WORDS {
            let e = 64 - ones.leading_zeros() as usize;
            let gaps = !ones & (u64::MAX >> (64 - e));
            let j = 64 - gaps.leading_zeros() as usize;
            ones &= below(j);
            // Sub-words right to left.
            let mut se = e;
            let mut inner = starts & below(e) & !below(j + 1);
            loop {
                let k = if inner == 0 {
                    j
                } else {
                    63 - inner.leading_zeros() as usize
                };
                inner &= below(k);
                let sub = &window[k..se];
                let has_digit = m.digit & below(se) & !below(k) != 0;
                se = k;
                // Longer sub-words (hashes, tokens) do not count as words. No keyword or phrase word is
                // longer than 12 letters or holds a digit: such a sub-word counts as a word but matches
                // nothing, alone or in a phrase.
                if sub.len() > 24 {
                    right_len = 0;
                } else if sub.len() > KEYWORD_MAX || has_digit {
                    right_len = 0;
                    words += 1;
                } else {
                    let mut low = [0u8; KEYWORD_MAX];
                    for (d, s) in low.iter_mut().zip(sub) {
                        *d = s.to_ascii_lowercase();
                    }
                    let low = &low[..sub.len()];
                    bits |= dict::keyword(low);
                    if right_len > 0 {
                        bits |= dict::phrase(low, &right[..right_len]);
                    }
                    right[..low.len()].copy_from_slice(low);
                    right_len = low.len();
                    words += 1;
                }
                if k == j {
                    break;
                }
            }
        }
        bits
    }

    /// UUIDs and similar noise at a token start: returns where to resume.
    fn noise(&self, i: usize) -> Option<usize> {
        let t = self.t;
        if i + 36 <= t.len()
            && t[i + 8] == b'-'
            && t[i + 13] == b'-'
            && t[i + 18] == b'-'
            && t[i + 23] == b'-'
            && [(0, 8), (9, 13), (14, 18), (19, 23), (24, 36)]
                .iter()
                .all(|&(a, b)| all_hex(&t[i + a..i + b]))
        {
            return Some(i + 36);
        }
        None
    }

    /// An IPv6 address at `i` (`2001:db8::7`, full or compressed), checked by the standard parser. Loopback,
    /// link-local and unique-local addresses name infrastructure and stay below the default threshold.
    fn ipv6(&mut self, i: usize) -> Option<usize> {
        let t = self.t;
        let n = t.len();
        let mut e = i;
        while e < n && e - i < 45 && (is_hex(t[e]) || t[e] == b':' || t[e] == b'.') {
            e += 1;
        }
        while e > i && matches!(t[e - 1], b'.' | b':') && !(e >= i + 2 && &t[e - 2..e] == b"::") {
            e -= 1;
        }
        if e < n && is_word(t[e]) {
            return None;
        }
        let run = &t[i..e];
        let colons = run.iter().filter(|&&b| b == b':').count();
        let compressed = run.windows(2).any(|w| w == b"::");
        if colons < 2 || (!compressed && colons != 7) {
            return None;
        }
        let addr: std::net::Ipv6Addr = ascii(run).parse().ok()?;
        let seg0 = addr.segments()[0];
        let local = addr.is_loopback()
            || addr.is_unspecified()
            || (seg0 & 0xffc0) == 0xfe80
            || (seg0 & 0xfe00) == 0xfc00;
        self.push(
            Entity::Ip,
            i,
            e,
            if local { 0.4 } else { 0.85 },
            Method::Checksum,
        );
        Some(e)
    }

    // ---------------------------------------------------------------- numbers

    /// A run of digits at `[i, j)`, preceded by a non-word byte. Returns where to resume.
    fn number(&mut self, i: usize, j: usize) -> usize {
        let t = self.t;
        let n = t.len();
        // Skip the inside of dotted or dashed runs that began with a letter or digit (`v1.2.3`, `id-123`).
        let prev = if i > 0 { t[i - 1] } else { b' ' };
        if (prev == b'.' || prev == b'/') && i >= 2 && is_alnum(t[i - 2]) {
            let mut e = j;
            while e < n && (is_word(t[e]) || t[e] == b'.') {
                e += 1;
            }
            return e;
        }
        // Digit groups joined by one separator.
        let mut g: [(usize, usize); 8] = [(0, 0); 8];
        let mut sep: [u8; 8] = [0; 8];
        g[0] = (i, j);
        let mut ng = 1;
        let mut e = j;
        while ng < 8
            && e + 1 < n
            && matches!(t[e], b'-' | b'.' | b' ' | b'/')
            && t[e + 1].is_ascii_digit()
        {
            let s = e + 1;
            let mut k = s;
            while k < n && t[k].is_ascii_digit() {
                k += 1;
            }
            // The date of an ISO 8601 date-time ends at `T` (`2026-07-01T08:00:00Z`).
            let date_time = ng == 2 && k + 1 < n && t[k] == b'T' && t[k + 1].is_ascii_digit();
            if k < n && is_word(t[k]) && !date_time {
                break;
            }
            sep[ng - 1] = t[e];
            g[ng] = (s, k);
            ng += 1;
            e = k;
        }
        let len = |k: usize| g[k].1 - g[k].0;
        let mut vals = [0u32; 8];
        for (v, &(a, b)) in vals.iter_mut().zip(&g[..ng]) {
            *v = parse_u32(&t[a..b]);
        }
        let val = |k: usize| vals[k];

        // IPv4.
        if ng >= 4
            && sep[..3].iter().all(|&s| s == b'.')
            && (0..4).all(|k| (1..=3).contains(&len(k)) && val(k) <= 255)
        {
            let end = g[3].1;
            let dotted_more = ng > 4 && sep[3] == b'.';
            let (a, b) = (val(0), val(1));
            let private = a == 10
                || a == 127
                || (a == 172 && (16..=31).contains(&b))
                || (a == 192 && b == 168)
                || a == 0;
            let version = self.prev_word_is(i, &[b"version", b"ver", b"release", b"build", b"v"]);
            if !dotted_more && prev != b'v' && prev != b'V' && !version {
                // Private and loopback addresses name infrastructure, not a person's connection.
                let conf = if private { 0.4 } else { 0.85 };
                self.push(Entity::Ip, i, end, conf, Method::Checksum);
                return end;
            }
            if version {
                return end;
            }
        }
        // Numeric dates.
        if ng >= 3 && sep[0] == sep[1] && matches!(sep[0], b'-' | b'/' | b'.') {
            let (a, b, c) = (val(0), val(1), val(2));
            let ymd = len(0) == 4
                && len(1) <= 2
                && len(2) <= 2
                && (1900..=2100).contains(&a)
                && validate::ymd(a, b, c);
            let mdy4 = len(0) <= 2
                && len(1) <= 2
                && len(2) == 4
                && (1900..=2100).contains(&c)
                && (validate::ymd(c, a, b) || validate::ymd(c, b, a));
            let mdy2 = sep[0] == b'/'
                && len(0) <= 2
                && len(1) <= 2
                && len(2) == 2
                && (validate::ymd(2000, a, b) || validate::ymd(2000, b, a));
            if ymd || mdy4 || mdy2 {
                let mut end = g[2].1;
                let mut conf = if mdy2 { 0.6 } else { 0.75 };
                if ymd
                    && end < n
                    && (t[end] == b'T' || t[end] == b' ')
                    && end + 3 < n
                    && t[end + 1].is_ascii_digit()
                    && t[end + 3] == b':'
                {
                    // An event timestamp: reported below the default threshold unless the context says birth,
                    // admission, death or discharge.
                    let mut k = end + 1;
                    while k < n && (t[k].is_ascii_digit() || matches!(t[k], b':' | b'.' | b',')) {
                        k += 1;
                    }
                    if k < n && t[k] == b'Z' {
                        k += 1;
                    } else if k + 5 < n && matches!(t[k], b'+' | b'-') && t[k + 1].is_ascii_digit()
                    {
                        k += 3;
                        if k < n && t[k] == b':' {
                            k += 1;
                        }
                        while k < n && t[k].is_ascii_digit() {
                            k += 1;
                        }
                    }
                    end = k;
                    conf = if self.event_time(i) { 0.3 } else { 0.75 };
                }
                // An event time stays one whatever words precede it; other dates gain from `dob`, `admitted`.
                if conf > 0.3 && self.ctx(i) & ctx::DATE != 0 {
                    conf = 0.95;
                }
                self.push(Entity::Date, i, end, conf, Method::Checksum);
                return end;
            }
        }
        // SSN 3-2-4.
        if ng >= 3
            && len(0) == 3
            && len(1) == 2
            && len(2) == 4
            && sep[0] == sep[1]
            && matches!(sep[0], b'-' | b' ')
            && !(ng > 3 && sep[2] == sep[0])
        {
            let end = g[2].1;
            let c = self.ctx(i);
            let digits = ascii(&t[i..end]);
            let valid = validate::ssn(digits);
            let structural = validate::ssn_structure(digits);
            let mut conf: f32 = match (valid, structural, sep[0]) {
                (true, _, b'-') => 0.85,
                (true, _, _) | (false, true, b'-') => 0.6,
                (false, true, _) => 0.45,
                (false, false, _) => 0.3,
            };
            if c & ctx::SSN != 0 {
                conf += 0.3;
            }
            self.push(
                Entity::Ssn,
                i,
                end,
                conf,
                if valid {
                    Method::Checksum
                } else {
                    Method::Pattern
                },
            );
            return end;
        }
        // Cards in groups (4-4-4-4[-3], 4-6-5, 4-6-4).
        if ng >= 3 && sep[..ng - 1].iter().all(|&s| s == sep[0]) && matches!(sep[0], b' ' | b'-') {
            let mut lens_buf = [0usize; 8];
            for (k, l) in lens_buf.iter_mut().enumerate().take(ng) {
                *l = len(k);
            }
            let lens = &lens_buf[..ng];
            let shaped = matches!(
                lens,
                [4, 4, 4, 4] | [4, 4, 4, 4, 1..=3] | [4, 6, 5] | [4, 6, 4] | [4, 4, 4, 2..=4]
            );
            if shaped {
                let end = g[ng - 1].1;
                if validate::card(ascii(&t[i..end])) {
                    let conf = if self.ctx(i) & ctx::CARD != 0 {
                        1.0
                    } else {
                        0.9
                    };
                    self.push(Entity::CreditCard, i, end, conf, Method::Checksum);
                    return end;
                }
            }
        }
        // Phones.
        if ng >= 2 {
            if let Some(end) = self.phone_groups(i, &g[..ng], &sep[..ng - 1], false) {
                return end;
            }
        }
        self.single_number(
            i,
            j,
            ng > 1 && sep[0] == b'-' && len(0) == 5 && len(1) == 4,
            g[1].1,
        )
    }

    /// Groups that look like a phone number; `prefixed` when a `+` or `(` came first.
    fn phone_groups(
        &mut self,
        start: usize,
        g: &[(usize, usize)],
        sep: &[u8],
        prefixed: bool,
    ) -> Option<usize> {
        let t = self.t;
        if sep.contains(&b'/') || g.is_empty() || g.len() > 8 {
            return None;
        }
        // A last group with an extension glued on (`555-123-4567x89`) ends the digit run before it: take it in.
        let mut g_buf = [(0usize, 0usize); 8];
        let mut sep_buf = [0u8; 8];
        g_buf[..g.len()].copy_from_slice(g);
        sep_buf[..sep.len()].copy_from_slice(sep);
        let mut ng = g.len();
        if ng < 8 {
            if let Some((s, e)) = glued_extension_group(t, g[ng - 1].1) {
                sep_buf[ng - 1] = t[g[ng - 1].1];
                g_buf[ng] = (s, e);
                ng += 1;
            }
        }
        let (g, sep) = (&g_buf[..ng], &sep_buf[..ng - 1]);
        let mut lens_buf = [0usize; 8];
        for (l, (a, b)) in lens_buf.iter_mut().zip(g) {
            *l = b - a;
        }
        let lens = &lens_buf[..ng];
        // An international prefix: `+` or `00` before the country code (`+49 30 1234567`, `0049 30 1234567`).
        let intl = t[start] == b'+' || (lens[0] <= 5 && t[g[0].0..].starts_with(b"00"));
        let lead_zero = t[g[0].0] == b'0';
        // The NANP shapes 3-3-4 and 1-3-3-4.
        let (nanp_k, nanp_end) = match lens {
            [3, 3, 4, ..] => (Some(0), g[2].1),
            [1, 3, 3, 4, ..] if t[g[0].0] == b'1' => (Some(1), g[3].1),
            _ => (None, 0),
        };
        // A trunk-prefixed area code and a subscriber number of 6-8 digits: `0393 1144137`, `0961-7596216`.
        let trunk_pair = ng == 2
            && t[g[0].0] == b'0'
            && t[g[0].0..g[0].1].iter().any(|&d| d != b'0')
            && (2..=5).contains(&lens[0])
            && (6..=8).contains(&lens[1])
            && (10..=12).contains(&(lens[0] + lens[1]))
            && matches!(sep[0], b' ' | b'-');
        // Context is read only for shapes that can be phones.
        // Groups of 2-5 digits; with a trunk or international prefix also a one-digit group and a long
        // subscriber number; an area code and a long subscriber number alone (checked against phone words).
        let generic_shape = ng >= 2
            && lens[0] <= 6
            && if lens[1..].iter().all(|l| (2..=5).contains(l)) {
                true
            } else if prefixed || intl || lead_zero {
                lens[1..ng - 1].iter().all(|l| (1..=5).contains(l))
                    && (2..=8).contains(&lens[ng - 1])
            } else {
                ng == 2 && lens[0] <= 4 && (6..=8).contains(&lens[1])
            };
        if nanp_k.is_none() && !generic_shape && !trunk_pair {
            return None;
        }
        if trunk_pair {
            let c = self.ctx(start);
            let entity = if c & ctx::FAX != 0 {
                Entity::Fax
            } else {
                Entity::Phone
            };
            let conf = if c & (ctx::PHONE | ctx::FAX) != 0 {
                0.85
            } else {
                0.55
            };
            return Some(self.push_phone(entity, start, g[1].1, conf, Method::Pattern));
        }
        let c = self.ctx(start);
        let fax = c & ctx::FAX != 0;
        let entity = if fax { Entity::Fax } else { Entity::Phone };
        if nanp_k.is_some() {
            let digits = ascii(&t[start..nanp_end]);
            // An explicit `+1` or `(NPA)` is strong evidence even when the exchange is not assignable.
            let mut conf: f32 = if validate::nanp(digits) {
                0.75
            } else if prefixed || t[start] == b'0' {
                // An explicit `+1`, `(NPA)` or a trunk `0` is strong evidence even when the number is not
                // assignable in the NANP.
                0.55
            } else {
                0.45
            };
            if c & (ctx::PHONE | ctx::FAX) != 0 {
                conf += 0.25;
            }
            return Some(self.push_phone(entity, start, nanp_end, conf, Method::Checksum));
        }
        // Other national formats: groups of 2-5 digits (the first 1-5), 8-13 digits in all. After a country
        // code an area code may have one digit (`+33 1 ...`, `+31 6 ...`) and a trunk `(0)` may stand between;
        // a subscriber number of up to 8 digits may close a number with a trunk or international prefix or a
        // phone word before it (`+49 30 1234567`, `06-12345678`, `phone: 99 668472`).
        let phone_ctx = c & (ctx::PHONE | ctx::FAX) != 0;
        // `license number 2270-66-1551`: grouped digits named as a licence by the words before them.
        if !phone_ctx && c & ctx::LICENSE != 0 {
            let end = g[ng - 1].1;
            self.push(Entity::License, start, end, 0.75, Method::Pattern);
            return Some(end);
        }
        let long_last = prefixed || intl || lead_zero || phone_ctx;
        let max_total = if intl { 17 } else { 13 };
        let dotted_pairs =
            sep.iter().all(|&s| s == b'.') && ng >= 4 && lens.iter().all(|&x| x == 2);
        let max_first = if prefixed { 6 } else { 5 };
        let mut total = 0;
        let mut k = 0;
        while k < ng && total < max_total {
            let l = lens[k];
            let ok = if k == 0 {
                (1..=max_first).contains(&l)
            } else {
                let trunk = l == 1 && t[g[k].0] == b'0' && t[g[k].0 - 1] == b'(';
                let area = l == 1 && k == 1 && intl;
                let last = k == ng - 1 && long_last && (6..=8).contains(&l);
                ((2..=5).contains(&l) || trunk || area || last)
                    && !(sep[k - 1] == b'.' && !prefixed && !dotted_pairs)
            };
            if !ok {
                break;
            }
            total += l;
            k += 1;
        }
        // A local number `NXX-XXXX` / `NXX XXXX`.
        if ng == 2 && lens[0] == 3 && lens[1] == 4 && matches!(sep[0], b'-' | b' ') {
            let nxx = &t[g[0].0..g[0].1];
            // `370 3911 Fourth Avenue`: a building and a house number before a street, not a phone.
            let street = sep[0] == b' '
                && !phone_ctx
                && g[1].1 + 1 < t.len()
                && t[g[1].1] == b' '
                && t[g[1].1 + 1].is_ascii_uppercase()
                && self.street_after(g[1].1 + 1).is_some();
            if nxx[0] >= b'2' && !(nxx[1] == b'1' && nxx[2] == b'1') && !street {
                let mut conf: f32 = 0.5;
                if phone_ctx {
                    conf += 0.3;
                }
                return Some(self.push_phone(entity, start, g[1].1, conf, Method::Pattern));
            }
        }
        if k >= 2 && (8..=max_total).contains(&total) {
            let end = g[k - 1].1;
            let spaced = k >= 3 && sep[..k - 1].iter().all(|&s| s == sep[0]);
            let mut conf: f32 = if prefixed {
                0.6
            } else if lead_zero {
                0.55
            } else if spaced {
                0.5
            } else {
                0.0
            };
            if c & (ctx::PHONE | ctx::FAX) != 0 {
                conf = conf.max(0.5) + 0.3;
            }
            if conf > 0.0 {
                return Some(self.push_phone(entity, start, end, conf, Method::Pattern));
            }
        }
        None
    }

    /// Pushes a phone number ending at `end`, with an extension after it (`x769`, ` ext. 12`); returns the end.
    fn push_phone(&mut self, e: Entity, start: usize, end: usize, conf: f32, m: Method) -> usize {
        let end = extension_end(self.t, end).unwrap_or(end);
        self.push(e, start, end, conf, m);
        end
    }

    /// `+44 20 7946 0958`, `(212) 555-0147`, `+1 (617) 253-1000`, `(579)888-3058`.
    fn phone_prefixed(&mut self, i: usize) {
        let t = self.t;
        let n = t.len();
        if i > 0 && is_alnum(t[i - 1]) {
            return;
        }
        let mut g = [(0usize, 0usize); 6];
        let mut sep = [0u8; 6];
        let mut ng = 0;
        let mut k = i;
        if t[k] == b'+' {
            k += 1;
        }
        loop {
            let open = k < n && t[k] == b'(';
            if open {
                k += 1;
            }
            let s = k;
            while k < n && t[k].is_ascii_digit() {
                k += 1;
            }
            if k == s || ng == g.len() {
                break;
            }
            g[ng] = (s, k);
            ng += 1;
            if open {
                if k < n && t[k] == b')' {
                    k += 1;
                } else {
                    return;
                }
                if k < n && t[k].is_ascii_digit() {
                    sep[ng - 1] = b')';
                    continue;
                }
            }
            if k + 1 < n
                && matches!(t[k], b'-' | b'.' | b' ')
                && (t[k + 1].is_ascii_digit() || t[k + 1] == b'(')
            {
                sep[ng - 1] = t[k];
                k += 1;
            } else {
                break;
            }
        }
        // An unspaced E.164 number: `+447700677662` (country code and national number, 8-15 digits).
        if ng == 1 && t[i] == b'+' && (8..=15).contains(&(g[0].1 - g[0].0)) && t[g[0].0] != b'0' {
            if k == n || !is_word(t[k]) {
                let c = self.ctx(i);
                let conf = if c & (ctx::PHONE | ctx::FAX) != 0 {
                    0.85
                } else {
                    0.6
                };
                self.push(Entity::Phone, i, k, conf, Method::Pattern);
            }
            return;
        }
        // A word glued to the digits ends the number unless it is an extension (`x769`, `ext12`), which
        // `push_phone` takes into the match.
        if ng < 2 || (k < n && is_word(t[k]) && extension_end(t, k).is_none()) {
            return;
        }
        self.phone_groups(i, &g[..ng], &sep[..ng - 1], true);
    }

    fn single_number(&mut self, i: usize, j: usize, zip4: bool, zip4_end: usize) -> usize {
        let t = self.t;
        let n = t.len();
        let l = j - i;
        let v = if l <= 9 { parse_u32(&t[i..j]) } else { 0 };
        // Ages over 89: `92-year-old`, `95 yo`, `age 91`.
        if (1..=3).contains(&l) && validate::age_over_89(v) {
            let rest = &t[j..n.min(j + 14)];
            let lower: Vec<u8> = rest.iter().map(u8::to_ascii_lowercase).collect();
            let phrase = [
                &b"-year-old"[..],
                b" year old",
                b" years old",
                b"-years-old",
                b" yo",
                b" y/o",
                b"yo ",
                b" yrs",
                b"-yo",
                b" years of age",
            ]
            .iter()
            .any(|p| {
                lower.starts_with(p)
                    && lower
                        .get(p.len())
                        .is_none_or(|c| !c.is_ascii_alphanumeric())
            });
            if phrase || self.ctx(i) & ctx::AGE != 0 {
                self.push(
                    Entity::AgeOver89,
                    i,
                    j,
                    if phrase { 0.9 } else { 0.7 },
                    Method::Checksum,
                );
                return j;
            }
        }
        // House numbers: `221 Baker Street`, `5049 Harjukuja`.
        if l <= 6 && j + 2 < n && t[j] == b' ' && t[j + 1].is_ascii_uppercase() {
            if let Some(end) = self.street_after(j + 1) {
                self.push(Entity::Address, i, end, 0.85, Method::Pattern);
                return end;
            }
        }
        if l == 5 || zip4 {
            let end = if zip4 { zip4_end } else { j };
            if self.after_state(i) || self.ctx(i) & ctx::ZIP != 0 {
                self.push(Entity::Zip, i, end, 0.85, Method::Pattern);
                return end;
            }
            return j;
        }
        if l < 4 {
            return j;
        }
        // Ports (`host:8443`) and numbers with a unit right after (`1234 ms`) are not identifiers.
        if l <= 5 && i >= 2 && t[i - 1] == b':' && is_alnum(t[i - 2]) {
            return j;
        }
        // Compact timestamps `YYYYMMDDhhmm[ss]` (HL7 MSH-7, file names) are times, not identifiers.
        if (l == 12 || l == 14)
            && matches!(&t[i..i + 2], b"19" | b"20")
            && validate::ymd(
                parse_u32(&t[i..i + 4]),
                parse_u32(&t[i + 4..i + 6]),
                parse_u32(&t[i + 6..i + 8]),
            )
            && parse_u32(&t[i + 8..i + 10]) < 24
        {
            return j;
        }
        let c = self.ctx(i);
        if c == 0 {
            // Bare numbers: only checksummed card numbers stand on their own.
            if (13..=19).contains(&l)
                && !(l == 13 && t[i] == b'1')
                && validate::card(ascii(&t[i..j]))
            {
                self.push(
                    Entity::CreditCard,
                    i,
                    j,
                    bare_card_confidence(&t[i..j]),
                    Method::Checksum,
                );
            }
            return j;
        }
        let s = ascii(&t[i..j]);
        if l == 9 && c & ctx::SSN != 0 {
            let conf = if validate::ssn(s) { 0.95 } else { 0.5 };
            self.push(Entity::Ssn, i, j, conf, Method::Checksum);
        } else if l == 9 && c & ctx::ROUTING != 0 && validate::aba(s) {
            self.push(Entity::Account, i, j, 0.9, Method::Checksum);
        } else if l == 10 && c & ctx::NPI != 0 && validate::npi(s) {
            self.push(Entity::License, i, j, 0.95, Method::Checksum);
        } else if (10..=11).contains(&l) && c & (ctx::PHONE | ctx::FAX) != 0 && validate::nanp(s) {
            let e = if c & ctx::FAX != 0 {
                Entity::Fax
            } else {
                Entity::Phone
            };
            self.push(e, i, j, 0.85, Method::Checksum);
        } else if (12..=19).contains(&l) && validate::card(s) {
            self.push(
                Entity::CreditCard,
                i,
                j,
                if c & ctx::CARD != 0 {
                    0.95
                } else {
                    bare_card_confidence(&t[i..j])
                },
                Method::Checksum,
            );
        } else if l == 15 && c & ctx::DEVICE != 0 && validate::imei(s) {
            self.push(Entity::DeviceId, i, j, 0.9, Method::Checksum);
        } else if l == 8
            && c & ctx::DATE != 0
            && validate::ymd(
                parse_u32(&t[i..i + 4]),
                parse_u32(&t[i + 4..i + 6]),
                parse_u32(&t[i + 6..j]),
            )
        {
            self.push(Entity::Date, i, j, 0.9, Method::Checksum);
        } else if let Some(e) = typed_id(c) {
            self.push(e, i, j, 0.75, Method::Pattern);
        } else if c & ctx::LICENSE != 0 {
            self.push(Entity::License, i, j, 0.7, Method::Pattern);
        } else if c & ctx::VEHICLE != 0 {
            self.push(Entity::VehicleId, i, j, 0.7, Method::Pattern);
        }
        j
    }

    /// Whether the word just before `i` (spaces, `=` or `:` between) is one of `words` (lower-case).
    fn prev_word_is(&self, i: usize, words: &[&[u8]]) -> bool {
        let t = self.t;
        let mut k = i;
        while k > 0 && matches!(t[k - 1], b' ' | b'=' | b':' | b'"') && i - k < 4 {
            k -= 1;
        }
        let e = k;
        while k > 0 && t[k - 1].is_ascii_alphabetic() && e - k < 12 {
            k -= 1;
        }
        e > k && words.iter().any(|x| x.eq_ignore_ascii_case(&t[k..e]))
    }

    /// Whether the word before `i` (after a space or comma) is a US state code or name.
    fn after_state(&self, i: usize) -> bool {
        let t = self.t;
        let mut k = i;
        while k > 0 && matches!(t[k - 1], b' ' | b',') && i - k < 3 {
            k -= 1;
        }
        if k == i {
            return false;
        }
        let e = k;
        while k > 0 && t[k - 1].is_ascii_alphabetic() {
            k -= 1;
        }
        let w = &t[k..e];
        if dict::is_state_code(w) {
            return true;
        }
        let mut buf = [0u8; 32];
        dict::upper_into(w, &mut buf).is_some_and(|len| dict::is_state(&buf[..len]))
    }

    /// From a capitalised word at `k`: up to four capitalised words ending in a street designator
    /// (`Baker Street`, `Main St.`), or a single word ending in a designator (`Brixtonlaan`); then an
    /// optional unit (`, Suite 727`). Returns the end.
    fn street_after(&self, k: usize) -> Option<usize> {
        let t = self.t;
        let n = t.len();
        let mut p = k;
        for _ in 0..5 {
            if p >= n || !(t[p].is_ascii_uppercase() || t[p] >= 0x80) {
                return None;
            }
            let s = p;
            while p < n && (is_word(t[p]) || t[p] == b'\'') {
                p += 1;
            }
            let w = &t[s..p];
            if dict::street_suffix(w) || suffix_street(w) {
                // `Pine Ct`: a designator followed by another one ends at the second.
                if p + 1 < n && t[p] == b' ' && t[p + 1].is_ascii_uppercase() {
                    let s2 = p + 1;
                    let mut q = s2;
                    while q < n && is_word(t[q]) {
                        q += 1;
                    }
                    if dict::street_suffix(&t[s2..q]) {
                        p = q;
                    }
                }
                if p < n && t[p] == b'.' {
                    p += 1;
                }
                return Some(self.unit_after(p));
            }
            if p + 1 < n && t[p] == b' ' {
                p += 1;
            } else {
                return None;
            }
        }
        None
    }

    /// `, Suite 727` / ` Apt 4B` after an address; returns the new end (or `p`).
    fn unit_after(&self, p: usize) -> usize {
        let t = self.t;
        let n = t.len();
        let mut k = p;
        if k < n && t[k] == b',' {
            k += 1;
        }
        while k < n && t[k] == b' ' {
            k += 1;
        }
        let s = k;
        while k < n && t[k].is_ascii_alphabetic() {
            k += 1;
        }
        if k == s || !dict::unit_word(&t[s..k]) {
            return p;
        }
        if k < n && t[k] == b'.' {
            k += 1;
        }
        while k < n && matches!(t[k], b' ' | b'#') {
            k += 1;
        }
        let ns = k;
        while k < n && is_alnum(t[k]) {
            k += 1;
        }
        if k > ns && t[ns..k].iter().any(u8::is_ascii_digit) {
            k
        } else {
            p
        }
    }

    // ---------------------------------------------------------------- words

    /// A word at `[i, j)` (letters, digits, `_`, non-ASCII). Returns where to resume.
    fn word(&mut self, i: usize, j: usize, mask: u8) -> usize {
        let t = self.t;
        let n = t.len();
        let w = &t[i..j];
        if mask & D != 0 {
            return self.mixed(i, j, mask);
        }
        // URLs and bare domains.
        if j + 3 <= n && &t[j..j + 3] == b"://" {
            self.url(i, j + 3);
            return j + 3;
        }
        if j < n && t[j] == b'.' && mask & !X == LO {
            if let Some(end) = self.domain(i) {
                return end;
            }
        }
        let maybe_month = (3..=9).contains(&w.len())
            && matches!(
                w[0] | 0x20,
                b'j' | b'f' | b'm' | b'a' | b's' | b'o' | b'n' | b'd'
            );
        if let Some(m) = maybe_month.then(|| dict::month(w)).flatten() {
            if let Some(end) = self.month_date(i, j, m) {
                return end;
            }
        }
        if w[0].is_ascii_uppercase() {
            if (6..=9).contains(&w.len()) && w[w.len() - 1] == b'y' && dict::weekday(w).is_some() {
                // `Monday`, `on Tuesday`: a date element (the day of a dated event).
                let conf = if self.ctx(i) & ctx::DATE != 0 {
                    0.9
                } else {
                    0.6
                };
                self.push(Entity::Date, i, j, conf, Method::Dictionary);
                return j;
            }
            return self.capitalised(i, j);
        }
        if w[0] >= 0x80 && upper_at(t, i) {
            return self.capitalised(i, j);
        }
        j
    }

    /// Tokens with letters and digits: VIN, MBI, DEA, IBAN, identifiers with context; hex and base64 runs skipped.
    fn mixed(&mut self, i: usize, j: usize, mask: u8) -> usize {
        let t = self.t;
        let w = &t[i..j];
        let l = w.len();
        // Only digits and hex letters.
        let hex = mask & (X | H | U) == 0;
        if l >= 12 && hex {
            return j;
        }
        if l >= 24 {
            return j;
        }
        let s = std::str::from_utf8(w).unwrap_or("");
        if l == 17 && validate::vin_shape(s) {
            let valid = validate::vin(s);
            let c = self.ctx(i);
            let conf = match (valid, c & ctx::VEHICLE != 0) {
                (true, true) => 1.0,
                (true, false) => 0.85,
                (false, true) => 0.7,
                (false, false) => 0.0,
            };
            if conf > 0.0 {
                self.push(Entity::VehicleId, i, j, conf, Method::Checksum);
                return j;
            }
        }
        if l == 11 && validate::mbi(s) {
            let conf = if self.ctx(i) & ctx::PLAN != 0 {
                0.95
            } else {
                0.45
            };
            self.push(Entity::HealthPlanId, i, j, conf, Method::Checksum);
            return j;
        }
        // Dashed MBI `1EG4-TE5-MK73`.
        if l == 4 && j + 9 <= t.len() && t[j] == b'-' && t[j + 4] == b'-' {
            let whole = &t[i..j + 9];
            if let Ok(ws) = std::str::from_utf8(whole) {
                if validate::mbi(ws) && (j + 9 == t.len() || !is_word(t[j + 9])) {
                    let conf = if self.ctx(i) & ctx::PLAN != 0 {
                        0.95
                    } else {
                        0.6
                    };
                    self.push(Entity::HealthPlanId, i, j + 9, conf, Method::Checksum);
                    return j + 9;
                }
            }
        }
        if l == 9 && validate::dea(s) {
            let conf = if self.ctx(i) & (ctx::DEA | ctx::LICENSE) != 0 {
                1.0
            } else {
                0.8
            };
            self.push(Entity::License, i, j, conf, Method::Checksum);
            return j;
        }
        if l >= 4
            && w[0].is_ascii_alphabetic()
            && w[1].is_ascii_alphabetic()
            && w[2].is_ascii_digit()
            && w[3].is_ascii_digit()
        {
            if l >= 15 && validate::iban(s) {
                self.push(Entity::Iban, i, j, 0.95, Method::Checksum);
                return j;
            }
            if l == 4 {
                if let Some(end) = self.spaced_iban(i, j) {
                    return end;
                }
            }
        }
        // Identifiers named by context. Not: numbers with a unit (`250ms`, `12kb`, `3rd`) or hex fragments
        // (`7d9f8c6b5`, a pod template hash), which are the bulk of mixed tokens in logs.
        let lead_digits = w.iter().take_while(|b| b.is_ascii_digit()).count();
        let unit = lead_digits > 0
            && w[lead_digits..].iter().all(u8::is_ascii_alphabetic)
            && l - lead_digits <= 3;
        let hex_fragment = hex && mask & UP == 0;
        if l >= 5 && !unit && !hex_fragment && w.iter().filter(|b| b.is_ascii_digit()).count() >= 3
        {
            let c = self.ctx(i);
            if let Some(e) = typed_id(c) {
                self.push(e, i, j, 0.75, Method::Pattern);
            } else if c & ctx::LICENSE != 0 {
                self.push(Entity::License, i, j, 0.7, Method::Pattern);
            } else if c & ctx::VEHICLE != 0 && l <= 8 {
                self.push(Entity::VehicleId, i, j, 0.7, Method::Pattern);
            }
        }
        j
    }

    /// `GB82 WEST 1234 5698 7654 32`.
    fn spaced_iban(&mut self, i: usize, j: usize) -> Option<usize> {
        let t = self.t;
        let n = t.len();
        let mut k = j;
        let mut end = j;
        for _ in 0..8 {
            if k + 1 < n && t[k] == b' ' && is_alnum(t[k + 1]) {
                let s = k + 1;
                let mut e = s;
                while e < n && is_alnum(t[e]) {
                    e += 1;
                }
                if e - s > 4 || (e < n && is_word(t[e])) {
                    break;
                }
                k = e;
                end = e;
                if let Ok(cand) = std::str::from_utf8(&t[i..end]) {
                    if e - s < 4 && validate::iban(cand) {
                        break;
                    }
                }
            } else {
                break;
            }
        }
        let cand = std::str::from_utf8(&t[i..end]).ok()?;
        if end > j && validate::iban(cand) {
            self.push(Entity::Iban, i, end, 0.95, Method::Checksum);
            return Some(end);
        }
        None
    }

    fn url(&mut self, i: usize, after_scheme: usize) {
        let t = self.t;
        let n = t.len();
        let mut e = after_scheme;
        while e < n
            && e - i < MAX_ENTITY
            && !t[e].is_ascii_whitespace()
            && !matches!(t[e], b'"' | b'\'' | b'<' | b'>' | b'`')
        {
            e += 1;
        }
        if e - i >= MAX_ENTITY {
            return;
        }
        while e > after_scheme && matches!(t[e - 1], b'.' | b',' | b')' | b';' | b':') {
            e -= 1;
        }
        if e > after_scheme + 2 {
            self.push(Entity::Url, i, e, 0.5, Method::Pattern);
        }
    }

    /// `name.example.com` with a common top-level domain.
    fn domain(&mut self, i: usize) -> Option<usize> {
        let t = self.t;
        let n = t.len();
        let mut k = i;
        let mut labels = 0;
        let mut last;
        loop {
            let s = k;
            while k < n && (t[k].is_ascii_alphanumeric() || t[k] == b'-') {
                k += 1;
            }
            if k == s {
                return None;
            }
            labels += 1;
            last = (s, k);
            if k + 1 < n && t[k] == b'.' && t[k + 1].is_ascii_alphanumeric() {
                k += 1;
            } else {
                break;
            }
        }
        if k < n && (t[k] == b'@' || is_word(t[k])) {
            return None;
        }
        if labels >= 2 && tld(&t[last.0..last.1]) {
            self.push(Entity::Url, i, k, 0.5, Method::Pattern);
            return Some(k);
        }
        None
    }

    /// `March 3, 2021`, `3 March 2021`, `Mar 3rd`, `March 2021`.
    fn month_date(&mut self, i: usize, j: usize, m: u32) -> Option<usize> {
        let t = self.t;
        let n = t.len();
        let mut start = i;
        let mut end = j;
        let mut day = None;
        let mut year = None;
        // Day before: `3 March`, `3rd of March`.
        {
            let mut k = i;
            while k > 0 && t[k - 1] == b' ' {
                k -= 1;
            }
            if k >= 3 && &t[k - 3..k] == b" of" {
                k -= 3;
            }
            let mut de = k;
            if de >= 2 && matches!(&t[de - 2..de], b"st" | b"nd" | b"rd" | b"th") {
                de -= 2;
            }
            let mut ds = de;
            while ds > 0 && t[ds - 1].is_ascii_digit() && de - ds < 3 {
                ds -= 1;
            }
            if ds < de && de - ds <= 2 && k < i && (ds == 0 || !is_word(t[ds - 1])) {
                let d = parse_u32(&t[ds..de]);
                if (1..=31).contains(&d) {
                    day = Some(d);
                    start = ds;
                }
            }
        }
        let mut k = j;
        if k < n && t[k] == b'.' {
            k += 1;
        }
        let skip_sp = |mut k: usize| {
            while k < n && t[k] == b' ' {
                k += 1;
            }
            k
        };
        let k2 = skip_sp(k);
        let mut ds = k2;
        while ds < n && t[ds].is_ascii_digit() && ds - k2 < 5 {
            ds += 1;
        }
        if ds > k2 && (ds == n || !t[ds].is_ascii_digit()) {
            let v = parse_u32(&t[k2..ds]);
            let mut after = ds;
            if after + 2 <= n && matches!(&t[after..after + 2], b"st" | b"nd" | b"rd" | b"th") {
                after += 2;
            }
            if after < n && is_word(t[after]) {
                // `March 3x`: not a date.
            } else if ds - k2 <= 2 && (1..=31).contains(&v) && day.is_none() {
                day = Some(v);
                end = after;
                let mut y = after;
                if y < n && t[y] == b',' {
                    y += 1;
                }
                let y = skip_sp(y);
                if y + 4 <= n
                    && t[y..y + 4].iter().all(u8::is_ascii_digit)
                    && (y + 4 == n || !is_word(t[y + 4]))
                {
                    year = Some(parse_u32(&t[y..y + 4]));
                    end = y + 4;
                }
            } else if ds - k2 == 4 && (1800..=2100).contains(&v) {
                year = Some(v);
                end = ds;
            }
        }
        let capital = t[i].is_ascii_uppercase();
        let conf = match (day, year) {
            (Some(d), Some(y)) if validate::ymd(y, m, d) => 0.85,
            (Some(_), None) if capital => 0.7,
            (None, Some(_)) if capital => 0.6,
            _ => return None,
        };
        let conf = if self.ctx(start) & ctx::DATE != 0 {
            0.95
        } else {
            conf
        };
        self.push(Entity::Date, start, end, conf, Method::Pattern);
        Some(end)
    }

    /// A capitalised word: names, places, hospital names, street designators written first (`Rue de X 371`).
    fn capitalised(&mut self, i: usize, j: usize) -> usize {
        let t = self.t;
        let n = t.len();
        // The run of capitalised words (and initials `P.`), single spaces between.
        let mut words: [(usize, usize); 5] = [(0, 0); 5];
        let mut nw = 0;
        let mut k = i;
        let mut e = j;
        loop {
            words[nw] = (k, e);
            nw += 1;
            if nw == 5 {
                break;
            }
            let mut p = e;
            if p < n && t[p] == b'.' && e - k == 1 {
                p += 1;
            }
            // Lower-case particles inside a name or place: `Soto del Barco`, `Chiclana de la Frontera`.
            if p + 1 < n && t[p] == b' ' && t[p + 1].is_ascii_lowercase() {
                if let Some(q) = particles_end(t, p + 1) {
                    p = q - 1;
                }
            }
            if p + 1 < n && t[p] == b' ' && upper_at(t, p + 1) {
                let s = p + 1;
                let mut q = s + 1;
                while q < n && is_word(t[q]) {
                    q += 1;
                }
                if t[s..q].iter().any(u8::is_ascii_digit) {
                    break;
                }
                k = s;
                e = q;
            } else {
                break;
            }
        }
        // Each word's dictionary flags, looked up once.
        let mut flags = [0u8; 5];
        for (f, &(s, e)) in flags.iter_mut().zip(&words[..nw]) {
            *f = dict::word_flags(&t[s..e]);
        }
        let has = |x: usize, bit: u8| flags[x] & bit != 0;
        if nw == 1
            && has(0, dict::word::STOP)
            && !has(0, dict::word::CITY)
            && !self.after_locative(i)
            && !self.name_cue(i)
        {
            return j;
        }
        let run_end = words[nw - 1].1;
        let run_end = if run_end - words[nw - 1].0 == 1 && run_end < n && t[run_end] == b'.' {
            run_end + 1
        } else {
            run_end
        };

        // `Don't`, `Won't`: a contraction, not a name.
        if t[j..].starts_with(b"'t ") || t[j..].starts_with("\u{2019}t ".as_bytes()) {
            return j;
        }
        // International street first: `Rue de Piétrain 371`, `ul. Więckowskiego 28`, or `Brixtonlaan 380`.
        if let Some(end) = self.street_number_after(i, j) {
            self.push(Entity::Address, i, end, 0.7, Method::Pattern);
            return end;
        }
        // An address line `20789 Allika 46`, `3482 Via Franscini 71`: a line that opens with a house or
        // building number, then one to three capitalised words, then a number.
        let line_s0 = self.line_number_before(i);
        if let Some(s0) = line_s0.or_else(|| self.cued_house_number(i)) {
            let plain = words[..nw].iter().all(|&(s, e)| {
                e - s >= 3
                    && t[s + 1..e].iter().all(|c| !c.is_ascii_uppercase())
                    && !dict::name_word(&t[s..e]).2
            });
            if plain && nw <= 3 {
                let mut k = words[nw - 1].1;
                if k + 1 < n && t[k] == b' ' && t[k + 1].is_ascii_digit() {
                    k += 1;
                    let ds = k;
                    while k < n && t[k].is_ascii_digit() {
                        k += 1;
                    }
                    // In running text the house number closes the street: punctuation, the line end or a
                    // capitalised word follows (`Μεγάλη Άμμος 184, ΠΑΦΟΣ`), not `3 times`.
                    let closes = line_s0.is_some()
                        || k == n
                        || matches!(t[k], b',' | b'.' | b';' | b'\n' | b'\r')
                        || (t[k] == b' ' && k + 1 < n && upper_at(t, k + 1));
                    if k - ds <= 5 && (k == n || !is_word(t[k])) && closes {
                        let end = self.unit_after(k);
                        self.push(Entity::Address, s0, end, 0.6, Method::Pattern);
                        return end;
                    }
                }
            }
        }
        // `Waechter Turnpike`, `Marina Fort`: capitalised words ending in a street designator.
        if nw >= 2 {
            let (ls, le) = words[nw - 1];
            if dict::street_suffix(&t[ls..le]) && !dict::name_word(&t[words[0].0..words[0].1]).2 {
                let mut end = le;
                if end < n && t[end] == b'.' {
                    end += 1;
                }
                let end = self.unit_after(end);
                self.push(Entity::Address, i, end, 0.6, Method::Pattern);
                return end;
            }
        }
        // `Suite 501`, `Apt. 595`.
        if dict::unit_word(&t[i..j]) {
            let mut k = j;
            if k < n && t[k] == b'.' {
                k += 1;
            }
            while k < n && matches!(t[k], b' ' | b'#') {
                k += 1;
            }
            let ns = k;
            while k < n && is_alnum(t[k]) {
                k += 1;
            }
            if k > ns && k - ns <= 6 && t[ns].is_ascii_digit() && (k == n || !is_word(t[k])) {
                self.push(Entity::Address, i, k, 0.6, Method::Pattern);
                return k;
            }
        }
        // Cities (one to three words) and hospitals; a title or other name cue before the run makes it a person.
        // `Sofia Lima`: a given name that is also a place, then a surname, is a person.
        let given_then_surname = || {
            use dict::word::{FIRST, LAST, STOP};
            let w1 = &t[words[1].0..words[1].1];
            has(0, FIRST)
                && !has(0, STOP)
                && (has(1, FIRST) || has(1, LAST) || name_shaped(w1, true))
                && !has(1, STOP)
        };
        let city0 = city_words(t, &words[..nw], flags[0]);
        // Whether a name cue comes before the run, read once and only when needed.
        let cue0_cell = std::cell::OnceCell::new();
        let cue0 = || *cue0_cell.get_or_init(|| name_cue_at(t, i));
        if let Some(m) = city0.filter(|&m| !(cue0() || (m == 1 && nw >= 2 && given_then_surname())))
        {
            let e = words[m - 1].1;
            self.push(Entity::Location, i, e, 0.7, Method::Dictionary);
            // A postal code after the place: `Estonia 62488`, `Oslo 0150`.
            if e + 1 < n && t[e] == b' ' && t[e + 1].is_ascii_digit() {
                let ds = e + 1;
                let mut k = ds;
                while k < n && t[k].is_ascii_digit() {
                    k += 1;
                }
                if (4..=5).contains(&(k - ds)) && (k == n || !is_word(t[k]) && t[k] != b'.') {
                    self.push(Entity::Zip, ds, k, 0.6, Method::Pattern);
                    return k;
                }
            }
            return e;
        }
        // Dictionary classes of the words (initials have none).
        let mut kinds: [(bool, bool, bool); 5] = [(false, false, false); 5];
        for (x, &(s, e)) in words[..nw].iter().enumerate() {
            if e - s > 1 {
                use dict::word::{FIRST, LAST, STOP};
                kinds[x] = (has(x, FIRST), has(x, LAST), has(x, STOP));
            }
        }
        // A known place later in the run (`Seen Boston`, `Southern Tunisia`): the place is reported and the
        // words before it are read on their own. Not when the place word belongs to a person: after a given
        // name or an initial (`Sofia Lima`, `J. Austin`), after a title or other name cue (`Dr Austin`,
        // `Patient Madison`), or as a given name before a surname (`Austin Smith`).
        for x in 1..nw {
            let (ps, pe) = words[x - 1];
            let person_next =
                kinds[x].0 && x + 1 < nw && (kinds[x + 1].0 || kinds[x + 1].1) && !kinds[x + 1].2;
            if (kinds[x - 1].0 && !kinds[x - 1].2)
                || pe - ps == 1
                || person_next
                || name_cue_at(t, words[x].0)
            {
                continue;
            }
            if let Some(m) = city_words(t, &words[x..nw], flags[x]) {
                self.push(
                    Entity::Location,
                    words[x].0,
                    words[x + m - 1].1,
                    0.65,
                    Method::Dictionary,
                );
                nw = x;
                break;
            }
        }
        // The town after a street and house number: `Præstevænget 15, København`, `Apt. 267, Lascano`.
        if ((after_number_comma(t, i) && !kinds[0].0) || after_street_comma(t, i)) && !cue0() {
            let end = words[nw - 1].1;
            self.push(Entity::Location, i, end, 0.55, Method::Pattern);
            return run_end;
        }
        // `Mora de Rubielos, Spain`: a town, then a known country or region after a comma.
        if !kinds[0].0 && place_after_comma(t, words[nw - 1].1) && !cue0() {
            let end = words[nw - 1].1;
            self.push(Entity::Location, i, end, 0.55, Method::Pattern);
            return run_end;
        }
        // The town line of a postal address: a line of capitalised words under a street or unit line that
        // ends in a number (`Apt. 656` / `Brønderslev`), or a run followed by `, ST 12345`.
        let zip = state_zip_after(t, words[nw - 1].1);
        if (zip.is_some() || self.town_line(i, run_end)) && !cue0() {
            let end = words[nw - 1].1;
            self.push(Entity::Location, i, end, 0.6, Method::Pattern);
            if let Some((zs, ze)) = zip {
                self.push(Entity::Zip, zs, ze, 0.6, Method::Pattern);
                return ze;
            }
            return run_end;
        }
        let hospital = words[..nw].iter().position(|&(s, e)| {
            let mut b = [0u8; 32];
            dict::upper_into(&t[s..e], &mut b).is_some_and(|l| {
                matches!(
                    &b[..l],
                    b"HOSPITAL" | b"CLINIC" | b"INFIRMARY" | b"SANATORIUM" | b"HOSPICE"
                )
            })
        });
        if let Some(h) = hospital {
            if h > 0 {
                self.push(Entity::Location, i, words[h].1, 0.7, Method::Dictionary);
                return words[h].1;
            }
        }

        // Places named after a locative preposition: `in Noorderwijk`, `from New Zealand`, `near Khandallah`.
        let has_initial = words[..nw].iter().any(|&(s, e)| e - s == 1);
        let surname_pair = nw >= 2 && kinds[1].1;
        if self.after_locative(i) && !kinds[0].0 && !has_initial && !surname_pair {
            let end = words[nw - 1].1;
            self.push(Entity::Location, i, end, 0.55, Method::Pattern);
            return end;
        }
        // Names.
        let initial = |x: usize| words[x].1 - words[x].0 == 1;
        // Words shaped like names; not in a street: a run after a house number or before one, a lower-case
        // designator between (`0269 Stensås terrasse 38`, `Király u. 15.`, `Præstevænget 15`).
        let street_like = after_house_number(t, i) || number_follows(t, words[nw - 1].1);
        // Letters outside ASCII mark a foreign proper noun in running text, but not in a label (`País:`), in a
        // single word at a sentence start, or among lower-case words written with diacritics (the text's own language has them:
        // `en el Servicio de Nefrología`); nor in a run joined by particles that opens with no given name.
        let has_particle = words[1..nw]
            .iter()
            .zip(&words[..nw - 1])
            .any(|(w, p)| w.0 > p.1 + 1);
        let diacritics = t[i..words[nw - 1].1].iter().any(|&b| b >= 0x80)
            && t.get(words[nw - 1].1) != Some(&b':')
            && (kinds[0].0 || !has_particle)
            && (nw >= 2 || !self.sentence_start(i))
            && !diacritic_words_near(t, i, words[nw - 1].1);
        let mut shaped = [false; 5];
        for (x, &(s, e)) in words[..nw].iter().enumerate() {
            shaped[x] = !street_like
                && !kinds[x].0
                && !kinds[x].1
                && !kinds[x].2
                && name_shaped(&t[s..e], diacritics);
        }
        // Trim common words at both ends, unless they pair with a name word (`Will Smith`, `John White`).
        let name_like = |x: usize| kinds[x].0 || kinds[x].1 || shaped[x];
        let mut a = 0;
        while a < nw
            && kinds[a].2
            && !(a == 0 && (kinds[a].0 || kinds[a].1) && cue0())
            && !(kinds[a].0 && a + 1 < nw && name_like(a + 1) && !kinds[a + 1].2)
        {
            a += 1;
        }
        if a == nw {
            return run_end;
        }
        // A sentence-initial word that is not a given name is ordinary capitalisation (`Call John Smith`).
        if a == 0
            && nw >= 2
            && !kinds[0].0
            && !shaped[0]
            && !cue0()
            && !initial(1)
            && self.sentence_start(words[0].0)
            && !person_follows(t, words[nw - 1].1)
            && !possessive_after(t, words[nw - 1].1)
            && !self.recipient_line(words[0].0, words[nw - 1].1)
        {
            a = 1;
            while a < nw && kinds[a].2 && !kinds[a].0 {
                a += 1;
            }
            if a == nw {
                return run_end;
            }
        }
        let mut b = nw;
        while b > a
            && ((kinds[b - 1].2
                && !(kinds[b - 1].1 && b - 1 > a && (kinds[b - 2].0 || initial(b - 2)))
                && !(b - 1 == a && (kinds[a].0 || kinds[a].1) && cue0()))
                || initial(b - 1))
        {
            b -= 1;
        }
        if b <= a {
            return run_end;
        }
        let cue = if a == 0 {
            cue0()
        } else {
            self.name_cue(words[a].0)
        };
        let allcaps = |x: usize| {
            t[words[x].0..words[x].1]
                .iter()
                .all(|c| !c.is_ascii_lowercase())
        };
        let span_words = b - a;
        let first_known = kinds[a].0;
        let any_known = (a..b).any(|x| kinds[x].0 || kinds[x].1 || shaped[x]);
        let all_known = (a..b).all(|x| kinds[x].0 || kinds[x].1 || shaped[x] || initial(x));
        let mut conf: f32 = if span_words >= 2 {
            if first_known && all_known {
                0.9
            } else if first_known || all_known {
                0.8
            } else if any_known {
                0.6
            } else {
                0.3
            }
        } else if kinds[a].2 {
            0.0
        } else if kinds[a].0 {
            if self.sentence_start(words[a].0) {
                0.5
            } else {
                0.6
            }
        } else if kinds[a].1 {
            if self.sentence_start(words[a].0) {
                0.35
            } else {
                0.5
            }
        } else if shaped[a] {
            0.5
        } else {
            0.0
        };
        // `Kónya, Becker and Vasquez`, `Marrero and Murphy`: a word listed with a known name is one too.
        if span_words == 1 && !kinds[a].2 && conf < 0.55 && self.listed_with_name(words[a].1) {
            conf = 0.55;
        }
        // A person's verb after the words (`Enrico shouted`), a possessive after two or more (`Maite
        // Lemmens's`), or a recipient line above a street line: evidence for words no list knows.
        let span_end = words[b - 1].1;
        let plain = (a..b).all(|x| !kinds[x].2 && (initial(x) || !allcaps(x)));
        if conf < 0.55
            && plain
            && (person_follows(t, span_end)
                || (span_words >= 2 && possessive_after(t, span_end))
                || (span_words >= 2 && b == nw && self.recipient_line(words[a].0, span_end)))
        {
            conf = 0.55;
        }
        // `Faina D. Yefremova`, `Ravil G Yefimov`: given name, middle initial, surname.
        let mixed_case = |x: usize| {
            let w = &t[words[x].0..words[x].1];
            upper_at(w, 0) && w[1..].iter().any(u8::is_ascii_lowercase)
        };
        if b - a == 3
            && initial(a + 1)
            && !initial(a)
            && !initial(a + 2)
            && !kinds[a].2
            && !kinds[a + 2].2
            && mixed_case(a)
            && mixed_case(a + 2)
            && (!matches!(t[words[a + 1].0], b'A' | b'I')
                || words[a + 1].1 < n && t[words[a + 1].1] == b'.')
        {
            conf = conf.max(0.75);
        }
        if cue {
            conf = conf.max(0.7) + 0.15;
        }
        if (a..b).all(allcaps) && !cue {
            conf -= 0.25;
        }
        // A sentence-initial single word that is also a surname is weak evidence.
        if conf > 0.0 {
            let start = words[a].0;
            let end = words[b - 1].1;
            self.push(Entity::Name, start, end, conf, Method::Dictionary);
        }
        run_end
    }

    /// Whether a timestamp at `i` is a log event time: it leads its line (after spaces or `[`), or it is the
    /// value of a `ts`, `time`, `timestamp` or `@timestamp` key.
    fn event_time(&self, i: usize) -> bool {
        let t = self.t;
        let mut k = i;
        while k > 0 && matches!(t[k - 1], b' ' | b'\t' | b'[' | b'"' | b'\'' | b':' | b'=') {
            k -= 1;
        }
        if k == 0 || matches!(t[k - 1], b'\n' | b'\r') {
            return true;
        }
        let e = k;
        while k > 0
            && (t[k - 1].is_ascii_alphanumeric() || matches!(t[k - 1], b'_' | b'@'))
            && e - k < 20
        {
            k -= 1;
        }
        let key: Vec<u8> = t[k..e].iter().map(u8::to_ascii_lowercase).collect();
        matches!(
            key.as_slice(),
            b"ts"
                | b"time"
                | b"timestamp"
                | b"@timestamp"
                | b"datetime"
                | b"logged"
                | b"created"
                | b"updated"
                | b"received"
                | b"sent"
        )
    }

    /// Whether `, ` / ` and ` / ` & ` and a known given name or surname follow `e` (`Kónya, Becker and`).
    fn listed_with_name(&self, e: usize) -> bool {
        let t = self.t;
        let n = t.len();
        let k = if t[e..].starts_with(b", ") {
            e + 2
        } else if t[e..].starts_with(b" and ") {
            e + 5
        } else if t[e..].starts_with(b" & ") {
            e + 3
        } else {
            return false;
        };
        if k >= n || !t[k].is_ascii_uppercase() {
            return false;
        }
        let mut q = k + 1;
        while q < n && t[q].is_ascii_lowercase() {
            q += 1;
        }
        if q - k < 3 || (q < n && is_word(t[q])) {
            return false;
        }
        // After a comma the list goes on (`Kónya, Becker and Vasquez`), not a pair like `Report, Done.`.
        if t[e] == b',' && !(t[q..].starts_with(b", ") || t[q..].starts_with(b" and ")) {
            return false;
        }
        let (first, last, common) = dict::name_word(&t[k..q]);
        (first || last) && !common
    }

    /// Whether the words at `[i, end)` fill their line (after spaces, tabs or `>` quote marks) and the line
    /// above (blank lines skipped) is a street or unit line: it opens with a house number and a capitalised
    /// word or with a unit word (`Apt.`, `Suite`), and ends in a number.
    fn town_line(&self, i: usize, end: usize) -> bool {
        let t = self.t;
        let n = t.len();
        let mut k = end;
        while k < n && matches!(t[k], b' ' | b'\t' | b',') {
            k += 1;
        }
        if k < n && !matches!(t[k], b'\n' | b'\r') {
            return false;
        }
        let mut s = i;
        while s > 0 && matches!(t[s - 1], b' ' | b'\t' | b'>') {
            s -= 1;
        }
        if s > 0 && t[s - 1] != b'\n' {
            return false;
        }
        if place_line_after(t, k) {
            return true;
        }
        if s == 0 {
            return false;
        }
        let mut e = s - 1;
        while e > 0 && matches!(t[e - 1], b'\n' | b'\r' | b' ' | b'\t' | b'>') && s - e < 8 {
            e -= 1;
        }
        let mut ls = e;
        while ls > 0 && t[ls - 1] != b'\n' && e - ls < 160 {
            ls -= 1;
        }
        while ls < e && matches!(t[ls], b' ' | b'\t' | b'>') {
            ls += 1;
        }
        let line = &t[ls..e];
        let line = line.strip_suffix(b".").unwrap_or(line);
        if !line.last().is_some_and(u8::is_ascii_digit) {
            return false;
        }
        let fw = line.iter().position(|&b| !is_word(b)).unwrap_or(line.len());
        let first = &line[..fw];
        if fw > 0 && first.iter().all(u8::is_ascii_digit) {
            fw + 1 < line.len() && line[fw] == b' ' && is_word(line[fw + 1])
        } else {
            dict::unit_word(first)
        }
    }

    /// Whether the word before `i` is a locative preposition (`in`, `from`, `near`, `to`, `at`, `outside`,
    /// `around`) or a settlement word (`city`, `town`, `village`).
    fn after_locative(&self, i: usize) -> bool {
        let t = self.t;
        if i < 2 || t[i - 1] != b' ' {
            return false;
        }
        let e = i - 1;
        let mut k = e;
        while k > 0 && t[k - 1].is_ascii_alphabetic() && e - k < 8 {
            k -= 1;
        }
        if k > 0 && t[k - 1].is_ascii_alphanumeric() {
            return false;
        }
        matches!(
            &t[k..e],
            b"in"
                | b"from"
                | b"near"
                | b"to"
                | b"at"
                | b"In"
                | b"From"
                | b"Near"
                | b"outside"
                | b"around"
                | b"city"
                | b"town"
                | b"village"
        )
    }

    /// Whether `i` starts a sentence: only spaces, quotes or bullets back to the line start or to `.`, `!`, `?`.
    fn sentence_start(&self, i: usize) -> bool {
        let t = self.t;
        let mut k = i;
        while k > 0
            && matches!(
                t[k - 1],
                b' ' | b'\t' | b'"' | b'\'' | b'>' | b'-' | b'*' | b'('
            )
        {
            k -= 1;
        }
        k == 0 || matches!(t[k - 1], b'.' | b'!' | b'?' | b'\n' | b'\r' | b':')
    }

    /// The start of a house number that opens the line of the word at `i` (`20789 Allika 46`): digits, one
    /// space, the word; before the digits only spaces, tabs or `>` quote marks since the line start.
    fn line_number_before(&self, i: usize) -> Option<usize> {
        let t = self.t;
        let s = digits_before(t, i)?;
        let mut k = s;
        while k > 0 && matches!(t[k - 1], b' ' | b'\t' | b'>') {
            k -= 1;
        }
        (k == 0 || matches!(t[k - 1], b'\n' | b'\r')).then_some(s)
    }

    /// Whether the words at `[i, end)` fill their line and the next non-blank line opens with a house number
    /// and a capitalised word: the recipient line of a postal address (`Philippe Guernon` / `0104 Hafnarstraeti 5`).
    fn recipient_line(&self, i: usize, end: usize) -> bool {
        let t = self.t;
        let n = t.len();
        let mut s = i;
        while s > 0 && matches!(t[s - 1], b' ' | b'\t' | b'>') {
            s -= 1;
        }
        if s > 0 && t[s - 1] != b'\n' {
            return false;
        }
        let mut k = end;
        while k < n && matches!(t[k], b' ' | b'\t') {
            k += 1;
        }
        if k >= n || !matches!(t[k], b'\n' | b'\r') {
            return false;
        }
        let k0 = k;
        while k < n && matches!(t[k], b'\n' | b'\r' | b' ' | b'\t' | b'>') && k - k0 < 12 {
            k += 1;
        }
        let ds = k;
        while k < n && t[k].is_ascii_digit() {
            k += 1;
        }
        (1..=6).contains(&(k - ds)) && k + 1 < n && t[k] == b' ' && upper_at(t, k + 1)
    }

    /// The start of a house number before the word at `i` in running text, after `at` / `on` or address
    /// words (`lives at 10252 Μεγάλη Άμμος 184`, `his address: 450 Præstevænget 15`).
    fn cued_house_number(&self, i: usize) -> Option<usize> {
        let t = self.t;
        let s = digits_before(t, i)?;
        if s < 2 || !matches!(t[s - 1], b' ' | b':') {
            return None;
        }
        (self.prev_word_is(s, &[b"at", b"on"]) || self.ctx(s) & ctx::ADDRESS != 0).then_some(s)
    }

    /// Whether a name cue precedes `i`: a title (`Mr.`, `Dr`), a greeting, `name is`, `patient`, or a
    /// key that names a person.
    fn name_cue(&self, i: usize) -> bool {
        name_cue_at(self.t, i)
    }

    /// `Rue de Piétrain 371`, `ul. Więckowskiego Stefana 28`, `Brixtonlaan 380`: a street word (designator first
    /// or as the word's ending) followed within four words by a house number.
    fn street_number_after(&self, i: usize, j: usize) -> Option<usize> {
        let t = self.t;
        let n = t.len();
        let w = &t[i..j];
        let leading = {
            let mut b = [0u8; 32];
            dict::upper_into(w, &mut b).is_some_and(|l| {
                matches!(
                    &b[..l],
                    b"RUE"
                        | b"VIA"
                        | b"CALLE"
                        | b"AVENIDA"
                        | b"UL"
                        | b"ULICA"
                        | b"AVENUE"
                        | b"PLACE"
                        | b"PLAZA"
                        | b"CARRER"
                        | b"RUA"
                )
            })
        };
        if !leading && !suffix_street(w) {
            return None;
        }
        let mut p = j;
        if p < n && t[p] == b'.' {
            p += 1;
        }
        for _ in 0..5 {
            if p + 1 < n && t[p] == b' ' {
                p += 1;
            } else {
                return None;
            }
            let s = p;
            while p < n && is_word(t[p]) {
                p += 1;
            }
            if p == s {
                return None;
            }
            let tok = &t[s..p];
            if tok[0].is_ascii_digit()
                && tok.len() <= 5
                && tok.iter().take_while(|b| b.is_ascii_digit()).count() >= 1
            {
                return Some(self.unit_after(p));
            }
            if !leading {
                return None;
            }
        }
        None
    }

    // ---------------------------------------------------------------- punctuation triggers

    fn email(&mut self, i: usize) {
        let t = self.t;
        let n = t.len();
        let mut s = i;
        while s > 0
            && (is_alnum(t[s - 1]) || matches!(t[s - 1], b'.' | b'_' | b'%' | b'+' | b'-'))
            && i - s < 64
        {
            s -= 1;
        }
        while s < i && matches!(t[s], b'.' | b'-' | b'+') {
            s += 1;
        }
        if s == i {
            return;
        }
        let mut k = i + 1;
        let mut dots = 0;
        let mut label_start;
        loop {
            let ls = k;
            while k < n && (is_alnum(t[k]) || t[k] == b'-') && k - i < 255 {
                k += 1;
            }
            if k == ls {
                return;
            }
            label_start = ls;
            if k + 1 < n && t[k] == b'.' && is_alnum(t[k + 1]) {
                dots += 1;
                k += 1;
            } else {
                break;
            }
        }
        let tld = &t[label_start..k];
        if dots == 0 || tld.len() < 2 || !tld.iter().all(u8::is_ascii_alphabetic) {
            return;
        }
        self.push(Entity::Email, s, k, 0.95, Method::Pattern);
    }

    /// `key: value`, `key=value`, `"key": "value"` where the key names an identifier.
    fn field(&mut self, i: usize) {
        let t = self.t;
        let n = t.len();
        let mut k = i;
        if k > 0 && matches!(t[k - 1], b'"' | b'\'') {
            k -= 1;
        }
        let ke = k;
        while k > 0
            && (is_alnum(t[k - 1]) || matches!(t[k - 1], b'_' | b'-' | b'.'))
            && ke - k <= 40
        {
            k -= 1;
        }
        if ke - k < 2 || !t[k].is_ascii_alphabetic() || (k > 0 && is_alnum(t[k - 1])) {
            return;
        }
        // `patient name:`, `first name:`: a bare `name` key takes the word before it.
        if k >= 2
            && t[k - 1] == b' '
            && t[k - 2].is_ascii_alphabetic()
            && t[k..ke].eq_ignore_ascii_case(b"name")
        {
            let mut q = k - 1;
            while q > 0 && t[q - 1].is_ascii_alphabetic() && k - q < 12 {
                q -= 1;
            }
            if q == 0 || !is_alnum(t[q - 1]) {
                k = q;
            }
        }
        let key = &t[k..ke];
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in key {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        // Two candidate slots (from two parts of a mixed hash); a new key replaces the less recently used.
        let m = h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let (a, b) = ((m >> 57) as usize, ((m >> 50) & 127) as usize);
        self.clock += 1;
        let kind = if self.keys[a].0 == h {
            self.keys[a].2 = self.clock;
            self.keys[a].1
        } else if self.keys[b].0 == h {
            self.keys[b].2 = self.clock;
            self.keys[b].1
        } else {
            let kind = field_kind(key);
            let slot = if self.keys[b].2 < self.keys[a].2 {
                b
            } else {
                a
            };
            self.keys[slot] = (h, kind, self.clock);
            kind
        };
        let Some(kind) = kind else {
            return;
        };
        // The value.
        let mut p = i + 1;
        while p < n && t[p] == b' ' {
            p += 1;
        }
        if p < n && t[p] == b'[' {
            p += 1;
            while p < n && matches!(t[p], b' ' | b'\n' | b'\r' | b'\t') {
                p += 1;
            }
        }
        if p >= n {
            return;
        }
        let (vs, ve) = if matches!(t[p], b'"' | b'\'') {
            let q = t[p];
            let vs = p + 1;
            let mut e = vs;
            while e < n && t[e] != q && t[e] != b'\n' && e - vs < 256 {
                if t[e] == b'\\' {
                    e += 1;
                }
                e += 1;
            }
            if e >= n || t[e] != q {
                return;
            }
            (vs, e)
        } else {
            let vs = p;
            let mut e = vs;
            while e < n
                && !t[e].is_ascii_whitespace()
                && !matches!(t[e], b',' | b';' | b'&' | b'}' | b']' | b'|' | b'"')
                && e - vs < 256
            {
                e += 1;
            }
            if e - vs >= 256 {
                return;
            }
            // An unquoted name goes on over further words of the name lists (`patient_name=maria gonzalez
            // level=info`), never over a word that is itself a key.
            if kind == FieldKind::Is(Entity::Name) {
                let mut words = 1;
                while words < 3 && e + 1 < n && t[e] == b' ' && t[e + 1].is_ascii_alphabetic() {
                    let ws = e + 1;
                    let mut we = ws;
                    while we < n
                        && (t[we].is_ascii_alphabetic() || matches!(t[we], b'\'' | b'-'))
                        && we - ws < 24
                    {
                        we += 1;
                    }
                    let f = dict::word_flags(&t[ws..we]);
                    let ends_word = we == n
                        || matches!(t[we], b' ' | b',' | b';' | b'\n' | b'\r' | b'\t' | b'.');
                    if !ends_word
                        || f & (dict::word::FIRST | dict::word::LAST) == 0
                        || f & dict::word::STOP != 0
                    {
                        break;
                    }
                    e = we;
                    words += 1;
                }
            }
            (vs, e)
        };
        if ve <= vs {
            return;
        }
        let v = &t[vs..ve];
        let lower: Vec<u8> = v.iter().take(12).map(u8::to_ascii_lowercase).collect();
        if matches!(
            lower.as_slice(),
            b"null"
                | b"none"
                | b"nil"
                | b"true"
                | b"false"
                | b"-"
                | b"n/a"
                | b"na"
                | b"unknown"
                | b"redacted"
        ) || matches!(v[0], b'$' | b'{' | b'<' | b'*' | b'[' | b'%')
        {
            return;
        }
        let has_digit = v.iter().any(u8::is_ascii_digit);
        let has_alpha = v.iter().any(u8::is_ascii_alphabetic);
        let ok = match kind {
            FieldKind::Is(Entity::Name) | FieldKind::Is(Entity::Location) => {
                has_alpha && v.len() >= 2
            }
            FieldKind::Is(Entity::Date)
            | FieldKind::Is(Entity::Ssn)
            | FieldKind::Is(Entity::Phone)
            | FieldKind::Is(Entity::Fax)
            | FieldKind::Is(Entity::Zip) => has_digit,
            FieldKind::Age => {
                if v.len() <= 3
                    && v.iter().all(u8::is_ascii_digit)
                    && validate::age_over_89(parse_u32(v))
                {
                    self.push(Entity::AgeOver89, vs, ve, 0.9, Method::Field);
                }
                return;
            }
            FieldKind::FhirValue => {
                let lo = i.saturating_sub(300);
                let window = &t[lo..i];
                let ident = memchr::memmem::rfind(window, b"identifier");
                let tele = memchr::memmem::rfind(window, b"telecom");
                if ident.is_some() && ident > tele && v.len() >= 3 {
                    let e = if memchr::memmem::find(window, b"MR").is_some()
                        || memchr::memmem::find(window, b"mrn").is_some()
                    {
                        Entity::Mrn
                    } else {
                        Entity::OtherId
                    };
                    self.push(e, vs, ve, 0.8, Method::Field);
                }
                return;
            }
            FieldKind::Is(_) => v.len() >= 3 && (has_digit || has_alpha),
        };
        if let (true, FieldKind::Is(e)) = (ok, kind) {
            self.push(e, vs, ve, 0.9, Method::Field);
        }
    }

    /// HL7 v2 segments that carry patient data (PID, NK1, GT1, IN1) at a line start. The message header and
    /// acknowledgment (MSH with its encoding characters, MSA) carry no patient data (applications, facilities,
    /// send times, control ids): the end of such a segment is returned so that it is skipped, if it ends within
    /// [`MAX_ENTITY`] bytes.
    fn hl7(&mut self, i: usize) -> Option<usize> {
        let t = self.t;
        let n = t.len();
        if i + 4 > n || t[i + 3] != b'|' {
            return None;
        }
        let header = match &t[i..i + 3] {
            b"MSH" => t[i + 4..].starts_with(b"^~\\&"),
            b"MSA" => true,
            _ => false,
        };
        if header {
            let limit = n.min(i + MAX_ENTITY);
            return memchr::memchr2(b'\r', b'\n', &t[i..limit]).map(|p| i + p);
        }
        let map: &[(usize, Entity, bool)] = match &t[i..i + 3] {
            // (field number, entity, first component only)
            b"PID" => &[
                (2, Entity::Mrn, true),
                (3, Entity::Mrn, true),
                (4, Entity::Mrn, true),
                (5, Entity::Name, false),
                (6, Entity::Name, false),
                (7, Entity::Date, true),
                (9, Entity::Name, false),
                (11, Entity::Address, false),
                (13, Entity::Phone, false),
                (14, Entity::Phone, false),
                (18, Entity::Account, true),
                (19, Entity::Ssn, true),
                (20, Entity::License, true),
                (29, Entity::Date, true),
            ],
            b"NK1" => &[
                (2, Entity::Name, false),
                (4, Entity::Address, false),
                (5, Entity::Phone, false),
                (6, Entity::Phone, false),
            ],
            b"GT1" => &[
                (3, Entity::Name, false),
                (5, Entity::Address, false),
                (6, Entity::Phone, false),
                (7, Entity::Phone, false),
                (8, Entity::Date, true),
                (12, Entity::Ssn, true),
            ],
            b"IN1" => &[
                (16, Entity::Name, false),
                (18, Entity::Date, true),
                (19, Entity::Address, false),
                (36, Entity::HealthPlanId, true),
                (49, Entity::HealthPlanId, true),
            ],
            _ => return None,
        };
        let mut field = 1usize;
        let mut s = i + 4;
        let mut k = s;
        loop {
            let at_end = k >= n || matches!(t[k], b'\r' | b'\n');
            if at_end || t[k] == b'|' {
                if let Some(&(_, e, first)) = map.iter().find(|(f, _, _)| *f == field) {
                    let mut fe = k;
                    if first {
                        fe = t[s..k]
                            .iter()
                            .position(|&b| b == b'^' || b == b'~')
                            .map_or(k, |p| s + p);
                    }
                    while fe > s && matches!(t[fe - 1], b'^' | b'~' | b' ') {
                        fe -= 1;
                    }
                    let mut fs = s;
                    while fs < fe && matches!(t[fs], b'^' | b'~' | b' ') {
                        fs += 1;
                    }
                    if fe > fs && t[fs..fe] != *b"\"\"" {
                        self.push(e, fs, fe, 0.95, Method::Field);
                    }
                }
                if at_end || field > 60 {
                    return None;
                }
                field += 1;
                s = k + 1;
            }
            k += 1;
        }
    }
}

/// Whether a name cue precedes `i`: a title (`Mr.`, `Dr`), a greeting, `name is`, `patient`, or a key that
/// names a person.
fn name_cue_at(t: &[u8], i: usize) -> bool {
    let mut k = i;
    while k > 0 && matches!(t[k - 1], b' ' | b'\t') && i - k < 12 {
        k -= 1;
    }
    let p0 = k;
    while k > 0
        && matches!(
            t[k - 1],
            b' ' | b'.' | b',' | b':' | b'"' | b'\'' | b'=' | b'?'
        )
        && p0 - k < 4
    {
        k -= 1;
    }
    let e = k;
    while k > 0 && t[k - 1].is_ascii_alphabetic() && e - k < 16 {
        k -= 1;
    }
    if k == e {
        return false;
    }
    let w = &t[k..e];
    if dict::name_cue(w) {
        return true;
    }
    let mut low = [0u8; 32];
    for (d, s) in low.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    let lw = &low[..w.len()];
    // `I'm X`
    if lw == b"m" && k >= 2 && t[k - 1] == b'\'' && matches!(t[k - 2], b'I' | b'i') {
        return true;
    }
    if matches!(lw, b"is" | b"am" | b"me" | b"him" | b"her") {
        // `name is X`, `I am X`, `everyone calls me X`, `she named him X`
        let mut p = k;
        while p > 0 && t[p - 1] == b' ' {
            p -= 1;
        }
        let pe = p;
        while p > 0 && t[p - 1].is_ascii_alphabetic() && pe - p < 8 {
            p -= 1;
        }
        let mut prev = [0u8; 8];
        for (d, s) in prev.iter_mut().zip(&t[p..pe]) {
            *d = s.to_ascii_lowercase();
        }
        let prev = &prev[..pe - p];
        return match lw {
            b"is" => prev == b"name",
            b"am" => prev == b"i",
            _ => matches!(prev, b"call" | b"calls" | b"called" | b"named"),
        };
    }
    dict::keyword(lw) & ctx::NAME != 0
}

/// Whether the character at `p` is an upper-case letter: ASCII, or a two-byte UTF-8 letter (Latin with
/// diacritics, Greek, Cyrillic: `Š`, `Á`, `Λ`, `Д`).
fn upper_at(t: &[u8], p: usize) -> bool {
    let b = t[p];
    if b < 0x80 {
        return b.is_ascii_uppercase();
    }
    if (0xC3..=0xD4).contains(&b) && p + 1 < t.len() {
        let cp = (u32::from(b & 0x1F) << 6) | u32::from(t[p + 1] & 0x3F);
        return char::from_u32(cp).is_some_and(char::is_uppercase);
    }
    false
}

/// After a space, one or two lower-case particles and a space before a capitalised word (`del `, `de la `,
/// `van der `): the position of that space, or `None`.
fn particles_end(t: &[u8], p: usize) -> Option<usize> {
    let n = t.len();
    let mut k = p;
    for _ in 0..2 {
        let s = k;
        while k < n && t[k].is_ascii_lowercase() && k - s < 6 {
            k += 1;
        }
        if k >= n || t[k] != b' ' {
            return None;
        }
        let particle = matches!(
            &t[s..k],
            b"de"
                | b"del"
                | b"della"
                | b"di"
                | b"da"
                | b"do"
                | b"dos"
                | b"das"
                | b"du"
                | b"des"
                | b"la"
                | b"le"
                | b"van"
                | b"von"
                | b"der"
                | b"den"
                | b"ten"
                | b"ter"
                | b"nad"
                | b"pod"
                | b"y"
                | b"al"
                | b"el"
                | b"bin"
                | b"ibn"
        );
        if !particle {
            return None;
        }
        if k + 1 < n && upper_at(t, k + 1) {
            return Some(k + 1);
        }
        k += 1;
    }
    None
}

/// How many of `words` (from the first) name a known place: one to three words, or none. `f0` is the first
/// word's [`dict::word_flags`].
fn city_words(t: &[u8], words: &[(usize, usize)], f0: u8) -> Option<usize> {
    let &(s0, _) = words.first()?;
    let f = f0;
    if f & dict::word::CITY != 0 {
        return Some(1);
    }
    if f & dict::word::CITY_HEAD == 0 {
        return None;
    }
    let mut upper = [0u8; 64];
    let mut ul = 0;
    let mut from = s0;
    for (x, &(_, e)) in words.iter().enumerate() {
        if e - words[0].0 > upper.len() {
            return None;
        }
        for &b in &t[from..e] {
            upper[ul] = b.to_ascii_uppercase();
            ul += 1;
        }
        from = e;
        // The first word alone is known not to be a place, and to start one.
        if x > 0 && dict::PLACES.cities.contains(&upper[..ul]) {
            return Some(x + 1);
        }
    }
    None
}

/// Whether `, ` and a known place follow `e`, the place ending at punctuation, a number or the line end
/// (`, Spain 16200`, `, Estonia.`).
fn place_after_comma(t: &[u8], e: usize) -> bool {
    let n = t.len();
    if e + 3 >= n || t[e] != b',' || t[e + 1] != b' ' || !t[e + 2].is_ascii_uppercase() {
        return false;
    }
    let s = e + 2;
    let mut k = s;
    while k < n && (t[k].is_ascii_alphabetic() || t[k] == b' ') && k - s < 32 {
        k += 1;
    }
    if k < n && !matches!(t[k], b',' | b'.' | b'\n' | b'\r' | b';' | b')') && !t[k].is_ascii_digit()
    {
        return false;
    }
    while k > s && t[k - 1] == b' ' {
        k -= 1;
    }
    let mut upper = [0u8; 32];
    for (d, b) in upper.iter_mut().zip(&t[s..k]) {
        *d = b.to_ascii_uppercase();
    }
    k - s <= 32 && dict::PLACES.cities.contains(&upper[..k - s])
}

/// Whether a lower-case word with letters outside ASCII stands within 64 bytes before `i` or after `e` on
/// the same line (`ingresó`, `también`).
fn diacritic_words_near(t: &[u8], i: usize, e: usize) -> bool {
    let lo = i.saturating_sub(64);
    let hi = (e + 64).min(t.len());
    let lower_word_at = |k: usize, lo: usize| {
        let mut s = k;
        while s > lo && (t[s - 1].is_ascii_alphabetic() || t[s - 1] >= 0x80) {
            s -= 1;
        }
        t[s].is_ascii_lowercase()
    };
    for k in (lo..i).rev() {
        if t[k] == b'\n' {
            break;
        }
        if t[k] >= 0x80 && lower_word_at(k, lo) {
            return true;
        }
    }
    for (k, &b) in t.iter().enumerate().take(hi).skip(e) {
        if b == b'\n' {
            break;
        }
        if b >= 0x80 && lower_word_at(k, e) {
            return true;
        }
    }
    false
}

/// Whether a possessive follows `e` (`Maite Lemmens's`).
fn possessive_after(t: &[u8], e: usize) -> bool {
    t[e..].starts_with(b"'s ") || t[e..].starts_with("\u{2019}s ".as_bytes())
}

/// Whether a verb that takes a person as its subject follows `e` (` said`, ` shouted`, ` lives`).
fn person_follows(t: &[u8], e: usize) -> bool {
    let n = t.len();
    if e + 1 >= n || t[e] != b' ' {
        return false;
    }
    let s = e + 1;
    let mut k = s;
    while k < n && t[k].is_ascii_lowercase() && k - s < 10 {
        k += 1;
    }
    if k < n && t[k].is_ascii_alphabetic() {
        return false;
    }
    matches!(
        &t[s..k],
        b"said"
            | b"says"
            | b"told"
            | b"asked"
            | b"replied"
            | b"shouted"
            | b"whispered"
            | b"smiled"
            | b"laughed"
            | b"lives"
            | b"lived"
            | b"works"
            | b"worked"
            | b"married"
            | b"died"
            | b"wrote"
            | b"explained"
    )
}

/// Whether the next non-blank line after the line end at `k` names a known place, a postal code may follow
/// (`Spain`, `United Kingdom`, `Hungary 34796`).
fn place_line_after(t: &[u8], k: usize) -> bool {
    let n = t.len();
    let mut s = k;
    while s < n && matches!(t[s], b'\n' | b'\r' | b' ' | b'\t' | b'>') && s - k < 8 {
        s += 1;
    }
    let mut e = s;
    while e < n && (t[e].is_ascii_alphabetic() || t[e] == b' ') && e - s < 32 {
        e += 1;
    }
    let line_end = e == n || matches!(t[e], b'\n' | b'\r') || t[e].is_ascii_digit();
    while e > s && t[e - 1] == b' ' {
        e -= 1;
    }
    if !line_end || e == s || !t[s].is_ascii_uppercase() {
        return false;
    }
    let mut upper = [0u8; 32];
    for (d, b) in upper.iter_mut().zip(&t[s..e]) {
        *d = b.to_ascii_uppercase();
    }
    dict::PLACES.cities.contains(&upper[..e - s])
}

/// The start of one to five digits followed by one space just before `i` (`20789 ` in `20789 Allika`).
fn digits_before(t: &[u8], i: usize) -> Option<usize> {
    if i < 2 || t[i - 1] != b' ' || !t[i - 2].is_ascii_digit() {
        return None;
    }
    let mut s = i - 2;
    while s > 0 && t[s - 1].is_ascii_digit() && i - 1 - s < 6 {
        s -= 1;
    }
    (i - 1 - s <= 5).then_some(s)
}

/// Whether a house number and one space come just before `i` (`0269 Stensås`), the number not after `:`.
fn after_house_number(t: &[u8], i: usize) -> bool {
    digits_before(t, i)
        .is_some_and(|k| k == 0 || matches!(t[k - 1], b' ' | b'\n' | b'\t' | b'>' | b','))
}

/// Whether a house number follows `e`, directly or after one lower-case word (`15`, `u. 15.`, `utca 76`).
fn number_follows(t: &[u8], e: usize) -> bool {
    let n = t.len();
    if e + 1 >= n || t[e] != b' ' {
        return false;
    }
    let mut k = e + 1;
    if t[k].is_ascii_lowercase() {
        let s = k;
        while k < n && (t[k].is_ascii_lowercase() || t[k] >= 0x80) && k - s <= 10 {
            k += 1;
        }
        if k < n && t[k] == b'.' {
            k += 1;
        }
        if k >= n || t[k] != b' ' {
            return false;
        }
        k += 1;
    }
    k < n && t[k].is_ascii_digit()
}

/// Whether `<house number>, ` comes just before `i`: a street line's number, then the town (`15, København`).
fn after_number_comma(t: &[u8], i: usize) -> bool {
    if i < 4 || t[i - 1] != b' ' || t[i - 2] != b',' || !t[i - 3].is_ascii_digit() {
        return false;
    }
    let mut k = i - 3;
    while k > 0 && t[k - 1].is_ascii_digit() {
        k -= 1;
    }
    if i - 2 - k > 5 || k < 2 || t[k - 1] != b' ' {
        return false;
    }
    // The word before the number: a street word or a unit (`Præstevænget`, `Apt.`), not a month (`March 3,`).
    let we = if t[k - 2] == b'.' { k - 2 } else { k - 1 };
    let mut ws = we;
    while ws > 0 && is_word(t[ws - 1]) {
        ws -= 1;
    }
    let w = &t[ws..we];
    !w.is_empty()
        && !w.iter().all(u8::is_ascii_digit)
        && dict::month(w).is_none()
        && !dict::name_word(w).2
}

/// Whether a street designator and `, ` come just before `i` (`Filadelfeos Str., Klirou`, `Main St, Troy`).
fn after_street_comma(t: &[u8], i: usize) -> bool {
    if i < 4 || t[i - 1] != b' ' || t[i - 2] != b',' {
        return false;
    }
    let we = if t[i - 3] == b'.' { i - 3 } else { i - 2 };
    let mut ws = we;
    while ws > 0 && t[ws - 1].is_ascii_alphabetic() && we - ws < 12 {
        ws -= 1;
    }
    ws < we && (ws == 0 || t[ws - 1] == b' ') && dict::street_suffix(&t[ws..we])
}

/// `, OV 21072` / `, CO 80301` at `e`: a region code and a postal code after a town.
/// Returns the postal code's span.
fn state_zip_after(t: &[u8], e: usize) -> Option<(usize, usize)> {
    let n = t.len();
    if e + 6 > n || t[e] != b',' || t[e + 1] != b' ' {
        return None;
    }
    let k = e + 2;
    if !(t[k].is_ascii_uppercase() && t[k + 1].is_ascii_uppercase() && t[k + 2] == b' ') {
        return None;
    }
    let ds = k + 3;
    let mut d = ds;
    while d < n && t[d].is_ascii_digit() {
        d += 1;
    }
    ((4..=5).contains(&(d - ds)) && (d == n || !is_word(t[d]))).then_some((ds, d))
}

/// A capitalised word that looks like a personal name though no list knows it: mixed case and written with
/// letters outside ASCII (`Kónya`, `Szczepańska`), or ending in a common surname ending (`Kadiev`,
/// `Petrussen`, `Vitorović`, `Karlsdóttir`).
fn name_shaped(w: &[u8], diacritics: bool) -> bool {
    if w.len() < 4 || !upper_at(w, 0) || !w[1..].iter().any(u8::is_ascii_lowercase) {
        return false;
    }
    if diacritics && w.iter().any(|&b| b >= 0x80) {
        return true;
    }
    const ENDS: &[&[u8]] = &[
        b"ova", b"eva", b"ov", b"ev", b"ski", b"ska", b"sky", b"cki", b"cka", b"ovic", b"evic",
        b"vich", b"enko", b"escu", b"poulos", b"idze", b"shvili", b"ssen", b"sson", b"dottir",
        b"yan", b"chuk", b"mann",
    ];
    const ENDS_UTF8: &[&str] = &["ová", "ská", "ić", "dóttir"];
    w.len() >= 5
        && (ENDS.iter().any(|e| w.ends_with(e))
            || ENDS_UTF8.iter().any(|e| w.ends_with(e.as_bytes())))
}

/// `-4567x89` after a digit group at `e`: the group (before the `x`) when an extension is glued to it.
fn glued_extension_group(t: &[u8], e: usize) -> Option<(usize, usize)> {
    let n = t.len();
    if e + 1 >= n || !matches!(t[e], b'-' | b'.' | b' ') || !t[e + 1].is_ascii_digit() {
        return None;
    }
    let s = e + 1;
    let mut k = s;
    while k < n && t[k].is_ascii_digit() && k - s <= 4 {
        k += 1;
    }
    if k < n && t[k] == b'x' && extension_end(t, k).is_some() {
        Some((s, k))
    } else {
        None
    }
}

/// The end of a phone extension at `e`: `x769`, ` x 769`, ` ext 12`, ` ext. 12`, `ext.12` (1-6 digits).
fn extension_end(t: &[u8], e: usize) -> Option<usize> {
    let n = t.len();
    let mut k = e;
    if k < n && t[k] == b' ' {
        k += 1;
    }
    if k < n && t[k] == b'x' {
        k += 1;
    } else if k + 3 <= n && t[k..k + 3].eq_ignore_ascii_case(b"ext") {
        k += 3;
        if k < n && t[k] == b'.' {
            k += 1;
        }
    } else {
        return None;
    }
    if k < n && t[k] == b' ' {
        k += 1;
    }
    let s = k;
    while k < n && t[k].is_ascii_digit() && k - s < 6 {
        k += 1;
    }
    (k > s && (k == n || !is_word(t[k]))).then_some(k)
}

/// A card number without grouping or context: the major networks' prefixes (Visa 4, Mastercard 51-55 and
/// 2221-2720, Amex 34/37, Discover 6011/65) are likely cards; other Luhn-valid prefixes (Maestro and the like)
/// are as likely to be a numeric trace or span id.
fn bare_card_confidence(d: &[u8]) -> f32 {
    let p2 = parse_u32(&d[..2]);
    let p4 = parse_u32(&d[..4]);
    let major = d[0] == b'4'
        || (51..=55).contains(&p2)
        || (2221..=2720).contains(&p4)
        || p2 == 34
        || p2 == 37
        || p4 == 6011
        || p2 == 65;
    if major {
        0.6
    } else {
        0.45
    }
}

/// An identifier type named by context bits, for numbers without a format of their own.
fn typed_id(c: u32) -> Option<Entity> {
    if c & ctx::MRN != 0 {
        Some(Entity::Mrn)
    } else if c & ctx::PLAN != 0 {
        Some(Entity::HealthPlanId)
    } else if c & ctx::ACCOUNT != 0 {
        Some(Entity::Account)
    } else if c & ctx::DEVICE != 0 {
        Some(Entity::DeviceId)
    } else if c & ctx::BIOMETRIC != 0 {
        Some(Entity::BiometricId)
    } else if c & ctx::SSN != 0 {
        Some(Entity::Ssn)
    } else {
        None
    }
}

/// Street words that end in a designator: `Brixtonlaan`, `Hammarvägen`, `Harjukuja`, `Hauptstraße`.
fn suffix_street(w: &[u8]) -> bool {
    const ENDS: &[&[u8]] = &[
        b"laan",
        b"straat",
        b"strasse",
        "straße".as_bytes(),
        b"weg",
        b"gasse",
        b"vej",
        b"gatan",
        b"gata",
        "vägen".as_bytes(),
        b"vagen",
        b"veien",
        b"katu",
        b"kuja",
        b"tie",
        b"allee",
        b"platz",
        b"ring",
        b"dreef",
        b"kade",
        b"gracht",
        b"street",
        b"avenue",
    ];
    w.len() >= 6
        && w[0].is_ascii_uppercase()
        && ENDS
            .iter()
            .any(|e| w.len() > e.len() + 2 && w[w.len() - e.len()..].eq_ignore_ascii_case(e))
}

fn tld(label: &[u8]) -> bool {
    matches!(
        label,
        b"com"
            | b"org"
            | b"net"
            | b"edu"
            | b"gov"
            | b"mil"
            | b"int"
            | b"info"
            | b"biz"
            | b"io"
            | b"co"
            | b"us"
            | b"uk"
            | b"de"
            | b"fr"
            | b"nl"
            | b"be"
            | b"it"
            | b"es"
            | b"pt"
            | b"se"
            | b"no"
            | b"dk"
            | b"fi"
            | b"is"
            | b"pl"
            | b"cz"
            | b"hu"
            | b"at"
            | b"ch"
            | b"ie"
            | b"gr"
            | b"ru"
            | b"ua"
            | b"ca"
            | b"au"
            | b"nz"
            | b"jp"
            | b"cn"
            | b"in"
            | b"br"
            | b"mx"
            | b"ar"
            | b"za"
            | b"eu"
            | b"me"
            | b"tv"
            | b"health"
            | b"care"
            | b"hospital"
            | b"clinic"
            | b"ee"
            | b"lv"
            | b"lt"
            | b"sk"
            | b"si"
            | b"hr"
            | b"ro"
            | b"bg"
            | b"tr"
            | b"il"
    )
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum FieldKind {
    Is(Entity),
    Age,
    FhirValue,
}

/// What a key names, from its words (`patient_name`, `dateOfBirth`, `postalCode`, `SSN`).
fn field_kind(key: &[u8]) -> Option<FieldKind> {
    // Split into lower-case words, on the stack.
    let mut low = [0u8; 48];
    let mut spans = [(0usize, 0usize); 8];
    let mut nw = 0usize;
    let mut cur_start = 0usize;
    let mut len = 0usize;
    for (x, &b) in key.iter().enumerate() {
        let boundary = !b.is_ascii_alphanumeric()
            || (b.is_ascii_uppercase() && x > 0 && key[x - 1].is_ascii_lowercase());
        if boundary && len > cur_start {
            if nw == spans.len() {
                return None;
            }
            spans[nw] = (cur_start, len);
            nw += 1;
            cur_start = len;
        }
        if b.is_ascii_alphanumeric() {
            if len == low.len() {
                return None;
            }
            low[len] = b.to_ascii_lowercase();
            len += 1;
            if boundary {
                cur_start = len - 1;
            }
        }
    }
    if len > cur_start {
        if nw == spans.len() {
            return None;
        }
        spans[nw] = (cur_start, len);
        nw += 1;
    }
    let words: [&[u8]; 8] = std::array::from_fn(|k| {
        if k < nw {
            &low[spans[k].0..spans[k].1]
        } else {
            &[][..]
        }
    });
    let words = &words[..nw];
    let has = |w: &[u8]| words.contains(&w);
    let last: &[u8] = words.last()?;
    use Entity as E;
    let k = if has(b"ssn") || (has(b"social") && has(b"security")) {
        E::Ssn
    } else if has(b"dob")
        || has(b"birthdate")
        || has(b"birthday")
        || (has(b"birth") && (has(b"date") || has(b"of")))
    {
        E::Date
    } else if has(b"mrn") || (has(b"medical") && has(b"record")) {
        E::Mrn
    } else if has(b"fax") {
        E::Fax
    } else if has(b"phone") || has(b"telephone") || has(b"mobile") || (has(b"cell") && !has(b"id"))
    {
        E::Phone
    } else if last == b"email" || (has(b"email") && has(b"address")) {
        E::Email
    } else if (matches!(last, b"name" | b"names")
        && words.len() >= 2
        && words.iter().any(|w| {
            matches!(
                *w,
                b"patient"
                    | b"pt"
                    | b"first"
                    | b"last"
                    | b"given"
                    | b"family"
                    | b"full"
                    | b"middle"
                    | b"maiden"
                    | b"member"
                    | b"subscriber"
                    | b"guarantor"
                    | b"mother"
                    | b"father"
                    | b"contact"
                    | b"emergency"
                    | b"person"
                    | b"insured"
                    | b"legal"
                    | b"preferred"
                    | b"display"
            )
        }))
        || matches!(
            last,
            b"firstname"
                | b"lastname"
                | b"surname"
                | b"fullname"
                | b"patientname"
                | b"given"
                | b"family"
        )
    {
        E::Name
    } else if (has(b"address") || has(b"street") || matches!(last, b"line1" | b"line2" | b"addr"))
        && !words.iter().any(|w| {
            matches!(
                *w,
                b"ip"
                    | b"mac"
                    | b"email"
                    | b"remote"
                    | b"server"
                    | b"host"
                    | b"bind"
                    | b"listen"
                    | b"local"
                    | b"peer"
                    | b"client"
                    | b"wallet"
                    | b"memory"
                    | b"base"
            )
        })
    {
        E::Address
    } else if last == b"city" || last == b"town" {
        E::Location
    } else if matches!(last, b"zip" | b"zipcode" | b"postcode" | b"postalcode")
        || (has(b"postal") && has(b"code"))
    {
        E::Zip
    } else if (has(b"account") || has(b"acct")) && !has(b"service") && !has(b"storage") {
        E::Account
    } else if has(b"mbi")
        || has(b"medicare")
        || has(b"medicaid")
        || ((has(b"member") || has(b"subscriber") || has(b"policy") || has(b"insurance"))
            && (has(b"id") || has(b"number") || has(b"no")))
    {
        E::HealthPlanId
    } else if has(b"npi")
        || has(b"dea")
        || last == b"license"
        || last == b"licence"
        || (has(b"license") && has(b"number"))
    {
        E::License
    } else if has(b"vin") || (has(b"license") && has(b"plate")) {
        E::VehicleId
    } else if has(b"imei")
        || has(b"udi")
        || (has(b"serial") && !has(b"port"))
        || (has(b"device") && has(b"serial"))
    {
        E::DeviceId
    } else if has(b"fingerprint") || has(b"biometric") || has(b"voiceprint") || has(b"retina") {
        E::BiometricId
    } else if words.len() == 1 && (last == b"age" || last == b"aged") {
        return Some(FieldKind::Age);
    } else if words.len() == 1 && last == b"value" {
        return Some(FieldKind::FhirValue);
    } else if words.len() == 1 && last == b"line" {
        // FHIR Address.line is an array of strings; numeric `line` values are skipped by the caller.
        return None;
    } else {
        return None;
    };
    Some(FieldKind::Is(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_masks_agree_with_byte_tests() {
        let mut seed: u32 = 12345;
        for len in 0..=64usize {
            let window: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (seed >> 16) as u8
                })
                .collect();
            let m = WindowMasks::of(&window);
            for (k, &b) in window.iter().enumerate() {
                assert_eq!(m.digit >> k & 1 == 1, b.is_ascii_digit(), "{b:#x}");
                assert_eq!(m.upper >> k & 1 == 1, b.is_ascii_uppercase(), "{b:#x}");
                assert_eq!(m.lower >> k & 1 == 1, b.is_ascii_lowercase(), "{b:#x}");
            }
            assert_eq!((m.digit | m.upper | m.lower) & !below(len), 0);
        }
        // Every byte value, in every lane.
        for b in 0..=255u8 {
            let m = WindowMasks::of(&[b; 64]);
            assert_eq!(m.digit == u64::MAX, b.is_ascii_digit());
            assert_eq!(m.upper == u64::MAX, b.is_ascii_uppercase());
            assert_eq!(m.lower == u64::MAX, b.is_ascii_lowercase());
        }
    }
}
