//! Markdown tables whose columns line up in a terminal as well.

/// Column alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A Markdown table: a header row, then body rows of the same width.
#[derive(Debug)]
pub(crate) struct Table {
    header: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(header: Vec<(String, Align)>) -> Table {
        Table {
            header,
            rows: Vec::new(),
        }
    }

    /// Appends a row; it must have one cell per column.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.header.len(), "table row width");
        self.rows.push(cells);
    }

    /// Renders the table, each line ending in `\n`. `|` in cells is escaped.
    pub(crate) fn render(&self) -> String {
        let escape = |cell: &str| cell.replace('|', "\\|");
        let header: Vec<String> = self.header.iter().map(|(h, _)| escape(h)).collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(|c| escape(c)).collect())
            .collect();
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                rows.iter()
                    .map(|row| row[i].chars().count())
                    .chain([header[i].chars().count(), 3])
                    .max()
                    .unwrap_or(3)
            })
            .collect();
        let line = |cells: &[String]| {
            let mut out = String::from("|");
            for (i, cell) in cells.iter().enumerate() {
                let pad = " ".repeat(widths[i] - cell.chars().count());
                match self.header[i].1 {
                    Align::Left => out.push_str(&format!(" {cell}{pad} |")),
                    Align::Right => out.push_str(&format!(" {pad}{cell} |")),
                }
            }
            out.push('\n');
            out
        };
        let mut out = line(&header);
        out.push('|');
        for (i, (_, align)) in self.header.iter().enumerate() {
            let dashes = "-".repeat(widths[i] - 1);
            match align {
                Align::Left => out.push_str(&format!(" {dashes}- |")),
                Align::Right => out.push_str(&format!(" {dashes}: |")),
            }
        }
        out.push('\n');
        for row in &rows {
            out.push_str(&line(row));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_aligned() {
        let mut table = Table::new(vec![
            ("name".to_string(), Align::Left),
            ("s".to_string(), Align::Right),
        ]);
        table.row(vec!["A".to_string(), "0.412".to_string()]);
        table.row(vec!["a|b".to_string(), "12.000".to_string()]);
        let expected = [
            "| name |      s |",
            "| ---- | -----: |",
            "| A    |  0.412 |",
            "| a\\|b | 12.000 |",
        ];
        assert_eq!(table.render(), expected.join("\n") + "\n");
    }
}
