//! Python and Werkzeug behaviour that Flask-JWT-Extended's answers depend
//! on, in one place: `str.isspace()`, `str.split()`, `re.split(r",\s*")`,
//! truthiness, and WSGI's latin-1 decoding of header bytes.

use serde_json::Value;

/// Python's `str.isspace()` for the characters a header can hold (latin-1).
pub(crate) fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\x1c'..='\x1f' | ' ' | '\u{85}' | '\u{a0}'
    )
}

/// The length in bytes of the Python whitespace character starting at `i`
/// (0 when there is none). Header strings are ASCII or latin-1 decoded, so
/// the only multi-byte whitespace is U+0085 and U+00A0 (`C2 85`, `C2 A0`).
pub(crate) fn space_len(b: &[u8], i: usize) -> usize {
    match b[i] {
        b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f | b' ' => 1,
        0xC2 if matches!(b.get(i + 1), Some(0x85 | 0xA0)) => 2,
        _ => 0,
    }
}

/// The end of the word starting at `i`: the next Python whitespace, or the
/// end. Whole chunks are skipped while no byte in them can begin whitespace
/// (every such byte is below `0x21` or is `0xC2`); a token is hundreds of
/// bytes long and this runs on every request.
pub(crate) fn word_end(b: &[u8], mut i: usize) -> usize {
    const CHUNK: usize = 32;
    while let Some(chunk) = b.get(i..i + CHUNK) {
        // No early exit inside the chunk, so the compiler can vectorise it.
        let maybe_space = chunk
            .iter()
            .fold(false, |hit, &c| hit | (c < 0x21) | (c == 0xC2));
        if maybe_space {
            break;
        }
        i += CHUNK;
    }
    while i < b.len() && space_len(b, i) == 0 {
        i += 1;
    }
    i
}

/// Python's `str.split()` with no argument, for header strings, scanning
/// bytes (a token is hundreds of characters; this is on every request).
pub(crate) fn py_split(s: &str) -> impl Iterator<Item = &str> {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            if i >= b.len() {
                return None;
            }
            match space_len(b, i) {
                0 => break,
                n => i += n,
            }
        }
        let start = i;
        i = word_end(b, i);
        // Both ends are at a whitespace start or the end: char boundaries.
        s.get(start..i)
    })
}

/// Python's `re.split(r",\s*", s)`.
pub(crate) fn split_fields(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.find(',') {
            Some(i) => {
                let field = &current[..i];
                rest = Some(current[i + 1..].trim_start_matches(is_py_space));
                Some(field)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// Python truthiness of a JSON value.
pub(crate) fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Appends `bytes` decoded as latin-1 (each byte one character), as WSGI
/// decodes header values.
pub(crate) fn latin1_into(out: &mut String, bytes: &[u8]) {
    out.extend(bytes.iter().map(|&b| char::from(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_fields_matches_python_re_split() {
        let v: Vec<&str> = split_fields("a,  b,c,").collect();
        assert_eq!(v, vec!["a", "b", "c", ""]);
        let v: Vec<&str> = split_fields("Bearer x").collect();
        assert_eq!(v, vec!["Bearer x"]);
    }

    #[test]
    fn py_split_matches_python_str_split() {
        let cases: [(&str, &[&str]); 7] = [
            ("Bearer tok", &["Bearer", "tok"]),
            ("  Bearer\t\ttok  ", &["Bearer", "tok"]),
            ("a\x1cb\x0bc", &["a", "b", "c"]),
            ("Bearer\u{85}tok\u{a0}", &["Bearer", "tok"]),
            ("caf\u{e9} \u{c5}\u{85}x", &["caf\u{e9}", "\u{c5}", "x"]),
            ("", &[]),
            (" \u{a0} ", &[]),
        ];
        for (input, words) in cases {
            let got: Vec<&str> = py_split(input).collect();
            assert_eq!(got, words, "{input:?}");
        }
    }

    #[test]
    fn py_split_uses_python_whitespace() {
        let v: Vec<&str> = py_split("Bearer\u{a0}tok").collect();
        assert_eq!(v, vec!["Bearer", "tok"]);
    }

    #[test]
    fn word_end_agrees_with_a_byte_by_byte_scan() {
        let alphabet: [&str; 12] = [
            "a", ".", "-", " ", "\t", "\x1f", "\x21", "\u{85}", "\u{a0}", "\u{a9}", "\u{e9}",
            "\x7f",
        ];
        // Every position of every separator inside runs longer than a chunk.
        for sep in alphabet {
            for len in 0..80 {
                for at in 0..=len {
                    let mut s = "x".repeat(at);
                    s.push_str(sep);
                    s.push_str(&"y".repeat(len - at));
                    let b = s.as_bytes();
                    for start in [0, 1.min(b.len())] {
                        let mut slow = start;
                        while slow < b.len() && space_len(b, slow) == 0 {
                            slow += 1;
                        }
                        assert_eq!(word_end(b, start), slow, "{s:?} from {start}");
                    }
                }
            }
        }
    }
}
