//! Dictionaries: census names, US states and cities, months, name cues, street words, context keywords.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// A small, fast, non-cryptographic hasher for short dictionary keys (FNV-1a, 64 bit).
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub type FastSet = HashSet<Box<[u8]>, BuildHasherDefault<Fnv>>;

const FIRST_NAMES: &str = include_str!("../data/first_names.txt");
const SURNAMES: &str = include_str!("../data/surnames.txt");

/// Capitalised English words that are also in the census name lists; never taken as names on their own.
const STOP: &[&str] = &[
    "A",
    "AN",
    "THE",
    "AND",
    "OR",
    "BUT",
    "IF",
    "OF",
    "AT",
    "BY",
    "FOR",
    "WITH",
    "ABOUT",
    "TO",
    "FROM",
    "IN",
    "ON",
    "UP",
    "OUT",
    "IS",
    "ARE",
    "WAS",
    "WERE",
    "BE",
    "BEEN",
    "HAS",
    "HAVE",
    "HAD",
    "DO",
    "DOES",
    "DID",
    "WILL",
    "WOULD",
    "SHALL",
    "SHOULD",
    "MAY",
    "MIGHT",
    "MUST",
    "CAN",
    "COULD",
    "NOT",
    "NO",
    "YES",
    "ALL",
    "ANY",
    "SOME",
    "NEW",
    "OLD",
    "GOOD",
    "BEST",
    "BETTER",
    "GREAT",
    "LITTLE",
    "LONG",
    "SHORT",
    "HIGH",
    "LOW",
    "BIG",
    "SMALL",
    "YOUNG",
    "WHITE",
    "BLACK",
    "BROWN",
    "GREEN",
    "GRAY",
    "GREY",
    "RED",
    "BLUE",
    "GOLD",
    "SILVER",
    "KING",
    "QUEEN",
    "PRINCE",
    "DUKE",
    "LORD",
    "BISHOP",
    "POPE",
    "SAINT",
    "ST",
    "MR",
    "MRS",
    "MS",
    "DR",
    "MISS",
    "SIR",
    "HILL",
    "WOOD",
    "WOODS",
    "FIELD",
    "FIELDS",
    "STREET",
    "LANE",
    "PARK",
    "BANK",
    "BANKS",
    "BROOK",
    "BROOKS",
    "RIVER",
    "RIVERS",
    "LAKE",
    "STONE",
    "ROCK",
    "ROSE",
    "LILY",
    "IVY",
    "HOLLY",
    "DAISY",
    "MAY",
    "JUNE",
    "APRIL",
    "AUGUST",
    "MARCH",
    "JANUARY",
    "SUNDAY",
    "MONDAY",
    "FRIDAY",
    "SUMMER",
    "WINTER",
    "SPRING",
    "FALL",
    "DAWN",
    "NIGHT",
    "DAY",
    "MORNING",
    "FAITH",
    "HOPE",
    "JOY",
    "GRACE",
    "PATIENCE",
    "CHARITY",
    "HONOR",
    "JUSTICE",
    "TRUTH",
    "LOVE",
    "WILL",
    "BILL",
    "MARK",
    "PAT",
    "SUE",
    "ROB",
    "JACK",
    "FRANK",
    "GUY",
    "CHASE",
    "HUNTER",
    "CARTER",
    "BAKER",
    "COOK",
    "SMITH",
    "MILLER",
    "TURNER",
    "WALKER",
    "PARKER",
    "TAYLOR",
    "MASON",
    "BUTLER",
    "PORTER",
    "FISHER",
    "SHEPHERD",
    "CARPENTER",
    "GARDNER",
    "WEAVER",
    "POTTER",
    "SAWYER",
    "FOSTER",
    "WARD",
    "PAGE",
    "PRICE",
    "COST",
    "RATE",
    "SALE",
    "SALES",
    "SERVICE",
    "SERVICES",
    "SUPPORT",
    "HELP",
    "CARE",
    "HEALTH",
    "CLINIC",
    "HOSPITAL",
    "CENTER",
    "CENTRE",
    "MEDICAL",
    "PATIENT",
    "DOCTOR",
    "NURSE",
    "ADMIN",
    "USER",
    "USERS",
    "ERROR",
    "WARN",
    "WARNING",
    "INFO",
    "DEBUG",
    "TRACE",
    "FATAL",
    "GET",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "HEAD",
    "OPTIONS",
    "TRUE",
    "FALSE",
    "NULL",
    "NONE",
    "OK",
    "HTTP",
    "HTTPS",
    "API",
    "URL",
    "ID",
    "IDS",
    "KEY",
    "VALUE",
    "NAME",
    "NAMES",
    "TYPE",
    "DATA",
    "TEST",
    "TESTS",
    "CODE",
    "LOG",
    "LOGS",
    "FILE",
    "FILES",
    "PATH",
    "HOST",
    "PORT",
    "SERVER",
    "CLIENT",
    "REQUEST",
    "RESPONSE",
    "STATUS",
    "START",
    "STOP",
    "END",
    "OPEN",
    "CLOSE",
    "READ",
    "WRITE",
    "NOTE",
    "NOTES",
    "CASE",
    "CASES",
    "HOME",
    "WORK",
    "OFFICE",
    "ROOM",
    "UNIT",
    "BED",
    "WARD",
    "FLOOR",
    "DOOR",
    "AVE",
    "ROAD",
    "WAY",
    "COURT",
    "PLACE",
    "DRIVE",
    "NORTH",
    "SOUTH",
    "EAST",
    "WEST",
    "CENTRAL",
    "UNION",
    "STATE",
    "CITY",
    "COUNTY",
    "TOWN",
    "VILLAGE",
    "WORLD",
    "EARTH",
    "WATER",
    "FIRE",
    "SNOW",
    "RAIN",
    "STORM",
    "WIND",
    "HIS",
    "HER",
    "HIM",
    "SHE",
    "HE",
    "THEY",
    "THEM",
    "THEIR",
    "WE",
    "OUR",
    "YOU",
    "YOUR",
    "MY",
    "ME",
    "I",
    "IT",
    "ITS",
    "THIS",
    "THAT",
    "THESE",
    "THOSE",
    "WHO",
    "WHAT",
    "WHEN",
    "WHERE",
    "WHY",
    "HOW",
    "WHICH",
    "THERE",
    "HERE",
    "THEN",
    "THAN",
    "SO",
    "AS",
    "ALSO",
    "JUST",
    "ONLY",
    "VERY",
    "MORE",
    "MOST",
    "LESS",
    "MUCH",
    "MANY",
    "ONE",
    "TWO",
    "THREE",
    "FOUR",
    "FIVE",
    "SIX",
    "SEVEN",
    "EIGHT",
    "NINE",
    "TEN",
    "FIRST",
    "LAST",
    "NEXT",
    "CAN",
    "CANNOT",
    "PLEASE",
    "THANK",
    "THANKS",
    "HELLO",
    "HI",
    "DEAR",
    "SINCERELY",
    "REGARDS",
    "BEST",
    "WISH",
    "CHRISTIAN",
    "ENGLISH",
    "FRENCH",
    "GERMAN",
    "IRISH",
    "GREEK",
    "ITALIAN",
    "SPANISH",
    "DUTCH",
    "SWEDISH",
    "DANISH",
    "NORWEGIAN",
    "FINNISH",
    "POLISH",
    "RUSSIAN",
    "TURKISH",
    "CHINESE",
    "JAPANESE",
    "KOREAN",
    "ARABIC",
    "PORTUGUESE",
    "HUNGARIAN",
    "SCOTT",
    "WELSH",
    "JEW",
    "COUNCIL",
    "BOARD",
    "CHURCH",
    "SCHOOL",
    "COLLEGE",
    "UNIVERSITY",
    "LAW",
    "ARMY",
    "NAVY",
    "POLICE",
    "JUDGE",
    "MAYOR",
    "GOVERNOR",
    "SENATOR",
    "PRESIDENT",
    "MAN",
    "WOMAN",
    "MEN",
    "WOMEN",
    "BOY",
    "GIRL",
    "CHILD",
    "BABY",
    "SON",
    "DAUGHTER",
    "MOTHER",
    "FATHER",
    "BROTHER",
    "SISTER",
    "WIFE",
    "HUSBAND",
    "FAMILY",
    "FRIEND",
    "TEAM",
    "GROUP",
    "COMPANY",
    "CORP",
    "INC",
    "LTD",
    "LLC",
    "BOOK",
    "BOOKS",
    "MUSIC",
    "FILM",
    "MOVIE",
    "SONG",
    "BAND",
    "GAME",
    "PLAY",
    "SHOW",
    "NEWS",
    "TIME",
    "TIMES",
    "YEAR",
    "YEARS",
    "MONTH",
    "WEEK",
    "HOUR",
    "MINUTE",
    "SECOND",
    "CARD",
    "CREDIT",
    "ACCOUNT",
    "NUMBER",
    "PHONE",
    "EMAIL",
    "ADDRESS",
    "BIRTH",
    "DATE",
    "SOCIAL",
    "SECURITY",
    "MEMBER",
    "POLICY",
    "CALL",
    "CALLS",
    "SEND",
    "SENT",
    "BUY",
    "SELL",
    "PAY",
    "PAID",
    "TRANSFER",
    "WIRE",
    "CASH",
    "MONEY",
    "ORDER",
    "CHRISTMAS",
    "EASTER",
    "DEATH",
    "LIFE",
    "LIVE",
    "LIVES",
    "SAYS",
    "SAID",
    "TOLD",
    "ASKED",
    "AGREE",
    "MAJOR",
    "GENERAL",
    "CAPTAIN",
    "COLONEL",
    "SERGEANT",
    "OFFICER",
    "AGENT",
    "CHIEF",
    "HEAD",
    "LEAD",
    "MAIN",
    "PRIME",
    "ROYAL",
    "NATIONAL",
    "INTERNATIONAL",
    "FEDERAL",
    "GLOBAL",
    "LOCAL",
    "PUBLIC",
    "PRIVATE",
    "SECRET",
    "HOLY",
    "SPECIAL",
    "NORMAL",
    "STANDARD",
    "DEFAULT",
    "SIMPLE",
    "BASIC",
    "FREE",
    "FULL",
    "EMPTY",
    "CLEAR",
    "CLEAN",
    "SAFE",
    "SURE",
    "REAL",
    "TRUE",
    "FAIR",
    "FINE",
    "NICE",
    "SWEET",
    "SHARP",
    "SOFT",
    "HARD",
    "STRONG",
    "WISE",
    "BOLD",
    "BRAVE",
    "NOBLE",
    "RICH",
    "POOR",
    "HOLLOW",
    "MOON",
    "SUN",
    "STAR",
    "STARS",
    "SKY",
    "LIGHT",
    "DARK",
    "MAX",
    "MIN",
    "BAY",
    "BEACH",
    "GATE",
    "HALL",
    "TOWER",
    "CASTLE",
    "BRIDGE",
    "MILL",
    "MILLS",
    "FORD",
    "DODGE",
    "SOUTHERN",
    "NORTHERN",
    "EASTERN",
    "WESTERN",
    "UNITED",
    "STATES",
    "REPUBLIC",
    "KINGDOM",
    "ISLANDS",
    "WEEKLY",
    "MYSTERY",
    "ENTERTAINMENT",
    "EMPIRE",
    "DEMOCRATIC",
    "FEDERATION",
    "PRINCESS",
    "ROYAL",
    "AMERICA",
    "EUROPE",
    "AFRICA",
    "ASIA",
    "FRANCE",
    "GERMANY",
    "ITALY",
    "SPAIN",
    "CANADA",
    "POLAND",
    "AUSTRIA",
    "BELGIUM",
    "SWEDEN",
    "NORWAY",
    "DENMARK",
    "FINLAND",
    "ICELAND",
    "IRELAND",
    "GREECE",
    "TURKEY",
    "RUSSIA",
    "CHINA",
    "JAPAN",
    "INDIA",
    "BRAZIL",
    "MEXICO",
    "ARGENTINA",
    "CHILE",
    "PERU",
    "EGYPT",
    "TUNISIA",
    "MOROCCO",
    "ISRAEL",
    "AUSTRALIA",
    "ZEALAND",
    "HUNGARY",
    "CZECH",
    "SLOVAKIA",
    "SLOVENIA",
    "CROATIA",
    "SERBIA",
    "ROMANIA",
    "BULGARIA",
    "UKRAINE",
    "ESTONIA",
    "LATVIA",
    "LITHUANIA",
    "NETHERLANDS",
    "HOLLAND",
    "SWITZERLAND",
    "PORTUGAL",
    "LUXEMBOURG",
    "GEORGIA",
    "VICTORIA",
    "VIRGINIA",
    "CAROLINA",
    "DAKOTA",
    "JERSEY",
    "YORK",
    "ENGLAND",
    "SCOTLAND",
    "WALES",
    "BRITAIN",
    "TOYOTA",
    "HONDA",
    "APPLE",
    "AMAZON",
    "GOOGLE",
    "MICROSOFT",
    "JAVA",
    "RUBY",
    "PERL",
    "RUST",
    "PYTHON",
];

