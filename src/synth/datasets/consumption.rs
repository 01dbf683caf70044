//! Specialist consumption of the demo territory by commune, specialty, age band and sex,
//! with the populations and reference rates the ICC needs (`DOMAIN.md`, *ICC*:
//! `E_u = Σ_k r_k · P_{u,k}`, `ICC_u = 100 · O_u / E_u`).
//!
//! Populations: the Filosofi age bands of each commune's cells re-banded to `0-14`,
//! `15-44`, `45-64`, `65-74`, `75+` (the 11–17 band split 4/7 – 3/7 at 15, 40–54 split
//! 5/15 – 10/15 at 45, 65–79 split 10/15 – 5/15 at 75, i.e. uniform within a band), then
//! split by sex with French-like female shares (49 % to 61 % with age), rounded.
//! Reference rates ([`RATES`], acts per inhabitant per year) are plausible orders of
//! magnitude, not official figures. Observed counts: `round(rate · population · f_u · n)`
//! with a commune factor `f_u` in [0.85, 1.2) for town communes and [0.55, 0.9) for rural
//! ones (so rural communes under-consume: ICC < 100), and a stratum noise `n` in
//! [0.95, 1.05).

use super::super::rng::SplitMix64;
use super::cells::Grid;
use super::communes::CommuneMap;

/// File name of the consumption table.
pub const CONSUMPTION_FILE: &str = "consumption.csv";
/// File name of the population table.
pub const POPULATION_FILE: &str = "population_by_age_sex.csv";
/// File name of the reference rates.
pub const RATES_FILE: &str = "reference_rates.csv";

/// Age bands of the tables.
pub const AGE_BANDS: [&str; 5] = ["0-14", "15-44", "45-64", "65-74", "75+"];
/// Sexes of the tables.
pub const SEXES: [&str; 2] = ["F", "M"];
/// Specialties of the tables.
pub const SPECIALTIES: [&str; 4] = ["radiology", "gastro", "gynaecology", "ophthalmology"];
/// Share of women per age band.
const FEMALE: [f64; 5] = [0.49, 0.505, 0.515, 0.53, 0.61];
/// Share of each Filosofi band ([`crate::inputs::demand::filosofi::AGE_COLUMNS`]) going to each of
/// [`AGE_BANDS`].
const REBAND: [[f64; 5]; 10] = [
    [1.0, 0.0, 0.0, 0.0, 0.0],
    [1.0, 0.0, 0.0, 0.0, 0.0],
    [1.0, 0.0, 0.0, 0.0, 0.0],
    [4.0 / 7.0, 3.0 / 7.0, 0.0, 0.0, 0.0],
    [0.0, 1.0, 0.0, 0.0, 0.0],
    [0.0, 1.0, 0.0, 0.0, 0.0],
    [0.0, 5.0 / 15.0, 10.0 / 15.0, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 10.0 / 15.0, 5.0 / 15.0],
    [0.0, 0.0, 0.0, 0.0, 1.0],
];
/// Reference rates, acts per inhabitant per year: `[specialty][age band][sex (F, M)]`.
pub const RATES: [[[f64; 2]; 5]; 4] = [
    [
        [0.08, 0.08],
        [0.35, 0.2],
        [0.6, 0.45],
        [0.85, 0.75],
        [0.9, 0.85],
    ],
    [
        [0.01, 0.01],
        [0.05, 0.04],
        [0.12, 0.12],
        [0.2, 0.22],
        [0.18, 0.2],
    ],
    [
        [0.01, 0.0],
        [0.45, 0.0],
        [0.35, 0.0],
        [0.2, 0.0],
        [0.1, 0.0],
    ],
    [
        [0.15, 0.15],
        [0.15, 0.12],
        [0.3, 0.25],
        [0.55, 0.5],
        [0.7, 0.65],
    ],
];

