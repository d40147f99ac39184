//! A deterministic generator of PHI-bearing logs (JSON, logfmt, plain), HL7 v2 and FHIR messages with the exact
//! byte span and type of every identifier it inserts, plus PHI-free log noise (UUIDs, hashes, timestamps,
//! versions, epoch seconds) for false-positive checks and benchmarks.

use crate::entity::Entity;

/// Generated text with gold spans (bytes).
#[derive(Clone, Debug, Default)]
pub struct Generated {
    pub text: String,
    pub gold: Vec<(Entity, usize, usize)>,
}

impl Generated {
    fn lit(&mut self, s: &str) {
        self.text.push_str(s);
    }
    fn phi(&mut self, e: Entity, s: &str) {
        let start = self.text.len();
        self.text.push_str(s);
        self.gold.push((e, start, self.text.len()));
    }
}

/// xorshift64*: small, deterministic, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len() as u64) as usize]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16) as usize]))
            .collect()
    }
}

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Maria",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Donald",
    "Margaret",
    "Steven",
];
const LAST: &[&str] = &[
    "Garcia",
    "Johnson",
    "Williams",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Nguyen",
    "Patel",
    "Kowalski",
    "Okafor",
    "Schneider",
    "Fitzgerald",
];
const STREETS: &[&str] = &[
    "Elm",
    "Maple",
    "Oak",
    "Washington",
    "Lincoln",
    "Park",
    "Cedar",
    "Pine",
    "Lake",
    "Hill",
];
const SUFFIX: &[&str] = &["St", "Street", "Ave", "Road", "Blvd", "Lane", "Drive", "Ct"];
const CITIES: &[(&str, &str, &str)] = &[
    ("Boston", "MA", "02115"),
    ("Chicago", "IL", "60614"),
    ("Houston", "TX", "77030"),
    ("Seattle", "WA", "98104"),
    ("Denver", "CO", "80204"),
    ("Phoenix", "AZ", "85006"),
];

pub fn ssn(r: &mut Rng) -> String {
    loop {
        let area = 1 + r.below(899);
        let group = 1 + r.below(99);
        let serial = 1 + r.below(9999);
        let s = format!("{area:03}-{group:02}-{serial:04}");
        if crate::validate::ssn(&s) {
            return s;
        }
    }
}

fn luhn_complete(body: &str) -> String {
    for d in 0..10 {
        let cand = format!("{body}{d}");
        if crate::validate::luhn(&cand) {
            return cand;
        }
    }
    body.to_string()
}

pub fn card(r: &mut Rng) -> String {
    let n = luhn_complete(&format!("4{}", r.digits(14)));
    format!("{} {} {} {}", &n[..4], &n[4..8], &n[8..12], &n[12..])
}

pub fn npi(r: &mut Rng) -> String {
    let body = format!("1{}", r.digits(8));
    for d in 0..10 {
        let cand = format!("{body}{d}");
        if crate::validate::npi(&cand) {
            return cand;
        }
    }
    "1234567893".into()
}

pub fn vin(r: &mut Rng) -> String {
    const A: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    loop {
        let mut v: Vec<u8> = (0..17)
            .map(|_| A[r.below(A.len() as u64) as usize])
            .collect();
        for c in [
            b'0', b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8', b'9', b'X',
        ] {
            v[8] = c;
            let s = String::from_utf8_lossy(&v).into_owned();
            if crate::validate::vin(&s) && crate::validate::vin_shape(&s) {
                return s;
            }
        }
    }
}

fn phone(r: &mut Rng) -> String {
    let npa = ["617", "312", "713", "206", "303", "602"][r.below(6) as usize];
    format!("({npa}) {}-{}", 200 + r.below(700), r.digits(4))
}

fn date(r: &mut Rng) -> (u32, u32, u32) {
    (
        1930 + r.below(80) as u32,
        1 + r.below(12) as u32,
        1 + r.below(28) as u32,
    )
}

