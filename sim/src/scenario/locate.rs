//! Positions in the scenario file, so every error names a line.
//!
//! Serde errors carry a byte span; validation errors carry a key path that
//! is looked up in the document parsed a second time with `toml_edit`, which
//! keeps spans for every key.

use std::fmt;

use toml_edit::{ImDocument, Item, Key, Table, Value};

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A key path such as `flow[2].lines.min`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    pub fn key(mut self, key: &str) -> KeyPath {
        self.0.push(Seg::Key(key.to_owned()));
        self
    }

    pub fn index(mut self, index: usize) -> KeyPath {
        self.0.push(Seg::Index(index));
        self
    }

    /// `flow.lines` → `["flow", "lines"]` (dots only, no indices).
    pub fn dotted(path: &str) -> KeyPath {
        KeyPath(path.split('.').map(|k| Seg::Key(k.to_owned())).collect())
    }

    pub fn join(mut self, other: KeyPath) -> KeyPath {
        self.0.extend(other.0);
        self
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

enum Node<'a> {
    Item(&'a Item),
    Table(&'a Table),
    Value(&'a Value),
}

impl<'a> Node<'a> {
    fn get(&self, key: &str) -> Option<(&'a Key, &'a Item)> {
        match *self {
            Node::Item(item) => item.as_table_like()?.get_key_value(key),
            Node::Table(table) => table.get_key_value(key),
            Node::Value(Value::InlineTable(table)) => table.get_key_value(key),
            Node::Value(_) => None,
        }
    }

    fn at(&self, index: usize) -> Option<(Option<usize>, Node<'a>)> {
        let array = match *self {
            Node::Item(Item::ArrayOfTables(tables)) => {
                let table = tables.get(index)?;
                return Some((table.span().map(|s| s.start), Node::Table(table)));
            }
            Node::Item(Item::Value(Value::Array(array))) => array,
            Node::Value(Value::Array(array)) => array,
            _ => return None,
        };
        let value = array.get(index)?;
        Some((value.span().map(|s| s.start), Node::Value(value)))
    }
}

/// The 1-based line of the deepest key of `path` present in `text`.
pub fn line_of(text: &str, path: &KeyPath) -> usize {
    let Ok(doc) = ImDocument::parse(text) else {
        return 1;
    };
    let mut node = Node::Table(doc.as_table());
    let mut offset = None;
    for seg in &path.0 {
        match seg {
            Seg::Key(k) => {
                let Some((key, item)) = node.get(k) else {
                    break;
                };
                offset = key
                    .span()
                    .or_else(|| item.span())
                    .map(|s| s.start)
                    .or(offset);
                node = Node::Item(item);
            }
            Seg::Index(i) => {
                let Some((start, next)) = node.at(*i) else {
                    break;
                };
                offset = start.or(offset);
                node = next;
            }
        }
    }
    offset.map_or(1, |o| line_at(text, o))
}

/// The 1-based line holding byte `offset`.
pub fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The nearest table header at or before `offset`, e.g. `[[flow]]`.
pub fn header_before(text: &str, offset: usize) -> Option<&str> {
    let end = offset.min(text.len());
    text[..end]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.split('#').next().unwrap_or(l).trim())
}
