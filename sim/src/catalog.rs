//! The item master a scenario draws its orders from, read from a CSV file.
//!
//! Columns, by header name (order free, extra columns ignored):
//! `item_code, bar_code, item_name, spec, unit, weight_g, length_mm,
//! width_mm, height_mm, shelf_life_days, batch_managed, sn_managed,
//! price_yuan`. Barcodes are `;`-separated; a shelf life of 0 means none;
//! prices are read into fen with decimal arithmetic, never floats.
//! Names may hold quotes, `&`, `<`, commas and emoji: the csv crate reads
//! them; the codecs escape them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use mocks::domain::{Item, ItemCode};

/// The items of one catalog file, in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalog {
    pub items: Vec<Item>,
    /// The `spec` column per item, same order as `items`; the domain
    /// [`Item`] has no field for it.
    pub specs: Vec<String>,
}

/// Why a catalog could not be read. Lines are 1-based file lines.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {source}")]
    Csv {
        path: PathBuf,
        line: u64,
        source: csv::Error,
    },
    #[error("{path}: missing column \"{column}\"")]
    MissingColumn { path: PathBuf, column: &'static str },
    #[error("{path}:{line}: column {column}: {value:?} {reason}")]
    BadValue {
        path: PathBuf,
        line: u64,
        column: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("{path}:{line}: item {item_code} appears twice")]
    DuplicateItem {
        path: PathBuf,
        line: u64,
        item_code: String,
    },
}

const COLUMNS: [&str; 13] = [
    "item_code",
    "bar_code",
    "item_name",
    "spec",
    "unit",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "shelf_life_days",
    "batch_managed",
    "sn_managed",
    "price_yuan",
];

impl Catalog {
    /// Read a catalog file.
    pub fn read(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: path.to_owned(),
            source,
        })?;
        Catalog::parse(path, &text)
    }

    /// Read catalog text; `path` is used in errors only.
    pub fn parse(path: &Path, text: &str) -> Result<Catalog, CatalogError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let csv_error = |source: csv::Error| CatalogError::Csv {
            path: path.to_owned(),
            line: source.position().map_or(1, |p| p.line()),
            source,
        };
        let headers = reader.headers().map_err(csv_error)?.clone();
        let mut index = [0usize; 13];
        for (slot, column) in index.iter_mut().zip(COLUMNS) {
            *slot = headers.iter().position(|h| h == column).ok_or_else(|| {
                CatalogError::MissingColumn {
                    path: path.to_owned(),
                    column,
                }
            })?;
        }

        let mut catalog = Catalog::default();
        let mut seen = HashSet::new();
        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            let line = record.position().map_or(0, |p| p.line());
            let row = Row {
                path,
                line,
                record: &record,
                index: &index,
            };
            let (item, spec) = row.to_item()?;
            if !seen.insert(item.item_code.clone()) {
                return Err(CatalogError::DuplicateItem {
                    path: path.to_owned(),
                    line,
                    item_code: item.item_code.0,
                });
            }
            catalog.items.push(item);
            catalog.specs.push(spec);
        }
        Ok(catalog)
    }

    /// The item with this code.
    pub fn item(&self, item_code: &ItemCode) -> Option<&Item> {
        self.items.iter().find(|i| &i.item_code == item_code)
    }
}

struct Row<'a> {
    path: &'a Path,
    line: u64,
    record: &'a csv::StringRecord,
    index: &'a [usize; 13],
}

impl Row<'_> {
    fn get(&self, column: usize) -> &str {
        self.record.get(self.index[column]).unwrap_or("")
    }

    fn bad(&self, column: usize, reason: &'static str) -> CatalogError {
        CatalogError::BadValue {
            path: self.path.to_owned(),
            line: self.line,
            column: COLUMNS[column],
            value: self.get(column).to_owned(),
            reason,
        }
    }

    fn number(&self, column: usize) -> Result<Option<u32>, CatalogError> {
        let value = self.get(column);
        if value.is_empty() {
            return Ok(None);
        }
        value
            .parse()
            .map(Some)
            .map_err(|_| self.bad(column, "is not a whole number"))
    }

    fn flag(&self, column: usize) -> Result<bool, CatalogError> {
        match self.get(column).to_ascii_lowercase().as_str() {
            "true" | "1" | "y" | "yes" => Ok(true),
            "false" | "0" | "n" | "no" | "" => Ok(false),
            _ => Err(self.bad(column, "is not true or false")),
        }
    }

    fn to_item(&self) -> Result<(Item, String), CatalogError> {
        let code = self.get(0);
        if code.is_empty() {
            return Err(self.bad(0, "is empty"));
        }
        let price = self.get(12);
        let retail_price_fen = if price.is_empty() {
            None
        } else {
            Some(parse_fen(price).ok_or_else(|| self.bad(12, "is not a price in yuan"))?)
        };
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());

        let item = Item {
            item_code: ItemCode::from(code),
            item_name: self.get(2).to_owned(),
            bar_codes: self
                .get(1)
                .split(';')
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .map(str::to_owned)
                .collect(),
            unit: non_empty(self.get(4)),
            gross_weight_g: self.number(5)?,
            length_mm: self.number(6)?,
            width_mm: self.number(7)?,
            height_mm: self.number(8)?,
            shelf_life_days: self.number(9)?.filter(|d| *d > 0),
            batch_managed: self.flag(10)?,
            sn_managed: self.flag(11)?,
            retail_price_fen,
        };
        Ok((item, self.get(3).to_owned()))
    }
}

