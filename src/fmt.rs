//! French display helpers: dates «29/11/2026», amounts «1 234,56 €» (integer cents).

/// Percent-encodes all but RFC 3986's unreserved characters (a query value, a header's
/// `filename*`), in links of the pages and in the server's routes alike.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Escapes text for HTML content or a double-quoted attribute: `&`, `<`, `>`, `"`, `'`.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A path of this site to go back to after a form (`back=`), or `None`. Browsers read
/// `//host` and `/\\host` (a backslash is a slash to them) as another site, and drop tabs
/// and line breaks inside a URL: a path with a backslash or a control character, or
/// whose second character is a slash, is refused.
pub fn local_path(back: &str) -> Option<&str> {
    let rest = back.strip_prefix('/')?;
    let bad = rest.starts_with('/') || back.chars().any(|c| c == '\\' || c.is_control());
    (!bad).then_some(back)
}

/// What a field's text may not contain, as a French message (`None`: accepted). No
/// control character (NUL, escape, …) anywhere; no line break or tab in a one-line field
/// (a name, a title, a subject: it would break an e-mail header, a CSV line, a PDF line);
/// no bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069), which make a
/// text display in another order than it reads («Trojan Source»).
pub fn text_problem(multi_line: bool, value: &str) -> Option<&'static str> {
    for c in value.chars() {
        if is_bidi_control(c) {
            return Some("Ce texte contient un caractère invisible qui inverse le sens de lecture : retirez-le.");
        }
        if matches!(c, '\n' | '\r' | '\t') {
            if !multi_line {
                return Some("Une seule ligne, sans retour à la ligne ni tabulation.");
            }
        } else if c.is_control() {
            return Some("Ce texte contient un caractère de contrôle invisible : retirez-le.");
        }
    }
    None
}

/// Whether a character reorders text on display (bidirectional embeddings, overrides and
/// isolates: U+202A–U+202E, U+2066–U+2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text from outside (an imported file, older data) made safe to keep: no control
/// character nor bidirectional control; a one-line text also loses its line breaks and
/// tabs (runs of spaces become one), a multi-line one keeps them.
pub fn clean_text(multi_line: bool, text: &str) -> String {
    if !multi_line {
        return one_line(text);
    }
    text.chars().filter(|c| !is_bidi_control(*c) && (!c.is_control() || matches!(c, '\n' | '\r' | '\t'))).collect()
}

/// A text made one line: line breaks, tabs and other control characters become spaces,
/// runs of spaces one (an e-mail subject, a file name, a PDF line from older data).
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace() || is_bidi_control(c)).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A date stored as ISO text the French way: «2026-11-29» → «29/11/2026»; any other text
/// is shown as it is.
pub fn date_fr(iso: &str) -> String {
    let p: Vec<&str> = iso.split('-').collect();
    if p.len() == 3 { format!("{}/{}/{}", p[2], p[1], p[0]) } else { iso.to_string() }
}

/// The parts that are not empty, joined by spaces («M.», «», «Robert» → «M. Robert»).
pub fn words(parts: &[&str]) -> String {
    parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" ")
}

/// «1 234,56», «12», «-3,5» → cents; at most two decimals.
pub fn parse_cents(raw: &str) -> Option<i64> {
    parse_fixed(raw, 2)
}

/// A quantity with at most three decimals → thousandths.
pub fn parse_milli(raw: &str) -> Option<i64> {
    parse_fixed(raw, 3)
}

fn parse_fixed(raw: &str, decimals: u32) -> Option<i64> {
    let s: String = raw.trim().chars().filter(|c| !matches!(c, ' ' | '\u{00A0}' | '\u{202F}' | '€')).collect();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s),
    };
    let s = s.replace(',', ".");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > decimals as usize
        || int.len() > 12
    {
        return None;
    }
    let scale = 10i64.pow(decimals);
    let int: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_val: i64 = if frac.is_empty() { 0 } else { frac.parse::<i64>().ok()? * 10i64.pow(decimals - frac.len() as u32) };
    let v = int.checked_mul(scale)?.checked_add(frac_val)?;
    Some(if neg { -v } else { v })
}

/// Shows thousandths as a French decimal: 1500 → «1,5».
pub fn milli_fr(q: i64) -> String {
    let sign = if q < 0 { "-" } else { "" };
    let (i, f) = (q.unsigned_abs() / 1000, q.unsigned_abs() % 1000);
    if f == 0 { format!("{sign}{i}") } else { format!("{sign}{i},{}", format!("{f:03}").trim_end_matches('0')) }
}

