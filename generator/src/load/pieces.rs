//! Reading a large YAML spec on several threads: the text is cut into pieces, each piece is
//! read as a mapping of its own, and the mappings are joined in order.
//!
//! Parsing YAML is the largest single cost of a run, and it is sequential. A piece starts at a
//! line that starts a top-level key (at column 0), or a key of a top-level block mapping (at
//! that mapping's indentation; the piece then starts with a copy of the line of its top-level
//! key, so that `paths` can be cut between two paths). Such a line closes every block
//! construct above it, so each piece reads exactly as that part of the whole document does;
//! what spans a cut (a quoted or flow scalar, an alias to an anchor in another piece) makes
//! its piece fail to read. Any failure, or a key in two pieces, gives up: the caller then reads
//! the whole text, which also reports every error at its line. Texts with directives or
//! several documents are not cut.

use super::Direct;
use crate::threads;
use serde_json::{Map, Value};

/// Below this size a text is read in one piece: a thread costs more than it saves.
const MIN_PIECE: usize = 128 << 10;

/// The whole document, read in pieces; `None` when the text is not cut or a piece gives up.
pub(super) fn read(text: &str) -> Option<Value> {
    let count = threads::available().min(text.len() / MIN_PIECE);
    if count < 2 {
        return None;
    }
    read_pieces(&cut(text, count)?)
}

/// A piece of the text, after the line of the top-level key whose mapping it continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece<'a> {
    parent: Option<&'a str>,
    text: &'a str,
}

/// Reads each piece on its own thread (the first on this one) and joins the mappings.
fn read_pieces(pieces: &[Piece]) -> Option<Value> {
    let (first, rest) = pieces.split_first()?;
    let jobs: Vec<_> = rest
        .iter()
        .map(|piece| move || Ok(read_piece(piece)))
        .collect();
    let (first, reads) = threads::parallel("reading YAML", jobs, || Ok(read_piece(first))).ok()?;
    let mut map = first?;
    for (piece, read) in rest.iter().zip(reads) {
        let mut entries = read?.into_iter();
        if piece.parent.is_some() {
            let (key, Value::Object(more)) = entries.next()? else {
                return None;
            };
            let Some(Value::Object(into)) = map.get_mut(&key) else {
                return None;
            };
            join(into, more)?;
        }
        join(&mut map, entries)?;
    }
    Some(Value::Object(map))
}

/// Adds `entries` to `map`; `None` if a key is already there.
fn join(
    map: &mut Map<String, Value>,
    entries: impl IntoIterator<Item = (String, Value)>,
) -> Option<()> {
    for (key, value) in entries {
        if map.insert(key, value).is_some() {
            return None;
        }
    }
    Some(())
}

