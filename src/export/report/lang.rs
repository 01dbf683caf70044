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

    /// `share` (0 to 1) as a percentage with no decimal, `12 %`.
    pub fn percent(self, share: f64) -> String {
        format!("{} %", self.number(100.0 * share, 0))
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
    fn numbers_use_the_language_separator_and_never_exponents() {
        assert_eq!(Lang::Fr.number(12.5, 1), "12,5");
        assert_eq!(Lang::En.number(12.5, 1), "12.5");
        assert_eq!(Lang::Fr.number(0.00093107, 5), "0,00093");
        assert_eq!(Lang::Fr.percent(0.123), "12 %");
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert!("de".parse::<Lang>().unwrap_err().contains("fr or en"));
    }
}