/// Cents as a plain French decimal for a form field: 123456 → «1234,56».
pub fn cents_field(c: i64) -> String {
    format!("{}{},{:02}", if c < 0 { "-" } else { "" }, c.unsigned_abs() / 100, c.unsigned_abs() % 100)
}

/// «12,15» from 1215 basis points.
pub fn percent_bp(bp: i64) -> String {
    format!("{},{:02}", bp / 100, bp % 100)
}

/// «2,15», «2.15», «2,15 %» → 215 basis points (0 to 100 %).
pub fn parse_percent_bp(raw: &str) -> Option<i64> {
    let t = raw.trim().trim_end_matches('%').trim().replace(',', ".");
    let (i, f) = t.split_once('.').unwrap_or((&t, ""));
    if i.is_empty() || f.len() > 2 || !i.bytes().all(|b| b.is_ascii_digit()) || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let bp = i.parse::<i64>().ok()? * 100 + format!("{f:0<2}").parse::<i64>().ok()?;
    (0..=10_000).contains(&bp).then_some(bp)
}

/// Formats an amount in cents as euros: thousands separated by a narrow no-break
/// space (U+202F, as typography and Intl do), comma decimals, then « €».
pub fn euros(cents: i64) -> String {
    let negative = cents < 0;
    let abs = cents.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push('\u{202F}');
        }
        grouped.push(ch);
    }
    format!("{}{},{:02}\u{00A0}€", if negative { "-" } else { "" }, grouped, abs % 100)
}

/// Formats a Unix timestamp (UTC) as a date and time in Europe/Paris.
#[cfg(feature = "ssr")]
pub fn datetime_fr(ts: i64) -> String {
    match chrono::DateTime::from_timestamp(ts, 0) {
        Some(utc) => utc.with_timezone(&paris_offset(utc)).format("%d/%m/%Y %H:%M").to_string(),
        None => String::new(),
    }
}

/// Today's date in Europe/Paris, as 'YYYY-MM-DD'.
#[cfg(feature = "ssr")]
pub fn today_paris() -> String {
    let utc = chrono::Utc::now();
    utc.with_timezone(&paris_offset(utc)).format("%Y-%m-%d").to_string()
}

/// The UTC instant (seconds) of a wall-clock date and time in Europe/Paris.
#[cfg(feature = "ssr")]
pub fn paris_to_utc(date: chrono::NaiveDate, hour: u32, minute: u32) -> i64 {
    use chrono::TimeZone;
    let local = date.and_hms_opt(hour, minute, 0).unwrap_or_default();
    // The offset in force one hour before, read as UTC, is right except within the
    // changeover hour itself.
    let guess = chrono::Utc.from_utc_datetime(&local) - chrono::Duration::hours(1);
    let offset = paris_offset(guess).local_minus_utc() as i64;
    local.and_utc().timestamp() - offset
}

/// Today's date in Europe/Paris at a UTC instant.
#[cfg(feature = "ssr")]
pub fn paris_date(ts: i64) -> chrono::NaiveDate {
    let utc = chrono::DateTime::from_timestamp(ts, 0).unwrap_or_default();
    utc.with_timezone(&paris_offset(utc)).date_naive()
}

