//! A two-indicator typology of territorial units, the ICC typology (`[[icc.typology]]`)
//! generalised to any two per-unit indicators: each unit is on the worse or the better side
//! of each indicator's threshold, giving four classes ("low participation and far from
//! imaging", "low participation, near imaging"…).
//!
//! An axis is worse `above` its threshold (a travel time) or `below` it (a participation
//! rate, an APL, a density); a value equal to the threshold is on the better side, as in
//! the ICC typology. A unit missing either value has no class and is counted apart.
//!
//! Worked example: participation worse below 40 %, radiology time worse above 10 minutes;
//! a commune at 35 % and 12 minutes is "worse · worse", one at 40 % and 10 minutes
//! "better · better".

use std::collections::BTreeMap;

/// Which side of the threshold is worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorseWhen {
    /// Larger is worse (a time).
    Above,
    /// Smaller is worse (a rate, an APL, a density).
    Below,
}

impl WorseWhen {
    /// Reads `above` or `below`.
    pub fn parse(text: &str) -> Option<WorseWhen> {
        match text {
            "above" => Some(WorseWhen::Above),
            "below" => Some(WorseWhen::Below),
            _ => None,
        }
    }
}

/// One axis of a typology.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// Per-unit values.
    pub values: Vec<Option<f64>>,
    /// The threshold, in the indicator's unit (a value equal to it is better).
    pub threshold: f64,
    /// Which side is worse.
    pub worse_when: WorseWhen,
    /// Labels of the worse and the better side ("low participation", "high participation").
    pub labels: [String; 2],
}

impl Axis {
    /// Whether `x` is on the worse side.
    pub fn is_worse(&self, x: f64) -> bool {
        match self.worse_when {
            WorseWhen::Above => x > self.threshold,
            WorseWhen::Below => x < self.threshold,
        }
    }

    /// The label of `x`'s side.
    fn label(&self, x: f64) -> &str {
        &self.labels[usize::from(!self.is_worse(x))]
    }
}

/// The class of every unit (`"{x label} · {y label}"`; `None` when a value is missing).
pub fn classify(x: &Axis, y: &Axis) -> Vec<Option<String>> {
    x.values
        .iter()
        .zip(&y.values)
        .map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) => Some(format!("{} · {}", x.label(*a), y.label(*b))),
            _ => None,
        })
        .collect()
}

/// Units and population per class, every class listed (in the order worse · worse, worse
/// · better, better · worse, better · better), then the unclassified under `""`.
pub fn tally(
    x: &Axis,
    y: &Axis,
    classes: &[Option<String>],
    population: &[f64],
) -> Vec<(String, usize, f64)> {
    let mut out: BTreeMap<String, (usize, Vec<f64>)> = BTreeMap::new();
    let mut order = Vec::new();
    for a in &x.labels {
        for b in &y.labels {
            let c = format!("{a} · {b}");
            out.insert(c.clone(), (0, Vec::new()));
            order.push(c);
        }
    }
    order.push(String::new());
    out.insert(String::new(), (0, Vec::new()));
    for (c, &p) in classes.iter().zip(population) {
        let e = out.entry(c.clone().unwrap_or_default()).or_default();
        e.0 += 1;
        e.1.push(p);
    }
    order
        .into_iter()
        .map(|c| {
            let (n, p) = out.remove(&c).unwrap_or_default();
            (c, n, crate::support::exact_sum::exact_sum(p))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(values: &[Option<f64>], threshold: f64, w: WorseWhen, l: [&str; 2]) -> Axis {
        Axis {
            values: values.to_vec(),
            threshold,
            worse_when: w,
            labels: l.map(String::from),
        }
    }

    #[test]
    fn the_worked_example_and_its_tally() {
        let x = axis(
            &[Some(35.0), Some(40.0), Some(50.0), None],
            40.0,
            WorseWhen::Below,
            ["low participation", "high participation"],
        );
        let y = axis(
            &[Some(12.0), Some(10.0), Some(10.5), Some(3.0)],
            10.0,
            WorseWhen::Above,
            ["far", "near"],
        );
        let c = classify(&x, &y);
        assert_eq!(c[0].as_deref(), Some("low participation · far"));
        assert_eq!(c[1].as_deref(), Some("high participation · near"));
        assert_eq!(c[2].as_deref(), Some("high participation · far"));
        assert_eq!(c[3], None);
        let t = tally(&x, &y, &c, &[100.0, 200.0, 300.0, 400.0]);
        assert_eq!(
            t,
            vec![
                ("low participation · far".into(), 1, 100.0),
                ("low participation · near".into(), 0, 0.0),
                ("high participation · far".into(), 1, 300.0),
                ("high participation · near".into(), 1, 200.0),
                (String::new(), 1, 400.0),
            ]
        );
        assert_eq!(WorseWhen::parse("below"), Some(WorseWhen::Below));
        assert_eq!(WorseWhen::parse("under"), None);
    }
}
