//! From Filosofi 200 m cells to [`Origin`]s ([`cell_origins`]): one origin per inhabited
//! cell at the cell's centre, population `ind`, the ten age bands as published
//! ([`crate::inputs::demand::AGE_COLUMNS`]), income `ind_snv` (sum of the inhabitants' standard of
//! living, euros per year; INSEE, *Données carroyées Filosofi 2019*, documentation).
//!
//! The cells are already validated by [`crate::inputs::demand::filosofi::read_filosofi`] (bad rows
//! are rejected there), so every cell becomes an origin.

use super::filosofi::Cell;
use super::Origin;

/// Origins of the cells read from `file`, in the cells' order.
pub fn cell_origins(cells: &[Cell], file: &str) -> Vec<Origin> {
    cells
        .iter()
        .map(|c| Origin {
            id: c.id.clone(),
            lon: c.lon,
            lat: c.lat,
            population: c.ind,
            ages: Some(c.ages),
            income: Some(c.ind_snv),
            source: format!("{file}:{}", c.line),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_become_origins_with_ages_and_income() {
        let cell = Cell {
            id: "CRS3035RES200mN2892000E3770600".into(),
            lon: 2.48,
            lat: 48.9,
            ind: 57.5,
            men: 21.0,
            men_pauv: 5.2,
            ind_snv: 1_045_210.4,
            ages: [3.1, 1.6, 4.2, 6.3, 5.0, 12.8, 11.9, 6.1, 5.0, 1.5],
            lcog_geo: "93010".into(),
            line: 3,
        };
        let o = cell_origins(std::slice::from_ref(&cell), "f.csv");
        assert_eq!(
            o,
            vec![Origin {
                id: cell.id,
                lon: 2.48,
                lat: 48.9,
                population: 57.5,
                ages: Some(cell.ages),
                income: Some(1_045_210.4),
                source: "f.csv:3".into(),
            }]
        );
    }
}