/// Entries of the census lists that are never read as names.
const NAME_LIST_STOP: &[&str] = &[
    "A", "AN", "THE", "AND", "OR", "OF", "TO", "IN", "ON", "AT", "BY", "FOR", "IS", "I", "MY",
];

/// Upper-cases a word (ASCII letters only) into `buf`; false if it is too long to be a dictionary word.
pub fn upper_into(word: &[u8], buf: &mut [u8; 32]) -> Option<usize> {
    if word.len() > buf.len() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(word) {
        *d = s.to_ascii_uppercase();
    }
    Some(word.len())
}

/// Flags of one upper-cased word in [`WORDS`].
pub mod word {
    pub const FIRST: u8 = 1;
    pub const LAST: u8 = 1 << 1;
    pub const STOP: u8 = 1 << 2;
    pub const CITY: u8 = 1 << 3;
    /// The first word of a city or country name of several words.
    pub const CITY_HEAD: u8 = 1 << 4;
}

/// Every single word of the name and place lists with its flags, so that one lookup answers what
/// the separate name and place sets would answer in several.
pub static WORDS: LazyLock<HashMap<&'static [u8], u8, BuildHasherDefault<Fnv>>> =
    LazyLock::new(|| {
        // Built from the static lists themselves: no copies of the words.
        let mut m: HashMap<&'static [u8], u8, BuildHasherDefault<Fnv>> = HashMap::default();
        m.reserve(64 * 1024);
        let lines = |list: &'static str| {
            list.lines()
                .map(str::trim)
                .filter(|w| w.len() >= 2 && !NAME_LIST_STOP.contains(w))
        };
        let heads = CITIES
            .iter()
            .chain(COUNTRIES)
            .filter_map(|c| c.split_once(' ').map(|(h, _)| h));
        let lists: [(Box<dyn Iterator<Item = &'static str>>, u8); 5] = [
            (Box::new(lines(FIRST_NAMES)), word::FIRST),
            (Box::new(lines(SURNAMES)), word::LAST),
            (Box::new(STOP.iter().copied()), word::STOP),
            (
                Box::new(
                    CITIES
                        .iter()
                        .chain(COUNTRIES)
                        .copied()
                        .filter(|c| !c.contains(' ')),
                ),
                word::CITY,
            ),
            (Box::new(heads), word::CITY_HEAD),
        ];
        for (words, flag) in lists {
            for w in words {
                *m.entry(w.as_bytes()).or_insert(0) |= flag;
            }
        }
        m
    });

