//! The catalogue's hand-written artists: the edge cases the panels meet (odd names, markup,
//! missing dates, ties), placed before the generated ones. Data only.

/// An edge-case artist: its name, genres, popularity, whether it has images and its two albums
/// with their track names.
pub(super) struct EdgeArtist {
    pub(super) name: &'static str,
    pub(super) genres: &'static [&'static str],
    pub(super) popularity: u8,
    pub(super) images: bool,
    pub(super) albums: [(&'static str, &'static [&'static str]); 2],
}

pub(super) const EDGE_ARTISTS: [EdgeArtist; 10] = [
    EdgeArtist {
        name: "<script>alert(\"x\")</script>",
        genres: &["hyperpop", "glitchcore"],
        popularity: 41,
        images: true,
        albums: [
            (
                "</title><h1>Injected</h1>",
                &[
                    "<script>alert(1)</script>",
                    "\"><img src=x onerror=alert(2)>",
                    "javascript:void(0)",
                    "'; DROP TABLE plays; --",
                    "{{7*7}}",
                ],
            ),
            (
                "Alert Box",
                &[
                    "<!-- hidden -->",
                    "&lt;already escaped&gt;",
                    "${jndi:ldap://x}",
                    "Onload",
                    "Innocent Song",
                    "<style>body{display:none}</style>",
                ],
            ),
        ],
    },
    EdgeArtist {
        name: "Rock & Roll \"Forever\"",
        genres: &["classic rock", "rock and roll"],
        popularity: 63,
        images: true,
        albums: [
            (
                "Live at the \"Palace\"",
                &[
                    "Salt & Vinegar",
                    "She Said \"Maybe\"",
                    "Rock & Roll Won't Die",
                    "It's Five O'Clock",
                    "A & B & C",
                ],
            ),
            (
                "Fish & Chips & Rock",
                &[
                    "\"Quote\" Unquote",
                    "Tom & Jerry's Boogie",
                    "Back & Forth",
                    "The \"Real\" Thing",
                ],
            ),
        ],
    },
    EdgeArtist {
        name: "<b>Bold</b> Type",
        genres: &["art pop"],
        popularity: 27,
        images: true,
        albums: [
            (
                "<i>Italics</i>",
                &[
                    "<u>Underlined</u>",
                    "<em>Emphasis</em> Mine",
                    "Tag </b> Soup",
                    "<br> Break",
                ],
            ),
            (
                "Small <small>Print</small>",
                &[
                    "Bold Move",
                    "<marquee>Scrolling</marquee>",
                    "Less < More > Less",
                ],
            ),
        ],
    },
    EdgeArtist {
        name: "夜明けの合唱団",
        genres: &["j-pop", "city pop", "anime"],
        popularity: 58,
        images: true,
        albums: [
            (
                "東京の夜",
                &[
                    "夜空のメロディー",
                    "さよなら、夏",
                    "雨の日曜日",
                    "光の中で",
                    "君の声",
                ],
            ),
            (
                "青い風の歌",
                &[
                    "桜の木の下",
                    "星を数えて",
                    "遠い街",
                    "ミッドナイト・ドライブ",
                ],
            ),
        ],
    },
    EdgeArtist {
        name: "Ορίζοντας",
        genres: &["entehno", "greek indie"],
        popularity: 22,
        images: true,
        albums: [
            ("Θάλασσα", &["Καλοκαίρι", "Το φεγγάρι", "Αέρας", "Σιωπή"]),
            (
                "Νύχτες του Αυγούστου",
                &["Μια νύχτα στην Αθήνα", "Πέτρα και νερό", "Ξημέρωμα"],
            ),
        ],
    },
    EdgeArtist {
        name: "نجوم الصحراء",
        genres: &["arabic pop", "khaleeji"],
        popularity: 34,
        images: false,
        albums: [
            ("ليلة طويلة", &["قمر", "يا ليل", "حنين", "بحر"]),
            ("رمال", &["طريق البيت", "نسيم", "Sahara (ليلة) Mix"]),
        ],
    },
    EdgeArtist {
        name: "🌙 Moonlit Tapes 🎧",
        genres: &["lo-fi beats", "chillhop"],
        popularity: 48,
        images: true,
        albums: [
            (
                "☕ Coffee Breaks",
                &["🌙", "sleepy 💤", "study session 📚", "✨ sparkle ✨"],
            ),
            (
                "🌧️ Rainy Windows",
                &[
                    "night bus 🚌",
                    "👩🏽‍💻 late shift",
                    "🏳️‍🌈 parade",
                    "rain on glass 🌧️",
                ],
            ),
        ],
    },
    EdgeArtist {
        name: "Ünïcödé Ñoise",
        genres: &["noise pop"],
        popularity: 9,
        images: true,
        albums: [
            (
                "Déjà Vu Façade",
                &["Café Déjà Vu", "Smörgåsbord", "Naïve Øresund"],
            ),
            ("Łódź Żółć", &["Straße", "Ærø", "İstanbul Çay"]),
        ],
    },
    EdgeArtist {
        name: "The Extraordinarily Long-Named Orchestra of the Eternally Unfinished Symphony No. 9 in D Minor",
        genres: &["modern classical", "neoclassical", "orchestral"],
        popularity: 3,
        images: true,
        albums: [
            (
                "Symphony No. 9 in D Minor, Op. 125 (Unfinished, Unabridged, Unreleased Until Now)",
                &[
                    "Movement I: An Overture That Goes On for Considerably Longer Than Anyone Expected",
                    "Movement II: Adagio",
                    "Movement III: Scherzo (Interrupted)",
                ],
            ),
            (
                "Encores",
                &["Encore No. 1", "Encore No. 2 (Reprise of the Reprise)"],
            ),
        ],
    },
    EdgeArtist {
        name: "O'Brien's Apostrophe",
        genres: &[],
        popularity: 15,
        images: true,
        albums: [
            (
                "Can't Won't Don't",
                &[
                    "Y'all'd've",
                    "'Til the Morning",
                    "Rock 'n' Rollin'",
                    "O'Brien's Lament",
                ],
            ),
            ("Ain't It", &["Don't", "Won't", "Shan't"]),
        ],
    },
];
