//! The bundled demo territory, end to end: `recours demo --out DIR`.
//!
//! Everything the demo reads is generated here, deterministically, and written in the
//! formats the engine reads in real studies, then run through `recours run` exactly as a
//! real study would be:
//!
//! 1. a road network ([`crate::synth`]: towns, villages, a motorway, a ferry, an island)
//!    written as an OpenStreetMap PBF file, `input/territory.osm.pbf`;
//! 2. the territory's data in the published layouts ([`crate::synth::datasets`]): ADMIN
//!    EXPRESS-like communes, QPV 2024, CPTS commune lists, Filosofi 200 m cells, an Annuaire
//!    Santé extraction with its BAN address file, a FINESS extraction, specialist
//!    consumption tables;
//! 3. a study file, `study.toml` ([`DEMO_STUDY`]), asking for the time to the nearest GP,
//!    radiologist, gastro-enterologist and pharmacy (and the 3rd nearest), GP coverage, GP
//!    E2SFCA at 30 minutes and the APL, summarised per commune, QPV and CPTS;
//! 4. the study run ([`crate::study::run_study`]) into `results/`, with four what-if
//!    scenarios (a practice closes, a maison de santé opens, a specialist's outreach
//!    half-days, a shorter catchment), a greedy suggestion of three new GP sites, and two
//!    snapshots compared (the supply of 2016 against today's).
//!
//! Same seed, same bytes: the demo's outputs are identical on every run and machine,
//! whatever the number of threads.

use crate::study::{run_study, RunSummary};
use crate::synth::datasets::{write_demo_datasets, DatasetsSummary};
use crate::synth::{generate, write_pbf, RoadNetworkSpec};
use anyhow::Context;
use std::fmt;
use std::path::{Path, PathBuf};

/// Seed of the demo territory.
pub const DEMO_SEED: u64 = 2026;

/// The demo's study file, written beside its `input/` folder.
pub const DEMO_STUDY: &str = r#"# The recours demo territory: every input generated in the published layouts.
name = "recours demo territory (seed 2026)"

[network]
osm = "input/territory.osm.pbf"
profile = "car"

[population]
kind = "filosofi"
path = "input/filosofi_200m.csv"

[[supply]]
kind = "annuaire"
path = "input/PS_LibreAcces_Personne_activite_demo.txt"
ban = ["input/adresses-93.csv"]

[[supply]]
kind = "finess"
path = "input/finess_etalab_demo.csv"

[[territories]]
kind = "commune"
path = "input/communes.geojson"

[[territories]]
kind = "qpv"
path = "input/qpv.geojson"

[[territories]]
kind = "cpts"
members = "input/cpts.csv"

[indicators]
nearest = ["gp", "radiology", "gastroenterology", "pharmacist"]
kth = 3
coverage = ["gp"]
thresholds = [5, 10, 15, 20, 30, 45, 60]
# Relative GP consumption of the Filosofi age bands (ind_0_3 … ind_80p): illustrative.
age_weights = [1.3, 0.9, 0.7, 0.6, 0.7, 0.8, 0.9, 1.1, 1.5, 2.2]

[[indicators.fca]]
name = "gp_e2sfca"
category = "gp"
method = "e2sfca"
max_minutes = 30

[[indicators.fca]]
name = "apl"
category = "gp"
method = "apl"
thresholds = [2.5, 4]

# The DREES convention: commune to commune, chef-lieu to chef-lieu, 0 minutes within.
[[indicators.fca]]
name = "apl_communes"
category = "gp"
method = "apl"
level = "commune"

# Breast screening participation per commune (generated): a rate with its denominators.
[[indicators.external]]
name = "participation"
path = "input/participation.csv"
level = "commune"
code = "code_insee"
value = "rate_pct"
numerator = "screened"
denominator = "insured_pop"
per = 100

[icc]
consumption = "input/consumption.csv"
population = "input/population_by_age_sex.csv"
rates = "input/reference_rates.csv"
territories = "input/cpts.csv"
acts_per_fte = { radiology = 9000, gastro = 4500, gynaecology = 5000, ophthalmology = 7000 }
supply_categories = { gastro = "gastroenterology" }

# GP zonage of the communes on the commune-level APL (2017 rule; quotas illustrative).
[zonage]
level = "commune"
[zonage.rule_2017]
column = "apl_communes"
zip_b_population = 5000
zac_population = 5000
outside_eligible_share = 0.05

# Supply per unit: sites, professionals, FTE, density per 10,000, share aged 60+.
[densities]
per = 10000
aged = 60

# Rows of the larger areas at the end of every per-unit table.
[[reference]]
code = "93"
name = "Seine-Saint-Denis (the demo territory)"
computed = true

[[reference]]
code = "11"
name = "Ile-de-France"
table = "input/reference.csv"

[[reference]]
code = "FR"
name = "France"
table = "input/reference.csv"