/// The [`word`] flags of a word (case-insensitive); 0 when it is in no list.
pub fn word_flags(w: &[u8]) -> u8 {
    let mut buf = [0u8; 32];
    upper_into(w, &mut buf).map_or(0, |n| WORDS.get(&buf[..n]).copied().unwrap_or(0))
}

/// Name words: (is a known first name, is a known surname, is a common word that is never a name alone).
pub fn name_word(w: &[u8]) -> (bool, bool, bool) {
    let f = word_flags(w);
    (
        f & word::FIRST != 0,
        f & word::LAST != 0,
        f & word::STOP != 0,
    )
}

/// Month of a month name or its 3/4-letter abbreviation (case-insensitive).
pub fn month(word: &[u8]) -> Option<u32> {
    // Every month name and abbreviation starts with one of twelve three-letter prefixes.
    let [a, b, c, ..] = *word else {
        return None;
    };
    if !matches!(
        [a | 0x20, b | 0x20, c | 0x20],
        [b'j', b'a', b'n']
            | [b'f', b'e', b'b']
            | [b'm', b'a', b'r']
            | [b'a', b'p', b'r']
            | [b'm', b'a', b'y']
            | [b'j', b'u', b'n']
            | [b'j', b'u', b'l']
            | [b'a', b'u', b'g']
            | [b's', b'e', b'p']
            | [b'o', b'c', b't']
            | [b'n', b'o', b'v']
            | [b'd', b'e', b'c']
    ) {
        return None;
    }
    let mut buf = [0u8; 32];
    let n = upper_into(word, &mut buf)?;
    let w = &buf[..n];
    let m = match w {
        b"JANUARY" | b"JAN" => 1,
        b"FEBRUARY" | b"FEB" => 2,
        b"MARCH" | b"MAR" => 3,
        b"APRIL" | b"APR" => 4,
        b"MAY" => 5,
        b"JUNE" | b"JUN" => 6,
        b"JULY" | b"JUL" => 7,
        b"AUGUST" | b"AUG" => 8,
        b"SEPTEMBER" | b"SEP" | b"SEPT" => 9,
        b"OCTOBER" | b"OCT" => 10,
        b"NOVEMBER" | b"NOV" => 11,
        b"DECEMBER" | b"DEC" => 12,
        _ => return None,
    };
    Some(m)
}

