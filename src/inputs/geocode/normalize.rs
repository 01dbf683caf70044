//! Address text normalisation, so that Annuaire Santé (RPPS) and Base Adresse Nationale (BAN)
//! spellings of the same street meet.
//!
//! Both sides go through the same steps:
//! 1. transliterate to ASCII with the `deunicode` crate ("É" → "E", "Œ" → "OE", "’" → "'"),
//!    uppercase, every character that is not a letter or a digit becomes a space, spaces
//!    collapse ([`fold`]);
//! 2. abbreviations are expanded to the full word ([`expand`]): the street types of the AFNOR
//!    NF Z 10-011 list as La Poste and the RPPS write them ("AV" → AVENUE, "BD" → BOULEVARD,
//!    "CHE" → CHEMIN, "RPT" → ROND POINT…) and the titles common in street names ("ST" → SAINT,
//!    "GAL" → GENERAL, "MAL" → MARECHAL, "PDT" → PRESIDENT, "DR" → DOCTEUR…). The one-letter
//!    "R" is read as RUE only as the first word (elsewhere it is an initial);
//! 3. articles and elided articles are dropped (DE, DU, DES, LA, LE, LES, L, D, AU, AUX), so
//!    "R DE L EGLISE" and "Rue de l'Église" both become `RUE EGLISE`.
//!
//! Because the same function runs on both sides, an expansion that is wrong for some name
//! (a street really called "Rue du Pas" becomes `RUE PASSAGE`) still matches itself.
//!
//! House numbers: [`parse_number`] reads "12", "12 B", "12B", "12-14" (→ 12) and a separate
//! repetition index; [`rep_key`] maps "B"/"BIS", "T"/"TER", "Q"/"QUATER", "C"/"QUINQUIES" to one
//! letter so RPPS "B" meets BAN "bis".
//!
//! Fuzzy matching: [`similarity`] is a token-set score built on the Jaro–Winkler similarity of
//! words (Winkler 1990; [`jaro_winkler`] gives the `strsim` crate's values without allocating):
//! word order does not matter, and keys that do
//! not carry the same numbers never meet ("8 MAI 1945" vs "11 NOVEMBRE 1918").
//! [`FUZZY_THRESHOLD`] is the acceptance bound.

use std::borrow::Cow;

/// Lowest [`similarity`] (0–1, dimensionless) at which a street is accepted as a fuzzy match.
/// 0.92 accepts a typo or two in a usual street name ("RUE JEAN JAURS" ~ "RUE JEAN JAURES":
/// 0.985) and refuses different names sharing words ("RUE JEAN MACE" ~ "RUE JEAN JAURES":
/// 0.852) as well as a different street type ("RUE GALLIENI" ~ "AVENUE GALLIENI": 0.850).
pub const FUZZY_THRESHOLD: f64 = 0.92;

/// Articles and elisions dropped from keys.
const ARTICLES: [&str; 10] = ["DE", "DU", "DES", "LA", "LE", "LES", "L", "D", "AU", "AUX"];

/// ASCII uppercase text with every run of non-alphanumeric characters turned into one space,
/// trimmed. `"Rue de l'Église"` → `"RUE DE L EGLISE"`.
pub fn fold(s: &str) -> String {
    let ascii: Cow<str> = if s.is_ascii() {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(deunicode::deunicode(s))
    };
    let mut out = String::with_capacity(ascii.len());
    let mut space = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c.to_ascii_uppercase());
        } else {
            space = true;
        }
    }
    out
}

