//! Reading a study's inputs through the real-format readers: territorial levels, the
//! population as [`Origin`]s and the supply as [`Site`]s, every refused row into one
//! [`Rejects`].

use super::config::{PopulationInput, Study, SupplyInput, TerritoryInput};
use crate::inputs::demand::areal::{place_population, read_population_csv, Placement};
use crate::inputs::demand::origins::cell_origins;
use crate::inputs::demand::{read_filosofi, Origin};
use crate::inputs::geocode::ban::BanIndex;
use crate::inputs::points_layer::{read_origins, read_sites};
use crate::inputs::supply::annuaire::read_annuaire_with_summary;
use crate::inputs::supply::finess::{read_finess, FinessCategories};
use crate::inputs::supply::sites::{activity_sites, finess_sites};
use crate::inputs::supply::{CategoryMap, Site};
use crate::inputs::territory::{dissolve, read_membership_csv, read_units, UnitLayer};
use crate::support::rejects::Rejects;
use anyhow::Context;

/// Reads every territorial level, in the study's order (membership levels dissolved from
/// the commune level).
pub fn read_territories(study: &Study, rejects: &mut Rejects) -> anyhow::Result<Vec<UnitLayer>> {
    let mut layers: Vec<UnitLayer> = Vec::new();
    let polygons = study.territories.iter().filter(|t| t.path.is_some());
    let lists = study.territories.iter().filter(|t| t.members.is_some());
    for t in polygons.chain(lists) {
        layers.push(read_level(t, &layers, rejects)?);
    }
    // Back to the study's order.
    let order = |kind: &str| study.territories.iter().position(|t| t.kind == kind);
    layers.sort_by_key(|l| order(&l.kind));
    Ok(layers)
}

fn read_level(
    t: &TerritoryInput,
    read: &[UnitLayer],
    rejects: &mut Rejects,
) -> anyhow::Result<UnitLayer> {
    if let Some(path) = &t.path {
        return read_units(
            path,
            t.layer.as_deref(),
            &t.kind,
            t.code_field.as_deref(),
            t.name_field.as_deref(),
            t.crs.as_deref(),
            rejects,
        )
        .with_context(|| format!("reading the {} level", t.kind));
    }
    let members = t.members.as_deref().unwrap_or(std::path::Path::new(""));
    let communes = read
        .iter()
        .find(|l| l.kind == "commune")
        .context("a membership level needs the commune level")?;
    let membership = read_membership_csv(members, rejects)
        .with_context(|| format!("reading the {} commune lists", t.kind))?;
    let mut dissolved = dissolve(&membership, communes, rejects).layer;
    dissolved.kind = t.kind.clone();
    for u in &mut dissolved.units {
        u.kind = t.kind.clone();
    }
    Ok(dissolved)
}

/// Reads the population as origins.
pub fn read_population(
    study: &Study,
    layers: &[UnitLayer],
    rejects: &mut Rejects,
) -> anyhow::Result<Vec<Origin>> {
    Ok(match &study.population {
        PopulationInput::Filosofi {
            path, layer, crs, ..
        } => {
            let cells = read_filosofi(path, layer.as_deref(), crs.as_deref(), rejects)
                .with_context(|| format!("reading the population {}", path.display()))?;
            cell_origins(&cells, &path.display().to_string())
        }
        PopulationInput::Points { path, columns, .. } => {
            read_origins(path, columns, rejects)?.items
        }
        PopulationInput::Areal {
            path,
            units,
            columns,
            sheet,
            grid_m,
            ..
        } => {
            let rows = read_population_csv(path, columns, sheet.as_deref(), rejects)?;
            let layer = layers
                .iter()
                .find(|l| &l.kind == units)
                .with_context(|| format!("no territory level {units:?}"))?;
            let placement = match grid_m {
                Some(cell_m) => Placement::Grid { cell_m: *cell_m },
                None => Placement::InteriorPoint,
            };
            place_population(
                layer,
                units,
                &rows,
                &path.display().to_string(),
                placement,
                rejects,
            )?
        }
    })
}

/// Reads every supply file as sites, in the study's order.
pub fn read_supply(study: &Study, rejects: &mut Rejects) -> anyhow::Result<Vec<Site>> {
    let mut sites = Vec::new();
    for s in &study.supply {
        match s {
            SupplyInput::Annuaire { path, ban } => {
                let (activities, summary) =
                    read_annuaire_with_summary(path, &CategoryMap::default_french(), rejects)
                        .with_context(|| format!("reading {}", path.display()))?;
                tracing::info!("{}: {summary}", path.display());
                let index = BanIndex::from_csv(ban, rejects).context("reading the BAN files")?;
                let (geocoded, g) = index.geocode_all(&activities);
                tracing::info!("geocoding: {g:?}");
                sites.extend(activity_sites(
                    &activities,
                    &geocoded,
                    &path.display().to_string(),
                    rejects,
                )?);
            }
            SupplyInput::Finess { path } => {
                let (structures, _) =
                    read_finess(path, &FinessCategories::default_french(), rejects)
                        .with_context(|| format!("reading {}", path.display()))?;
                sites.extend(finess_sites(
                    &structures,
                    &path.display().to_string(),
                    rejects,
                ));
            }
            SupplyInput::Points { path, columns } => {
                sites.extend(read_sites(path, columns, rejects)?.items);
            }
        }
    }
    Ok(sites)
}