/// Day of the week (1 = Monday) of a full weekday name (case-insensitive).
pub fn weekday(word: &[u8]) -> Option<u32> {
    let mut buf = [0u8; 32];
    let n = upper_into(word, &mut buf)?;
    let d = match &buf[..n] {
        b"MONDAY" => 1,
        b"TUESDAY" => 2,
        b"WEDNESDAY" => 3,
        b"THURSDAY" => 4,
        b"FRIDAY" => 5,
        b"SATURDAY" => 6,
        b"SUNDAY" => 7,
        _ => return None,
    };
    Some(d)
}

/// Words that introduce a person's name (checked lower-case, whole words).
pub fn name_cue(word: &[u8]) -> bool {
    let mut buf = [0u8; 32];
    let Some(n) = upper_into(word, &mut buf) else {
        return false;
    };
    matches!(
        &buf[..n],
        b"MR"
            | b"MRS"
            | b"MS"
            | b"MISS"
            | b"DR"
            | b"PROF"
            | b"SIR"
            | b"MADAM"
            | b"DEAR"
            | b"HI"
            | b"HELLO"
            | b"PATIENT"
            | b"PT"
            | b"NAMED"
            | b"CALLED"
            | b"BY"
            | b"DIRECTOR"
            | b"NURSE"
            | b"SAYS"
            | b"SAID"
            | b"STARRING"
            | b"MEET"
            | b"MET"
            | b"THANKS"
            | b"SINCERELY"
            | b"REGARDS"
            | b"SON"
            | b"DAUGHTER"
            | b"WIFE"
            | b"HUSBAND"
            | b"MOTHER"
            | b"FATHER"
            | b"BROTHER"
            | b"SISTER"
            | b"PLAYER"
            | b"ACTOR"
            | b"ACTRESS"
            | b"SINGER"
            | b"AUTHOR"
            | b"WRITER"
    )
}

/// Street designators that end the street part of an address.
pub fn street_suffix(word: &[u8]) -> bool {
    let mut buf = [0u8; 32];
    let Some(n) = upper_into(word, &mut buf) else {
        return false;
    };
    matches!(
        &buf[..n],
        b"ST"
            | b"STREET"
            | b"AVE"
            | b"AVENUE"
            | b"AV"
            | b"RD"
            | b"ROAD"
            | b"BLVD"
            | b"BOULEVARD"
            | b"LN"
            | b"LANE"
            | b"DR"
            | b"DRIVE"
            | b"WAY"
            | b"CT"
            | b"COURT"
            | b"PL"
            | b"PLACE"
            | b"TER"
            | b"TERRACE"
            | b"PKWY"
            | b"PARKWAY"
            | b"HWY"
            | b"HIGHWAY"
            | b"CIR"
            | b"CIRCLE"
            | b"SQ"
            | b"SQUARE"
            | b"TRL"
            | b"TRAIL"
            | b"ALLEY"
            | b"PIKE"
            | b"ROW"
            | b"LOOP"
            | b"RUN"
            | b"CRES"
            | b"CRESCENT"
            | b"CLOSE"
            | b"GROVE"
            | b"GARDENS"
            | b"WALK"
            | b"PLAZA"
            | b"STRASSE"
            | b"WEG"
            | b"LAAN"
            | b"STRAAT"
            | b"VEJ"
            | b"GATAN"
            | b"KATU"
            | b"TIE"
            | b"KUJA"
            | b"RUE"
            | b"VIA"
            | b"CALLE"
            | b"AVENIDA"
            | b"PASEO"
            | b"ULICA"
            | b"UL"
            | b"TURNPIKE"
            | b"CROSSROAD"
            | b"CROSSROADS"
            | b"POINT"
            | b"PASS"
            | b"FORT"
            | b"STREETS"
            | b"EXTENSION"
            | b"EXTENSIONS"
            | b"UNION"
            | b"PARKS"
            | b"PORT"
            | b"HARBOR"
            | b"HARBORS"
            | b"JUNCTION"
            | b"KNOLL"
            | b"KNOLLS"
            | b"MANOR"
            | b"MEADOWS"
            | b"MISSION"
            | b"ORCHARD"
            | b"OVAL"
            | b"RIDGE"
            | b"RIDGES"
            | b"SHOALS"
            | b"SHORE"
            | b"SHORES"
            | b"SPRINGS"
            | b"STATION"
            | b"SUMMIT"
            | b"TRACE"
            | b"TRACK"
            | b"UNDERPASS"
            | b"VALLEY"
            | b"VALLEYS"
            | b"VIEW"
            | b"VIEWS"
            | b"VILLE"
            | b"VISTA"
            | b"WELLS"
            | b"BYPASS"
            | b"CAUSEWAY"
            | b"CORNER"
            | b"CORNERS"
            | b"CREEK"
            | b"CROSSING"
            | b"DALE"
            | b"DAM"
            | b"DIVIDE"
            | b"ESTATE"
            | b"ESTATES"
            | b"EXPRESSWAY"
            | b"FALLS"
            | b"FERRY"
            | b"FLAT"
            | b"FLATS"
            | b"FORGE"
            | b"FORGES"
            | b"FORK"
            | b"FORKS"
            | b"FREEWAY"
            | b"GATEWAY"
            | b"GLEN"
            | b"GLENS"
            | b"HAVEN"
            | b"HEIGHTS"
            | b"HILLS"
            | b"HOLLOW"
            | b"INLET"
            | b"ISLE"
            | b"LAKES"
            | b"LANDING"
            | b"LOCK"
            | b"LOCKS"
            | b"LODGE"
            | b"MALL"
            | b"MEWS"
            | b"MOTORWAY"
            | b"NECK"
            | b"OVERPASS"
            | b"PASSAGE"
            | b"PATH"
            | b"PINES"
            | b"PLAIN"
            | b"PLAINS"
            | b"PRAIRIE"
            | b"RADIAL"
            | b"RAMP"
            | b"RANCH"
            | b"RAPID"
            | b"RAPIDS"
            | b"ROUTE"
            | b"SKYWAY"
            | b"SPUR"
            | b"STRAVENUE"
            | b"STREAM"
            | b"THROUGHWAY"
            | b"TUNNEL"
            | b"SQUARES"
            | b"LIGHTS"
            | b"MOUNT"
            | b"MOUNTAIN"
            | b"MOUNTAINS"
            | b"BURG"
            | b"BURGS"
            | b"CAMP"
            | b"CANYON"
            | b"CAPE"
            | b"CENTERS"
            | b"CLIFF"
            | b"CLIFFS"
            | b"CLUB"
            | b"COMMON"
            | b"COMMONS"
            | b"COURSE"
            | b"COURTS"
            | b"COVE"
            | b"COVES"
            | b"CREST"
            | b"CURVE"
            | b"DRIVES"
            | b"ISLAND"
            | b"KEY"
            | b"KEYS"
            | b"LANDS"
            | b"LOAF"
            | b"MILLS"
            | b"MOTORWAYS"
            | b"ORCHARDS"
            | b"PARKWAYS"
            | b"PINE"
            | b"PLACES"
            | b"PORTS"
            | b"RIVERS"
            | b"ROADS"
            | b"ROUTES"
            | b"SHOAL"
            | b"SPRING"
            | b"STRAVE"
            | b"TRAFFICWAY"
            | b"TRAILER"
            | b"VIADUCT"
            | b"VILLAGES"
            | b"WAYS"
            | b"WELL"
    )
}