/// Populations and observed counts, by commune.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Consumption {
    /// `[commune][age band][sex]` inhabitants.
    pub population: Vec<[[u64; 2]; 5]>,
    /// `[commune][specialty][age band][sex]` acts.
    pub count: Vec<[[[u64; 2]; 5]; 4]>,
    /// Commune factor `f_u` (observed over expected, before noise and rounding).
    pub factor: Vec<f64>,
}

impl Consumption {
    /// Rows of `consumption.csv`.
    pub fn rows(&self) -> usize {
        self.count.len() * SPECIALTIES.len() * AGE_BANDS.len() * SEXES.len()
    }
}

/// Computes populations and counts.
pub fn consumption(map: &CommuneMap, grid: &Grid, seed: u64) -> Consumption {
    let n = map.communes.len();
    let mut bands = vec![[0.0f64; 5]; n];
    for c in &grid.cells {
        for (a, v) in c.ages.iter().enumerate() {
            for (b, share) in REBAND[a].iter().enumerate() {
                bands[c.commune][b] += v * share;
            }
        }
    }
    let mut rng = SplitMix64::derive(seed, 900_000_005);
    let mut out = Consumption::default();
    for (i, commune) in map.communes.iter().enumerate() {
        let population: [[u64; 2]; 5] = std::array::from_fn(|b| {
            let f = (bands[i][b] * FEMALE[b]).round() as u64;
            [f, (bands[i][b].round() as u64).saturating_sub(f)]
        });
        let factor = match commune.town {
            Some(_) => rng.range(0.85, 1.2),
            None => rng.range(0.55, 0.9),
        };
        let mut count = [[[0u64; 2]; 5]; 4];
        for (s, per_band) in count.iter_mut().enumerate() {
            for (b, per_sex) in per_band.iter_mut().enumerate() {
                for (x, v) in per_sex.iter_mut().enumerate() {
                    let noise = rng.range(0.95, 1.05);
                    *v = (RATES[s][b][x] * population[b][x] as f64 * factor * noise).round() as u64;
                }
            }
        }
        out.population.push(population);
        out.count.push(count);
        out.factor.push(factor);
    }
    out
}

/// `consumption.csv`: `code,specialty,age_band,sex,count`.
pub fn consumption_csv(map: &CommuneMap, c: &Consumption) -> Vec<u8> {
    let mut s = String::from("code,specialty,age_band,sex,count\n");
    for (i, commune) in map.communes.iter().enumerate() {
        for (sp, name) in SPECIALTIES.iter().enumerate() {
            for (b, band) in AGE_BANDS.iter().enumerate() {
                for (x, sex) in SEXES.iter().enumerate() {
                    s.push_str(&format!(
                        "{},{name},{band},{sex},{}\n",
                        commune.code, c.count[i][sp][b][x]
                    ));
                }
            }
        }
    }
    s.into_bytes()
}

/// `population_by_age_sex.csv`: `code,age_band,sex,population`.
pub fn population_csv(map: &CommuneMap, c: &Consumption) -> Vec<u8> {
    let mut s = String::from("code,age_band,sex,population\n");
    for (i, commune) in map.communes.iter().enumerate() {
        for (b, band) in AGE_BANDS.iter().enumerate() {
            for (x, sex) in SEXES.iter().enumerate() {
                s.push_str(&format!(
                    "{},{band},{sex},{}\n",
                    commune.code, c.population[i][b][x]
                ));
            }
        }
    }
    s.into_bytes()
}

/// `reference_rates.csv`: `specialty,age_band,sex,rate`.
pub fn rates_csv() -> Vec<u8> {
    let mut s = String::from("specialty,age_band,sex,rate\n");
    for (sp, name) in SPECIALTIES.iter().enumerate() {
        for (b, band) in AGE_BANDS.iter().enumerate() {
            for (x, sex) in SEXES.iter().enumerate() {
                s.push_str(&format!("{name},{band},{sex},{:.3}\n", RATES[sp][b][x]));
            }
        }
    }
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebanding_keeps_every_inhabitant() {
        for row in REBAND {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }
}
