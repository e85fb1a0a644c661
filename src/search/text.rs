//! Text normalisation for the search engine and the duplicates detector: accents, case,
//! ligatures, punctuation, phones (any format → French national digits), e-mails.

use std::collections::BTreeSet;

/// Folds one character to lower-case ASCII where French (and Latin) text needs it;
/// ligatures expand. Other letters and digits are lower-cased; the rest is a separator.
fn fold_char(c: char, out: &mut String) {
    let s = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'ā' | 'Ā' | 'ă' | 'ą' => "a",
        'ç' | 'Ç' | 'ć' | 'č' | 'Č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'ī' | 'į' | 'ı' => "i",
        'ñ' | 'Ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'ō' | 'ő' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'ž' | 'Ž' | 'ź' | 'ż' => "z",
        'š' | 'Š' | 'ś' => "s",
        'ł' | 'Ł' => "l",
        'ř' => "r",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        'ß' => "ss",
        'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        // Combining marks (a decomposed «é» is «e» + U+0301): dropped.
        '\u{0300}'..='\u{036F}' => "",
        c if c.is_ascii_alphanumeric() => {
            out.push(c.to_ascii_lowercase());
            return;
        }
        c if c.is_alphanumeric() => {
            out.extend(c.to_lowercase());
            return;
        }
        _ => " ",
    };
    out.push_str(s);
}