fn name(r: &mut Rng) -> (String, String) {
    (r.pick(FIRST).to_string(), r.pick(LAST).to_string())
}

fn ts(r: &mut Rng) -> String {
    format!(
        "2026-11-{:02}T{:02}:{:02}:{:02}.{}Z",
        1 + r.below(28),
        r.below(24),
        r.below(60),
        r.below(60),
        r.digits(3)
    )
}

fn uuid(r: &mut Rng) -> String {
    format!(
        "{}-{}-4{}-a{}-{}",
        r.hex(8),
        r.hex(4),
        r.hex(3),
        r.hex(3),
        r.hex(12)
    )
}

/// One PHI-free log line.
pub fn noise_line(r: &mut Rng, out: &mut Generated) {
    let line = match r.below(4) {
        0 => format!(
            "{} INFO GET /api/v1/items/{} 200 {}ms sha={} version=1.{}.{} pod=web-7d9f8c6b5-x2k4z\n",
            ts(r),
            uuid(r),
            r.below(900),
            r.hex(40),
            r.below(20),
            r.below(9)
        ),
        1 => format!(
            "{{\"ts\":\"{}\",\"level\":\"debug\",\"msg\":\"cache refresh\",\"trace_id\":\"{}\",\"span\":\"{}\",\"epoch\":17{},\"bytes\":{}}}\n",
            ts(r),
            r.hex(32),
            r.hex(16),
            r.digits(8),
            r.below(100_000)
        ),
        2 => format!(
            "ts={} level=warn msg=\"retrying upstream\" attempt={} upstream=10.{}.{}.{}:8443 req={} token=eyJhbGciOiJIUzI1NiJ9{}\n",
            ts(r),
            r.below(5),
            r.below(255),
            r.below(255),
            r.below(255),
            uuid(r),
            r.hex(24)
        ),
        _ => format!(
            "{} WARN [scheduler-{}] job reconcile took {} ms, queue depth {}, build {}.{}.{}\n",
            ts(r),
            r.below(16),
            r.below(5000),
            r.below(300),
            r.below(3),
            r.below(30),
            r.below(100)
        ),
    };
    out.lit(&line);
}