/// Full form of an abbreviation (already folded), or `None` when the word is not one.
/// `first` says whether the word opens the street name (only then is "R" read as RUE).
pub fn expand(word: &str, first: bool) -> Option<&'static str> {
    Some(match word {
        "R" if first => "RUE",
        "AV" | "AVE" => "AVENUE",
        "BD" | "BLD" | "BOUL" | "BVD" => "BOULEVARD",
        "PL" => "PLACE",
        "CHE" | "CHEM" | "CH" => "CHEMIN",
        "RTE" => "ROUTE",
        "IMP" => "IMPASSE",
        "ALL" | "ALLE" => "ALLEE",
        "SQ" => "SQUARE",
        "CRS" => "COURS",
        "QU" | "QAI" => "QUAI",
        "PAS" | "PASS" => "PASSAGE",
        "FG" | "FBG" => "FAUBOURG",
        "PROM" => "PROMENADE",
        "RPT" => "ROND POINT",
        "CHS" => "CHAUSSEE",
        "CTR" => "CONTOUR",
        "ESP" => "ESPLANADE",
        "HAM" => "HAMEAU",
        "LOT" => "LOTISSEMENT",
        "MTE" => "MONTEE",
        "PRV" => "PARVIS",
        "RES" => "RESIDENCE",
        "RLE" => "RUELLE",
        "SEN" | "SENT" => "SENTIER",
        "TRA" | "TRAV" => "TRAVERSE",
        "VLA" => "VILLA",
        "CITE" | "CI" => "CITE",
        "CAR" | "CARR" => "CARREFOUR",
        "ST" => "SAINT",
        "STE" => "SAINTE",
        "GAL" | "GEN" => "GENERAL",
        "MAL" | "MAREC" => "MARECHAL",
        "PDT" | "PRES" => "PRESIDENT",
        "DR" | "DOC" => "DOCTEUR",
        "PR" | "PROF" => "PROFESSEUR",
        "CDT" | "CMDT" => "COMMANDANT",
        "LT" => "LIEUTENANT",
        "CAPT" => "CAPITAINE",
        "MGR" => "MONSEIGNEUR",
        "ND" => "NOTRE DAME",
        "GDE" | "GR" => "GRANDE",
        "PT" => "PETIT",
        "PTE" => "PETITE",
        "VX" => "VIEUX",
        "VLLE" => "VIEILLE",
        _ => return None,
    })
}

/// Pushes the expanded words of `text` onto `out`; `at_start` tells whether `text` opens the name.
fn push_words(out: &mut Vec<String>, text: &str, at_start: bool) {
    for (i, w) in fold(text).split(' ').filter(|w| !w.is_empty()).enumerate() {
        match expand(w, at_start && i == 0) {
            Some(full) => out.extend(full.split(' ').map(str::to_string)),
            None => out.push(w.to_string()),
        }
    }
}

/// Matching key of a street from its type ("Avenue", "AV", or empty) and its name
/// ("DU GAL DE GAULLE"): words expanded, articles dropped, single spaces. A type repeated at
/// the start of the name is kept once. `("AV", "DU GAL DE GAULLE")` and
/// `("", "Avenue du Général de Gaulle")` both give `"AVENUE GENERAL GAULLE"`.
pub fn street_key(street_type: &str, name: &str) -> String {
    let mut words = Vec::new();
    push_words(&mut words, street_type, true);
    let type_len = words.len();
    push_words(&mut words, name, type_len == 0);
    if type_len > 0 && words.len() > type_len && words[type_len..].starts_with(&words[..type_len]) {
        words.drain(..type_len);
    }
    let kept: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !ARTICLES.contains(w))
        .collect();
    kept.join(" ")
}

/// Matching key of a commune name: folded, "ST"/"STE" expanded, articles kept (they are part
/// of commune names: "Le Pré-Saint-Gervais"), and the words that name an arrondissement or a
/// delivery office dropped ("PARIS 15E ARRONDISSEMENT", "PARIS 15", "PARIS CEDEX 15" → `"PARIS"`).
pub fn commune_key(name: &str) -> String {
    let folded = fold(name);
    let words: Vec<&str> = folded
        .split(' ')
        .filter(|w| !w.is_empty())
        .filter(|w| !w.as_bytes()[0].is_ascii_digit())
        .filter(|w| !matches!(*w, "ARRONDISSEMENT" | "CEDEX" | "ER" | "EME"))
        .map(|w| match w {
            "ST" => "SAINT",
            "STE" => "SAINTE",
            w => w,
        })
        .collect();
    words.join(" ")
}

