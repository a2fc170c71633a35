//! A small deterministic JSON writer (keys in the order given, two-space indentation).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

pub(super) enum Json {
    Str(String),
    Num(u64),
    Bool(bool),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::Str(s.to_owned())
    }
}
impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::Str(s)
    }
}
impl From<u64> for Json {
    fn from(n: u64) -> Self {
        Json::Num(n)
    }
}
impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Self {
        Json::Arr(items)
    }
}
impl From<Obj> for Json {
    fn from(obj: Obj) -> Self {
        Json::Obj(obj.0)
    }
}

/// An object under construction. The `p_*` methods follow the proto3 JSON mapping: field
/// names in lowerCamelCase, default values omitted, uint64 as a decimal string, bytes as
/// standard base64 with padding, enums by name.
pub(super) struct Obj(Vec<(String, Json)>);

impl Obj {
    pub(super) fn new() -> Self {
        Obj(Vec::new())
    }

    pub(super) fn put(mut self, key: &str, value: impl Into<Json>) -> Self {
        self.0.push((key.to_owned(), value.into()));
        self
    }

    pub(super) fn hex(self, key: &str, bytes: &[u8]) -> Self {
        self.put(key, hex::encode(bytes))
    }

    pub(super) fn p_str(self, key: &str, value: &str) -> Self {
        if value.is_empty() {
            self
        } else {
            self.put(key, value)
        }
    }

    pub(super) fn p_u64(self, key: &str, value: u64) -> Self {
        if value == 0 {
            self
        } else {
            self.put(key, value.to_string())
        }
    }

    /// A uint32 (a JSON number, unlike uint64); omitted when 0.
    pub(super) fn p_u32(self, key: &str, value: u32) -> Self {
        if value == 0 {
            self
        } else {
            self.put(key, u64::from(value))
        }
    }

    /// A bool; omitted when false.
    pub(super) fn p_bool(self, key: &str, value: bool) -> Self {
        if value {
            self.put(key, Json::Bool(true))
        } else {
            self
        }
    }

    pub(super) fn p_bytes(self, key: &str, value: &[u8]) -> Self {
        if value.is_empty() {
            self
        } else {
            self.put(key, BASE64.encode(value))
        }
    }

    pub(super) fn p_enum(self, key: &str, value: i32, name: &str) -> Self {
        if value == 0 {
            self
        } else {
            self.put(key, name)
        }
    }
}

fn escape(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_json(value: &Json, indent: usize, out: &mut String) {
    let pad = |n: usize| "  ".repeat(n);
    match value {
        Json::Str(s) => escape(s, out),
        Json::Num(n) => out.push_str(&n.to_string()),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Arr(items) if items.is_empty() => out.push_str("[]"),
        Json::Obj(fields) if fields.is_empty() => out.push_str("{}"),
        Json::Arr(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write_json(item, indent + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Json::Obj(fields) => {
            out.push_str("{\n");
            for (i, (key, item)) in fields.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                escape(key, out);
                out.push_str(": ");
                write_json(item, indent + 1, out);
                out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
    }
}

pub(super) fn to_text(value: impl Into<Json>) -> String {
    let mut out = String::new();
    write_json(&value.into(), 0, &mut out);
    out.push('\n');
    out
}