/// Secondary address unit designators (`Suite 727`, `Apt 4B`).
pub fn unit_word(word: &[u8]) -> bool {
    let mut buf = [0u8; 32];
    let Some(n) = upper_into(word, &mut buf) else {
        return false;
    };
    matches!(
        &buf[..n],
        b"SUITE"
            | b"STE"
            | b"APT"
            | b"APARTMENT"
            | b"UNIT"
            | b"FLOOR"
            | b"FL"
            | b"ROOM"
            | b"RM"
            | b"BLDG"
            | b"PO"
            | b"BOX"
    )
}

/// US state names (upper case) and USPS codes.
const STATES: &[&str] = &[
    "ALABAMA",
    "ALASKA",
    "ARIZONA",
    "ARKANSAS",
    "CALIFORNIA",
    "COLORADO",
    "CONNECTICUT",
    "DELAWARE",
    "FLORIDA",
    "GEORGIA",
    "HAWAII",
    "IDAHO",
    "ILLINOIS",
    "INDIANA",
    "IOWA",
    "KANSAS",
    "KENTUCKY",
    "LOUISIANA",
    "MAINE",
    "MARYLAND",
    "MASSACHUSETTS",
    "MICHIGAN",
    "MINNESOTA",
    "MISSISSIPPI",
    "MISSOURI",
    "MONTANA",
    "NEBRASKA",
    "NEVADA",
    "OHIO",
    "OKLAHOMA",
    "OREGON",
    "PENNSYLVANIA",
    "TENNESSEE",
    "TEXAS",
    "UTAH",
    "VERMONT",
    "VIRGINIA",
    "WASHINGTON",
    "WISCONSIN",
    "WYOMING",
];

const STATE_CODES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR",
];

