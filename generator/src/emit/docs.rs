//! Spec descriptions → rustdoc lines that build without warnings.
//!
//! Spec text is Markdown written for web pages: it has HTML-looking text (`<Play>`), bare URLs,
//! square brackets that rustdoc reads as intra-doc links, and code blocks rustdoc would compile
//! as doctests. Each is neutralized here; the words stay as written.

use crate::ir::Facts;

/// Rustdoc lines for a piece of spec Markdown.
pub fn lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    for raw in text.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let trimmed = raw.trim_start();
        if let Some(marker) = fence_marker(trimmed) {
            match &fence {
                Some(open) if marker == *open => {
                    fence = None;
                    out.push(marker);
                }
                Some(_) => out.push(raw.to_string()),
                None => {
                    // Untagged fences are Rust doctests to rustdoc; spec examples are not Rust.
                    out.push(format!("{marker}text"));
                    fence = Some(marker);
                }
            }
            continue;
        }
        if fence.is_some() {
            out.push(raw.to_string());
        } else {
            // Leading indentation would make an indented (doctest) code block.
            out.push(inline(trimmed.trim_end()));
        }
    }
    if let Some(marker) = fence {
        out.push(marker);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

fn fence_marker(line: &str) -> Option<String> {
    for marker in ["```", "~~~"] {
        if line.starts_with(marker) {
            let len = line
                .chars()
                .take_while(|c| *c == marker.chars().next().unwrap_or('`'))
                .count();
            return Some(marker.chars().next().unwrap_or('`').to_string().repeat(len));
        }
    }
    None
}

/// Escapes one line of prose outside code spans.
fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    for (i, part) in line.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part);
        } else {
            prose(part, &mut out);
        }
    }
    // An unpaired backtick opens a code span that never closes; rustdoc is fine with that.
    out
}

fn prose(text: &str, out: &mut String) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = |prefix: &str| {
            let mut it = chars[i..].iter();
            prefix.chars().all(|c| it.next() == Some(&c))
        };
        if chars[i] == 'h' && (starts("http://") || starts("https://")) {
            let end = url_end(&chars, i);
            let url: String = chars[i..end].iter().collect();
            out.push('<');
            out.push_str(&url);
            out.push('>');
            i = end;
            continue;
        }
        match chars[i] {
            '[' => {
                if let Some((text_end, url_end)) = markdown_link(&chars, i) {
                    out.push('[');
                    let label: String = chars[i + 1..text_end].iter().collect();
                    prose_no_links(&label, out);
                    out.push(']');
                    out.extend(&chars[text_end + 1..url_end]);
                    i = url_end;
                    continue;
                }
                out.push_str("\\[");
            }
            ']' => out.push_str("\\]"),
            '<' => out.push_str("\\<"),
            '>' => out.push_str("\\>"),
            c => out.push(c),
        }
        i += 1;
    }
}

fn prose_no_links(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("\\<"),
            '>' => out.push_str("\\>"),
            c => out.push(c),
        }
    }
}

/// `[text](url)` starting at `start`: the index of `]` and one past `)`.
fn markdown_link(chars: &[char], start: usize) -> Option<(usize, usize)> {
    let close = start + chars[start..].iter().position(|c| *c == ']')?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let paren = close + 1 + chars[close + 1..].iter().position(|c| *c == ')')?;
    let url: String = chars[close + 2..paren].iter().collect();
    (url.starts_with("http") || url.starts_with('/') || url.starts_with('#'))
        .then_some((close, paren + 1))
}

fn url_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    while end < chars.len() && !chars[end].is_whitespace() && !"<>\"'`()[]".contains(chars[end]) {
        end += 1;
    }
    while end > start && ".,;:!?".contains(chars[end - 1]) {
        end -= 1;
    }
    end
}