/// Europe/Paris offset at a UTC instant: CET (+1) or CEST (+2), EU rule — from the
/// last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC.
#[cfg(feature = "ssr")]
fn paris_offset(utc: chrono::DateTime<chrono::Utc>) -> chrono::FixedOffset {
    use chrono::{Datelike, NaiveDate, TimeZone, Utc, Weekday};
    let last_sunday = |month: u32| {
        let mut d = NaiveDate::from_ymd_opt(utc.year(), month, 31).expect("valid day");
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().expect("valid day");
        }
        Utc.from_utc_datetime(&d.and_hms_opt(1, 0, 0).expect("valid time"))
    };
    let summer = utc >= last_sunday(3) && utc < last_sunday(10);
    chrono::FixedOffset::east_opt(if summer { 7200 } else { 3600 }).expect("valid offset")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_to_go_back_to() {
        for ok in ["/", "/clients/12", "/clients/12?onglet=sav#x", "/recherche?q=a%2Fb"] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in ["//evil.com", "/\\evil.com", "/\\/evil.com", "https://evil.com", "evil.com", "/\t/evil.com", "/%0a", "", "/a\\b"] {
            let bad = bad.replace("%0a", "\n");
            assert_eq!(local_path(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn one_line_fields_refuse_breaks_and_controls() {
        assert_eq!(text_problem(false, "Dupont Jean-Pierre l'Ancien"), None);
        assert!(text_problem(false, "Dupont\nBcc: x@y.fr").is_some());
        assert!(text_problem(false, "a\tb").is_some());
        assert_eq!(text_problem(true, "ligne 1\r\nligne 2\tfin"), None);
        for bad in ["a\u{0}b", "\u{1b}[31m", "\u{7f}", "\u{85}", "abc\u{202E}gpj.exe", "\u{2066}x"] {
            assert!(text_problem(true, bad).is_some(), "{bad:?}");
            assert!(text_problem(false, bad).is_some(), "{bad:?}");
        }
        assert_eq!(text_problem(false, "Ça coûte 12 € — «ok» 😀 مرحبا"), None);
    }

    #[test]
    fn html_is_escaped_and_lines_made_one() {
        assert_eq!(escape_html("</textarea><b id=\"x\">'&"), "&lt;/textarea&gt;&lt;b id=&quot;x&quot;&gt;&#39;&amp;");
        assert_eq!(one_line("Dupont\r\nBcc: x@y.fr\t "), "Dupont Bcc: x@y.fr");
        assert_eq!(clean_text(true, "a\u{0}b\r\nc\u{202E}d\te"), "ab\r\ncd\te");
        assert_eq!(clean_text(false, "12 rue X\nBât B"), "12 rue X Bât B");
    }

    #[test]
    fn paris_wall_clock_to_utc() {
        let d = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(paris_to_utc(d(2026, 12, 1), 9, 30), chrono::DateTime::parse_from_rfc3339("2026-12-01T08:30:00Z").unwrap().timestamp());
        assert_eq!(paris_to_utc(d(2026, 7, 1), 9, 30), chrono::DateTime::parse_from_rfc3339("2026-07-01T07:30:00Z").unwrap().timestamp());
        assert_eq!(paris_date(paris_to_utc(d(2026, 12, 1), 0, 0)), d(2026, 12, 1));
        assert_eq!(paris_date(paris_to_utc(d(2026, 7, 1), 23, 59)), d(2026, 7, 1));
    }

    #[test]
    fn dates() {
        assert_eq!(date_fr("2026-11-29"), "29/11/2026");
        assert_eq!(date_fr("2027-01-05"), "05/01/2027");
        assert_eq!(date_fr("demain"), "demain");
    }

    #[test]
    fn amounts() {
        assert_eq!(euros(123_456), "1\u{202F}234,56\u{00A0}€");
        assert_eq!(euros(5), "0,05\u{00A0}€");
        assert_eq!(euros(-4_000), "-40,00\u{00A0}€");
        assert_eq!(euros(100_000_000), "1\u{202F}000\u{202F}000,00\u{00A0}€");
        assert_eq!(euros(99_900), "999,00\u{00A0}€");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn paris_time() {
        // 29/11/2026 08:30 UTC is 09:30 in Paris (winter); 01/07/2026 08:30 UTC is 10:30.
        assert_eq!(datetime_fr(1_795_941_000), "29/11/2026 09:30");
        assert_eq!(datetime_fr(1_782_894_600), "01/07/2026 10:30");
    }

    #[test]
    fn amounts_parse_in_french_and_refuse_a_third_decimal() {
        assert_eq!(parse_cents("1 234,56"), Some(123_456));
        assert_eq!(parse_cents("12"), Some(1200));
        assert_eq!(parse_cents("0.5"), Some(50));
        assert_eq!(parse_cents("-3,5"), Some(-350));
        assert_eq!(parse_cents("12,345"), None);
        assert_eq!(parse_cents("abc"), None);
        assert_eq!(parse_cents(""), None);
        assert_eq!(parse_cents("1e5"), None);
        assert_eq!(parse_milli("1,5"), Some(1500));
        assert_eq!(parse_milli("0,001"), Some(1));
        assert_eq!(parse_milli("1,0001"), None);
        assert_eq!(milli_fr(1500), "1,5");
        assert_eq!(milli_fr(-2000), "-2");
    }

    #[test]
    fn rates_written_and_read_the_french_way() {
        assert_eq!(percent_bp(1215), "12,15");
        assert_eq!(percent_bp(305), "3,05");
        assert_eq!(parse_percent_bp("2,15"), Some(215));
        assert_eq!(parse_percent_bp(" 2.1 % "), Some(210));
        assert_eq!(parse_percent_bp("15"), Some(1500));
        for bad in ["", "abc", "2,155", "-1", "100,01", ",5"] {
            assert_eq!(parse_percent_bp(bad), None, "{bad:?}");
        }
    }
}
