//! Reading a folder of wire stories: file decoding and header/trailer parsing.
//!
//! A story file may start with a header line ` date YYYY-MM[-DD] <text…>` (the rest of that
//! line is body text) and may carry a trailer line `SourceURL: <source>`; neither is part of
//! the body.

use std::path::Path;

use crate::error::{Error, Result};

/// A parsed story.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Story {
    /// Body text without header and trailer, surrounding blank lines removed.
    pub text: String,
    /// `YYYY-MM` or `YYYY-MM-DD` from the header, when valid.
    pub date: Option<String>,
    /// The `SourceURL:` value, when present.
    pub source: Option<String>,
}

/// Split a raw file into body, date and source.
pub fn parse_story(raw: &str) -> Story {
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let mut date = None;
    let mut source = None;
    let mut body: Vec<&str> = Vec::new();
    for (i, line) in raw.lines().enumerate() {
        if i == 0 {
            if let Some((d, rest)) = header_date(line) {
                date = Some(d.to_string());
                if !rest.trim().is_empty() {
                    body.push(rest.trim_start());
                }
                continue;
            }
        }
        if let Some(value) = line.trim().strip_prefix("SourceURL:") {
            source = Some(value.trim().to_string()).filter(|s| !s.is_empty());
            continue;
        }
        body.push(line);
    }
    let blank = |l: &&str| l.trim().is_empty();
    let first = body.iter().position(|l| !blank(l)).unwrap_or(body.len());
    let last = body
        .iter()
        .rposition(|l| !blank(l))
        .map_or(first, |i| i + 1);
    Story {
        text: body[first..last].join("\n"),
        date,
        source,
    }
}

/// `( date, rest of line )` when `line` is a ` date YYYY-MM[-DD]` header with a valid date.
fn header_date(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start().strip_prefix("date")?;
    let rest = rest.strip_prefix(|c: char| c.is_whitespace())?.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(rest.len());
    let d = &rest[..end];
    valid_date(d).then_some((d, &rest[end..]))
}

fn valid_date(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    let num = |s: &str, len: usize| (s.len() == len).then(|| s.parse::<u32>().ok()).flatten();
    match parts.as_slice() {
        [y, m] => num(y, 4).is_some() && num(m, 2).is_some_and(|m| (1..=12).contains(&m)),
        [y, m, day] => {
            let (Some(y), Some(m), Some(day)) = (num(y, 4), num(m, 2), num(day, 2)) else {
                return false;
            };
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let days = match m {
                1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                4 | 6 | 9 | 11 => 30,
                2 if leap => 29,
                2 => 28,
                _ => return false,
            };
            (1..=days).contains(&day)
        }
        _ => false,
    }
}

/// Read a file as UTF-8. With `lossy`, invalid bytes become U+FFFD; otherwise they are an
/// error naming the file and the byte offset.
pub fn read_text(path: &Path, lossy: bool) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) if lossy => Ok(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) => Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "not valid UTF-8 at byte {} (pass errors=\"replace\" to read it anyway)",
                    e.utf8_error().valid_up_to()
                ),
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_on_its_own_line_and_trailer() {
        let s = parse_story(
            " date 2023-02 Title line here.\n\nBody text.\n\nAPA\n\nSourceURL: example\n",
        );
        assert_eq!(s.date.as_deref(), Some("2023-02"));
        assert_eq!(s.source.as_deref(), Some("example"));
        assert_eq!(s.text, "Title line here.\n\nBody text.\n\nAPA");
    }

    #[test]
    fn header_carrying_the_first_paragraph() {
        let s = parse_story(" date 2023-02-08 Lavrov arrived in Mali.\n\nMore.");
        assert_eq!(s.date.as_deref(), Some("2023-02-08"));
        assert_eq!(s.text, "Lavrov arrived in Mali.\n\nMore.");
        assert_eq!(s.source, None);
    }

    #[test]
    fn no_header() {
        let s = parse_story("Mali has moved closer to Russia.\nSecond line.");
        assert_eq!(s.date, None);
        assert_eq!(s.text, "Mali has moved closer to Russia.\nSecond line.");
    }

    #[test]
    fn invalid_dates_are_not_headers() {
        for bad in [
            " date 2023-13 x",
            " date 2023-02-30 x",
            " date 23-02 x",
            "date: 2023-02 x",
        ] {
            let s = parse_story(bad);
            assert_eq!(s.date, None, "{bad}");
            assert_eq!(s.text, bad);
        }
        assert_eq!(
            parse_story(" date 2024-02-29 x").date.as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(parse_story(" date 2023-02-29 x").date, None);
    }

    #[test]
    fn reading_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("wirenlp-corpus-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("bad.txt");
        std::fs::write(&p, b"caf\xe9 au lait").unwrap();
        let e = read_text(&p, false).unwrap_err();
        assert!(e.to_string().contains("bad.txt") && e.to_string().contains("byte 3"));
        assert_eq!(read_text(&p, true).unwrap(), "caf\u{fffd} au lait");
        let missing = read_text(&dir.join("missing.txt"), false).unwrap_err();
        assert!(missing.to_string().contains("missing.txt"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