fn read_piece(piece: &Piece) -> Option<Map<String, Value>> {
    let read = match piece.parent {
        Some(parent) => serde_yaml::from_str::<Direct>(&format!("{parent}{}", piece.text)),
        None => serde_yaml::from_str::<Direct>(piece.text),
    };
    match read.ok()?.0 {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// `text` cut into `count` pieces of about equal size.
fn cut(text: &str, count: usize) -> Option<Vec<Piece<'_>>> {
    let cuts = cuts(text)?;
    let mut pieces = Vec::with_capacity(count);
    let mut from = (0, None);
    for i in 1..count {
        let target = text.len() * i / count;
        let next = cuts
            .iter()
            .copied()
            .filter(|&(at, _)| at > from.0)
            .min_by_key(|&(at, _)| at.abs_diff(target))?;
        pieces.push(Piece {
            parent: from.1,
            text: &text[from.0..next.0],
        });
        from = next;
    }
    pieces.push(Piece {
        parent: from.1,
        text: &text[from.0..],
    });
    Some(pieces)
}

/// The places `text` may be cut (see the module docs), each with the line of the top-level
/// key it continues; `None` for a text with directives (`%`) or document markers (`---`,
/// `...`).
fn cuts(text: &str) -> Option<Vec<(usize, Option<&str>)>> {
    let starts_key =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'/' | b'"' | b'\'');
    let mut cuts = Vec::new();
    // The current top-level key, when its line is only `key:`, and once its first content
    // line is seen, that line's indentation if it starts a key.
    let mut section: Option<(&str, Option<Option<usize>>)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        if line.starts_with('%') || line.starts_with("---") || line.starts_with("...") {
            return None;
        }
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        let Some(&first) = content.as_bytes().first() else {
            continue;
        };
        if indent == 0 && starts_key(first) {
            if at > 0 {
                cuts.push((at, None));
            }
            let bare = line
                .trim_end()
                .strip_suffix(':')
                .is_some_and(|key| !key.contains(": "));
            section = bare.then_some((line, None));
            continue;
        }
        if matches!(first, b'#' | b'\r' | b'\n') {
            continue;
        }
        match &mut section {
            Some((_, child @ None)) => {
                *child = Some((indent > 0 && starts_key(first)).then_some(indent))
            }
            Some((parent, Some(Some(child)))) if indent == *child && starts_key(first) => {
                cuts.push((at, Some(*parent)))
            }
            _ => {}
        }
    }
    Some(cuts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Reporter;

    /// Documents whose lines hide traps for a cut: multi-line quoted and flow scalars with
    /// lines at a key's indentation, block scalars, anchors used across keys, merge keys,
    /// comments, keys written twice, sequences, roots that are not mappings, bad indentation.
    const TRAPS: &[&str] = &[
        "a: 1\nb: [1, 2]\nc: {d: e}\n\"q\": 'x'\n'r': 2\n",
        "a: \"one\nb: two\"\nc: 3\n",
        "a: [1,\nb]\nc: 3\n",
        "a: {x: 1,\nb: 2}\nc: 3\n",
        "a: |\n  text\n\n  more\nb: >\n  folded\nc: 1\n",
        "a: &x {k: 1}\nb: *x\nc: 2\n",
        "a: &x {k: 1}\nb:\n  <<: *x\n  j: 2\n",
        "# comment\na: 1\n# between\nb: 2\n",
        "a: 1\nb: 2\na: 3\n",
        "a:\n- 1\n- 2\nb:\n  c: 3\n",
        "|\nkey: x\nfoo: y\n",
        "a: 1\n---\nb: 2\n",
        "%YAML 1.2\n---\na: 1\nb: 2\n",
        "200: a\n'200': b\n",
        "a: !tag 1\nb: 2\n",
        "a: plain\ncontinued: 1\n",
        "a: 'it''s\n'\nb: 1\n",
        "k:\n  a: 1\n  b: \"x\n  c: y\"\n  d: 2\nl: 3\n",
        "k:\n  a:\n  - 1\n  b: 2\n  c:\n    - 3\n  d: 4\n",
        "tags:\n- name: a\n  description: b\n- name: c\n  description: d\n",
        "k:\n  - name: a\n    description: b\n",
        "k:\n  a: &x 1\n  b: *x\n",
        "k: &k\n  a: 1\n  b: 2\n",
        "k:\n  a: 1\n  a: 2\n",
        "k:\n  # comment\n  a: 1\n  b: |\n    t\n\n  c: 2\n",
        "k:\n    a: 1\n    b: 2\n",
        "k:\n  a: 1\nk2:\n  b: 1\n  c: 1\n",
        "k:\n  a: 1\n b: 2\n",
        "k:\n  a:\n    x: 1\n  b: 2\n  'c': {d: [1,\n  e]}\n  f: plain\n  still plain\n  g: 3\n",
        "k:\r\n  a: 1\r\n  b: 2\r\n",
        "k:\n  a: 1\nk:\n  b: 2\n",
        "k:\n  a: [1, 2]\n  b: >-\n    x\n  c: 'y'\nl:\n  m: 1\n",
    ];

    /// Cut at every possible place, each trap reads the same as in one piece, or not at all.
    /// Returns how many cuts read.
    fn check_every_cut(text: &str) -> usize {
        let reporter = Reporter::new("t.yaml");
        let whole = super::super::parse_text(&reporter, text.as_bytes()).ok();
        let mut read = 0;
        for (at, parent) in cuts(text).unwrap_or_default() {
            let pieces = [
                Piece {
                    parent: None,
                    text: &text[..at],
                },
                Piece {
                    parent,
                    text: &text[at..],
                },
            ];
            if let Some(value) = read_pieces(&pieces) {
                assert_eq!(Some(value), whole, "cut at {at}: {text:?}");
                read += 1;
            }
        }
        read
    }

    #[test]
    fn a_cut_never_changes_what_is_read() {
        let read: usize = TRAPS.iter().map(|text| check_every_cut(text)).sum();
        // Most cuts are clean, so the comparison above is not vacuous.
        assert!(read > 25, "{read}");
    }

    #[test]
    fn clean_cuts_read_and_unsafe_ones_give_up() {
        let cut_in_two = |text: &str| read_pieces(&cut(text, 2)?);
        assert_eq!(
            cut_in_two(TRAPS[0]),
            serde_json::from_str(r#"{"a":1,"b":[1,2],"c":{"d":"e"},"q":"x","r":2}"#).ok()
        );
        assert!(cut_in_two(TRAPS[4]).is_some());
        assert!(cut_in_two("a: &x {k: 1}\nb: *x\n").is_none());
        assert!(cut_in_two("a: 1\na: 2\n").is_none());
        assert!(cut_in_two("a: \"one\nb: two\"\n").is_none());
        assert!(cut_in_two("k:\n  a: 1\n  a: 2\n").is_none());
        assert!(cuts("a: 1\n---\nb: 2\n").is_none());
    }

    #[test]
    fn pieces_are_about_equal_and_continue_their_mapping() {
        let text = "a: 1\nb: 2\nc: 3\nd: 4\n";
        let texts: Vec<&str> = cut(text, 2).unwrap().iter().map(|p| p.text).collect();
        assert_eq!(texts, ["a: 1\nb: 2\n", "c: 3\nd: 4\n"]);
        assert_eq!(cut(text, 4).unwrap().len(), 4);
        let paths = "openapi: 3.0.0\npaths:\n  /a:\n    get: {}\n  /b:\n    get: {}\n";
        assert_eq!(
            cut(paths, 2).unwrap(),
            [
                Piece {
                    parent: None,
                    text: "openapi: 3.0.0\npaths:\n  /a:\n    get: {}\n"
                },
                Piece {
                    parent: Some("paths:\n"),
                    text: "  /b:\n    get: {}\n"
                }
            ]
        );
        assert_eq!(
            read_pieces(&cut(paths, 2).unwrap()),
            serde_json::from_str(
                r#"{"openapi":"3.0.0","paths":{"/a":{"get":{}},"/b":{"get":{}}}}"#
            )
            .ok()
        );
        assert_eq!(cuts("k: &k\n  a: 1\n  b: 2\n").unwrap(), []);
        assert_eq!(cuts("k:\n- a: 1\n  b: 2\n").unwrap(), []);
    }
}