/// Text made safe for a doc comment: control characters (a bare CR is a compile error in a
/// doc comment) and bidirectional-text controls (denied by rustc's
/// `text_direction_codepoint_in_comment`) are shown as `\u{…}` escapes.
pub fn clean(text: &str) -> String {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
    };
    if !text.chars().any(unsafe_char) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if unsafe_char(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Documentation for a value: its description, then its format, default, example, pattern.
pub fn fact_lines(facts: &Facts) -> Vec<String> {
    let mut out = facts.description.as_deref().map(lines).unwrap_or_default();
    let mut notes = Vec::new();
    if let Some(format) = &facts.format {
        notes.push(format!("Format: {}.", code(format)));
    }
    if let Some(default) = &facts.default {
        notes.push(format!("Default: {}.", code(default)));
    }
    if let Some(example) = &facts.example {
        notes.push(format!("Example: {}.", code(example)));
    }
    if let Some(pattern) = &facts.pattern {
        notes.push(format!("Pattern: {}.", code(pattern)));
    }
    if facts.deprecated {
        notes.push("Deprecated.".to_string());
    }
    if !notes.is_empty() {
        if !out.is_empty() {
            out.push(String::new());
        }
        out.push(notes.join(" "));
    }
    out
}

/// What the docs say where a value's encoding advice was dropped: the client encodes path,
/// query and form values itself.
pub const ENCODED_BY_CLIENT: &str = "Pass the value as is: the client percent-encodes it.";

/// `facts` without the sentences of its description that tell the caller to percent- or
/// URL-encode the value, or `None` when it has none. The client encodes path, query and form
/// values itself, so a caller who followed such advice would have the value encoded twice
/// (`agent 7` → `agent%207` → sent as `agent%25207`, which names no participant).
pub fn without_encoding_advice(facts: &Facts) -> Option<Facts> {
    let description = facts.description.as_deref()?;
    // Most descriptions never mention encoding: skip the sentence split for them.
    if !description.to_ascii_lowercase().contains("encod") {
        return None;
    }
    let mut kept = String::with_capacity(description.len());
    let mut dropped = false;
    for sentence in sentences(description) {
        if is_encoding_advice(sentence) {
            dropped = true;
        } else {
            kept.push_str(sentence);
        }
    }
    dropped.then(|| Facts {
        description: Some(kept.trim_end().to_string()).filter(|d| !d.is_empty()),
        ..facts.clone()
    })
}

/// `text` cut after each `.`, `!` or `?` that ends it or is followed by white space; each
/// piece keeps its trailing white space, so the pieces join back into `text`.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        match chars.peek() {
            Some((_, next)) if !next.is_whitespace() => continue,
            _ => {}
        }
        let mut end = i + c.len_utf8();
        while let Some((j, w)) = chars.peek().copied().filter(|(_, w)| w.is_whitespace()) {
            end = j + w.len_utf8();
            chars.next();
        }
        out.push(&text[start..end]);
        start = end;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// A sentence that asks the reader to percent- or URL-encode something ("must be percent
/// encoded", "Be sure to URL-encode", "Percent-encode …"), as opposed to one that describes
/// a format ("a URL-encoded JSON string").
fn is_encoding_advice(sentence: &str) -> bool {
    let s = sentence.to_ascii_lowercase().replace(['-', '_'], " ");
    let s = s.trim_start();
    let mentions = ["percent encod", "url encod", "urlencod", "uri encod"]
        .iter()
        .any(|w| s.contains(w));
    let asks = ["must", "should", "be sure", "make sure", "need", "have to"]
        .iter()
        .any(|w| s.contains(w))
        || [
            "percent encode",
            "url encode",
            "urlencode",
            "uri encode",
            "encode",
        ]
        .iter()
        .any(|w| s.starts_with(w));
    mentions && asks
}

/// A value as an inline code span, shortened if long.
pub fn code(value: &str) -> String {
    let mut text: String = value.chars().filter(|c| *c != '\n').take(100).collect();
    if value.chars().count() > 100 {
        text.push('…');
    }
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_links_and_urls() {
        assert_eq!(
            lines("Contains `<Play>` or <Say> verbs, see [Call](https://x.io/a) and https://x.io/b."),
            vec!["Contains `<Play>` or \\<Say\\> verbs, see [Call](https://x.io/a) and <https://x.io/b>."]
        );
        assert_eq!(
            lines("[not a link] a[0]"),
            vec!["\\[not a link\\] a\\[0\\]"]
        );
    }

    fn advice_dropped(description: &str) -> Option<Option<String>> {
        let facts = Facts {
            description: Some(description.to_string()),
            ..Facts::default()
        };
        without_encoding_advice(&facts).map(|f| f.description)
    }

    #[test]
    fn encoding_advice_is_dropped_and_format_descriptions_kept() {
        assert_eq!(
            advice_dropped("The SID or label of the participant. Non URL safe characters in a label must be percent encoded, for example, a space character is represented as %20."),
            Some(Some("The SID or label of the participant.".to_string()))
        );
        assert_eq!(
            advice_dropped(
                "Percent-encode label characters (a space becomes %20). Then more.\nLast"
            ),
            Some(Some("Then more.\nLast".to_string()))
        );
        assert_eq!(
            advice_dropped("Digits to send, `W1234#`. Be sure to URL-encode this string because the `#` character has special meaning in a URL. If both are given, the first wins."),
            Some(Some("Digits to send, `W1234#`. If both are given, the first wins.".to_string()))
        );
        assert_eq!(
            advice_dropped("Be sure to urlencode a `+` as `%2B`."),
            Some(None)
        );
        assert_eq!(
            advice_dropped("The message as a URL-encoded JSON string."),
            None
        );
        assert_eq!(advice_dropped("Sent as form-urlencoded data."), None);
        assert_eq!(advice_dropped("No mention at all."), None);
        assert_eq!(sentences("a. b.c d! e"), vec!["a. ", "b.c d! ", "e"]);
    }

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        assert_eq!(clean("a\rb\u{202e}c\td"), "a\\u{d}b\\u{202e}c\td");
    }

    #[test]
    fn code_blocks_are_not_doctests() {
        assert_eq!(
            lines("Example:\n```\nAuthorization: Basic x\n```\n    indented"),
            vec![
                "Example:",
                "```text",
                "Authorization: Basic x",
                "```",
                "indented"
            ]
        );
    }
}