/// Cities (upper case): the largest US cities and a few large cities elsewhere.
const CITIES: &[&str] = &[
    "NEW YORK",
    "LOS ANGELES",
    "CHICAGO",
    "HOUSTON",
    "PHOENIX",
    "PHILADELPHIA",
    "SAN ANTONIO",
    "SAN DIEGO",
    "DALLAS",
    "SAN JOSE",
    "AUSTIN",
    "JACKSONVILLE",
    "FORT WORTH",
    "COLUMBUS",
    "CHARLOTTE",
    "SAN FRANCISCO",
    "INDIANAPOLIS",
    "SEATTLE",
    "DENVER",
    "BOSTON",
    "EL PASO",
    "NASHVILLE",
    "DETROIT",
    "OKLAHOMA CITY",
    "PORTLAND",
    "LAS VEGAS",
    "MEMPHIS",
    "LOUISVILLE",
    "BALTIMORE",
    "MILWAUKEE",
    "ALBUQUERQUE",
    "TUCSON",
    "FRESNO",
    "SACRAMENTO",
    "MESA",
    "KANSAS CITY",
    "ATLANTA",
    "OMAHA",
    "COLORADO SPRINGS",
    "RALEIGH",
    "MIAMI",
    "LONG BEACH",
    "VIRGINIA BEACH",
    "OAKLAND",
    "MINNEAPOLIS",
    "TULSA",
    "TAMPA",
    "ARLINGTON",
    "NEW ORLEANS",
    "WICHITA",
    "CLEVELAND",
    "BAKERSFIELD",
    "AURORA",
    "ANAHEIM",
    "HONOLULU",
    "SANTA ANA",
    "RIVERSIDE",
    "CORPUS CHRISTI",
    "LEXINGTON",
    "STOCKTON",
    "PITTSBURGH",
    "SAINT PAUL",
    "ST. LOUIS",
    "CINCINNATI",
    "ANCHORAGE",
    "HENDERSON",
    "GREENSBORO",
    "PLANO",
    "NEWARK",
    "LINCOLN",
    "TOLEDO",
    "ORLANDO",
    "CHULA VISTA",
    "IRVINE",
    "FORT WAYNE",
    "JERSEY CITY",
    "DURHAM",
    "LAREDO",
    "BUFFALO",
    "MADISON",
    "LUBBOCK",
    "CHANDLER",
    "SCOTTSDALE",
    "GLENDALE",
    "RENO",
    "NORFOLK",
    "WINSTON-SALEM",
    "NORTH LAS VEGAS",
    "IRVING",
    "CHESAPEAKE",
    "GILBERT",
    "HIALEAH",
    "GARLAND",
    "FREMONT",
    "BATON ROUGE",
    "RICHMOND",
    "BOISE",
    "SAN BERNARDINO",
    "SPOKANE",
    "DES MOINES",
    "MODESTO",
    "BIRMINGHAM",
    "TACOMA",
    "FONTANA",
    "ROCHESTER",
    "OXNARD",
    "MORENO VALLEY",
    "FAYETTEVILLE",
    "HUNTINGTON BEACH",
    "SALT LAKE CITY",
    "YONKERS",
    "WORCESTER",
    "PROVIDENCE",
    "HARTFORD",
    "SPRINGFIELD",
    "SAVANNAH",
    "CHARLESTON",
    "KNOXVILLE",
    "AKRON",
    "DAYTON",
    "SYRACUSE",
    "ALBANY",
    "CAMBRIDGE",
    "ANN ARBOR",
    "BERKELEY",
    "PASADENA",
    "PALO ALTO",
    "SANTA MONICA",
    "LONDON",
    "PARIS",
    "BERLIN",
    "MADRID",
    "ROME",
    "MILAN",
    "MUNICH",
    "HAMBURG",
    "VIENNA",
    "ZURICH",
    "GENEVA",
    "AMSTERDAM",
    "ROTTERDAM",
    "BRUSSELS",
    "ANTWERP",
    "CHARLEROI",
    "COPENHAGEN",
    "STOCKHOLM",
    "OSLO",
    "HELSINKI",
    "DUBLIN",
    "LISBON",
    "PORTO",
    "BARCELONA",
    "VALENCIA",
    "SEVILLE",
    "WARSAW",
    "KRAKOW",
    "PRAGUE",
    "BUDAPEST",
    "ATHENS",
    "ISTANBUL",
    "MOSCOW",
    "TORONTO",
    "MONTREAL",
    "VANCOUVER",
    "OTTAWA",
    "CALGARY",
    "SYDNEY",
    "MELBOURNE",
    "BRISBANE",
    "PERTH",
    "AUCKLAND",
    "WELLINGTON",
    "TOKYO",
    "OSAKA",
    "SEOUL",
    "BEIJING",
    "SHANGHAI",
    "HONG KONG",
    "SINGAPORE",
    "MUMBAI",
    "DELHI",
    "BANGALORE",
    "DUBAI",
    "CAIRO",
    "LAGOS",
    "NAIROBI",
    "JOHANNESBURG",
    "CAPE TOWN",
    "MEXICO CITY",
    "SAO PAULO",
    "RIO DE JANEIRO",
    "BUENOS AIRES",
    "LIMA",
    "BOGOTA",
    "SANTIAGO",
    "MANCHESTER",
    "LIVERPOOL",
    "LEEDS",
    "GLASGOW",
    "EDINBURGH",
    "BRISTOL",
    "REYKJAVIK",
    "TALLINN",
    "RIGA",
    "VILNIUS",
    "KYIV",
    "BUCHAREST",
    "SOFIA",
    "BELGRADE",
    "ZAGREB",
    "LJUBLJANA",
    "LUXEMBOURG",
    "MONACO",
    "FRANKFURT",
    "COLOGNE",
    "STUTTGART",
    "DUSSELDORF",
    "LEIPZIG",
    "DRESDEN",
    "LYON",
    "MARSEILLE",
    "NICE",
    "TOULOUSE",
    "BORDEAUX",
    "NAPLES",
    "TURIN",
    "FLORENCE",
    "VENICE",
    "GOTHENBURG",
    "MALMO",
    "AARHUS",
    "BERGEN",
    "TAMPERE",
    "TURKU",
    "UTRECHT",
    "EINDHOVEN",
    "GHENT",
    "BRUGES",
    "LIEGE",
];

