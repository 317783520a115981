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