/// One PHI-bearing line or message of a random shape.
pub fn phi_record(r: &mut Rng, out: &mut Generated) {
    let (first, last) = name(r);
    let (y, m, d) = date(r);
    let (city, st, zip) = CITIES[r.below(CITIES.len() as u64) as usize];
    match r.below(6) {
        0 => {
            out.lit(&format!(
                "{{\"ts\":\"{}\",\"level\":\"info\",\"msg\":\"patient lookup\",\"patient_name\":\"",
                ts(r)
            ));
            out.phi(Entity::Name, &format!("{first} {last}"));
            out.lit("\",\"dob\":\"");
            out.phi(Entity::Date, &format!("{y}-{m:02}-{d:02}"));
            out.lit("\",\"ssn\":\"");
            out.phi(Entity::Ssn, &ssn(r));
            out.lit(&format!("\",\"trace_id\":\"{}\"}}\n", r.hex(32)));
        }
        1 => {
            out.lit(&format!(
                "ts={} level=info msg=\"appointment booked\" mrn=",
                ts(r)
            ));
            out.phi(Entity::Mrn, &format!("MR{}", r.digits(7)));
            out.lit(" phone=\"");
            out.phi(Entity::Phone, &phone(r));
            out.lit("\" email=");
            out.phi(
                Entity::Email,
                &format!(
                    "{}.{}@example.org",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
            );
            out.lit(&format!(" req={}\n", uuid(r)));
        }
        2 => {
            out.lit(&format!("{} INFO billing: charged card ", ts(r)));
            out.phi(Entity::CreditCard, &card(r));
            out.lit(" for ");
            out.phi(Entity::Name, &format!("{first} {last}"));
            out.lit(", a ");
            out.phi(Entity::AgeOver89, &format!("{}", 90 + r.below(15)));
            out.lit("-year-old, from client ");
            out.phi(Entity::Ip, &format!("203.0.113.{}", 1 + r.below(250)));
            out.lit("\n");
        }
        3 => {
            out.lit(&format!(
                "MSH|^~\\&|EHR|GENHOSP|LAB|GENHOSP|{y}0101120000||ADT^A01|{}|P|2.5\rPID|1||",
                r.digits(8)
            ));
            out.phi(Entity::Mrn, &r.digits(8));
            out.lit("^^^GENHOSP^MR||");
            out.phi(
                Entity::Name,
                &format!("{}^{}", last.to_uppercase(), first.to_uppercase()),
            );
            out.lit("||");
            out.phi(Entity::Date, &format!("{y}{m:02}{d:02}"));
            out.lit("|F|||");
            out.phi(
                Entity::Address,
                &format!(
                    "{} {} {}^^{}^{}^{}",
                    1 + r.below(9000),
                    r.pick(STREETS),
                    r.pick(SUFFIX),
                    city,
                    st,
                    zip
                ),
            );
            out.lit("||");
            out.phi(
                Entity::Phone,
                &format!("617{}", r.digits(7)).replace("6170", "6172"),
            );
            out.lit("|||||");
            out.phi(Entity::Account, &format!("A{}", r.digits(9)));
            out.lit("|");
            out.phi(Entity::Ssn, &ssn(r).replace('-', ""));
            out.lit("\n");
        }
        4 => {
            out.lit(&format!(
                "{{\"resourceType\":\"Patient\",\"id\":\"{}\",\"identifier\":[{{\"system\":\"urn:oid:2.16.840.1.113883.19.5\",\"value\":\"",
                r.hex(16)
            ));
            out.phi(Entity::OtherId, &format!("{}", 100_000 + r.below(900_000)));
            out.lit("\"}],\"name\":[{\"family\":\"");
            out.phi(Entity::Name, last.as_str());
            out.lit("\",\"given\":[\"");
            out.phi(Entity::Name, first.as_str());
            out.lit("\"]}],\"telecom\":[{\"system\":\"phone\",\"value\":\"");
            out.phi(Entity::Phone, &phone(r));
            out.lit("\"}],\"birthDate\":\"");
            out.phi(Entity::Date, &format!("{y}-{m:02}-{d:02}"));
            out.lit("\",\"address\":[{\"line\":[\"");
            out.phi(
                Entity::Address,
                &format!(
                    "{} {} {}",
                    1 + r.below(9000),
                    r.pick(STREETS),
                    r.pick(SUFFIX)
                ),
            );
            out.lit("\"],\"city\":\"");
            out.phi(Entity::Location, city);
            out.lit(&format!("\",\"state\":\"{st}\",\"postalCode\":\""));
            out.phi(Entity::Zip, zip);
            out.lit("\"}]}\n");
        }
        _ => {
            out.lit(&format!("{} INFO rx: prescriber NPI ", ts(r)));
            out.phi(Entity::License, &npi(r));
            out.lit(" DEA ");
            out.phi(Entity::License, "AP5836727");
            out.lit(" vehicle VIN ");
            out.phi(Entity::VehicleId, &vin(r));
            out.lit(" medicare MBI ");
            out.phi(Entity::HealthPlanId, "1EG4-TE5-MK73");
            out.lit(" IBAN ");
            out.phi(Entity::Iban, "GB82WEST12345698765432");
            out.lit("\n");
        }
    }
}

/// Log-like text of about `bytes` bytes; `phi_per_mille` of the records carry PHI.
pub fn logs(seed: u64, bytes: usize, phi_per_mille: u64) -> Generated {
    let mut r = Rng::new(seed);
    let mut g = Generated::default();
    while g.text.len() < bytes {
        if r.below(1000) < phi_per_mille {
            phi_record(&mut r, &mut g);
        } else {
            noise_line(&mut r, &mut g);
        }
    }
    g
}