/// Country names (ISO 3166-1 short names in common English form; facts, not a copied list). Names that are
/// also common given names or words (`Jordan`, `Chad`, `Georgia`, `Turkey`, `Israel`, `India`) are left out.
const COUNTRIES: &[&str] = &[
    "AFGHANISTAN",
    "ALBANIA",
    "ALGERIA",
    "ANDORRA",
    "ANGOLA",
    "ARGENTINA",
    "ARMENIA",
    "AUSTRALIA",
    "AUSTRIA",
    "AZERBAIJAN",
    "BAHAMAS",
    "BAHRAIN",
    "BANGLADESH",
    "BARBADOS",
    "BELARUS",
    "BELGIUM",
    "BELIZE",
    "BENIN",
    "BHUTAN",
    "BOLIVIA",
    "BOTSWANA",
    "BRAZIL",
    "BRUNEI",
    "BULGARIA",
    "BURUNDI",
    "CAMBODIA",
    "CAMEROON",
    "CANADA",
    "CHILE",
    "CHINA",
    "COLOMBIA",
    "COMOROS",
    "CROATIA",
    "CUBA",
    "CYPRUS",
    "CZECHIA",
    "DENMARK",
    "DJIBOUTI",
    "DOMINICA",
    "ECUADOR",
    "EGYPT",
    "ERITREA",
    "ESTONIA",
    "ESWATINI",
    "ETHIOPIA",
    "FIJI",
    "FINLAND",
    "FRANCE",
    "GABON",
    "GAMBIA",
    "GERMANY",
    "GHANA",
    "GREECE",
    "GREENLAND",
    "GRENADA",
    "GUATEMALA",
    "GUYANA",
    "HAITI",
    "HONDURAS",
    "HUNGARY",
    "ICELAND",
    "INDONESIA",
    "IRAN",
    "IRAQ",
    "IRELAND",
    "ITALY",
    "JAMAICA",
    "JAPAN",
    "KAZAKHSTAN",
    "KENYA",
    "KIRIBATI",
    "KOSOVO",
    "KUWAIT",
    "KYRGYZSTAN",
    "LAOS",
    "LATVIA",
    "LEBANON",
    "LESOTHO",
    "LIBERIA",
    "LIBYA",
    "LIECHTENSTEIN",
    "LITHUANIA",
    "LUXEMBOURG",
    "MADAGASCAR",
    "MALAWI",
    "MALAYSIA",
    "MALDIVES",
    "MALI",
    "MALTA",
    "MAURITANIA",
    "MAURITIUS",
    "MEXICO",
    "MICRONESIA",
    "MOLDOVA",
    "MONACO",
    "MONGOLIA",
    "MONTENEGRO",
    "MOROCCO",
    "MOZAMBIQUE",
    "MYANMAR",
    "NAMIBIA",
    "NAURU",
    "NEPAL",
    "NETHERLANDS",
    "NICARAGUA",
    "NIGER",
    "NIGERIA",
    "NORWAY",
    "OMAN",
    "PAKISTAN",
    "PALAU",
    "PANAMA",
    "PARAGUAY",
    "PERU",
    "PHILIPPINES",
    "POLAND",
    "PORTUGAL",
    "QATAR",
    "ROMANIA",
    "RUSSIA",
    "RWANDA",
    "SAMOA",
    "SENEGAL",
    "SERBIA",
    "SEYCHELLES",
    "SINGAPORE",
    "SLOVAKIA",
    "SLOVENIA",
    "SOMALIA",
    "SPAIN",
    "SUDAN",
    "SURINAME",
    "SWEDEN",
    "SWITZERLAND",
    "SYRIA",
    "TAIWAN",
    "TAJIKISTAN",
    "TANZANIA",
    "THAILAND",
    "TOGO",
    "TONGA",
    "TUNISIA",
    "TURKMENISTAN",
    "TUVALU",
    "UGANDA",
    "UKRAINE",
    "URUGUAY",
    "UZBEKISTAN",
    "VANUATU",
    "VENEZUELA",
    "VIETNAM",
    "YEMEN",
    "ZAMBIA",
    "ZIMBABWE",
    "UNITED STATES",
    "UNITED KINGDOM",
    "UNITED ARAB EMIRATES",
    "NEW ZEALAND",
    "SOUTH AFRICA",
    "SOUTH KOREA",
    "NORTH KOREA",
    "SOUTH SUDAN",
    "SAUDI ARABIA",
    "SRI LANKA",
    "COSTA RICA",
    "EL SALVADOR",
    "PUERTO RICO",
    "DOMINICAN REPUBLIC",
    "CZECH REPUBLIC",
    "NORTH MACEDONIA",
    "BOSNIA AND HERZEGOVINA",
    "PAPUA NEW GUINEA",
    "SIERRA LEONE",
    "BURKINA FASO",
    "CAPE VERDE",
    "IVORY COAST",
    "EAST TIMOR",
    "SAN MARINO",
    "VATICAN CITY",
    "TRINIDAD AND TOBAGO",
    "FAROE ISLANDS",
    "ANTIGUA AND BARBUDA",
    "SAINT LUCIA",
    "MARSHALL ISLANDS",
    "SOLOMON ISLANDS",
    "CENTRAL AFRICAN REPUBLIC",
    "EQUATORIAL GUINEA",
];

pub struct Places {
    pub states: FastSet,
    pub state_codes: FastSet,
    /// City names; multi-word names are stored with single spaces.
    pub cities: FastSet,
}

pub static PLACES: LazyLock<Places> = LazyLock::new(|| {
    let set = |v: &[&str]| -> FastSet {
        v.iter()
            .map(|w| w.as_bytes().to_vec().into_boxed_slice())
            .collect()
    };
    Places {
        states: set(STATES),
        state_codes: set(STATE_CODES),
        cities: CITIES
            .iter()
            .chain(COUNTRIES)
            .map(|w| w.as_bytes().to_vec().into_boxed_slice())
            .collect(),
    }
});

/// Whether an upper-cased word is a US state name.
pub fn is_state(upper: &[u8]) -> bool {
    PLACES.states.contains(upper)
}

pub fn is_state_code(word: &[u8]) -> bool {
    word.len() == 2 && word.iter().all(u8::is_ascii_uppercase) && PLACES.state_codes.contains(word)
}