/// `"69.90"` → 6990 fen; at most two decimals, no sign, no exponent.
pub fn parse_fen(yuan: &str) -> Option<u64> {
    let (whole, fraction) = yuan.split_once('.').unwrap_or((yuan, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 2 {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "item_code,bar_code,item_name,spec,unit,weight_g,length_mm,\
        width_mm,height_mm,shelf_life_days,batch_managed,sn_managed,price_yuan\n";

    fn parse(rows: &str) -> Result<Catalog, CatalogError> {
        Catalog::parse(Path::new("c.csv"), &format!("{HEADER}{rows}"))
    }

    #[test]
    fn prices_become_exact_fen() {
        assert_eq!(parse_fen("69.90"), Some(6990));
        assert_eq!(parse_fen("1.2"), Some(120));
        assert_eq!(parse_fen("0.00"), Some(0));
        assert_eq!(parse_fen("298"), Some(29800));
        assert_eq!(parse_fen("0.07"), Some(7));
        assert_eq!(parse_fen("1.234"), None);
        assert_eq!(parse_fen("-1.00"), None);
        assert_eq!(parse_fen("1e3"), None);
        assert_eq!(parse_fen(".5"), None);
    }

    #[test]
    fn quoted_names_with_commas_quotes_and_markup_survive() {
        let rows = "LH3008,2026031000527,\"企业定制 \"\"丰收\"\" 米礼盒, 5kg\",5kg,盒,\
            5900,420,300,150,365,true,true,238.00\n\
            LH3004,2026031000480;2026031001480,杂粮礼盒 A&B <送礼>款 🌾,400g×5,盒,\
            2500,380,260,100,0,false,false,88\n";

        let catalog = parse(rows).unwrap();

        let first = &catalog.items[0];
        assert_eq!(first.item_name, "企业定制 \"丰收\" 米礼盒, 5kg");
        assert!(first.sn_managed && first.batch_managed);
        assert_eq!(first.retail_price_fen, Some(23800));
        assert_eq!(first.shelf_life_days, Some(365));
        let second = &catalog.items[1];
        assert_eq!(second.item_name, "杂粮礼盒 A&B <送礼>款 🌾");
        assert_eq!(second.bar_codes, vec!["2026031000480", "2026031001480"]);
        assert_eq!(second.shelf_life_days, None);
        assert_eq!(catalog.specs[1], "400g×5");
    }

    #[test]
    fn bad_value_names_line_and_column() {
        let rows = "A1,1,n,s,u,10,1,1,1,0,true,false,1.00\n\
                    A2,1,n,s,u,ten,1,1,1,0,true,false,1.00\n";

        let err = parse(rows).unwrap_err();

        assert_eq!(
            err.to_string(),
            "c.csv:3: column weight_g: \"ten\" is not a whole number"
        );
    }

    #[test]
    fn duplicate_item_codes_are_refused() {
        let rows = "A1,1,n,s,u,10,1,1,1,0,true,false,1.00\n\
                    A1,1,n,s,u,10,1,1,1,0,true,false,1.00\n";

        let err = parse(rows).unwrap_err();

        assert!(matches!(err, CatalogError::DuplicateItem { line: 3, .. }));
    }

    #[test]
    fn missing_column_is_named() {
        let err = Catalog::parse(Path::new("c.csv"), "item_code,item_name\nA,b\n").unwrap_err();

        assert_eq!(err.to_string(), "c.csv: missing column \"bar_code\"");
    }

    #[test]
    fn shipped_catalog_reads_every_row() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/catalog.csv");

        let catalog = Catalog::read(&path).unwrap();

        assert_eq!(catalog.items.len(), 60);
        let lh3001 = catalog.item(&ItemCode::from("LH3001")).unwrap();
        assert_eq!(lh3001.retail_price_fen, Some(19800));
        assert_eq!(lh3001.bar_codes.len(), 2);
        assert!(lh3001.sn_managed);
    }
}