/// Canonical repetition index: "B"/"BIS" → `"B"`, "T"/"TER" → `"T"`, "Q"/"QUATER" → `"Q"`,
/// "C"/"QUINQUIES" → `"C"`; anything else folded with its spaces removed ("a" → `"A"`);
/// empty when there is none.
pub fn rep_key(rep: &str) -> String {
    let f: String = fold(rep).chars().filter(|c| *c != ' ').collect();
    match f.as_str() {
        "BIS" => "B".to_string(),
        "TER" => "T".to_string(),
        "QUATER" => "Q".to_string(),
        "QUINQUIES" => "C".to_string(),
        _ => f,
    }
}

/// House number and canonical repetition index from a number field and a separate repetition
/// field. "12 B" / "12B" / ("12", "bis") → `(12, "B")`; "12-14" → `(12, "")`; a field that
/// does not start with digits, or the number 0, → `None`. The separate field wins over a
/// letter glued to the number.
pub fn parse_number(number: &str, rep: &str) -> Option<(u32, String)> {
    let f = fold(number);
    let digits_end = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
    let n: u32 = f[..digits_end].parse().ok().filter(|n| *n > 0)?;
    let separate = rep_key(rep);
    if !separate.is_empty() {
        return Some((n, separate));
    }
    let rest = f[digits_end..].trim_start();
    let glued = match rest.split(' ').next() {
        Some(w) if !w.is_empty() && !w.as_bytes()[0].is_ascii_digit() => rep_key(w),
        _ => String::new(),
    };
    Some((n, glued))
}