# Target populations: every indicator also summarised for them (groups.csv, {level}/groups/).
[[population.groups]]
name = "aged_50_74"
ages = "50-74"

[[population.groups]]
name = "aged_75_plus"
ages = "75+"

# Low screening participation and far from radiology, per commune.
[[typology]]
name = "screening_radiology"
level = "commune"
x = { indicator = "participation", threshold = 40, worse_when = "below", labels = ["low participation", "high participation"] }
y = { indicator = "radiology_minutes_mean", threshold = 8, worse_when = "above", labels = ["far from radiology", "near radiology"] }

# Years compared: the supply of 2016 (GPs since retired, none of those settled since)
# against today's; the other inputs are the study's, read once (snapshots/).
[[snapshot]]
name = "2016"
description = "The Annuaire Sante extraction of 2016"
[[snapshot.supply]]
kind = "annuaire"
path = "input/PS_LibreAcces_Personne_activite_2016_demo.txt"
ban = ["input/adresses-93.csv"]
[[snapshot.supply]]
kind = "finess"
path = "input/finess_etalab_demo.csv"

[[snapshot]]
name = "2026"
description = "Today's supply: the study as written"

# What-if scenarios, recomputed from the baseline (only the sites they change are searched).
[[scenario]]
name = "practice-closes"
description = "Trois médecins généralistes de Lorvauac cessent leur activité"
[[scenario.remove]]
ids = ["10990000001", "10990000002", "10990000003"]

[[scenario]]
name = "msp-les-essarts"
description = "Une maison de santé de 4 médecins généralistes (3 600 actes par an chacun) ouvre aux Essarts"
[[scenario.add]]
id = "msp-les-essarts"
category = "gp"
lon = 2.3355
lat = 48.8654
professionals = 4
activity = 3600

[[scenario]]
name = "gastro-outreach"
description = "Un gastro-entérologue tient 2 demi-journées de consultation par semaine à Fontenelle (adresse géocodée)"
[[scenario.outreach]]
id = "gastro-fontenelle"
category = "gastroenterology"
address = { number = "1", street = "Rue de l'Ile 1", postcode = "93918", commune = "Fontenelle" }
half_days = 2

[[scenario]]
name = "e2sfca-20min"
description = "E2SFCA des médecins généralistes avec une aire de 20 minutes au lieu de 30"
[[scenario.fca]]
name = "gp_e2sfca"
max_minutes = 20

# Where 3 new GP sites would bring the most people within 10 minutes (greedy).
[[suggest]]
name = "gp-within-10"
category = "gp"
budget = 3
objective = "coverage"
minutes = 10
grid_m = 1000

[output]
dir = "results"
# Each scenario writes the cells and units whose values moved (before, after, delta) and
# its summaries; "full" writes every cell and unit.
scenario_layers = "changes"
"#;

/// What the demo produced.
#[derive(Clone, Debug)]
pub struct DemoSummary {
    /// Output folder.
    pub out: PathBuf,
    /// The generated datasets.
    pub datasets: DatasetsSummary,
    /// The study run.
    pub run: RunSummary,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.datasets;
        writeln!(
            f,
            "recours demo territory (seed {DEMO_SEED}) in {}",
            self.out.display()
        )?;
        writeln!(
            f,
            "generated: {} communes, {} QPV, {} CPTS, {} Filosofi cells ({:.0} inhabitants), {} BAN addresses, {} Annuaire rows, {} FINESS structures",
            d.communes, d.qpv, d.cpts, d.cells, d.inhabitants, d.addresses, d.annuaire_rows, d.finess_structures
        )?;
        write!(f, "{}", self.run)
    }
}

/// Runs the demo into `out` and returns its summary (the run's summary is also written to
/// `results/summary.txt`).
pub fn run_demo(out: &Path) -> anyhow::Result<DemoSummary> {
    let input = out.join("input");
    std::fs::create_dir_all(&input).with_context(|| format!("creating {}", input.display()))?;
    let osm = generate(&RoadNetworkSpec::small(DEMO_SEED));
    let pbf = input.join("territory.osm.pbf");
    write_pbf(&osm, &pbf).with_context(|| format!("writing {}", pbf.display()))?;
    let datasets = write_demo_datasets(&osm, DEMO_SEED, &input)?;
    let study = out.join("study.toml");
    crate::support::atomic::write_with(&study, |w| Ok(w.write_all(DEMO_STUDY.as_bytes())?))?;
    let run = run_study(&study, None)?;
    Ok(DemoSummary {
        out: out.to_path_buf(),
        datasets,
        run: run.summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_study_parses() {
        let s = crate::study::Study::parse(DEMO_STUDY).unwrap();
        assert_eq!(s.indicators.fca.len(), 3);
        assert_eq!(s.territories.len(), 3);
        assert_eq!(s.snapshot.len(), 2);
        assert_eq!(s.population.groups().len(), 2);
    }
}
