//! Made-up names for the catalogue: artists, albums and tracks from word tables, and ISRCs —
//! varied enough to look like a library, fixed by the seed so every run is the same.

use super::*;

pub(super) const ADJECTIVES: &[&str] = &[
    "Velvet",
    "Paper",
    "Silver",
    "Hollow",
    "Neon",
    "Quiet",
    "Golden",
    "Static",
    "Wild",
    "Electric",
    "Glass",
    "Crimson",
    "Lunar",
    "Northern",
    "Broken",
    "Sleepy",
    "Atomic",
    "Wandering",
    "Distant",
    "Feral",
    "Gentle",
    "Burning",
    "Frozen",
    "Secret",
    "Endless",
    "Bitter",
    "Tender",
    "Restless",
    "Midnight",
    "Hidden",
    "Faded",
    "Cosmic",
    "Savage",
    "Pale",
    "Copper",
    "Violet",
    "Lonely",
    "Hazy",
    "Sacred",
    "Tiny",
];

pub(super) const NOUNS: &[&str] = &[
    "Harbour",
    "Satellite",
    "Fox",
    "Lantern",
    "Echo",
    "Pilot",
    "Orchard",
    "Tide",
    "Ghost",
    "Machine",
    "River",
    "Comet",
    "Sparrow",
    "Mirror",
    "Garden",
    "Wolf",
    "Tape",
    "Signal",
    "Heart",
    "Summer",
    "Night",
    "Fire",
    "Light",
    "Ocean",
    "City",
    "Dream",
    "Shadow",
    "Winter",
    "Highway",
    "Morning",
    "Window",
    "Stranger",
    "Island",
    "Paradise",
    "Thunder",
    "Horizon",
    "Skyline",
    "Letter",
    "Radio",
    "Engine",
    "Canyon",
    "Meadow",
    "Station",
    "Glacier",
    "Candle",
    "Postcard",
    "Avenue",
    "Monsoon",
    "Lighthouse",
    "Carousel",
    "Wildfire",
    "Daydream",
    "Starlight",
    "Ember",
    "Cathedral",
    "Riverbed",
    "Ferris Wheel",
    "Telescope",
    "Rooftop",
    "Nightshade",
];

pub(super) const VERBS: &[&str] = &[
    "Running", "Falling", "Dancing", "Waiting", "Burning", "Drifting", "Chasing", "Calling",
    "Holding", "Breaking", "Dreaming", "Fading", "Driving", "Sinking", "Flying", "Walking",
    "Swimming", "Hiding", "Singing", "Counting",
];

pub(super) const PREPOSITIONS: &[&str] = &[
    "Through", "Into", "Under", "Over", "Across", "Beyond", "Without", "Towards", "Behind",
];

pub(super) const PHRASES: &[&str] = &[
    "Nothing Left to Say",
    "All I Ever Wanted",
    "Don't Look Back",
    "Stay a Little Longer",
    "One More Night",
    "If You Were Here",
    "Let It Go Slowly",
    "Somewhere Else",
    "Better Days",
    "Hold On",
    "Where We Used to Be",
    "Never Enough",
    "Say It Again",
    "Too Late to Call",
    "After the Rain",
    "Before We Knew",
    "Come Home",
    "Half Past Two",
    "Slow Motion",
    "What the Water Said",
    "Keep the Lights On",
    "Not Today",
    "Call Me When You Land",
    "Golden Hour",
    "Second Best",
    "Long Way Round",
    "All the Small Things We Said",
    "Made of Glass",
    "Run for Cover",
    "Another Life",
];

pub(super) const SUFFIXES: &[&str] = &[
    " - Live",
    " - Radio Edit",
    " (Acoustic)",
    " - Demo",
    " - Instrumental",
    " (Reprise)",
    " - Extended Mix",
];

pub(super) const SYLLABLES: &[&str] = &[
    "ka", "ke", "ki", "ko", "la", "le", "li", "lo", "lu", "ma", "me", "mi", "mo", "na", "ne", "ni",
    "no", "ra", "re", "ri", "ro", "sa", "se", "si", "so", "ta", "te", "ti", "to", "va", "ve", "vi",
    "da", "de", "jo", "ju", "ya", "ze", "bel", "mar", "len", "dor", "sel", "ran", "tor", "an",
    "el", "is", "or", "ul",
];

pub(super) const GIVEN_ENDINGS: &[&str] = &["", "", "n", "s", "a", "el", "ia", "o", "ra", "ne"];

pub(super) const FAMILY_ENDINGS: &[&str] = &[
    "son", "berg", "ley", "ova", "ez", "ini", "ard", "wood", "man", "ski", "rez", "ier", "vic",
];

pub(super) const WORD_ENDINGS: &[&str] = &["x", "a", "um", "ia", "on", "ix", "e", "ar", "ine"];

pub(super) const PLACES: &[&str] = &[
    "Roundhouse",
    "Old Mill",
    "Harbour Hall",
    "Lighthouse",
    "Blue Room",
    "Paradiso",
    "Pavilion",
];