/// Jaro–Winkler similarity (0–1) of two ASCII words, equal to `strsim::jaro_winkler` (Jaro
/// 1989; Winkler 1990: prefix scale 0.1 over at most 4 characters, applied above 0.7) but
/// without allocation for words up to 64 bytes; longer words go to `strsim`.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(&String::from_utf8_lossy(a), &String::from_utf8_lossy(b));
    }
    if a.is_empty() || b.is_empty() {
        return if a.len() == b.len() { 1.0 } else { 0.0 };
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (mut a_flags, mut b_flags, mut matches) = (0u64, 0u64, 0usize);
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = b.len().min(i + window + 1);
        for (j, &cb) in b.iter().enumerate().take(hi).skip(lo) {
            if ca == cb && b_flags & (1 << j) == 0 {
                a_flags |= 1 << i;
                b_flags |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0;
    let mut j = 0;
    for (i, &ca) in a.iter().enumerate() {
        if a_flags & (1 << i) != 0 {
            while b_flags & (1 << j) == 0 {
                j += 1;
            }
            transpositions += usize::from(ca != b[j]);
            j += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (matches - transpositions / 2) as f64 / m) / 3.0;
    if jaro > 0.7 {
        let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
        jaro + 0.1 * prefix as f64 * (1.0 - jaro)
    } else {
        jaro
    }
}

/// The words of a key, prepared for repeated [`TokenSet::similarity`] comparisons.
#[derive(Clone, Debug)]
pub struct TokenSet<'a> {
    words: Vec<&'a str>,
    digits: Vec<&'a str>,
    len: usize,
}

impl<'a> TokenSet<'a> {
    /// Splits a key into its words; the words carrying digits are kept apart, sorted.
    pub fn new(key: &'a str) -> Self {
        let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
        let mut digits: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| w.bytes().any(|b| b.is_ascii_digit()))
            .collect();
        digits.sort_unstable();
        let len = words.iter().map(|w| w.len()).sum();
        TokenSet { words, digits, len }
    }

    /// Token-set similarity (0–1, dimensionless): each word of either key is paired with its
    /// most similar word of the other ([`jaro_winkler`]), and the pair scores are averaged with
    /// the words' lengths as weights. Word order does not matter, a typo costs little, an
    /// extra or missing word costs its share of the length. 0 when either key is empty or when
    /// their words containing digits differ.
    pub fn similarity(&self, other: &TokenSet) -> f64 {
        fn side(x: &[&str], y: &[&str]) -> f64 {
            x.iter()
                .map(|w| {
                    let best = y.iter().map(|v| jaro_winkler(w, v)).fold(0.0, f64::max);
                    w.len() as f64 * best
                })
                .sum()
        }
        if self.words.is_empty() || other.words.is_empty() || self.digits != other.digits {
            return 0.0;
        }
        (side(&self.words, &other.words) + side(&other.words, &self.words))
            / (self.len + other.len) as f64
    }
}

/// [`TokenSet::similarity`] of two keys.
pub fn similarity(a: &str, b: &str) -> f64 {
    TokenSet::new(a).similarity(&TokenSet::new(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_strips_accents_and_punctuation() {
        assert_eq!(fold("Rue de l'Église"), "RUE DE L EGLISE");
        assert_eq!(fold("  Cœur-de-Ville, (Bât. A)  "), "COEUR DE VILLE BAT A");
        assert_eq!(fold("Allée des Pêcheurs’ Îles"), "ALLEE DES PECHEURS ILES");
        assert_eq!(fold("---"), "");
    }

    /// RPPS spelling (type column, name column) against the BAN `nom_voie` of the same street.
    #[test]
    fn rpps_and_ban_spellings_meet() {
        let pairs = [
            (("AV", "DU GAL DE GAULLE"), "Avenue du Général de Gaulle"),
            (
                ("Avenue", "DU GENERAL DE GAULLE"),
                "Avenue du Général de Gaulle",
            ),
            (("R", "JEAN JAURES"), "Rue Jean Jaurès"),
            (("Rue", "JEAN JAURES"), "Rue Jean Jaurès"),
            (("", "R JEAN JAURES"), "Rue Jean Jaurès"),
            (("BD", "DE LA REPUBLIQUE"), "Boulevard de la République"),
            (("PL", "DE L EGLISE"), "Place de l'Église"),
            (("CHE", "DES VIGNES"), "Chemin des Vignes"),
            (("RTE", "DE PARIS"), "Route de Paris"),
            (("IMP", "DU MOULIN"), "Impasse du Moulin"),
            (("ALL", "DES ACACIAS"), "Allée des Acacias"),
            (("SQ", "DU DR SCHWEITZER"), "Square du Docteur Schweitzer"),
            (("CRS", "ST LOUIS"), "Cours Saint-Louis"),
            (("QUAI", "DE L OURCQ"), "Quai de l'Ourcq"),
            (("PAS", "STE ANNE"), "Passage Sainte-Anne"),
            (("R", "DU FBG ST DENIS"), "Rue du Faubourg Saint-Denis"),
            (("PROM", "DES ANGLAIS"), "Promenade des Anglais"),
            (("RPT", "DU MAL LECLERC"), "Rond-Point du Maréchal Leclerc"),
            (("AV", "DU PDT WILSON"), "Avenue du Président Wilson"),
            (("Avenue", "AVENUE GALLIENI"), "Avenue Gallieni"),
            (("R", "DU 8 MAI 1945"), "Rue du 8 Mai 1945"),
        ];
        for ((t, n), ban) in pairs {
            assert_eq!(
                street_key(t, n),
                street_key("", ban),
                "{t:?} {n:?} vs {ban:?}"
            );
        }
        assert_eq!(
            street_key("AV", "DU GAL DE GAULLE"),
            "AVENUE GENERAL GAULLE"
        );
        assert_eq!(street_key("R", "JEAN JAURES"), "RUE JEAN JAURES");
    }

    #[test]
    fn one_letter_r_is_rue_only_at_the_start() {
        assert_eq!(street_key("AV", "R SALENGRO"), "AVENUE R SALENGRO");
        assert_eq!(street_key("", "R SALENGRO"), "RUE SALENGRO");
    }

    #[test]
    fn commune_names_meet() {
        assert_eq!(
            commune_key("Le Pré-Saint-Gervais"),
            commune_key("LE PRE ST GERVAIS")
        );
        assert_eq!(commune_key("Paris 15e Arrondissement"), "PARIS");
        assert_eq!(commune_key("PARIS CEDEX 15"), "PARIS");
        assert_eq!(commune_key("Bondy"), "BONDY");
    }

    #[test]
    fn numbers_and_repetition_indices() {
        assert_eq!(parse_number("12", ""), Some((12, String::new())));
        assert_eq!(parse_number("12 B", ""), Some((12, "B".into())));
        assert_eq!(parse_number("12B", ""), Some((12, "B".into())));
        assert_eq!(parse_number("12", "bis"), Some((12, "B".into())));
        assert_eq!(parse_number("12", "TER"), Some((12, "T".into())));
        assert_eq!(parse_number("12-14", ""), Some((12, String::new())));
        assert_eq!(parse_number("0012", ""), Some((12, String::new())));
        assert_eq!(parse_number("P", ""), None);
        assert_eq!(parse_number("", "B"), None);
        assert_eq!(parse_number("0", ""), None);
        assert_eq!(rep_key("bis"), rep_key("B"));
        assert_eq!(rep_key("a"), "A");
        assert_eq!(rep_key(""), "");
    }

    proptest::proptest! {
        #[test]
        fn jaro_winkler_equals_strsim(a in "[A-E ]{0,12}", b in "[A-E ]{0,12}", c in "[A-Z0-9]{60,70}") {
            proptest::prop_assert!((jaro_winkler(&a, &b) - strsim::jaro_winkler(&a, &b)).abs() < 1e-12);
            proptest::prop_assert!((jaro_winkler(&c, &a) - strsim::jaro_winkler(&c, &a)).abs() < 1e-12);
        }
    }

    #[test]
    fn jaro_winkler_known_values() {
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("A", ""), 0.0);
        assert!((jaro_winkler("MARTHA", "MARHTA") - 0.9611).abs() < 1e-4);
        assert!((jaro_winkler("DIXON", "DICKSONX") - 0.8133).abs() < 1e-4);
        assert_eq!(jaro_winkler("École", "École"), 1.0);
    }

    #[test]
    fn similarity_is_token_set_jaro_winkler() {
        let s = similarity;
        let close = |a: &str, b: &str, want: f64| {
            let got = s(a, b);
            assert!((got - want).abs() < 5e-4, "{a} ~ {b}: {got}");
        };
        close("RUE JEAN JAURS", "RUE JEAN JAURES", 0.985);
        close("RUE JEAN MACE", "RUE JEAN JAURES", 0.852);
        close("RUE GALLIENI", "AVENUE GALLIENI", 0.850);
        close("RUE PASTEUR", "RUE ROGER SALENGRO", 0.714);
        assert!(s("RUE JEAN JAURS", "RUE JEAN JAURES") >= FUZZY_THRESHOLD);
        assert!(s("AVENUE GALIENI", "AVENUE GALLIENI") >= FUZZY_THRESHOLD);
        assert_eq!(s("JEAN JAURES RUE", "RUE JEAN JAURES"), 1.0);
        assert!(s("RUE JEAN MACE", "RUE JEAN JAURES") < FUZZY_THRESHOLD);
        assert_eq!(s("RUE 8 MAI 1945", "RUE 11 MAI 1945"), 0.0);
        assert_eq!(s("RUE 8 MAI 1945", "RUE 1945 MAI 8"), 1.0);
        assert_eq!(s("", "RUE"), 0.0);
    }
}