/// Lower-case, accent-free text with single spaces: «L'Hôte-Cœur» → «l hote coeur».
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words of a text, folded.
pub fn words(s: &str) -> Vec<String> {
    fold(s).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// A phone number in any common format as French national digits («0612345678»);
/// other international numbers keep their digits with a leading «00». `None` when the
/// text is not a phone number (letters, too few or too many digits).
pub fn phone_digits(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().any(|c| !(c.is_ascii_digit() || " .-/()+\u{a0}".contains(c))) {
        return None;
    }
    let plus = t.starts_with('+');
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let national = if plus && digits.starts_with("33") {
        format!("0{}", digits[2..].trim_start_matches('0'))
    } else if !plus && digits.starts_with("0033") {
        format!("0{}", digits[4..].trim_start_matches('0'))
    } else if plus {
        format!("00{digits}")
    } else {
        digits
    };
    (3..=17).contains(&national.len()).then_some(national)
}

/// Formats a French number for display: «06 12 34 56 78»; others as typed, trimmed.
pub fn phone_display(raw: &str) -> String {
    match phone_digits(raw) {
        Some(d) if d.len() == 10 && d.starts_with('0') => {
            d.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
        }
        _ => raw.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// What a contact is found by.
pub struct Indexable<'a> {
    pub nom: &'a str,
    pub prenom: &'a str,
    pub societe: &'a str,
    pub ville: &'a str,
    pub code_postal: &'a str,
    pub email: &'a str,
    pub phones: &'a [String],
    /// Former names (after a merge) and other names the contact is known by.
    pub aliases: &'a [String],
    /// Numbers of its issued commercial documents («F-2026-00042»).
    pub documents: &'a [String],
}

/// The search terms of a contact: words of its names, company and city, its postcode,
/// phones (national digits), e-mail (whole, and the words of its local part).
pub fn terms(c: &Indexable) -> BTreeSet<String> {
    let mut t = BTreeSet::new();
    for field in [c.nom, c.prenom, c.societe, c.ville, c.code_postal].into_iter().chain(c.aliases.iter().map(String::as_str)) {
        t.extend(words(field).into_iter().map(|w| cut(&w)));
    }
    for p in c.phones {
        if let Some(d) = phone_digits(p) {
            t.insert(d);
        }
    }
    t.extend(c.documents.iter().filter_map(|n| document_term(n)));
    let email = c.email.trim().to_lowercase();
    if !email.is_empty() {
        if let Some((local, _)) = email.split_once('@') {
            t.extend(words(local).into_iter().map(|w| cut(&w)));
        }
        t.insert(cut(&email));
    }
    t
}

/// A document number as one term: «F-2026-00042», «f 2026 00042», «F202600042» all give
/// «f202600042». `None` unless it is a D/F/A letter followed by digits (and separators).
pub fn document_term(s: &str) -> Option<String> {
    let t = s.trim().to_lowercase();
    let mut chars = t.chars();
    let first = chars.next()?;
    let rest: String = chars.collect();
    if !matches!(first, 'd' | 'f' | 'a') || !rest.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ') {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    (!digits.is_empty() && digits.len() <= 20).then(|| format!("{first}{digits}"))
}

/// Terms are at most this many characters (an index key, not a document).
pub const TERM_MAX: usize = 60;

fn cut(w: &str) -> String {
    w.chars().take(TERM_MAX).collect()
}

/// One word of a query, and how it may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryWord {
    /// A folded word: exact, prefix, or one typo.
    Word(String),
    /// Phone digits (national form): exact or prefix.
    Phone(String),
    /// A whole e-mail address (or its beginning): exact or prefix.
    Email(String),
    /// A document number (or its beginning), as [`document_term`]: exact or prefix.
    Document(String),
}

impl QueryWord {
    pub fn text(&self) -> &str {
        match self {
            QueryWord::Word(s) | QueryWord::Phone(s) | QueryWord::Email(s) | QueryWord::Document(s) => s,
        }
    }
    /// Whether a one-typo match is tried (words of four letters or more).
    pub fn fuzzy(&self) -> bool {
        matches!(self, QueryWord::Word(w) if w.chars().count() >= 4 && !w.chars().all(|c| c.is_ascii_digit()))
    }
}

/// At most this many words of a query are used.
pub const QUERY_WORDS_MAX: usize = 8;

/// Splits what was typed into query words. A text made of digits and phone punctuation
/// is one phone number; a text with «@» is an e-mail address.
pub fn parse_query(q: &str) -> Vec<QueryWord> {
    let q: String = q.chars().take(200).collect();
    let q = q.trim();
    if q.is_empty() {
        return Vec::new();
    }
    if q.contains('@') {
        let e: String = q.split_whitespace().collect::<String>().to_lowercase();
        return vec![QueryWord::Email(cut(&e))];
    }
    // «F-2026-00042», «F-2026»: a document number (a hyphen after the letter, or digits).
    let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    let doc_like = compact.len() >= 3 && compact.chars().nth(1).is_some_and(|c| c == '-' || c.is_ascii_digit());
    if let Some(d) = document_term(&compact).filter(|_| doc_like) {
        return vec![QueryWord::Document(d)];
    }
    let phone_like = q.chars().filter(|c| c.is_ascii_digit()).count() >= 3
        && (q.contains(' ') || q.starts_with('+') || q.starts_with('0') || q.contains('.'));
    // «42000» stays a word (a postcode) unless it looks like the start of a number.
    if let Some(d) = phone_digits(q).filter(|d| phone_like && (q.starts_with('+') || q.starts_with('0') || d.len() > 5)) {
        return vec![QueryWord::Phone(d)];
    }
    let mut seen = BTreeSet::new();
    words(q).into_iter().map(|w| cut(&w)).filter(|w| seen.insert(w.clone())).take(QUERY_WORDS_MAX).map(QueryWord::Word).collect()
}

/// The strings one character shorter (SymSpell deletes), and the word itself.
pub fn deletes(w: &str) -> Vec<String> {
    let chars: Vec<char> = w.chars().collect();
    let mut out = vec![w.to_string()];
    for i in 0..chars.len() {
        let d: String = chars.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| c).collect();
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// True when `a` and `b` differ by at most one edit: insertion, deletion, substitution
/// or swap of two neighbours (Damerau–Levenshtein ≤ 1).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a == b {
        return true;
    }
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let p = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if la == lb {
        // substitution, or transposition
        a[p + 1..] == b[p + 1..] || (p + 1 < la && a[p] == b[p + 1] && a[p + 1] == b[p] && a[p + 2..] == b[p + 2..])
    } else if la > lb {
        a[p + 1..] == b[p..]
    } else {
        a[p..] == b[p + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("PAVIÈRE Robert"), "paviere robert");
        assert_eq!(fold("Cœur-de-Lion L'Hôte"), "coeur de lion l hote");
        assert_eq!(fold("Saint-Étienne"), "saint etienne");
        assert_eq!(fold("Ægidius Straße"), "aegidius strasse");
        assert_eq!(fold("  Müller   &  Fils "), "muller fils");
        assert_eq!(fold("e\u{0301}cole"), "ecole", "decomposed accents");
        assert_eq!(fold("\u{0301}"), "", "a lone combining mark");
        assert_eq!(fold("🙂 Zoé"), "zoe");
        assert_eq!(fold("Łódź Øster"), "lodz oster");
    }

    #[test]
    fn document_numbers() {
        for q in ["F-2026-00042", "f 2026 00042", "F202600042", "f-2026-00042 "] {
            assert_eq!(parse_query(q), vec![QueryWord::Document("f202600042".into())], "{q}");
        }
        assert_eq!(parse_query("F-2026"), vec![QueryWord::Document("f2026".into())]);
        assert_eq!(parse_query("fabre"), vec![QueryWord::Word("fabre".into())]);
        assert_eq!(document_term("X-2026-1"), None);
        assert_eq!(document_term("F-"), None);
    }

    #[test]
    fn phones() {
        for p in [
            "06 12 34 56 78",
            "+33 6 12 34 56 78",
            "0612345678",
            "+33612345678",
            "06.12.34.56.78",
            "0033 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
        ] {
            assert_eq!(phone_digits(p).as_deref(), Some("0612345678"), "{p}");
        }
        assert_eq!(phone_digits("+32 2 123 45 67").as_deref(), Some("003221234567"));
        assert_eq!(phone_digits("Robert"), None);
        assert_eq!(phone_digits("06 12 ab"), None);
        assert_eq!(phone_digits("1"), None);
        assert_eq!(phone_display("+33612345678"), "06 12 34 56 78");
    }

    #[test]
    fn contact_terms() {
        let phones = vec!["06 12 34 56 78".to_string()];
        let t = terms(&Indexable {
            nom: "Pavière",
            prenom: "Robert",
            societe: "",
            ville: "Saint-Étienne",
            code_postal: "42000",
            email: "Robert.Paviere@Orange.fr",
            phones: &phones,
            aliases: &[],
            documents: &["F-2026-00042".to_string()],
        });
        let expected: BTreeSet<String> =
            ["paviere", "robert", "saint", "etienne", "42000", "0612345678", "robert.paviere@orange.fr", "f202600042"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        assert_eq!(t, expected);
    }

    #[test]
    fn queries() {
        assert_eq!(parse_query("Robert  Pavière"), vec![QueryWord::Word("robert".into()), QueryWord::Word("paviere".into())]);
        assert_eq!(parse_query("+33 6 12 34"), vec![QueryWord::Phone("061234".into())]);
        assert_eq!(parse_query("06 12 34 56 78"), vec![QueryWord::Phone("0612345678".into())]);
        assert_eq!(parse_query("42000"), vec![QueryWord::Word("42000".into())]);
        assert_eq!(parse_query("Robert.Paviere@orange.fr"), vec![QueryWord::Email("robert.paviere@orange.fr".into())]);
        assert_eq!(parse_query(""), vec![]);
        assert_eq!(parse_query("%_'\"*"), vec![]);
        assert_eq!(parse_query("a a a b"), vec![QueryWord::Word("a".into()), QueryWord::Word("b".into())]);
        assert_eq!(parse_query(&"x ".repeat(3000)).len(), 1);
        assert!(parse_query(&"abcdefghij ".repeat(500)).len() <= QUERY_WORDS_MAX);
    }

    #[test]
    fn edits() {
        assert!(within_one_edit("paviere", "pavierre"));
        assert!(within_one_edit("paviere", "paviere"));
        assert!(within_one_edit("paviere", "pavere"));
        assert!(within_one_edit("paviere", "pavoere"));
        assert!(within_one_edit("paviere", "paivere"));
        assert!(!within_one_edit("paviere", "pavxxre"));
        assert!(!within_one_edit("martin", "martinez"));
        assert!(deletes("abc").contains(&"ac".to_string()));
        assert_eq!(deletes("aab").len(), 3, "abc itself, ab, aa — duplicates removed");
    }
}