pub(super) const NUMBERS: &[&str] = &[
    "Two", "Three", "Seven", "Nine", "Twelve", "Hundred", "Thousand",
];

pub(super) const ROMAN: &[&str] = &["II", "III", "IV"];

pub(super) const LABEL_ENDINGS: &[&str] =
    &[" Records", " Recordings", " Music", " Sound", " Tapes"];

pub(super) const ISRC_COUNTRIES: &[&str] = &[
    "US", "GB", "SE", "DE", "FR", "NL", "JP", "GR", "QZ", "CA", "AU",
];

pub(super) fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn syllables(rng: &mut Rng, count: usize) -> String {
    (0..count).map(|_| rng.word(SYLLABLES)).collect()
}

pub(super) fn given_name(rng: &mut Rng) -> String {
    let count = 2 + usize::from(rng.chance(0.25));
    capitalise(&(syllables(rng, count) + rng.word(GIVEN_ENDINGS)))
}

pub(super) fn family_name(rng: &mut Rng) -> String {
    let count = 1 + usize::from(rng.chance(0.5));
    capitalise(&(syllables(rng, count) + rng.word(FAMILY_ENDINGS)))
}

pub(super) fn plural(noun: &str) -> String {
    if noun.ends_with('x') || noun.ends_with("ch") || noun.ends_with('s') || noun.ends_with("cho") {
        format!("{noun}es")
    } else if let Some(stem) = noun.strip_suffix("fe").or_else(|| noun.strip_suffix('f')) {
        format!("{stem}ves")
    } else if let Some(stem) = noun.strip_suffix('y').filter(|_| !noun.ends_with("ay")) {
        format!("{stem}ies")
    } else {
        format!("{noun}s")
    }
}

pub(super) fn artist_name(rng: &mut Rng, taste: Taste) -> String {
    let roll = rng.unit();
    match roll {
        r if r < 0.34 => format!("{} {}", given_name(rng), family_name(rng)),
        r if r < 0.56 => format!("The {} {}", rng.word(ADJECTIVES), plural(rng.word(NOUNS))),
        r if r < 0.70 => format!("{} {}", rng.word(ADJECTIVES), plural(rng.word(NOUNS))),
        r if r < 0.82 => capitalise(&(syllables(rng, 2) + rng.word(WORD_ENDINGS))),
        r if r < 0.90 => format!("{} & the {}", given_name(rng), plural(rng.word(NOUNS))),
        _ if matches!(taste, Taste::HipHop | Taste::Electronic) => {
            let prefix = if taste == Taste::HipHop { "MC" } else { "DJ" };
            format!("{prefix} {}", capitalise(&syllables(rng, 2)))
        }
        _ => given_name(rng),
    }
}

pub(super) fn album_name(rng: &mut Rng, artist: &str, first: bool) -> String {
    let roll = rng.unit();
    match roll {
        r if r < 0.08 && first => artist.to_owned(),
        r if r < 0.30 => format!("{} {}", rng.word(ADJECTIVES), plural(rng.word(NOUNS))),
        r if r < 0.45 => format!("{} of {}", rng.word(NOUNS), plural(rng.word(NOUNS))),
        r if r < 0.60 => rng.word(NOUNS).to_string(),
        r if r < 0.68 => rng.word(ADJECTIVES).to_string(),
        r if r < 0.75 => format!("{} {}", rng.word(NOUNS), rng.word(ROMAN)),
        r if r < 0.81 => format!("Live at the {}", rng.word(PLACES)),
        r if r < 0.88 => format!("Songs from the {}", rng.word(NOUNS)),
        r if r < 0.94 => format!("{} {}", rng.word(NUMBERS), plural(rng.word(NOUNS))),
        _ => rng.word(PHRASES).to_string(),
    }
}

pub(super) fn track_name(rng: &mut Rng) -> String {
    let roll = rng.unit();
    match roll {
        r if r < 0.25 => format!("{} {}", rng.word(ADJECTIVES), rng.word(NOUNS)),
        r if r < 0.42 => format!(
            "{} {} the {}",
            rng.word(VERBS),
            rng.word(PREPOSITIONS),
            rng.word(NOUNS)
        ),
        r if r < 0.55 => rng.word(NOUNS).to_string(),
        r if r < 0.61 => format!("The {} Song", rng.word(NOUNS)),
        r if r < 0.68 => format!("{} {}", rng.word(NOUNS), plural(rng.word(NOUNS))),
        r if r < 0.76 => format!("{} {}", rng.word(ADJECTIVES), plural(rng.word(NOUNS))),
        _ => rng.word(PHRASES).to_string(),
    }
}

pub(super) fn isrc(rng: &mut Rng, year: i64) -> String {
    format!(
        "{}{}{:02}{:05}",
        rng.word(ISRC_COUNTRIES),
        rng.base62(3).to_uppercase(),
        year.rem_euclid(100),
        rng.below(100_000)
    )
}