/// Context keywords: bits saying which identifier a nearby word suggests.
pub mod ctx {
    pub const SSN: u32 = 1;
    pub const PHONE: u32 = 1 << 1;
    pub const FAX: u32 = 1 << 2;
    pub const DATE: u32 = 1 << 3;
    pub const MRN: u32 = 1 << 4;
    pub const ACCOUNT: u32 = 1 << 5;
    pub const NPI: u32 = 1 << 6;
    pub const DEA: u32 = 1 << 7;
    pub const PLAN: u32 = 1 << 8;
    pub const ZIP: u32 = 1 << 9;
    pub const AGE: u32 = 1 << 10;
    pub const NAME: u32 = 1 << 11;
    pub const DEVICE: u32 = 1 << 12;
    pub const VEHICLE: u32 = 1 << 13;
    pub const LICENSE: u32 = 1 << 14;
    pub const CARD: u32 = 1 << 15;
    pub const BIOMETRIC: u32 = 1 << 16;
    pub const ADDRESS: u32 = 1 << 17;
    pub const ID: u32 = 1 << 18;
    pub const ROUTING: u32 = 1 << 19;
}

/// Context bits of one lower-case word.
pub fn keyword(w: &[u8]) -> u32 {
    use ctx::*;
    match w {
        b"ssn" | b"ssns" | b"ss" | b"socsec" => SSN,
        b"phone" | b"phones" | b"tel" | b"telephone" | b"mobile" | b"cell" | b"cellphone"
        | b"call" | b"contact" | b"ph" | b"telecom" | b"msisdn" | b"registered" | b"answering"
        | b"dial" | b"reach" | b"reached" | b"landline" | b"sms" | b"whatsapp" | b"hotline"
        | b"callback" => PHONE,
        b"fax" | b"facsimile" => FAX,
        b"dob" | b"birth" | b"born" | b"birthdate" | b"birthday" | b"bday" | b"admitted"
        | b"admission" | b"discharged" | b"discharge" | b"died" | b"deceased" | b"death"
        | b"dod" | b"visit" | b"seen" => DATE,
        b"mrn" | b"mr" | b"chart" | b"medical" | b"record" | b"records" | b"patient" | b"pid"
        | b"ehr" | b"emr" | b"encounter" | b"visitid" => MRN,
        b"account" | b"acct" | b"acc" | b"iban" | b"bank" | b"billing" | b"invoice" => ACCOUNT,
        b"routing" | b"aba" => ROUTING | ACCOUNT,
        b"npi" | b"provider" | b"prescriber" => NPI,
        b"dea" => DEA | LICENSE,
        b"medicare" | b"mbi" | b"beneficiary" | b"hicn" | b"hic" | b"member" | b"subscriber"
        | b"insurance" | b"insured" | b"plan" | b"policy" | b"medicaid" | b"payer" | b"claim"
        | b"group" => PLAN,
        b"zip" | b"zipcode" | b"postal" | b"postcode" | b"postalcode" => ZIP | ADDRESS,
        b"age" | b"aged" | b"yo" | b"years" => AGE,
        b"name" | b"names" | b"patientname" | b"surname" | b"firstname" | b"lastname"
        | b"fullname" | b"given" | b"family" | b"mr." | b"mrs" | b"ms" | b"dr" | b"dear" => NAME,
        b"serial" | b"sn" | b"device" | b"imei" | b"udi" | b"mac" | b"implant" | b"pacemaker"
        | b"pump" => DEVICE,
        b"vin" | b"vehicle" | b"plate" | b"car" | b"registration" => VEHICLE,
        b"license" | b"licence" | b"lic" | b"certificate" | b"cert" | b"credential" | b"dl"
        | b"driver" | b"drivers" | b"passport" => LICENSE,
        b"card" | b"cc" | b"visa" | b"mastercard" | b"amex" | b"credit" | b"debit" | b"pan" => CARD,
        b"fingerprint" | b"biometric" | b"retina" | b"iris" | b"voiceprint" | b"faceprint"
        | b"palm" => BIOMETRIC,
        b"address" | b"addr" | b"street" | b"city" | b"state" | b"lives" | b"resides"
        | b"residence" => ADDRESS,
        b"id" | b"identifier" | b"number" | b"no" | b"num" | b"nr" | b"#" => ID,
        _ => 0,
    }
}

/// Context bits of a two-word phrase (both lower-case).
pub fn phrase(a: &[u8], b: &[u8]) -> u32 {
    use ctx::*;
    match (a, b) {
        (b"social", b"security") => SSN,
        (b"date", b"birth") | (b"birth", b"date") => DATE,
        (b"medical", b"record") | (b"record", b"number") | (b"chart", b"number") => MRN,
        (b"member", b"id")
        | (b"policy", b"number")
        | (b"group", b"number")
        | (b"health", b"plan") => PLAN,
        (b"account", b"number") | (b"bank", b"account") => ACCOUNT,
        (b"phone", b"number") => PHONE,
        (b"serial", b"number") | (b"device", b"id") => DEVICE,
        (b"license", b"plate") | (b"plate", b"number") => VEHICLE,
        (b"driver", b"license") | (b"drivers", b"license") | (b"license", b"number") => LICENSE,
        (b"my", b"name") | (b"name", b"is") => NAME,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionaries_load() {
        let count = |flag: u8| WORDS.values().filter(|&&f| f & flag != 0).count();
        assert!(count(word::FIRST) > 4000);
        assert!(count(word::LAST) > 30000);
        assert!(WORDS.keys().all(|w| !w.contains(&b' ')));
        assert!(name_word(b"Jennifer").0);
        assert!(name_word(b"Garcia").1);
        assert!(name_word(b"The").2);
        assert_eq!(month(b"Sept"), Some(9));
        assert!(street_suffix(b"Ave"));
    }
}
