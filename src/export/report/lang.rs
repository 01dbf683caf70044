//! Language of a report: French by default (the users are French health planners),
//! English on request (`[output] lang = "en"`, `recours run --lang en`).
//!
//! Every piece of text the report writes is given in both languages at the place it is
//! written ([`Lang::pick`]), so that a sentence and its translation are read together.

use serde::{Deserialize, Serialize};

/// A report's language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French (default).
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// `fr` in French, `en` in English.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// BCP 47 code of the language, for `<html lang>`.
    pub fn code(self) -> &'static str {
        self.pick("fr", "en")
    }

    /// `x` with `decimals` decimals, in fixed notation, the decimal separator of the
    /// language (`12,5` in French, `12.5` in English).
    pub fn number(self, x: f64, decimals: usize) -> String {
        let s = crate::export::columns::Format::Fixed(decimals).write(x);
        match self {
            Lang::Fr => s.replace('.', ","),
            Lang::En => s,
        }
    }

    /// `text` (numbers written with a decimal point, e.g. a legend's `2.5 – 5.0`) with the
    /// language's decimal separator.
    pub fn localise(self, text: &str) -> String {
        match self {
            Lang::Fr => text.replace('.', ","),
            Lang::En => text.to_string(),
        }
    }

    /// `x` rounded to a whole number, its thousands grouped: `10 000` in French (a
    /// no-break space), `10,000` in English.
    pub fn count(self, x: f64) -> String {
        let digits = format!("{:.0}", x.abs());
        let mut grouped = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push_str(self.pick("\u{a0}", ","));
            }
            grouped.push(d);
        }
        if x.round() < 0.0 {
            grouped.insert(0, '-');
        }
        grouped
    }

    /// `x` in plain decimal notation (never scientific, for readers of the report), with
    /// the language's decimal separator: four decimals from 0.01 up, four significant
    /// digits below (`0,0009311`).
    pub fn figure(self, x: f64) -> String {
        let decimals = if x != 0.0 && x.abs() < 0.01 {
            (3 - x.abs().log10().floor() as i32).min(15) as usize
        } else {
            4
        };
        self.localise(&format!("{x:.decimals$}"))
    }

    /// `share` (0 to 1) as a percentage with no decimal, `12 %`.
    pub fn percent(self, share: f64) -> String {
        format!("{} %", self.number(100.0 * share, 0))
    }
}

/// A piece of text made by the engine, in both languages, for the report and the
/// summary (which is always English).
#[derive(Clone, Debug, PartialEq)]
pub struct Phrase {
    /// French.
    pub fr: String,
    /// English.
    pub en: String,
}

impl Phrase {
    /// The text in `lang`.
    pub fn pick(&self, lang: Lang) -> &str {
        lang.pick(&self.fr, &self.en)
    }
}

impl std::str::FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Lang, String> {
        match s {
            "fr" => Ok(Lang::Fr),
            "en" => Ok(Lang::En),
            other => Err(format!(
                "unknown report language {other:?}: expected fr or en"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_never_scientific() {
        assert_eq!(Lang::En.figure(9.3107e-4), "0.0009311");
        assert_eq!(Lang::Fr.figure(-9.3107e-4), "-0,0009311");
        assert_eq!(Lang::En.figure(3.25), "3.2500");
        assert_eq!(Lang::En.figure(0.0), "0.0000");
        assert!(!Lang::En.figure(1e-12).contains('e'));
    }

    #[test]
    fn counts_group_thousands() {
        assert_eq!(Lang::Fr.count(10_000.0), "10\u{a0}000");
        assert_eq!(Lang::En.count(1_234_567.4), "1,234,567");
        assert_eq!(Lang::En.count(-1_000.0), "-1,000");
        assert_eq!(Lang::Fr.count(999.0), "999");
    }

    #[test]
    fn numbers_use_the_language_separator_and_never_exponents() {
        assert_eq!(Lang::Fr.number(12.5, 1), "12,5");
        assert_eq!(Lang::En.number(12.5, 1), "12.5");
        assert_eq!(Lang::Fr.number(0.00093107, 5), "0,00093");
        assert_eq!(Lang::Fr.percent(0.123), "12 %");
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert!("de".parse::<Lang>().unwrap_err().contains("fr or en"));
    }
}
